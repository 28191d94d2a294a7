"""Verification properties of `spatial_angle_modulation` (`voices.md` §3.10) and
`spatial_angle_modulation_monaural_beat` (§3.11), numbered as there, on both renderers.

The KEMAR cases need the responses from the installed `slab` package (scripts/setup.sh
installs it). Levels are RMS over 20 ms windows centred on the stated times.
"""

from __future__ import annotations

import measure as M
import numpy as np
import pytest

from .cases import SR, frames, ramp, voice

N8 = frames(8.0)
SAM = "spatial_angle_modulation"
SAM_MONO = "spatial_angle_modulation_monaural_beat"


def sam(ramp_=None, **params):
    base = dict(carrier_freq_hz=1000.0, path_freq_hz=0.25, amp=0.5)
    return voice(SAM, ramp_, **{**base, **params})


def window_rms(x, sr, t_s, width_s=0.02):
    a = max(0, int(round((t_s - width_s / 2) * sr)))
    return M.rms(x[a : a + int(round(width_s * sr))])


def ild_db(y, sr, t_s, width_s=0.02):
    """R over L in dB at t_s."""
    return M.db(window_rms(y[:, 1], sr, t_s, width_s) / window_rms(y[:, 0], sr, t_s, width_s))


def ild_series(y, sr, width_s=0.02):
    """(t, R/L in dB) over consecutive windows."""
    w = int(round(width_s * sr))
    m = y.shape[0] // w
    r = np.sqrt(np.mean(y[: m * w].reshape(m, w, 2) ** 2, axis=1))
    return (np.arange(m) + 0.5) * w / sr, 20 * np.log10(r[:, 1] / r[:, 0])


def crossings(t, v, rising: bool):
    """Times where v crosses 0 in one direction (linear interpolation)."""
    s = np.sign(v)
    k = np.nonzero((s[:-1] < 0) & (s[1:] > 0) if rising else (s[:-1] > 0) & (s[1:] < 0))[0]
    return t[k] - v[k] * (t[k + 1] - t[k]) / (v[k + 1] - v[k])


def period_s(y, sr):
    """Period of the level difference: the spacing of its falling zero crossings."""
    t, d = ild_series(y, sr)
    falling = crossings(t, d, rising=False)
    assert falling.size >= 2, falling
    return float(np.diff(falling).mean())


@pytest.mark.parametrize("sr", [SR, 44_100])
def test_sam_1_2_3_circle_levels_and_period(render, sr):
    y = render(sam(), sr, frames(8.0, sr))
    assert period_s(y, sr) == pytest.approx(4.0, abs=0.02)                     # property 1
    assert ild_db(y, sr, 1.0) == pytest.approx(6.1, abs=1.0)                   # property 2: +90° is right
    assert ild_db(y, sr, 3.0) == pytest.approx(-6.1, abs=1.0)
    assert ild_db(y, sr, 0.01) == pytest.approx(0.0, abs=0.3)
    assert ild_db(y, sr, 2.0) == pytest.approx(0.0, abs=0.3)
    assert M.db(M.peak(y) / 0.5) == pytest.approx(0.0, abs=0.3)                # property 3


def test_sam_2_interaural_delay_at_300_hz(render):
    y = render(sam(carrier_freq_hz=300.0), SR, frames(2.0))
    a, b = frames(0.95), frames(1.05)
    _, phi = M.interaural_phase(y[a:b, 0], y[a:b, 1], SR, 0.1)
    assert phi[0] / (2 * np.pi * 300.0) * 1e3 == pytest.approx(0.83, abs=0.05)   # R leads
    assert ild_db(y, SR, 1.0) == pytest.approx(3.9, abs=0.5)


# The first frames hold the responses' own onset (the voice starts abruptly; render.md's 10 ms
# start fade covers it): click measurements start after one response length.
ONSET = frames(0.02)


def test_sam_4_click_free(render):
    y = render(sam(), SR, N8)
    for ch in (0, 1):
        assert M.max_second_difference(y[ONSET:, ch]) <= 1.5 * M.click_bound(0.5, 1000.0, SR)


@pytest.mark.parametrize("freq, lead_ms", [(200.0, 0.87)])
def test_sam_6_sphere_model(render, freq, lead_ms):
    y = render(sam(carrier_freq_hz=freq, hrtf_model="sphere"), SR, frames(3.5))
    a, b = frames(0.95), frames(1.05)
    _, phi = M.interaural_phase(y[a:b, 0], y[a:b, 1], SR, 0.1)
    assert phi[0] / (2 * np.pi * freq) * 1e3 == pytest.approx(lead_ms, abs=0.03)
    assert abs(ild_db(y, SR, 1.0)) < 1.5
    hi = render(sam(carrier_freq_hz=8000.0, hrtf_model="sphere"), SR, frames(3.5))
    assert ild_db(hi, SR, 1.0) >= 10.0        # the far (left) ear is shadowed
    assert ild_db(hi, SR, 3.0) <= -10.0


