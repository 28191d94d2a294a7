"""The engine's renderer seen from Python: timeline, block-size and seek invariance,
continuation across boundaries, crossfade and envelope shapes, clicks, ramps and levels."""

from __future__ import annotations

import json

import numpy as np
import pytest

import entrainer
from entrainer import _engine
from measure import analytic, max_second_difference, tone_frequency

from conftest import ORIGINAL, step, track, voice

SR = 48000
RAW = dict(target_level=None, step_ceiling=None)  # no level plan: compare raw mixes


def mixed_track(noise: bool = False) -> dict:
    """Three steps exercising ramps, envelopes, continuation, suppression and crossfades."""
    t = track(
        step(0.7,
             voice(ampL=0.4, ampR=0.3, baseFreq=300.0, beatFreq=7.0, freqOscRangeL=8.0, freqOscFreqL=3.0,
                   freqOscShape="triangle", ampOscDepthR=0.5, ampOscFreqR=2.0),
             voice("isochronic_tone", ampL=0.3, ampR=0.3, baseFreq=500.0, beatFreq=9.0, harmonicSuppression=True,
                   panRangeMin=-1.0, panRangeMax=1.0, panFreq=1.5)),
        step(0.9,
             voice(transition=True, startAmpL=0.4, endAmpL=0.1, startAmpR=0.3, endAmpR=0.3, startBaseFreq=300.0,
                   endBaseFreq=420.0, startBeatFreq=7.0, endBeatFreq=3.0, startFreqOscRangeL=8.0, endFreqOscRangeL=2.0,
                   startFreqOscFreqL=3.0, endFreqOscFreqL=5.0, freqOscShape="triangle", initial_offset=0.1,
                   transition_duration=0.5, transition_curve="exponential"),
             voice("monaural_beat_stereo_amps", amp_lower_L=0.3, amp_upper_L=0.2, amp_lower_R=0.2,
                   amp_upper_R=0.3, baseFreq=250.0, beatFreq=5.0, ampOscDepth=0.8, ampOscFreq=1.0),
             voice("isochronic_tone", ampL=0.3, ampR=0.3, baseFreq=500.0, beatFreq=9.0, harmonicSuppression=True,
                   volume_envelope=None)),
        step(0.6, voice(ampL=0.5, ampR=0.5, baseFreq=150.0, beatFreq=4.0,
                        envelope={"type": "adsr", "params": {"attack": 0.05, "decay": 0.1, "sustain_level": 0.6,
                                                             "release": 0.2}})),
        sample_rate=SR, crossfade=0.15,
    )
    if noise:
        t["background_noise"] = {"params": {"noise_type": "pink"}, "amp": 0.3, "fade_in": 0.2}
    return t


def render_in_blocks(t, block: int, **opts) -> np.ndarray:
    return np.concatenate(list(entrainer.iter_blocks(t, block_frames=block, **opts)))


@pytest.mark.parametrize("noise", [False, True])
def test_block_size_invariance(noise):
    t = mixed_track(noise)
    whole = entrainer.render(t)
    assert whole.shape == (int(round(2.2 * SR)) - 2 * int(0.15 * SR), 2)
    for block in (1, 64, 65, 256, 4096):
        np.testing.assert_array_equal(render_in_blocks(t, block), whole, err_msg=f"block {block}")


def test_seek_invariance_class_e_is_exact():
    t = track(step(0.5, voice(ampL=0.4, baseFreq=300.0, beatFreq=7.0, freqOscRangeL=8.0, freqOscFreqL=3.0)),
              step(0.5, voice(transition=True, startBaseFreq=300.0, endBaseFreq=500.0, initial_offset=0.1)),
              sample_rate=SR, crossfade=0.1)
    full = entrainer.render(t)
    for start_s in (0.0, 0.123, 0.4, 0.45, 0.77):
        a = int(np.floor(start_s * SR + 0.5))
        tail = entrainer.render(t, start=start_s)
        np.testing.assert_array_equal(tail, full[a:], err_msg=f"start {start_s}")


def test_seek_invariance_class_f_within_tolerance():
    t = mixed_track(noise=True)
    full = entrainer.render(t, **RAW)
    for start_s in (0.3, 0.75, 1.5):
        a = int(np.floor(start_s * SR + 0.5))
        tail = entrainer.render(t, start=start_s, duration=0.2, **RAW)
        assert np.max(np.abs(tail - full[a:a + tail.shape[0]])) <= 1e-6


def test_timeline_of_the_real_files_matches_the_spec():
    expected = {"f19.json": [0, 149, 298, 447, 596, 2395], "F10 F12 F15 F21.json": [0, 3597, 7194, 10791],
                "F18.json": [0, 9], "F12.json": [0, 3597]}
    for name, starts in expected.items():
        r = entrainer.prepare(ORIGINAL / name, duration=0.0, levels="provisional")
        assert [s / 44100 for s in r.engine.step_starts] == starts, name
    f19 = entrainer.prepare(ORIGINAL / "f19.json", duration=0.0, levels="provisional")
    assert f19.engine.total_frames == 132_079_500


