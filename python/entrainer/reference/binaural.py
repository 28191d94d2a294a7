"""`binaural_beat` and its transition (`voices.md` §3.1): one tone per ear, base ∓ beat/2, with
per-ear vibrato and dip AM, an interaural phase wobble and the pan stage. Class E.
"""

from __future__ import annotations

import numpy as np

from . import pan
from .common import Frames, dip_am, pair, scalar, wobble_rad
from .phase import TAU, Carrier, Vibrato, carrier_phase
from .ramp import Timing


def ear_carrier(params: dict, side: str, sign: float, beat_key: str, *, vib_shape: str, vibrato_on: bool) -> Carrier:
    """The carrier of one ear: g = base + sign·beat/2 (beat_key None means no detuning)."""
    base = pair(params, "base_freq_hz", 200.0)
    beat = pair(params, beat_key, 4.0) if beat_key else (0.0, 0.0)
    g = (base[0] + sign * beat[0] / 2.0, base[1] + sign * beat[1] / 2.0)
    vib = None
    if vibrato_on:
        vib = Vibrato(
            range_hz=pair(params, f"vib_range_{side}_hz", 0.0),
            rate_hz=pair(params, f"vib_freq_{side}_hz", 0.0),
            phase_rad=pair(params, f"vib_phase_{side}_rad", 0.0),
            skew=pair(params, f"vib_skew_{side}", 0.0),
            shape=vib_shape,
        )
    phase0 = float(scalar(params, f"start_phase_{side}_rad", 0.0)) / TAU
    return Carrier(g, phase0, vib)


def ear_am(fr: Frames, params: dict, side: str):
    return dip_am(
        fr,
        pair(params, f"am_depth_{side}", 0.0),
        pair(params, f"am_freq_{side}_hz", 0.0),
        pair(params, f"am_phase_{side}_rad", 0.0),
        pair(params, f"am_skew_{side}", 0.0),
    )


def render(params: dict, sample_rate: int, t: Timing, start: int, count: int) -> np.ndarray:
    fr = Frames.make(sample_rate, t, start, count)
    sign_l = 1.0 if scalar(params, "left_high", False) else -1.0
    beat_key = None if scalar(params, "force_mono", False) else "beat_freq_hz"
    shape = scalar(params, "vib_shape", "sine")
    if shape not in ("sine", "triangle"):
        raise ValueError(f"vib_shape: expected sine or triangle, got {shape!r}")
    delta = wobble_rad(fr, pair(params, "wobble_freq_hz", 0.0), pair(params, "wobble_range_rad", 0.0))
    y = np.empty((count, 2))
    for ch, (side, sign, wob) in enumerate((("l", sign_l, -1.0), ("r", -sign_l, 1.0))):
        c = ear_carrier(params, side, sign, beat_key, vib_shape=shape, vibrato_on=True)
        phi = carrier_phase(c, t, sample_rate, start, count).frac
        amp = fr.at(pair(params, f"amp_{side}", 0.5))
        y[:, ch] = amp * ear_am(fr, params, side) * np.sin(TAU * phi + wob * delta)
    return pan.apply(y, params, t, sample_rate, fr.n)
