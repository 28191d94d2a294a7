"""The AM and waveshaping voices (`voices.md` §3.4–§3.6), all class E:

- `stereo_am_independent`: a carrier split to fc ∓ w/2 between the ears, lift-form AM per ear;
- `wave_shape_stereo_am`: a lift-AM carrier through the tanh shaper, then lift AM per ear;
- `rhythmic_waveshaping`: a lift-AM carrier through the shaper, placed with the pan law (always
  applied, so pan 0 gives 0.7071 on both channels).

Lift form (§2.5): m = 1 − d·(1 − sin(2π·P + θ))/2, in [1 − d, 1]. Shaper (§2.8):
tanh(s·x)/tanh(s), or x itself for s < 1e-4. Carriers start at phase 0.
"""

from __future__ import annotations

import numpy as np

from .common import Frames, is_zero, pair
from .pan import pan_law
from .phase import TAU, Carrier, carrier_phase
from .ramp import Pair, Timing


def lift_am(fr: Frames, depth: Pair, rate_hz: Pair, phase_rad: Pair = (0.0, 0.0)):
    """m = 1 − d·(1 − sin(2π·P + θ))/2; 1.0 when the depth is 0 at both ends."""
    if is_zero(depth):
        return 1.0
    return 1.0 - 0.5 * fr.at(depth) * (1.0 - np.sin(TAU * fr.lfo(rate_hz, phase_rad)))


def shaper(x, s):
    """tanh(s·x)/tanh(s) for s ≥ 1e-4, else x (the limit)."""
    s = np.broadcast_to(np.asarray(s, dtype=np.float64), np.shape(x))
    with np.errstate(invalid="ignore", divide="ignore"):
        shaped = np.tanh(s * x) / np.tanh(s)
    return np.where(s >= 1e-4, shaped, x)


def _carrier(t: Timing, sample_rate: int, start: int, count: int, freq: Pair) -> np.ndarray:
    """sin(2πΦ) of a carrier with base frequency `freq` (clamped at 0 Hz), from phase 0."""
    return np.sin(TAU * carrier_phase(Carrier(freq), t, sample_rate, start, count).frac)


def render_stereo_am(params: dict, sample_rate: int, t: Timing, start: int, count: int) -> np.ndarray:
    fr = Frames.make(sample_rate, t, start, count)
    fc = pair(params, "carrier_freq_hz", 200.0)
    w = pair(params, "stereo_width_hz", 0.2)
    amp = fr.at(pair(params, "amp", 0.25))
    y = np.empty((count, 2))
    for ch, (side, sign) in enumerate((("l", -0.5), ("r", 0.5))):
        freq = (fc[0] + sign * w[0], fc[1] + sign * w[1])
        m = lift_am(fr, pair(params, f"mod_depth_{side}", 0.8), pair(params, f"mod_freq_{side}_hz", 4.0),
                    pair(params, f"mod_phase_{side}_rad", 0.0))
        y[:, ch] = amp * m * _carrier(t, sample_rate, start, count, freq)
    return y


def render_wave_shape(params: dict, sample_rate: int, t: Timing, start: int, count: int) -> np.ndarray:
    fr = Frames.make(sample_rate, t, start, count)
    x = _carrier(t, sample_rate, start, count, pair(params, "carrier_freq_hz", 200.0))
    x = x * lift_am(fr, pair(params, "shape_mod_depth", 0.8), pair(params, "shape_mod_freq_hz", 4.0))
    y = fr.at(pair(params, "amp", 0.15)) * shaper(x, fr.at(pair(params, "shape_amount", 0.5)))
    out = np.empty((count, 2))
    for ch, (side, rate, phase) in enumerate((("l", 4.1, 0.0), ("r", 4.0, np.pi / 2))):
        out[:, ch] = y * lift_am(fr, pair(params, f"stereo_mod_depth_{side}", 0.8),
                                 pair(params, f"stereo_mod_freq_{side}_hz", rate),
                                 pair(params, f"stereo_mod_phase_{side}_rad", phase))
    return out


def render_rhythmic(params: dict, sample_rate: int, t: Timing, start: int, count: int) -> np.ndarray:
    fr = Frames.make(sample_rate, t, start, count)
    x = _carrier(t, sample_rate, start, count, pair(params, "carrier_freq_hz", 200.0))
    x = x * lift_am(fr, pair(params, "mod_depth", 1.0), pair(params, "mod_freq_hz", 4.0))
    y = fr.at(pair(params, "amp", 0.25)) * shaper(x, fr.at(pair(params, "shape_amount", 5.0)))
    g_l, g_r = pan_law(fr.at(pair(params, "pan", 0.0)))
    return np.stack([y * g_l, y * g_r], axis=1)
