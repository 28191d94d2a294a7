"""Oscillator phases of `voices.md` §2.1: Φ(t) = Φ₀ + ∫₀ᵗ f(u) du in cycles, sample n at t = n/sr.

Clocks (LFO, pulse, pan and wobble phases) integrate a rate lerp(r₀, r₁, α) ≥ 0 exactly: the
integral of the piecewise-polynomial α is closed form (`ramp.lerp_integral`), so any frame costs the
same. A carrier integrates f = max(0, g(t) + v(t)), g = lerp(g₀, g₁, α) and v the vibrato
(R(t)/2)·W(frac(P(t) + θ(t)/2π); k(t)). Three exact routes, chosen per carrier:

- no vibrato: closed form, with the clamp at 0 handled by splitting at the single zero crossing;
- static vibrato that never reaches the clamp: the antiderivative of §2.2,
  Φ = Φ₀ + g·t + (R/2r)·(J(r·t + o) − J(o));
- anything else: 4-point Gauss–Legendre on every frame interval [n, n + 1], summed from frame 0.
  Intervals holding a kink of f (a clamp crossing, or the corners of the skewed shapes at p = 0 and
  p = c) are integrated again on 64 sub-intervals, so kinks cost ~1e-12 cycles, not ~1e-8.

Sums are carried in double-double (`_dd`), so the closed forms keep ~1e-12 cycles after an hour at
48 kHz and the numeric route ~1e-10. The numeric route always starts from frame 0; it is the slow
but plain form of the spec, not the anchored scheme an engine uses for seeks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _dd, ramp, shapes
from .ramp import Pair, Timing

TAU = 2.0 * np.pi

# Gauss–Legendre, 4 points, mapped to [0, 1].
_GL_X, _GL_W = np.polynomial.legendre.leggauss(4)
GL_X01 = 0.5 * (_GL_X + 1.0)
GL_W01 = 0.5 * _GL_W

CHUNK_FRAMES = 8192  # frame intervals integrated per pass of the numeric route
KINK_SUBDIVISIONS = 64


class Cycles(NamedTuple):
    """A phase as whole cycles (float64, integral) plus the fraction in [0, 1)."""

    whole: np.ndarray
    frac: np.ndarray


@dataclass(frozen=True)
class Vibrato:
    """f gains (R/2)·W(frac(P + θ/2π); k), R peak to peak in Hz, P the integrated rate."""

    range_hz: Pair
    rate_hz: Pair
    phase_rad: Pair = (0.0, 0.0)
    skew: Pair = (0.0, 0.0)
    shape: str = "sine"

    def is_active(self) -> bool:
        return self.range_hz[0] != 0.0 or self.range_hz[1] != 0.0


@dataclass(frozen=True)
class Carrier:
    """A carrier: base frequency g (before vibrato and clamp) and start phase in cycles."""

    freq_hz: Pair
    phase0_cycles: float = 0.0
    vibrato: Vibrato | None = None


def _is_const(pair: Pair) -> bool:
    return pair[0] == pair[1]


def _at(pair: Pair, a: float) -> float:
    return float(ramp.lerp(pair, np.float64(a)))


def clock(rate_hz: Pair, t: Timing, sample_rate: int, x) -> _dd.DD:
    """P(x) = ∫₀ˣ lerp(r₀, r₁, α) ds / sr in cycles (P(0) = 0), x in frames."""
    return _dd.div(ramp.lerp_integral(rate_hz, t, x), float(sample_rate))


def lfo_position(rate_hz: Pair, offset_rad: Pair, t: Timing, sample_rate: int, x) -> np.ndarray:
    """frac(P(x) + θ(x)/2π) for an LFO (`voices.md` §2.3)."""
    x = np.asarray(x, dtype=np.float64)
    p = clock(rate_hz, t, sample_rate, x)
    theta = ramp.lerp(offset_rad, ramp.alpha(t, x)) / TAU
    return _dd.whole_frac(_dd.add(p, _dd.from_float(theta)))[1]


def carrier_frequency(c: Carrier, t: Timing, sample_rate: int, x):
    """Instantaneous frequency at frame positions x: (f, f before the clamp, shape phase q, split c).

    q (unwrapped vibrato phase) and the split point are None without vibrato; they locate kinks.
    """
    x = np.asarray(x, dtype=np.float64)
    a = ramp.alpha(t, x)
    raw = ramp.lerp(c.freq_hz, a)
    q = split = None
    v = c.vibrato
    if v is not None and v.is_active():
        q = _dd.to_float(clock(v.rate_hz, t, sample_rate, x)) + ramp.lerp(v.phase_rad, a) / TAU
        k = ramp.lerp(v.skew, a)
        w = shapes.value(v.shape, q - np.floor(q), k)
        raw = raw + 0.5 * ramp.lerp(v.range_hz, a) * w
        split = shapes.split_point(k)
    return np.maximum(raw, 0.0), raw, q, split


def carrier_phase(
    c: Carrier, t: Timing, sample_rate: int, start: int, count: int, method: str = "auto"
) -> Cycles:
    """Φ at frames start … start + count − 1. method "numeric" forces the quadrature route."""
    n = np.arange(start, start + count, dtype=np.float64)
    sr = float(sample_rate)
    phi0 = _dd.from_float(np.float64(c.phase0_cycles))
    v = c.vibrato
    if method == "auto":
        if v is None or not v.is_active():
            integral = ramp.lerp_integral_clamped(c.freq_hz, t, n)
            return Cycles(*_dd.whole_frac(_dd.add(phi0, _dd.div(integral, sr))))
        closed = _static_vibrato_phase(c, t, sample_rate, n)
        if closed is not None:
            return closed
    return _numeric_phase(c, t, sample_rate, start, count)


def _static_vibrato_phase(c: Carrier, t: Timing, sample_rate: int, n: np.ndarray) -> Cycles | None:
    v = c.vibrato
    pairs = (c.freq_hz, v.range_hz, v.rate_hz, v.phase_rad, v.skew)
    a = t.constant_alpha()
    if a is None:
        if not all(_is_const(p) for p in pairs):
            return None
        a = 0.0
    g, r_hz, rate, theta, skew = (_at(p, a) for p in pairs)
    sr = float(sample_rate)
    phi0 = _dd.from_float(np.float64(c.phase0_cycles))
    o = theta / TAU
    if rate == 0.0:
        o_frac = o - math.floor(o)
        f = max(0.0, g + 0.5 * r_hz * float(shapes.value(v.shape, o_frac, skew)))
        return Cycles(*_dd.whole_frac(_dd.add(phi0, _dd.div(_dd.two_prod(n, f), sr))))
    # The closed form needs f ≥ 0 throughout (W ≥ −1), and R/(2r) small enough that the
    # difference of antiderivatives does not cancel away more than 1e-11 cycles.
    if g - 0.5 * r_hz < 0.0 or rate < r_hz * 5e-6:
        return None
    vib_w, vib_p = _dd.whole_frac(_dd.add(_dd.div(_dd.two_prod(n, rate), sr), _dd.from_float(np.float64(o))))
    o_w = math.floor(o)
    full = float(shapes.cycle_integral(v.shape, np.float64(1.0), skew))
    j_diff = (vib_w - o_w) * full + (
        shapes.cycle_integral(v.shape, vib_p, skew) - shapes.cycle_integral(v.shape, np.float64(o - o_w), skew)
    )
    base = _dd.div(_dd.two_prod(n, g), sr)
    total = _dd.add(_dd.add(phi0, base), _dd.from_float(0.5 * r_hz / rate * j_diff))
    return Cycles(*_dd.whole_frac(total))


def _interval_integrals(c: Carrier, t: Timing, sample_rate: int, j0: int, j1: int) -> np.ndarray:
    """∫ f over every frame interval [j, j + 1], j0 ≤ j < j1, in cycles."""
    j = np.arange(j0, j1, dtype=np.float64)[:, None]
    pts = np.concatenate([j, j + GL_X01[None, :], j + 1.0], axis=1)
    f, raw, q, split = carrier_frequency(c, t, sample_rate, pts)
    out = (f[:, 1:-1] * GL_W01).sum(axis=1)
    kink = (raw.min(axis=1) < 0.0) & (raw.max(axis=1) > 0.0)
    if q is not None:
        # Corners of the shape at p = 0 and p = c: the row's points straddle an integer of q or of q − c.
        for z in (np.floor(q), np.floor(q - split)):
            kink |= z.min(axis=1) != z.max(axis=1)
    idx = np.nonzero(kink)[0]
    if idx.size:
        s = KINK_SUBDIVISIONS
        sub = (np.arange(s)[:, None] + GL_X01[None, :]).ravel() / s
        fk = carrier_frequency(c, t, sample_rate, j[idx] + sub[None, :])[0]
        out[idx] = (fk.reshape(idx.size, s, GL_X01.size) * GL_W01).sum(axis=(1, 2)) / s
    return out / float(sample_rate)


def _numeric_phase(c: Carrier, t: Timing, sample_rate: int, start: int, count: int) -> Cycles:
    end = start + count
    whole = np.empty(count)
    frac = np.empty(count)
    acc = _dd.from_float(np.float64(c.phase0_cycles))
    for c0 in range(0, end, CHUNK_FRAMES):
        c1 = min(c0 + CHUNK_FRAMES, end)
        ints = _interval_integrals(c, t, sample_rate, c0, c1)
        if c1 > start:
            lo = max(c0, start)
            local = np.concatenate(([0.0], np.cumsum(ints[:-1])))[lo - c0 :]
            w, f = _dd.whole_frac(_dd.add(acc, _dd.from_float(local)))
            whole[lo - start : c1 - start] = w
            frac[lo - start : c1 - start] = f
        acc = _dd.add(acc, _dd.from_float(np.float64(math.fsum(ints))))
    return Cycles(whole, frac)
