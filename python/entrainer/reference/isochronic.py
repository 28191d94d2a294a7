"""`isochronic_tone` and its transition (`voices.md` §3.2): one carrier in both ears, gated by the
trapezoid pulse of §2.6 at the pulse rate, with vibrato (always the skewed sine), dip AM, the
interaural wobble, the pan stage and optional harmonic suppression. Class E, or F with suppression.

A pulse rate of 0 at both ends renders silence, whatever the ramp fraction (§2.6). With suppression
on, the chain is rendered from frame 0 and sliced, which is the warm-up of §2.9.5 taken to its limit.
"""

from __future__ import annotations

import numpy as np

from . import filters, pan
from .binaural import ear_am, ear_carrier
from .common import Frames, is_zero, pair, scalar, wobble_rad
from .phase import TAU, carrier_phase
from .ramp import Timing


def trapezoid(u, ramp_fraction, gap_fraction):
    """§2.6: rise over h, hold, fall over h, silent for the last gap of the cycle; h = min(r·A, A/2)."""
    u = np.asarray(u, dtype=np.float64)
    audible = 1.0 - np.asarray(gap_fraction, dtype=np.float64)
    h = np.minimum(np.asarray(ramp_fraction, dtype=np.float64) * audible, audible / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rise = np.where(h > 0.0, u / h, 1.0)
        fall = np.where(h > 0.0, (audible - u) / h, 1.0)
    env = np.where(u < h, rise, np.where(u < audible - h, 1.0, np.where(u < audible, fall, 0.0)))
    return np.where(u < audible, env, 0.0)


def _dry(params: dict, sample_rate: int, t: Timing, start: int, count: int) -> np.ndarray:
    fr = Frames.make(sample_rate, t, start, count)
    rate = pair(params, "pulse_freq_hz", 4.0)
    if is_zero(rate):
        return np.zeros((count, 2))
    iso = trapezoid(
        fr.clock_frac(rate),
        fr.at(pair(params, "ramp_fraction", 0.2)),
        fr.at(pair(params, "gap_fraction", 0.15)),
    )
    delta = wobble_rad(fr, pair(params, "wobble_freq_hz", 0.0), pair(params, "wobble_range_rad", 0.0))
    vibrato_on = not scalar(params, "force_mono", False)
    y = np.empty((count, 2))
    for ch, (side, wob) in enumerate((("l", -1.0), ("r", 1.0))):
        c = ear_carrier(params, side, 0.0, None, vib_shape="sine", vibrato_on=vibrato_on)
        phi = carrier_phase(c, t, sample_rate, start, count).frac
        amp = fr.at(pair(params, f"amp_{side}", 0.5))
        y[:, ch] = amp * ear_am(fr, params, side) * iso * np.sin(TAU * phi + wob * delta)
    return pan.apply(y, params, t, sample_rate, fr.n)


def render(params: dict, sample_rate: int, t: Timing, start: int, count: int) -> np.ndarray:
    if not scalar(params, "harmonic_suppression", False):
        return _dry(params, sample_rate, t, start, count)
    y = _dry(params, sample_rate, t, 0, start + count)
    y = filters.harmonic_suppression(y, pair(params, "base_freq_hz", 200.0), t, sample_rate)
    return np.ascontiguousarray(y[start:])
