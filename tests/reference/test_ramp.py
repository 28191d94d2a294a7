"""The transition progress α of `render.md` §4 in the reference (`entrainer.reference.ramp`)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from entrainer.reference import _dd, ramp


def _timing(offset_s, transition_s, curve="linear", sr=10, n=100):
    return ramp.timing({"initial_offset_s": offset_s, "transition_s": transition_s, "curve": curve}, sr, n)


@pytest.mark.parametrize(
    ("offset_s", "transition_s", "expected"),
    [
        (1.0, 2.0, ("ramp", 10, 30)),
        (1.0, None, ("ramp", 10, 99)),  # until the step's last frame
        (5.0, 100.0, ("ramp", 50, 99)),  # compressed to end at the last frame
        (1.0, 0.0, ("jump", 10, 10)),
        (0.0, 0.0, ("jump", 0, 0)),
        (9.9, None, ("jump", 99, 99)),  # B = N − 1 = A
        (10.0, None, ("hold", 0, 0)),  # A ≥ N
        (0.25, 1.0, ("ramp", 3, 13)),  # frames(x) = floor(x·sr + 0.5)
    ],
)
def test_frames_a_and_b(offset_s, transition_s, expected):
    t = _timing(offset_s, transition_s)
    assert (t.kind, t.a, t.b) == expected


def test_base_voice_holds_start_values():
    assert ramp.timing(None, 48_000, 100) == ramp.HOLD
    assert not ramp.alpha(ramp.HOLD, np.arange(100)).any()


@pytest.mark.parametrize(
    ("curve", "values"),
    [
        ("linear", [0, 0.25, 0.5, 0.75, 1]),
        ("logarithmic", [0, 0.4375, 0.75, 0.9375, 1]),
        ("exponential", [0, 0.0625, 0.25, 0.5625, 1]),
    ],
)
def test_curve_table(curve, values):
    t = _timing(1.0, 4.0, curve)  # A = 10, B = 50
    assert ramp.alpha(t, [10, 20, 30, 40, 50]).tolist() == values


def test_start_holds_until_a_and_end_is_reached_exactly_at_b():
    t = _timing(1.0, 2.0)
    a = ramp.alpha(t, np.arange(100))
    assert not a[:11].any()
    assert (a[30:] == 1.0).all() and (a[11:30] < 1.0).all()
    jump = _timing(1.0, 0.0)
    assert ramp.alpha(jump, [9, 9.999, 10]).tolist() == [0.0, 0.0, 1.0]


CASES = [
    (1.0, 2.0, "linear"),
    (1.0, 2.0, "logarithmic"),
    (1.0, 2.0, "exponential"),
    (1.0, 0.0, "linear"),
    (0.0, None, "exponential"),
]


@pytest.mark.parametrize(("offset_s", "transition_s", "curve"), CASES)
@pytest.mark.parametrize("pair", [(3.0, -7.0), (-2.0, 5.0), (1.5, 4.0)])
def test_integrals_match_a_fine_midpoint_sum(offset_s, transition_s, curve, pair):
    t = _timing(offset_s, transition_s, curve)
    x = 72.5
    mid = (np.arange(725_000) + 0.5) / 10_000  # 10 000 points per frame up to x
    v = ramp.lerp(pair, ramp.alpha(t, mid))
    assert _dd.to_float(ramp.lerp_integral(pair, t, x)) == pytest.approx(v.sum() / 10_000, abs=1e-6)
    clamped = np.maximum(v, 0.0).sum() / 10_000
    assert _dd.to_float(ramp.lerp_integral_clamped(pair, t, x)) == pytest.approx(clamped, abs=1e-6)


@pytest.mark.parametrize("curve", ["linear", "logarithmic", "exponential"])
def test_integral_is_exact_after_an_hour(curve):
    # Rates 15 000 → 9 000 Hz ramped from 10 min to 50 min of a 1 h step at 48 kHz, read at its
    # last frame: exact rational arithmetic against the double-double closed form.
    sr, n = 48_000, 3600 * 48_000
    t = ramp.timing({"initial_offset_s": 600.0, "transition_s": 2400.0, "curve": curve}, sr, n)
    v0, v1 = 15_000.0, 9_000.1
    x = n - 1
    span = t.b - t.a
    g1 = {"linear": Fraction(1, 2), "logarithmic": Fraction(2, 3), "exponential": Fraction(1, 3)}[curve]
    int_alpha = span * g1 + (x - t.b)
    exact = Fraction(v0) * (x - int_alpha) + Fraction(v1) * int_alpha
    hi, lo = ramp.lerp_integral((v0, v1), t, np.float64(x))
    got = Fraction(float(hi)) + Fraction(float(lo))
    assert abs(float((got - exact) / sr)) < 1e-9  # cycles