@pytest.mark.parametrize("function,params", [
    ("binaural_beat", dict(ampL=0.5, ampR=0.5, baseFreq=700.0, beatFreq=5.0)),
    ("isochronic_tone", dict(ampL=0.5, ampR=0.5, baseFreq=700.0, beatFreq=5.0, harmonicSuppression=True,
                             gapPercent=0.0, rampPercent=0.0)),
    ("stereo_am_independent", dict(carrierFreq=703.7, stereo_width_hz=3.0, modFreqL=3.3, modPhaseR=1.0)),
    ("wave_shape_stereo_am", dict(carrierFreq=703.7, shapeAmount=3.0, shapeModFreq=2.7)),
    ("rhythmic_waveshaping", dict(carrierFreq=703.7, modFreq=2.2, pan=0.3)),
    ("dual_pulse_binaural", dict(baseFreq=703.7, beatFreq=5.0, pulseRateL=3.3, pulseDepth=0.5,
                                 harmonicSuppression=True)),
])
@pytest.mark.parametrize("crossfade", [0.0, 0.25])
def test_continuing_voice_equals_one_uninterrupted_voice(function, params, crossfade):
    """render.md §14.10: identical steps, linear crossfade or none, give back the voice itself."""
    t = track(step(1.0, voice(function, **params)), step(1.0, voice(function, **params)),
              sample_rate=SR, crossfade=crossfade)
    y = entrainer.render(t, **RAW).astype(np.float64)
    whole = track(step(y.shape[0] / SR, voice(function, **params)), sample_rate=SR)
    x = entrainer.render(whole, **RAW).astype(np.float64)
    edge = int(0.010 * SR)  # the outer de-click fades are the same in both; skip nothing else
    assert np.max(np.abs(y[edge:-edge] - x[edge:-edge])) < 1e-6


def test_restarting_the_suppression_filter_would_click():
    """With K = 0, a continued filtered isochronic tone has no discontinuity at the boundary."""
    p = dict(ampL=0.5, ampR=0.5, baseFreq=700.0, beatFreq=5.0, harmonicSuppression=True, gapPercent=0.0,
             rampPercent=0.0)
    t = track(step(1.0, voice("isochronic_tone", **p)), step(1.0, voice("isochronic_tone", **p)), sample_rate=SR)
    y = entrainer.render(t, **RAW)[:, 0].astype(np.float64)
    b = SR
    around = max_second_difference(y[b - 960:b + 960])
    before = max_second_difference(y[b - 960 - 4800:b - 960])
    assert around <= 1.25 * before


@pytest.mark.parametrize("crossfade,curve", [(0.0, "linear"), (0.2, "linear"), (0.2, "equal_power")])
def test_step_boundaries_do_not_click(crossfade, curve):
    """render.md §14.6: probe sines near 1 kHz on both sides (the criterion compares the
    boundary with the 100 ms before it, so both sides must have the same frequency content)."""
    t = track(step(1.0, voice(ampL=0.5, ampR=0.5, baseFreq=1000.0, beatFreq=10.0)),
              step(1.0, voice(ampL=0.5, ampR=0.5, baseFreq=1000.0, beatFreq=4.0, startPhaseL=1.0)),
              sample_rate=SR, crossfade=crossfade, curve=curve)
    y = entrainer.render(t, **RAW).astype(np.float64)
    k = int(crossfade * SR)
    for event in {SR - k, SR} if k else {SR}:
        for c in range(2):
            w = int(0.020 * SR)
            around = max_second_difference(y[event - w:event + w, c])
            before = max_second_difference(y[event - w - int(0.1 * SR):event - w, c])
            assert around <= 1.25 * before, (event, c, around, before)


def test_linear_crossfade_shape_between_unrelated_voices():
    """The outgoing step's gain falls linearly from 1 to 0 over K frames, exactly."""
    t = track(step(1.0, voice(ampL=0.5, ampR=0.5, baseFreq=1000.0, beatFreq=0.0)), step(1.0), sample_rate=SR,
              crossfade=0.5)
    y = entrainer.render(t, **RAW)[:, 0].astype(np.float64)
    alone = entrainer.render(track(step(1.0, voice(ampL=0.5, ampR=0.5, baseFreq=1000.0, beatFreq=0.0)),
                                   sample_rate=SR), **RAW)[:, 0].astype(np.float64)
    k = SR // 2
    j = np.arange(k)
    expected = alone[SR - k:] * (1 - j / (k - 1))
    # the edge fade of the last 10 ms applies in both renders
    np.testing.assert_allclose(y[SR - k:SR], expected, atol=1e-7)


