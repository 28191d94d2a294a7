"""Pieces shared by the voice families: reading plan parameters, the frames being rendered, dip AM
and the interaural phase wobble (`voices.md` §2.5).

Plan parameters (`docs/plan.md`) are snake_case with units; a ramped one is ``[start, end]``.
A missing key takes the voice's default, and a bare number counts as a constant pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _dd, ramp, shapes
from .phase import TAU, clock, lfo_position
from .ramp import Pair, Timing


def pair(params: dict, key: str, default: float) -> Pair:
    v = params.get(key)
    if v is None:
        return float(default), float(default)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v), float(v)
    start, end = v
    return float(start), float(end)


def scalar(params: dict, key: str, default):
    v = params.get(key)
    return default if v is None else v


def is_zero(p: Pair) -> bool:
    return p[0] == 0.0 and p[1] == 0.0


@dataclass(frozen=True)
class Frames:
    """Step-local frames start … start + count − 1 of a voice, with α at each."""

    sample_rate: int
    timing: Timing
    n: np.ndarray  # frame indices as float64
    alpha: np.ndarray

    @classmethod
    def make(cls, sample_rate: int, t: Timing, start: int, count: int) -> "Frames":
        n = np.arange(start, start + count, dtype=np.float64)
        return cls(sample_rate, t, n, ramp.alpha(t, n))

    def at(self, p: Pair) -> np.ndarray:
        """The ramped parameter at every frame."""
        return ramp.lerp(p, self.alpha)

    def lfo(self, rate_hz: Pair, offset_rad: Pair = (0.0, 0.0)) -> np.ndarray:
        """LFO position frac(P + θ/2π) at every frame."""
        return lfo_position(rate_hz, offset_rad, self.timing, self.sample_rate, self.n)

    def clock_frac(self, rate_hz: Pair) -> np.ndarray:
        return _dd.whole_frac(clock(rate_hz, self.timing, self.sample_rate, self.n))[1]


def dip_am(fr: Frames, depth: Pair, rate_hz: Pair, phase_rad: Pair, skew: Pair):
    """e = 1 − d·(1 + S(frac(P + θ/2π); k))/2, in [1 − d, 1]; 1.0 when the depth is 0 at both ends."""
    if is_zero(depth):
        return 1.0
    w = shapes.skewed_sine(fr.lfo(rate_hz, phase_rad), fr.at(skew))
    return 1.0 - fr.at(depth) * (1.0 + w) * 0.5


def wobble_rad(fr: Frames, rate_hz: Pair, range_rad: Pair):
    """Δ = (ρ/2)·sin(2π·P^p) radians; subtracted from the left (lower) carrier, added to the right."""
    if is_zero(range_rad):
        return 0.0
    return 0.5 * fr.at(range_rad) * np.sin(TAU * fr.clock_frac(rate_hz))
