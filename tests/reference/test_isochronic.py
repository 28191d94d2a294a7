"""Verification properties of `isochronic_tone` (`voices.md` §3.2), numbered as there.

Base 250 Hz, pulse 6 Hz, ramp 0.2, gap 0.15, amplitudes 0.5 unless stated; sr 48 000. Renders are
10 s except property 3 (the first ramp only) and property 4 (5 s: its windows end at 4.025 s).
Properties 8 (load errors) and 9 (real files) belong to the loader tests.
"""

from __future__ import annotations

import measure as M
import numpy as np
import pytest
from .cases import SR, WHOLE_STEP, frames, voice

N10 = frames(10.0)
DEFAULTS = dict(base_freq_hz=250.0, pulse_freq_hz=6.0, ramp_fraction=0.2, gap_fraction=0.15, amp_l=0.5, amp_r=0.5)


def iso(ramp=None, **params):
    return voice("isochronic_tone", ramp, **{**DEFAULTS, **params})


def trapezoid(u, r=0.2, g=0.15):
    """§2.6, written out independently of the reference."""
    a = 1.0 - g
    h = min(r * a, a / 2)
    return np.interp(u, [0.0, h, a - h, a, 1.0], [0.0, 1.0, 1.0, 0.0, 0.0])


def test_1_carrier_and_identical_ears(render):
    y = render(iso(), SR, N10)
    assert M.tone_frequency(y[:, 0], SR) == pytest.approx(250.0, abs=0.01)
    assert np.array_equal(y[:, 0], y[:, 1])


def test_2_pulse_envelope(render):
    y = render(iso(), SR, N10)
    t, e = M.envelope(y[:, 0], SR, carrier_hz=250.0)
    # Fold modulo one pulse (8000 frames at 6 Hz) and average.
    period = SR // 6
    idx = np.rint(t * SR).astype(np.int64) % period
    folded = np.bincount(idx, weights=e, minlength=period) / np.bincount(idx, minlength=period)
    u = np.arange(period) / period
    corners = np.array([0.0, 0.17, 0.68, 0.85, 1.0])
    away = np.abs(u[:, None] - corners[None, :]).min(axis=1) > 0.001 * 6  # ±1 ms in cycles
    assert np.abs(folded - 0.5 * trapezoid(u))[away].max() <= 0.02
    assert np.mean(e > 0.25) == pytest.approx(0.68, abs=0.01)
    assert M.tone_frequency(e - e.mean(), SR, 0.5, 50.0) == pytest.approx(6.0, abs=0.01)


def test_3_first_pulse_starts_at_zero(render):
    ramp_s = 0.17 / 6  # 28.3 ms
    y = render(iso(), SR, N10, 0, frames(ramp_s))
    assert y[0, 0] == 0.0 and y[0, 1] == 0.0
    # One local peak of |L| per carrier half-cycle (96 frames at 250 Hz).
    half = SR // 500
    x = np.abs(y[: (y.shape[0] // half) * half, 0]).reshape(-1, half)
    at = np.argmax(x, axis=1) + np.arange(x.shape[0]) * half
    peaks = x.max(axis=1)
    assert np.abs(peaks - 0.5 * (at / SR) / ramp_s).max() <= 0.005


def _window_rms(x, centre_s, width_s=0.05):
    c, h = frames(centre_s), frames(width_s / 2)
    return M.rms(x[c - h : c + h])


def test_4_pan_stage(render):
    continuous = dict(gap_fraction=0.0, ramp_fraction=0.0)
    panned = render(iso(**continuous, pan_min=-1.0, pan_max=1.0, pan_freq_hz=0.25, pan_type="linear"), SR, frames(5.0))
    plain = render(iso(**continuous), SR, frames(5.0))
    assert M.db(_window_rms(panned[:, 0], 1.0) / _window_rms(panned[:, 1], 1.0)) <= -60.0
    for centre in (2.0, 4.0):
        left, right = (_window_rms(panned[:, ch], centre) for ch in (0, 1))
        assert M.db(left / right) == pytest.approx(0.0, abs=0.1)
        for ch, level in ((0, left), (1, right)):
            assert M.db(level / _window_rms(plain[:, ch], centre)) == pytest.approx(-3.01, abs=0.1)


def _energy_above(x, f_hz):
    spec = np.abs(np.fft.rfft(x * np.hanning(x.size))) ** 2
    return spec[np.fft.rfftfreq(x.size, 1.0 / SR) > f_hz].sum()


def test_5_harmonic_suppression(render):
    off = render(iso(), SR, N10)
    on = render(iso(harmonic_suppression=True), SR, N10)
    for ch in (0, 1):
        _, a_off = M.spectrum_peak(off[:, ch], SR, 240.0, 260.0)
        _, a_on = M.spectrum_peak(on[:, ch], SR, 240.0, 260.0)
        assert M.db(a_on / a_off) == pytest.approx(-0.33, abs=0.05)
        assert 10 * np.log10(_energy_above(off[:, ch], 500.0) / _energy_above(on[:, ch], 500.0)) >= 20.0


def test_6_pulse_rate_ramp(render):
    y = render(iso(WHOLE_STEP, pulse_freq_hz=[4.0, 8.0]), SR, N10)
    _, e = M.envelope(y[:, 0], SR, carrier_hz=250.0)
    above = e > 0.25
    onsets = np.count_nonzero(above[1:] & ~above[:-1])
    assert 59 <= onsets <= 61  # ∫(4 + 0.4t)dt = 60; M3 drops the onset at t = 0
    # Steepest designed ramp: amplitude 0.5 over h = 0.17 of a cycle at 8 Hz.
    ramp_slope = 0.5 * 8.0 / 0.17 / SR
    assert np.abs(np.diff(e)).max() <= 1.5 * ramp_slope


@pytest.mark.parametrize("ramp_fraction", [0.2, 0.0])
def test_7_zero_pulse_rate_is_silent(render, ramp_fraction):
    y = render(iso(pulse_freq_hz=0.0, ramp_fraction=ramp_fraction), SR, N10)
    assert not y.any()