def test_sam_paths_point_where_the_spec_says(render):
    """At t = 1/(4·rate): circle is right, square starts at the side (right at t = 0), arc
    0…180° is at 90° (right) half way, stopped paths stay in front; radius < 0 flips."""
    n = frames(1.2)
    right = lambda v, t: ild_db(render(v, SR, n), SR, t)  # noqa: E731
    assert right(sam(path_shape="square"), 0.01) > 5.0
    assert right(sam(path_shape="arc", arc_start_deg=0.0, arc_end_deg=180.0), 1.0) > 5.0
    assert right(sam(path_shape="arc", arc_start_deg=0.0, arc_end_deg=-180.0), 1.0) < -5.0
    assert right(sam(path_shape="circle", path_radius=-1.0), 1.0) < -5.0
    assert abs(right(sam(path_freq_hz=0.0, path_shape="arc", arc_start_deg=90.0), 0.5)) < 0.3
    assert right(sam(path_shape="diamond"), 0.5) > 5.0          # the square's corner (1, 1) turned to 90°
    assert right(sam(path_shape="oscillating_arc", arc_start_deg=90.0, arc_end_deg=90.0), 0.5) > 5.0


def test_sam_linear_path_flips_front_to_back_without_a_click(render):
    """The linear path jumps between 0° and 180°; the 5 ms crossfade keeps the output smooth."""
    amp, f = 0.7, 440.0
    y = render(voice(SAM, path_shape="linear", path_freq_hz=3.0, amp=amp, carrier_freq_hz=f), SR, frames(1.0))
    fade = frames(0.005)
    # the crossfade's own slope and kink: (2·|Δ(b − a)| + |b − a|)/fade with |b − a| ≤ 2·amp
    bound = M.click_bound(amp, f, SR) + (2 * 2 * amp * 2 * np.pi * f / SR + 2 * amp) / fade
    # Switching hard from front to back would step by this much:
    front = render(voice(SAM, path_freq_hz=0.0, amp=amp, carrier_freq_hz=f), SR, frames(0.2))
    back = render(voice(SAM, path_freq_hz=0.0, path_radius=-1.0, amp=amp, carrier_freq_hz=f), SR, frames(0.2))
    assert np.abs(front - back).max() > 20 * bound
    for ch in (0, 1):
        assert M.max_second_difference(y[ONSET:, ch]) <= bound


def test_sam_transition_with_plain_keys_renders_the_base_voice(render):
    base = sam(path_shape="arc", arc_end_deg=200.0)
    trans = sam(ramp(0.5, 1.0), path_shape="arc", arc_end_deg=200.0)
    assert np.array_equal(render(base, SR, frames(2.0)), render(trans, SR, frames(2.0)))


def test_sam_ramped_path_rate_slows_the_motion(render):
    """Path rate 1 → 0.25 Hz over the step: the level difference swings faster early on."""
    y = render(sam(ramp(), path_freq_hz=[1.0, 0.25]), SR, N8)
    t, d = ild_series(y, SR)
    falling = crossings(t, d, rising=False)
    assert np.all(np.diff(np.diff(falling)) > 0)        # each cycle longer than the last
    assert falling[0] == pytest.approx(0.5, abs=0.05)   # ∫ rate reaches 0.5 cycle near 0.5 s


def test_sam_monaural_1_beat_survives_and_the_path_period(render):
    y = render(voice(SAM_MONO, spatial_freq_hz=0.25), SR, N8)
    _, e = M.envelope(y[:, 0] + y[:, 1], SR, carrier_hz=200.0)
    assert M.tone_frequency(e - e.mean(), SR, 0.5, 50.0) == pytest.approx(4.0, abs=0.01)
    assert period_s(y, SR) == pytest.approx(4.0, abs=0.02)


@pytest.mark.parametrize("direction, sign", [("cw", 1.0), ("ccw", -1.0)])
def test_sam_monaural_2_rotation_direction(render, direction, sign):
    y = render(voice(SAM_MONO, base_freq_hz=1000.0, spatial_freq_hz=0.25, rotation=direction), SR, frames(1.5))
    assert sign * ild_db(y, SR, 1.0) == pytest.approx(6.1, abs=1.0)


