"""The pan stage of `voices.md` §2.7 in the reference (`entrainer.reference.pan`)."""

from __future__ import annotations

import numpy as np
import pytest

from entrainer.reference import pan, ramp

SR = 48_000
N = np.arange(3 * SR)


def test_pan_law():
    gl, gr = pan.pan_law(np.array([-1.0, 0.0, 1.0]))
    assert gl.tolist()[0] == 1.0 and gr.tolist()[0] == 0.0
    assert gl[1] == pytest.approx(np.sqrt(0.5), abs=1e-15) and gl[1] == gr[1]
    assert gl[2] == 0.0 and gr[2] == 1.0


@pytest.mark.parametrize(
    ("params", "active"),
    [
        ({}, False),
        ({"pan_min": [0.0, 0.0], "pan_max": [0.0, 1e-9], "pan_freq_hz": [1e-8, 0.0]}, False),
        ({"pan_min": [0.0, 2e-8]}, True),
        ({"pan_freq_hz": [0.0, 0.3]}, True),
    ],
)
def test_bypass_rule(params, active):
    assert pan.is_active(params) == active
    y = np.ones((4, 2))
    pan.apply(y, params, ramp.HOLD, SR, np.arange(4))
    assert (y == 1.0).all() != active
    if active:  # a near-centre position costs 3 dB: pan 0 and pan 1e-7 differ on purpose
        assert y[0, 0] == pytest.approx(np.sqrt(0.5), abs=1e-6)


def test_rate_zero_sits_between_the_limits():
    p = pan.position({"pan_min": 0.8, "pan_max": -0.2, "pan_phase_rad": 1.0}, ramp.HOLD, SR, N)
    assert np.abs(p - 0.3).max() < 1e-15


def test_linear_motion():
    params = {"pan_min": -0.5, "pan_max": 1.0, "pan_freq_hz": 0.25, "pan_phase_rad": 0.5}
    p = pan.position(params, ramp.HOLD, SR, N)
    assert np.abs(p - (0.25 + 0.75 * np.sin(2 * np.pi * 0.25 * N / SR + 0.5))).max() < 1e-12


@pytest.mark.parametrize("kind", ["inward", "outward"])
@pytest.mark.parametrize("phase_rad", [0.0, -np.pi / 2, 3 * np.pi])
def test_inward_and_outward_glide_instead_of_jumping(kind, phase_rad):
    params = {"pan_min": -0.8, "pan_max": 1.0, "pan_freq_hz": 2.0, "pan_type": kind, "pan_phase_rad": phase_rad}
    p = pan.position(params, ramp.HOLD, SR, N)
    # The largest step: the 5 ms glide across at most 1.0 (centre to the right-hand extreme),
    # plus the motion itself (one extreme per cycle, 2 cycles per second). A jump would be ≥ 0.8.
    assert np.abs(np.diff(p)).max() <= 1.0 / (0.005 * SR) + 2.0 / SR + 1e-12


@pytest.mark.parametrize(("kind", "first", "second"), [("inward", (1.0, 0.0), (-0.8, 0.0)), ("outward", (0.0, 1.0), (0.0, -0.8))])
def test_cycles_alternate_between_the_extremes(kind, first, second):
    params = {"pan_min": -0.8, "pan_max": 1.0, "pan_freq_hz": 1.0, "pan_type": kind}
    # Quarter and just-before-end points of cycles 0 and 1 (away from the glide).
    p = pan.position(params, ramp.HOLD, SR, np.array([0, SR - 1, SR + SR // 4, 2 * SR - 1]))
    u = np.array([0.0, (SR - 1) / SR, 0.25, (SR - 1) / SR])
    ext = np.array([first, first, second, second])
    expected = np.where(ext[:, 0] != 0, ext[:, 0] * (1 - u), ext[:, 1] * u)
    assert np.abs(p - expected).max() < 1e-12


def test_limits_given_the_wrong_way_round_are_swapped():
    a = pan.position({"pan_min": 1.0, "pan_max": -1.0, "pan_freq_hz": 0.5}, ramp.HOLD, SR, N)
    b = pan.position({"pan_min": -1.0, "pan_max": 1.0, "pan_freq_hz": 0.5}, ramp.HOLD, SR, N)
    assert np.array_equal(a, b)
