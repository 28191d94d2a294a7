"""Waveform shapes of `voices.md` §2.2 and their antiderivatives (`entrainer.reference.shapes`)."""

from __future__ import annotations

import numpy as np
import pytest

from entrainer.reference import shapes

EIGHTHS = np.arange(8) / 8


@pytest.mark.parametrize(
    ("k", "values"),
    [
        (-0.5, [0, 1, 0, -0.5, -0.87, -1, -0.87, -0.5]),
        (0.5, [0, 0.5, 0.87, 1, 0.87, 0.5, 0, -1]),
    ],
)
def test_skewed_sine_reference_values(k, values):
    assert np.abs(shapes.skewed_sine(EIGHTHS, k) - values).max() < 0.005


def test_zero_skew_is_the_plain_shape():
    p = np.linspace(0, 1, 1001, endpoint=False)
    assert np.array_equal(shapes.skewed_sine(p, 0.0), np.sin(2 * np.pi * p))
    assert np.abs(shapes.skewed_triangle(p, 0.0) - shapes.notch_triangle(p)).max() < 1e-15


def test_values_at_zero():
    assert shapes.skewed_sine(0.0, 0.3) == 0.0
    assert shapes.skewed_triangle(0.0, 0.3) == -1.0
    assert shapes.notch_cosine(0.0) == 1.0
    assert shapes.notch_triangle(0.0) == -1.0


SHAPES = [("sine", -0.6), ("sine", 0.0), ("sine", 0.9), ("triangle", -0.4), ("triangle", 0.7), ("notch_cosine", 0.0), ("notch_triangle", 0.0)]


@pytest.mark.parametrize(("shape", "k"), SHAPES)
def test_antiderivatives_match_a_midpoint_sum(shape, k):
    m = 200_000
    mid = (np.arange(m) + 0.5) / m
    running = np.cumsum(shapes.value(shape, mid, k)) / m
    for p in (0.13, 0.5, 0.77, 1.0):
        assert shapes.cycle_integral(shape, p, k) == pytest.approx(running[round(p * m) - 1], abs=1e-8)


@pytest.mark.parametrize(("shape", "k", "full"), [("sine", 0.4, 0.8 / np.pi), ("sine", 0.0, 0.0), ("triangle", 0.4, 0.0)])
def test_mean_over_a_cycle(shape, k, full):
    assert shapes.cycle_integral(shape, 1.0, k) == pytest.approx(full, abs=1e-15)


@pytest.mark.parametrize(("shape", "k"), SHAPES)
def test_cycles_integral_over_many_cycles(shape, k):
    x = 3.37
    m = 1_000_000
    mid = (np.arange(m) + 0.5) * (x / m)
    numeric = shapes.value(shape, np.mod(mid, 1.0), k).sum() * (x / m)
    assert shapes.cycles_integral(shape, np.floor(x), x - np.floor(x), k) == pytest.approx(numeric, abs=1e-8)