def test_ramp_values_hold_then_reach_the_end_exactly():
    """render.md §14.9: start value up to A, end value from B on (measured frequencies)."""
    t = track(step(4.0, voice(transition=True, startAmpL=0.5, startAmpR=0.5, startBaseFreq=300.0, endBaseFreq=600.0,
                              startBeatFreq=0.0, initial_offset=1.0, transition_duration=2.0)), sample_rate=SR)
    y = entrainer.render(t, **RAW)[:, 0].astype(np.float64)
    assert tone_frequency(y[:SR - 1], SR) == pytest.approx(300.0, abs=0.05)
    assert tone_frequency(y[3 * SR:], SR) == pytest.approx(600.0, abs=0.05)
    # exactly at B the instantaneous frequency is the end value: phase increments after B
    ph = np.unwrap(np.angle(analytic(y)))
    f_after = np.diff(ph[3 * SR + 100:3 * SR + 2000]) * SR / (2 * np.pi)
    assert np.mean(f_after) == pytest.approx(600.0, abs=0.5)


def test_adsr_envelope_shape():
    env = {"type": "adsr", "params": {"attack": 0.1, "decay": 0.2, "sustain_level": 0.5, "release": 0.3}}
    t = track(step(1.0, voice(ampL=1.0, ampR=1.0, baseFreq=2000.0, beatFreq=0.0, envelope=env)), sample_rate=SR)
    y = entrainer.render(t, **RAW)[:, 0].astype(np.float64)
    e = np.abs(analytic(y))
    t_s = np.arange(len(y)) / SR
    expected = np.piecewise(t_s, [t_s < 0.1, (t_s >= 0.1) & (t_s < 0.3), (t_s >= 0.3) & (t_s < 0.7), t_s >= 0.7],
                            [lambda x: x / 0.1, lambda x: 1 - 0.5 * (x - 0.1) / 0.2, 0.5,
                             lambda x: 0.5 * (1 - (x - 0.7) / 0.3)])
    inner = slice(int(0.02 * SR), int(0.98 * SR))
    assert np.max(np.abs(e[inner] - expected[inner])) < 0.01


def test_total_duration_follows_the_timeline_rule():
    t = track(step(1.0), step(0.5), step(0.1), sample_rate=SR, crossfade=0.2)
    # K0 = 0.2 s; K1 = min(0.2, 0.5 − 0.2, 0.1) = 0.1 s; E = 1.0 + 0.5 + 0.1 − 0.3
    assert entrainer.render(t, **RAW).shape == (int(round(1.3 * SR)), 2)
    assert entrainer.render(t, start=1.0, duration=10.0, **RAW).shape == (int(round(0.3 * SR)), 2)


def test_export_peak_equals_target_and_steps_are_limited():
    t = track(step(0.5, voice(ampL=2.0, ampR=2.0, baseFreq=300.0, beatFreq=4.0)),
              step(0.5, voice(ampL=0.5, ampR=0.5, baseFreq=300.0, beatFreq=4.0),
                   voice(ampL=0.5, ampR=0.5, baseFreq=500.0, beatFreq=4.0)), sample_rate=SR)
    y = entrainer.render(t, target_level=0.25)
    assert np.max(np.abs(y)) == pytest.approx(0.25, abs=1e-7)
    r = entrainer.prepare(t)
    gains, final = r.engine.levels
    assert gains[0] == pytest.approx(0.5)  # peak 2.0 limited to the ceiling 1.0


def test_seed_changes_nothing_without_randomness_and_everything_with_noise():
    quiet = mixed_track(noise=False)
    np.testing.assert_array_equal(entrainer.render(quiet, seed=1), entrainer.render(quiet, seed=2))
    noisy = mixed_track(noise=True)
    a, b = entrainer.render(noisy, seed=1), entrainer.render(noisy, seed=2)
    np.testing.assert_array_equal(a, entrainer.render(noisy, seed=1))
    assert np.max(np.abs(a - b)) > 1e-3


def test_render_voice_hook_rejects_unknown_functions():
    with pytest.raises(_engine.EngineError, match='unknown synth function "nope"'):
        _engine.render_voice(json.dumps({"source_index": 0, "function": "nope", "params": {}}), SR, 100, 0, 10)


def test_cached_level_plan_gives_the_same_samples(tmp_path, monkeypatch):
    monkeypatch.setenv("ENTRAINER_CACHE_DIR", str(tmp_path))
    t = mixed_track(noise=True)
    first = entrainer.render(t, duration=0.5)
    assert len(list(tmp_path.glob("*.json"))) == 1
    np.testing.assert_array_equal(entrainer.render(t, duration=0.5), first)
    # a damaged entry is measured again, not trusted
    next(tmp_path.glob("*.json")).write_text("{not json")
    np.testing.assert_array_equal(entrainer.render(t, duration=0.5), first)
