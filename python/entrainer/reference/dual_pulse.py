"""`dual_pulse_binaural` and its transition (`voices.md` §3.9): the binaural voice of §3.1 (pan
stage included), each ear multiplied by its own pulse envelope, then optional harmonic suppression.
Class E, or F with suppression (rendered from frame 0 and sliced, as the isochronic reference does).

Per ear, the pulse rate at each end is the ear's own rate if > 0, else the common rate if > 0,
else the beat; the rate glides linearly between the two ends. u = frac(∫ρ + offset), tr the
trapezoid of §2.6, and the envelope (1 − depth) + depth·shape(tr) with shape tr (trapezoid),
1 where tr > 0 (square) or 0.5 − 0.5·cos(π·tr) (raised cosine). A resolved rate of 0 at both ends
leaves the ear ungated.
"""

from __future__ import annotations

import numpy as np

from . import binaural, filters
from .common import Frames, is_zero, pair, scalar
from .isochronic import trapezoid
from .ramp import Pair, Timing


def resolved_rate(params: dict, side: str) -> Pair:
    common = pair(params, "pulse_rate_hz", 0.0)
    own = pair(params, f"pulse_rate_{side}_hz", 0.0)
    beat = pair(params, "beat_freq_hz", 4.0)
    return tuple(o if o > 0.0 else c if c > 0.0 else b for o, c, b in zip(own, common, beat))


def pulse_envelope(fr: Frames, params: dict, side: str):
    rate = resolved_rate(params, side)
    if is_zero(rate):
        return 1.0
    u = np.mod(fr.clock_frac(rate) + fr.at(pair(params, f"pulse_phase_{side}_cycles", 0.0)), 1.0)
    tr = trapezoid(u, fr.at(pair(params, f"ramp_fraction_{side}", 0.2)), fr.at(pair(params, f"gap_fraction_{side}", 0.15)))
    shape = scalar(params, f"pulse_shape_{side}", "trapezoid")
    if shape == "square":
        tr = np.where(tr > 0.0, 1.0, 0.0)
    elif shape == "raised_cosine":
        tr = 0.5 - 0.5 * np.cos(np.pi * tr)
    elif shape != "trapezoid":
        raise ValueError(f"pulse_shape_{side}: expected trapezoid, square or raised_cosine, got {shape!r}")
    depth = fr.at(pair(params, f"pulse_depth_{side}", 1.0))
    return (1.0 - depth) + depth * tr


def _dry(params: dict, sample_rate: int, t: Timing, start: int, count: int) -> np.ndarray:
    y = binaural.render(params, sample_rate, t, start, count)
    fr = Frames.make(sample_rate, t, start, count)
    for ch, side in enumerate("lr"):
        y[:, ch] *= pulse_envelope(fr, params, side)
    return y


def render(params: dict, sample_rate: int, t: Timing, start: int, count: int) -> np.ndarray:
    if not scalar(params, "harmonic_suppression", False):
        return _dry(params, sample_rate, t, start, count)
    y = _dry(params, sample_rate, t, 0, start + count)
    y = filters.harmonic_suppression(y, pair(params, "base_freq_hz", 200.0), t, sample_rate)
    return np.ascontiguousarray(y[start:])
