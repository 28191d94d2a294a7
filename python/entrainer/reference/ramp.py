"""Transition progress α of `render.md` §4, at frames and at real positions, and its exact integral.

``timing(ramp, sample_rate, step_frames)`` turns a plan's ``ramp`` dict into the frames A and B of
`render.md` §4.1. ``alpha(t, x)`` evaluates α; for integer x it is exactly the α(m) of §4.1, and the
same formula at a real x is the continuous α used to integrate ramped rates (`voices.md` §2.1, §2.4).
For a jump (B ≤ A) the continuous α steps from 0 to 1 at x = A, so the frame interval [A − 1, A] is
integrated at the start value. ``lerp_integral`` gives ∫₀ˣ lerp(v₀, v₁, α) exactly as a double-double.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _dd

Pair = tuple[float, float]

CURVES = ("linear", "logarithmic", "exponential")


def frames(x_s: float, sample_rate: int) -> int:
    """Seconds to frames: floor(x·sr + 0.5) in float64 (README conventions)."""
    return math.floor(x_s * sample_rate + 0.5)


@dataclass(frozen=True)
class Timing:
    """α of one voice in one step. kind is "hold" (α = 0), "jump" (α = 1 from frame a on) or "ramp"."""

    kind: str
    a: int = 0
    b: int = 0
    curve: str = "linear"

    def constant_alpha(self) -> float | None:
        """The value of α over every frame ≥ 0 when it never changes there, else None."""
        if self.kind == "hold":
            return 0.0
        if self.kind == "jump" and self.a <= 0:
            return 1.0
        return None


HOLD = Timing("hold")


def timing(ramp: dict | None, sample_rate: int, step_frames: int) -> Timing:
    """Frames A and B of `render.md` §4.1 for a plan ramp (None for a base voice)."""
    if ramp is None:
        return HOLD
    curve = ramp.get("curve", "linear")
    if curve not in CURVES:
        raise ValueError(f"ramp.curve: expected one of {', '.join(CURVES)}, got {curve!r}")
    n = step_frames
    a = frames(max(0.0, float(ramp.get("initial_offset_s", 0.0))), sample_rate)
    t = ramp.get("transition_s")
    b = n - 1 if t is None else min(a + frames(max(0.0, float(t)), sample_rate), n - 1)
    if a >= n:
        return HOLD
    if b <= a:
        return Timing("jump", a, a, curve)
    return Timing("ramp", a, b, curve)


def shape(curve: str, u):
    """The curve shapes of `render.md` §4.3 (both non-linear ones are quadratics)."""
    if curve == "linear":
        return u
    if curve == "logarithmic":
        return 1.0 - (1.0 - u) * (1.0 - u)
    return u * u


def _shape_inverse(curve: str, alpha: float) -> float:
    if curve == "linear":
        return alpha
    if curve == "logarithmic":
        return 1.0 - math.sqrt(1.0 - alpha)
    return math.sqrt(alpha)


def alpha(t: Timing, x) -> np.ndarray:
    """α at frame positions x (integers give `render.md` §4.1 exactly)."""
    x = np.asarray(x, dtype=np.float64)
    if t.kind == "hold":
        return np.zeros_like(x)
    if t.kind == "jump":
        return (x >= t.a).astype(np.float64)
    u = np.clip((x - t.a) / (t.b - t.a), 0.0, 1.0)
    return shape(t.curve, u)


def lerp(pair: Pair, a):
    """lerp(v₀, v₁, α) = v₀ + (v₁ − v₀)·α; exactly v₀ when the pair is constant."""
    v0, v1 = pair
    if v0 == v1:
        return np.full_like(np.asarray(a, dtype=np.float64), v0)
    return v0 + (v1 - v0) * np.asarray(a, dtype=np.float64)


def alpha_integral(t: Timing, x) -> _dd.DD:
    """∫₀ˣ α(s) ds in frames, as a double-double, for positions x ≥ 0."""
    x = np.asarray(x, dtype=np.float64)
    zero = np.zeros_like(x)
    if t.kind == "hold":
        return zero, zero.copy()
    if t.kind == "jump":
        return _dd.two_sum(np.maximum(x, t.a), -float(t.a))
    a, b, span = float(t.a), float(t.b), float(t.b - t.a)
    k = np.clip(x, a, b) - a  # position inside the ramp, 0 … span
    k2 = _dd.two_prod(k, k)
    if t.curve == "linear":  # span·u²/2
        inside = _dd.div(k2, 2.0 * span)
        full = _dd.from_float(np.full_like(x, span / 2.0))
    else:
        k3 = _dd.div(_dd.div(_dd.mul(k2, k), span), span)
        if t.curve == "exponential":  # span·u³/3
            inside = _dd.div(k3, 3.0)
            full = _dd.div(_dd.from_float(np.full_like(x, span)), 3.0)
        else:  # logarithmic, span·(u² − u³/3)
            inside = _dd.add(_dd.div(k2, span), _dd.neg(_dd.div(k3, 3.0)))
            full = _dd.div(_dd.from_float(np.full_like(x, 2.0 * span)), 3.0)
    after = _dd.add(full, _dd.two_sum(np.maximum(x, b), -b))
    past = x >= b
    return np.where(past, after[0], inside[0]), np.where(past, after[1], inside[1])


def lerp_integral(pair: Pair, t: Timing, x) -> _dd.DD:
    """∫₀ˣ lerp(v₀, v₁, α(s)) ds in frames·unit, written v₀·∫(1 − α) + v₁·∫α to stay exact."""
    v0, v1 = float(pair[0]), float(pair[1])
    x = np.asarray(x, dtype=np.float64)
    c = t.constant_alpha()
    if v0 == v1 or c is not None:
        v = v0 if c is None else float(lerp((v0, v1), c))
        return _dd.two_prod(x, v)
    ia = alpha_integral(t, x)
    rest = _dd.add(_dd.from_float(x), _dd.neg(ia))
    return _dd.add(_dd.mul(rest, v0), _dd.mul(ia, v1))


def lerp_integral_clamped(pair: Pair, t: Timing, x) -> _dd.DD:
    """∫₀ˣ max(0, lerp(v₀, v₁, α(s))) ds. α rises monotonically, so the sign changes at most once."""
    v0, v1 = float(pair[0]), float(pair[1])
    x = np.asarray(x, dtype=np.float64)
    c = t.constant_alpha()
    if c is not None:
        return _dd.two_prod(x, max(0.0, float(lerp((v0, v1), c))))
    if v0 >= 0.0 and v1 >= 0.0:
        return lerp_integral(pair, t, x)
    if v0 <= 0.0 and v1 <= 0.0:
        return np.zeros_like(x), np.zeros_like(x)
    # Position x* where the value crosses 0.
    a_star = v0 / (v0 - v1)
    if t.kind == "jump":
        x_star = float(t.a)
    else:
        x_star = t.a + _shape_inverse(t.curve, a_star) * (t.b - t.a)
    h_star = lerp_integral(pair, t, np.float64(x_star))
    if v0 < 0.0:  # zero before x*, positive after
        h = lerp_integral(pair, t, np.maximum(x, x_star))
        return _dd.add(h, _dd.neg(h_star))
    return lerp_integral(pair, t, np.minimum(x, x_star))
