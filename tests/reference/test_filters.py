"""Filters of `voices.md` §2.9 in the reference (`entrainer.reference.filters`), with SciPy as oracle."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from entrainer.reference import filters, ramp


@pytest.mark.parametrize("sr", [44_100, 48_000, 96_000])
@pytest.mark.parametrize("fc", [20.0, 375.0, 1234.5, 10_000.0])
def test_design_equals_scipy(sr, fc):
    expected = signal.butter(4, fc, "low", fs=sr, output="sos")
    assert np.abs(filters.butter_lowpass4_sos(fc, sr) - expected).max() < 1e-9


@pytest.mark.parametrize("sr", [44_100, 48_000, 96_000])
@pytest.mark.parametrize("fc", [20.0, 30.0, 1234.5])
def test_highpass_design_equals_scipy(sr, fc):
    expected = signal.butter(4, fc, "highpass", fs=sr, output="sos")
    assert np.abs(filters.butter_highpass4_sos(fc, sr) - expected).max() < 1e-9


def test_suppression_cutoff_is_clamped():
    assert filters.suppression_cutoff([0.0, 250.0, 40_000.0], 48_000).tolist() == [20.0, 375.0, 21_600.0]


def test_suppression_response():
    sos = filters.butter_lowpass4_sos(375.0, 48_000)
    twice = np.concatenate([sos, sos])
    _, h = signal.sosfreqz(twice, worN=[250.0, 500.0, 750.0], fs=48_000)
    assert 20 * np.log10(np.abs(h)) == pytest.approx([-0.33, -20.8, -48.2], abs=0.05)


def _literal_df1(x, block_sos, block=16):
    """y[n] = b₀x[n] + b₁x[n−1] + b₂x[n−2] − a₁y[n−1] − a₂y[n−2], one section after another."""
    y = np.array(x, dtype=np.float64)
    for s in range(block_sos.shape[1]):
        xin, out = y, np.zeros_like(y)
        x1 = x2 = y1 = y2 = 0.0
        for n in range(len(xin)):
            b0, b1, b2, _, a1, a2 = block_sos[n // block, s]
            out[n] = b0 * xin[n] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            x2, x1, y2, y1 = x1, xin[n], y1, out[n]
        y = out
    return y


def test_constant_coefficients_equal_sosfilt():
    x = np.random.default_rng(1).standard_normal((5000, 2))
    sos = filters.butter_lowpass4_sos(300.0, 48_000)
    block_sos = np.broadcast_to(sos, (5000 // 16 + 1, 2, 6))
    assert np.abs(filters.df1_cascade(x, block_sos) - signal.sosfilt(sos, x, axis=0)).max() < 1e-12


def test_changing_coefficients_follow_direct_form_one():
    n = 1200
    x = np.random.default_rng(2).standard_normal(n)
    fc = np.linspace(50.0, 3000.0, n // 16 + 1)
    sos = filters.butter_lowpass4_sos(fc, 48_000)
    block_sos = np.concatenate([sos, sos], axis=1)
    assert np.abs(filters.df1_cascade(x, block_sos) - _literal_df1(x, block_sos)).max() < 1e-12


def test_suppression_cutoff_follows_the_base_ramp_in_blocks_of_16():
    sr, n = 48_000, 1600
    t = ramp.timing({"initial_offset_s": 0.005, "transition_s": 0.02, "curve": "exponential"}, sr, n)
    x = np.random.default_rng(3).standard_normal((n, 2))
    got = filters.harmonic_suppression(x, (100.0, 2000.0), t, sr)
    starts = np.arange(0, n, 16)
    base = 100.0 + 1900.0 * ramp.alpha(t, starts)
    designs = [signal.butter(4, min(max(1.5 * b, 20.0), 0.45 * sr), fs=sr, output="sos") for b in base]
    block_sos = np.array([np.concatenate([d, d]) for d in designs])
    for ch in (0, 1):
        assert np.abs(got[:, ch] - _literal_df1(x[:, ch], block_sos)).max() < 1e-9
