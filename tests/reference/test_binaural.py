"""Verification properties of `binaural_beat` (`voices.md` §3.1), numbered as there.

sr 48 000 and 10 s renders, as §0.6 says, except property 2 (four frames suffice). Properties 11
(load errors) and 12 (real files) belong to the loader tests.
"""

from __future__ import annotations

import measure as M
import numpy as np
import pytest
from .cases import SR, WHOLE_STEP, frames, voice
from scipy import signal

N10 = frames(10.0)


def binaural(ramp=None, **params):
    return voice("binaural_beat", ramp, **params)


def test_1_defaults_tones_and_levels(render):
    y = render(binaural(), SR, N10)
    assert M.tone_frequency(y[:, 0], SR) == pytest.approx(198.0, abs=0.01)
    assert M.tone_frequency(y[:, 1], SR) == pytest.approx(202.0, abs=0.01)
    for ch in (0, 1):
        _, e = M.envelope(y[:, ch], SR, carrier_hz=200.0)
        assert np.abs(e - 0.5).max() <= 0.0005


def test_2_start_phase(render):
    y = render(binaural(start_phase_l_rad=0.7, start_phase_r_rad=0.0), SR, N10, 0, 4)
    assert y[0, 0] == pytest.approx(0.5 * np.sin(0.7), abs=1e-7)
    assert y[0, 1] == 0.0


def _interaural_rate_hz(y):
    t, phi = M.interaural_phase(y[:, 0], y[:, 1], SR, window_s=0.02)
    phi = np.unwrap(phi)
    slope, offset = np.polyfit(t, phi, 1)
    return slope / (2 * np.pi), np.abs(phi - (slope * t + offset)).max()


@pytest.mark.parametrize(("left_high", "rate_hz"), [(False, 4.0), (True, -4.0)])
def test_3_interaural_phase_advances_at_the_beat(render, left_high, rate_hz):
    rate, residual = _interaural_rate_hz(render(binaural(left_high=left_high), SR, N10))
    assert rate == pytest.approx(rate_hz, abs=0.002)
    assert residual < 0.01  # radians: the advance is linear


def test_4_beat_in_the_mono_sum(render):
    y = render(binaural(), SR, N10)
    _, e = M.envelope(y[:, 0] + y[:, 1], SR, carrier_hz=200.0)
    assert M.tone_frequency(e - e.mean(), SR, 0.5, 50.0) == pytest.approx(4.0, abs=0.01)
    assert e.min() <= 0.03 * e.max()


@pytest.mark.parametrize("shape", ["sine", "triangle"])
def test_5_vibrato(render, shape):
    v = binaural(base_freq_hz=300.0, beat_freq_hz=0.0, vib_range_l_hz=20.0, vib_freq_l_hz=0.5, vib_shape=shape)
    t, f = M.instantaneous_frequency(render(v, SR, N10)[:, 0], SR)
    if shape == "sine":
        expected = 300.0 + 10.0 * np.sin(np.pi * t)
    else:  # T(frac(0.5t); 0): from 290 Hz at t = 0 up to 310 Hz at t = 1 s and back
        u = np.mod(0.5 * t, 1.0)
        expected = 300.0 + 10.0 * np.where(u < 0.5, -1.0 + 4.0 * u, 3.0 - 4.0 * u)
    assert np.abs(f - expected).max() <= 0.2


def test_6_amplitude_modulation(render):
    v = binaural(am_depth_l=0.6, am_freq_l_hz=0.25, am_phase_l_rad=np.pi / 2)
    t, e = M.envelope(render(v, SR, N10)[:, 0], SR, carrier_hz=198.0)
    expected = 0.5 * (1.0 - 0.3 * (1.0 + np.sin(np.pi * t / 2 + np.pi / 2)))
    assert np.abs(e - expected).max() <= 0.005
    # It starts at its minimum 0.2 (the first 50 ms are discarded by M3, where it is still ~0.2).
    assert e[0] == pytest.approx(0.2, abs=0.005)
    assert e.min() == pytest.approx(0.2, abs=0.005)


def test_7_amplitude_modulation_at_zero_rate(render):
    v = binaural(am_depth_l=0.5, am_freq_l_hz=0.0, am_phase_l_rad=0.0)
    _, e = M.envelope(render(v, SR, N10)[:, 0], SR, carrier_hz=198.0)
    assert np.abs(e / 0.375 - 1.0).max() <= 0.001


def test_8_frequency_ramp(render):
    y = render(binaural(WHOLE_STEP, base_freq_hz=[200.0, 300.0], beat_freq_hz=4.0), SR, N10)
    t, f = M.instantaneous_frequency(y[:, 0], SR)
    alpha = np.clip(t * SR / (N10 - 1), 0.0, 1.0)  # linear ramp from frame 0 to the last frame
    assert np.abs(f - (198.0 + 100.0 * alpha)).max() <= 0.1
    for ch in (0, 1):
        assert M.is_click_free(y[:, ch], 0.5, 302.0, SR)


def test_9_am_rate_is_integrated(render):
    y = render(binaural(WHOLE_STEP, am_depth_l=1.0, am_freq_l_hz=[1.0, 3.0]), SR, N10)
    t, e = M.envelope(y[:, 0], SR, carrier_hz=198.0)
    minima, _ = signal.find_peaks(-e, height=-0.05 * e.max())
    assert minima.size == 20  # the legacy rate·t form gives 30
    assert t[minima[-1]] - t[minima[-2]] == pytest.approx(0.343, abs=0.005)  # legacy: 0.204 s


def test_10_clamp_at_zero_hz(render):
    # Beat 0: with the default beat of 4 Hz the left ear would sit at the clamp throughout.
    vib = dict(vib_range_l_hz=2.0, vib_freq_l_hz=1.0, vib_range_r_hz=2.0, vib_freq_r_hz=1.0)
    y = render(binaural(WHOLE_STEP, base_freq_hz=[2.0, 0.0], beat_freq_hz=0.0, **vib), SR, N10)
    assert not np.isnan(y).any()
    for ch in (0, 1):
        _, f = M.instantaneous_frequency(y[:, ch], SR)
        assert f.min() >= -0.05
