"""Oscillator phases of `voices.md` §2.1 in the reference (`entrainer.reference.phase`).

Each closed form is checked against the quadrature route, the quadrature route against a brute
midpoint sum, and the hour-long cases against exact rational arithmetic.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from entrainer.reference import _dd, ramp, shapes
from entrainer.reference.phase import Carrier, Vibrato, carrier_frequency, carrier_phase, clock

SR = 48_000
STEP = 5 * SR


def _ramp(offset_s, transition_s, curve="linear", sr=SR, n=STEP):
    return ramp.timing({"initial_offset_s": offset_s, "transition_s": transition_s, "curve": curve}, sr, n)


def _cycles(ph):
    return ph.whole + ph.frac


def _max_diff(a, b):
    return float(np.abs((a.whole - b.whole) + (a.frac - b.frac)).max())


CLOSED = {
    "constant": (Carrier((200.0, 200.0), 0.1), ramp.HOLD),
    "static sine vibrato, skewed": (Carrier((300.0, 300.0), 0.0, Vibrato((20.0, 20.0), (0.5, 0.5), (0.3, 0.3), (0.4, 0.4))), ramp.HOLD),
    "static triangle vibrato": (Carrier((300.0, 300.0), 0.2, Vibrato((20.0, 20.0), (0.5, 0.5), (0.3, 0.3), (-0.2, -0.2), "triangle")), ramp.HOLD),
    "frozen vibrato": (Carrier((300.0, 300.0), 0.0, Vibrato((20.0, 20.0), (0.0, 0.0), (1.0, 1.0))), ramp.HOLD),
    "linear ramp": (Carrier((200.0, 300.0)), _ramp(1.0, 2.0)),
    "exponential ramp": (Carrier((200.0, 300.0)), _ramp(1.0, 2.0, "exponential")),
    "logarithmic ramp through the clamp": (Carrier((-50.0, 300.0)), _ramp(1.0, 2.0, "logarithmic")),
    "ramp down into the clamp": (Carrier((50.0, -300.0)), _ramp(1.0, 2.0, "logarithmic")),
    "jump": (Carrier((100.0, 300.0)), _ramp(1.0, 0.0)),
    "jump out of the clamp": (Carrier((-100.0, 300.0)), _ramp(1.0, 0.0)),
}


@pytest.mark.parametrize("name", CLOSED)
def test_closed_forms_match_quadrature(name):
    c, t = CLOSED[name]
    closed = carrier_phase(c, t, SR, 0, STEP)
    numeric = carrier_phase(c, t, SR, 0, STEP, method="numeric")
    assert _max_diff(closed, numeric) < 1e-9


@pytest.mark.parametrize("name", CLOSED)
def test_sample_zero_is_the_start_phase(name):
    c, t = CLOSED[name]
    for method in ("auto", "numeric"):
        ph = carrier_phase(c, t, SR, 0, 1, method)
        assert ph.whole[0] + ph.frac[0] == c.phase0_cycles


GENERAL = {
    "ramped carrier under a skewed vibrato": Carrier((100.0, 300.0), 0.0, Vibrato((40.0, 10.0), (3.0, 7.0), (0.0, 2.0), (0.3, -0.5))),
    "triangle vibrato into the clamp": Carrier((30.0, 0.0), 0.1, Vibrato((20.0, 20.0), (2.0, 2.0), (0.0, 0.0), (0.0, 0.0), "triangle")),
}


@pytest.mark.parametrize("name", GENERAL)
def test_quadrature_matches_a_brute_midpoint_sum(name):
    # sr 1000 keeps the brute force small: 64 midpoints per frame.
    sr, n = 1000, 5000
    c, t = GENERAL[name], _ramp(0.5, 3.0, "exponential", sr, n)
    got = _cycles(carrier_phase(c, t, sr, 0, n))
    sub = (np.arange(n * 64) + 0.5) / 64
    f = carrier_frequency(c, t, sr, sub)[0]
    brute = c.phase0_cycles + np.concatenate(([0.0], np.cumsum(f.reshape(n, 64).sum(axis=1))[:-1])) / (64 * sr)
    assert np.abs(got - brute).max() < 1e-7
    assert (np.diff(got) >= 0.0).all()  # the clamp never lets a phase run backwards


@pytest.mark.parametrize("name", GENERAL)
def test_quadrature_seek_equals_the_slice_of_a_full_run(name):
    c, t = GENERAL[name], _ramp(0.5, 3.0, "exponential")
    full = carrier_phase(c, t, SR, 0, STEP)
    m = 3 * SR + 4321
    part = carrier_phase(c, t, SR, m, 5000)
    assert np.array_equal(part.frac, full.frac[m : m + 5000])


HOUR = 3600 * SR


def _exact_cycles(ph, i=0) -> Fraction:
    return Fraction(float(ph.whole[i])) + Fraction(float(ph.frac[i]))


def _close_mod_1(got: Fraction, exact: Fraction, tol: float) -> bool:
    d = float((got - exact) % 1)
    return min(d, 1 - d) < tol


def test_constant_frequency_an_hour_in():
    f, phi0 = 15_734.123, 0.37
    m = HOUR - 7
    got = _exact_cycles(carrier_phase(Carrier((f, f), phi0), ramp.HOLD, SR, m, 1))
    exact = Fraction(phi0) + Fraction(f) * m / SR
    assert _close_mod_1(got, exact, 1e-9)


def test_ramped_frequency_an_hour_in():
    t = ramp.timing({"initial_offset_s": 60.0, "transition_s": None, "curve": "linear"}, SR, HOUR)
    f0, f1 = 100.3, 15_000.7
    m = HOUR - 1001
    got = _exact_cycles(carrier_phase(Carrier((f0, f1)), t, SR, m, 1))
    span, k = t.b - t.a, m - t.a
    exact = (Fraction(f0) * m + (Fraction(f1) - Fraction(f0)) * Fraction(k * k, 2 * span)) / SR
    assert _close_mod_1(got, exact, 1e-9)


def test_static_vibrato_an_hour_in():
    g, r_hz, rate, theta, k = 15_600.5, 530.0, 0.4, 2.0, 0.25
    c = Carrier((g, g), 0.0, Vibrato((r_hz, r_hz), (rate, rate), (theta, theta), (k, k)))
    m = HOUR - 3
    got = _exact_cycles(carrier_phase(c, ramp.HOLD, SR, m, 1))
    # Φ = g·t + (R/2r)·(J(r·t + o) − J(o)), with the large parts in exact arithmetic.
    o = Fraction(theta / (2 * math.pi))
    x = Fraction(rate) * m / SR + o
    w, p = math.floor(x), float(x - math.floor(x))
    o_w, o_p = math.floor(o), float(o - math.floor(o))
    full = float(shapes.cycle_integral("sine", 1.0, k))
    j = (w - o_w) * full + float(shapes.cycle_integral("sine", p, k)) - float(shapes.cycle_integral("sine", o_p, k))
    exact = Fraction(g) * m / SR + Fraction(r_hz / (2 * rate)) * Fraction(j)
    assert _close_mod_1(got, exact, 1e-9)


def test_clock_is_exact_an_hour_in():
    t = ramp.timing({"initial_offset_s": 0.0, "transition_s": None, "curve": "linear"}, SR, HOUR)
    x = HOUR - 1
    got = sum(Fraction(float(v)) for v in clock((1.3333, 0.5333), t, SR, np.float64(x)))
    exact = (Fraction(1.3333) * x + (Fraction(0.5333) - Fraction(1.3333)) * Fraction(x, 2)) / SR
    assert abs(float(got - exact)) < 1e-12
    assert _dd.to_float(clock((2.0, 2.0), ramp.HOLD, SR, np.float64(SR))) == 2.0
