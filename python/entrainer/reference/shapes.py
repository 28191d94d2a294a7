"""Waveform shapes of `voices.md` §2.2 and their antiderivatives, for phase fractions p in [0, 1).

S (skewed sine) and T (skewed triangle) take a skew k in [−1, 1] that moves the split point
c = clamp(0.5 + 0.5·k, 1e-9, 1 − 1e-9). C (notch cosine) and N (notch triangle) have no skew.
``cycles_integral(shape, x, k)`` is J(x) = floor(x)·I(1) + I(frac(x)) = ∫₀ˣ W(frac(y)) dy, used by
the closed-form vibrato phase.
"""

from __future__ import annotations

import numpy as np

TAU = 2.0 * np.pi


def split_point(k):
    return np.clip(0.5 + 0.5 * np.asarray(k, dtype=np.float64), 1e-9, 1.0 - 1e-9)


def skewed_sine(p, k):
    """S(p; k); exactly sin(2πp) where k = 0."""
    p = np.asarray(p, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    c = split_point(k)
    first = p < c
    # Evaluate each branch only on its own side so that no argument leaves its half-cycle.
    skewed = np.where(
        first,
        np.sin(np.pi * np.where(first, p, 0.0) / c),
        -np.sin(np.pi * np.where(first, 0.0, p - c) / (1.0 - c)),
    )
    return np.where(k == 0.0, np.sin(TAU * p), skewed)


def skewed_triangle(p, k):
    """T(p; k): −1 at p = 0, +1 at p = c, back to −1 at p = 1."""
    p = np.asarray(p, dtype=np.float64)
    c = split_point(k)
    return np.where(p < c, -1.0 + 2.0 * p / c, 1.0 - 2.0 * (p - c) / (1.0 - c))


def notch_cosine(p):
    """C(p) = cos(2πp): the legacy swept-notch "sine"."""
    return np.cos(TAU * np.asarray(p, dtype=np.float64))


def notch_triangle(p):
    """N(p): −1 at p = 0, +1 at p = 0.5; equals T(p; 0)."""
    p = np.asarray(p, dtype=np.float64)
    return np.where(p < 0.5, -1.0 + 4.0 * p, 3.0 - 4.0 * p)


def skewed_sine_integral(p, k):
    """I_S(p; k) = ∫₀ᵖ S(q; k) dq for p in [0, 1]; I_S(1; k) = (2/π)·k."""
    p = np.asarray(p, dtype=np.float64)
    c = split_point(k)
    first = p < c
    return np.where(
        first,
        (c / np.pi) * (1.0 - np.cos(np.pi * np.where(first, p, 0.0) / c)),
        2.0 * c / np.pi
        - ((1.0 - c) / np.pi) * (1.0 - np.cos(np.pi * np.where(first, 0.0, p - c) / (1.0 - c))),
    )


def skewed_triangle_integral(p, k):
    """I_T(p; k) = ∫₀ᵖ T(q; k) dq; zero at p = c and at p = 1."""
    p = np.asarray(p, dtype=np.float64)
    c = split_point(k)
    d = p - c
    return np.where(p < c, -p + p * p / c, d - d * d / (1.0 - c))


def notch_cosine_integral(p):
    return np.sin(TAU * np.asarray(p, dtype=np.float64)) / TAU


def notch_triangle_integral(p):
    p = np.asarray(p, dtype=np.float64)
    return np.where(p < 0.5, -p + 2.0 * p * p, 3.0 * (p - 0.5) - 2.0 * (p * p - 0.25))


def value(shape: str, p, k=0.0):
    """W(p; k) for a shape name: "sine" (S), "triangle" (T), "notch_cosine", "notch_triangle"."""
    if shape == "sine":
        return skewed_sine(p, k)
    if shape == "triangle":
        return skewed_triangle(p, k)
    if shape == "notch_cosine":
        return notch_cosine(p)
    if shape == "notch_triangle":
        return notch_triangle(p)
    raise ValueError(f"unknown shape {shape!r}")


def cycle_integral(shape: str, p, k=0.0):
    """I(p) = ∫₀ᵖ W for p in [0, 1]."""
    if shape == "sine":
        return skewed_sine_integral(p, k)
    if shape == "triangle":
        return skewed_triangle_integral(p, k)
    if shape == "notch_cosine":
        return notch_cosine_integral(p)
    if shape == "notch_triangle":
        return notch_triangle_integral(p)
    raise ValueError(f"unknown shape {shape!r}")


def cycles_integral(shape: str, whole, frac, k=0.0):
    """J(x) = floor(x)·I(1) + I(frac(x)) for x given as (whole, frac) cycles."""
    full = cycle_integral(shape, np.float64(1.0), k)
    return np.asarray(whole, dtype=np.float64) * full + cycle_integral(shape, frac, k)