def test_sam_monaural_3_ears_differ(render):
    """Over one revolution the 20 ms level envelopes of L and R are anti-correlated. With a
    monaural beat the shared 4 Hz envelope dominates both ears (correlation about +0.86 at the
    defaults), so the motion is measured with the beat at 0 (docs/spec-decisions-spatial.md)."""
    y = render(voice(SAM_MONO, spatial_freq_hz=0.25, beat_freq_hz=0.0), SR, frames(4.0))
    w = frames(0.02)
    m = y.shape[0] // w
    env = np.sqrt(np.mean(y[: m * w].reshape(m, w, 2) ** 2, axis=1))
    assert np.corrcoef(env[:, 0], env[:, 1])[0, 1] < 0.0


def test_sam_monaural_source_am_uses_the_plain_legacy_keys(render):
    """Lift-form AM of the mono source at 2 Hz: a 2 Hz line in the envelope (§3.11)."""
    y = render(voice(SAM_MONO, spatial_freq_hz=0.0, beat_freq_hz=0.0, sam_am_depth=1.0, sam_am_freq_hz=2.0), SR,
               frames(4.0))
    _, e = M.envelope(y[:, 0], SR, carrier_hz=200.0)
    assert M.tone_frequency(e - e.mean(), SR, 0.5, 50.0) == pytest.approx(2.0, abs=0.01)
    assert e.min() < 0.02 * e.max()      # depth 1 reaches silence


def test_sam_monaural_radius_zero_stays_in_front(render):
    y = render(voice(SAM_MONO, spatial_freq_hz=1.0, path_radius=0.0, base_freq_hz=1000.0), SR, frames(1.0))
    for t in (0.25, 0.5, 0.75):
        assert abs(ild_db(y, SR, t)) < 0.3


# --- inside a track: blocks, seeks, continuation ------------------------------------------------

RAW = dict(target_level=None, step_ceiling=None)


def _track(*steps, crossfade=0.0):
    from conftest import step, track, voice as file_voice

    return track(*(step(d, *(file_voice(f, t, **p) for f, t, p in vs)) for d, vs in steps),
                 sample_rate=SR, crossfade=crossfade)


SPATIAL_TRACK = [
    (0.6, [(SAM, False, dict(carrierFreq=500.0, beatFreq=2.0, pathShape="linear", amp=0.4)),
           (SAM_MONO, False, dict(baseFreq=300.0, spatialBeatFreq=1.5, hrtfModel="sphere", amp=0.3))]),
    (0.5, [(SAM, True, dict(startCarrierFreq=500.0, endCarrierFreq=700.0, beatFreq=2.0, pathShape="linear",
                            amp=0.4, initial_offset=0.1)),
           (SAM_MONO, False, dict(baseFreq=300.0, spatialBeatFreq=1.5, hrtfModel="sphere", amp=0.3))]),
]


def test_block_size_and_seek_in_a_track():
    import entrainer

    t = _track(*SPATIAL_TRACK, crossfade=0.1)
    whole = entrainer.render(t, **RAW)
    for block in (1, 64, 127, 4096):
        if block == 1:   # one-frame blocks over the first 0.1 s only (slow otherwise)
            parts = entrainer.iter_blocks(t, block_frames=1, duration=0.1, **RAW)
            np.testing.assert_array_equal(np.concatenate(list(parts)), whole[: frames(0.1)])
            continue
        parts = np.concatenate(list(entrainer.iter_blocks(t, block_frames=block, **RAW)))
        np.testing.assert_array_equal(parts, whole, err_msg=f"block {block}")
    for start_s in (0.2, 0.55, 0.8):
        a = frames(start_s)
        tail = entrainer.render(t, start=start_s, **RAW)
        # the KEMAR voice is exact; the sphere model's shadow filter is class F
        assert np.abs(tail - whole[a:]).max() <= 1e-6, start_s


@pytest.mark.parametrize("function, params", [
    (SAM, dict(carrierFreq=700.0, beatFreq=0.5, amp=0.5)),
    (SAM, dict(carrierFreq=700.0, beatFreq=0.5, amp=0.5, hrtfModel="sphere")),
    (SAM_MONO, dict(baseFreq=400.0, spatialBeatFreq=0.5, ampOscDepth=0.5, ampOscFreq=1.0, amp=0.5)),
    (SAM_MONO, dict(baseFreq=400.0, spatialBeatFreq=0.5, amp=0.5, hrtfModel="sphere")),
])
def test_continuing_voice_equals_one_uninterrupted_voice(function, params):
    """render.md §14.10: two identical steps without a crossfade give back the voice itself;
    the continued voice rebuilds its input history from the carried phases."""
    import entrainer

    y = entrainer.render(_track((0.5, [(function, False, params)]), (0.5, [(function, False, params)])), **RAW)
    x = entrainer.render(_track((1.0, [(function, False, params)])), **RAW)
    edge = frames(0.010)
    assert np.abs(y[edge:-edge].astype(np.float64) - x[edge:-edge]).max() < 1e-6
