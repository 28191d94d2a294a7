"""Verification properties of `dual_pulse_binaural` (`voices.md` §3.9), numbered as there, on both
renderers. sr 48 000; 10 s renders where rates are read to 0.01 Hz, shorter elsewhere.

Pulse onsets are read from the M3 envelope (one carrier period of averaging) as its upward
crossings of half the pulse amplitude; with the default trapezoid the crossing sits half a ramp
(8.5 % of a cycle) after the true onset, the same for every pulse, so intervals and lags are exact.
"""

from __future__ import annotations

import measure as M
import numpy as np
import pytest

from .cases import SR, WHOLE_STEP, frames, voice

N10 = frames(10.0)


def dual(ramp=None, **params):
    return voice("dual_pulse_binaural", ramp, **params)


def envelope_rate(e) -> float:
    e = e[::48]
    return M.tone_frequency(e - e.mean(), SR / 48, 0.5, 50.0)


def onsets(x, level=0.25):
    """Times of the upward crossings of `level` by the M3 envelope (carrier 200 Hz)."""
    t, e = M.envelope(x, SR, carrier_hz=200.0)
    up = np.nonzero((e[:-1] < level) & (e[1:] >= level))[0]
    return t[up]


def test_1_defaults(render):
    y = render(dual(), SR, N10)
    assert M.tone_frequency(y[:, 0], SR) == pytest.approx(198.0, abs=0.01)
    assert M.tone_frequency(y[:, 1], SR) == pytest.approx(202.0, abs=0.01)
    for ch in (0, 1):
        _, e = M.envelope(y[:, ch], SR, carrier_hz=200.0)
        assert envelope_rate(e) == pytest.approx(4.0, abs=0.01)
        whole = e[: e.size - e.size % frames(0.25)]  # whole pulse cycles
        assert np.mean(whole > 0.25) == pytest.approx(0.68, abs=0.01)


def test_2_rates_per_ear(render):
    y = render(dual(pulse_rate_l_hz=3.0, pulse_rate_r_hz=5.0), SR, N10)
    for ch, rate in ((0, 3.0), (1, 5.0)):
        _, e = M.envelope(y[:, ch], SR, carrier_hz=200.0)
        assert envelope_rate(e) == pytest.approx(rate, abs=0.01)


def test_3_phase_offset(render):
    y = render(dual(pulse_phase_r_cycles=0.5), SR, frames(3.0))
    left, right = onsets(y[:, 0]), onsets(y[:, 1])
    lags = [r - left[left < r].max() for r in right if np.any(left < r)]
    assert np.abs(np.array(lags) - 0.125).max() <= 0.001


def test_4_square_pulses(render):
    y = render(dual(pulse_shape="square", pulse_shape_l="square", pulse_shape_r="square"), SR, frames(2.0))
    n = np.arange(y.shape[0])
    for ch, f in ((0, 198.0), (1, 202.0)):
        carrier = np.sin(2 * np.pi * f * n / SR)
        loud = np.abs(carrier) > 0.1
        g = y[loud, ch] / (0.5 * carrier[loud])
        assert np.minimum(np.abs(g), np.abs(g - 1.0)).max() <= 1e-6
        assert 0.8 < np.mean(g > 0.5) < 0.9  # the audible fraction 1 − gap


def test_5_rate_glide_without_double_pulses(render):
    y = render(dual(WHOLE_STEP, pulse_rate_hz=[4.0, 8.0]), SR, N10)
    for ch in (0, 1):
        found = onsets(y[:, ch])
        # the first onset (t = 0) falls in the discarded 50 ms of M3
        assert len(found) + 1 == pytest.approx(60, abs=1)
        assert np.diff(found).min() >= 1 / 8.5


def test_shapes_and_depth(render):
    """Raised cosine 0.5 − 0.5·cos(π·tr) and depth: the envelope at mid-ramp and in the gap."""
    y = render(dual(pulse_shape_l="raised_cosine", pulse_depth_r=0.6), SR, frames(1.0))
    t = np.arange(y.shape[0]) / SR
    carrier_r = 0.5 * np.sin(2 * np.pi * 202.0 * t)
    # R in the gap (u in [0.85, 1)) is at 1 − depth = 0.4 of the carrier
    u = np.mod(4.0 * t, 1.0)
    gap = (u > 0.86) & (u < 0.99) & (np.abs(carrier_r) > 0.05)
    assert np.abs(y[gap, 1] / carrier_r[gap] - 0.4).max() < 1e-9
    # L at a quarter of the rise (tr = 0.25): 0.5 − 0.5·cos(π/4)
    k = np.argmin(np.abs(u[:12000] - 0.25 * 0.17))
    carrier_l = 0.5 * np.sin(2 * np.pi * 198.0 * t[k])
    tr = u[k] / 0.17
    assert y[k, 0] == pytest.approx(carrier_l * (0.5 - 0.5 * np.cos(np.pi * tr)), abs=1e-9)


def test_harmonic_suppression(render):
    """§2.9.3 on both ears: −0.33 dB at 250 Hz (cut-off 375 Hz), the overtones of the gating lower."""
    plain = render(dual(base_freq_hz=250.0, beat_freq_hz=0.0, pulse_rate_hz=6.0), SR, frames(3.0))
    on = render(dual(base_freq_hz=250.0, beat_freq_hz=0.0, pulse_rate_hz=6.0, harmonic_suppression=True), SR, frames(3.0))
    for ch in (0, 1):
        a_plain = M.spectrum_peak(plain[:, ch], SR, 245.0, 255.0)[1]
        a_on = M.spectrum_peak(on[:, ch], SR, 245.0, 255.0)[1]
        assert M.db(a_on / a_plain) == pytest.approx(-0.33, abs=0.05)
        high = lambda x: np.sum(np.abs(np.fft.rfft(x))[np.fft.rfftfreq(x.size, 1 / SR) > 500.0] ** 2)  # noqa: E731
        assert 10 * np.log10(high(on[:, ch]) / high(plain[:, ch])) <= -20.0
