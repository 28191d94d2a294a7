"""`monaural_beat_stereo_amps` and its transition (`voices.md` §3.3): tones at base ∓ beat/2 mixed
into each ear with their own levels, an optional wobble between the tones and shared lift-form AM,
then a hard clip of each channel to [−1, 1]. Class E.

The AM applies only when the depth is non-zero at some end and the rate is non-zero at some end
(in a transition either end counts), as the spec's legacy rule says.
"""

from __future__ import annotations

import numpy as np

from .common import Frames, is_zero, pair, scalar, wobble_rad
from .phase import TAU, Carrier, carrier_phase
from .ramp import Timing


def render(params: dict, sample_rate: int, t: Timing, start: int, count: int) -> np.ndarray:
    fr = Frames.make(sample_rate, t, start, count)
    base = pair(params, "base_freq_hz", 200.0)
    beat = pair(params, "beat_freq_hz", 4.0)
    tones = []
    for sign, key, wob in ((-1.0, "start_phase_lower_rad", -1.0), (1.0, "start_phase_upper_rad", 1.0)):
        g = (base[0] + sign * beat[0] / 2.0, base[1] + sign * beat[1] / 2.0)
        c = Carrier(g, float(scalar(params, key, 0.0)) / TAU)  # the clamp at 0 is in carrier_phase
        tones.append((carrier_phase(c, t, sample_rate, start, count).frac, wob))
    delta = wobble_rad(fr, pair(params, "wobble_freq_hz", 0.0), pair(params, "wobble_range_rad", 0.0))
    s_lo, s_hi = (np.sin(TAU * phi + wob * delta) for phi, wob in tones)
    y = np.empty((count, 2))
    for ch, side in enumerate(("l", "r")):
        y[:, ch] = fr.at(pair(params, f"amp_lower_{side}", 0.5)) * s_lo + fr.at(pair(params, f"amp_upper_{side}", 0.5)) * s_hi
    depth = pair(params, "am_depth", 0.0)
    rate = pair(params, "am_freq_hz", 0.0)
    if not is_zero(depth) and not is_zero(rate):
        d = fr.at(depth)
        m = (1.0 - d / 2.0) + (d / 2.0) * np.sin(TAU * fr.lfo(rate, pair(params, "am_phase_rad", 0.0)))
        y *= m[:, None]
    return np.clip(y, -1.0, 1.0)
