"""The pan stage of `voices.md` §2.7: equal-power gains that may move, applied to a stereo pair.

The stage is bypassed (unity gains) unless |pan_min|, |pan_max| or |pan_freq_hz| exceeds 1e-8 at
either end. Limits given the wrong way round are swapped per end, as the loader also does.
Reading chosen for the inward/outward de-click glide: it applies at every cycle boundary the clock
crosses after the voice start, i.e. for k > floor(q(0)); for a pan phase in [0, 2π) that is the
spec's "k ≥ 1". The glide uses the limits' current values, and has no effect while the rate is 0.
"""

from __future__ import annotations

import numpy as np

from . import _dd, ramp
from .phase import TAU, clock
from .ramp import Pair, Timing

PAN_TYPES = ("linear", "inward", "outward")


def pan_law(p):
    """(g_L, g_R) = (cos θ, sin θ), θ = (p + 1)·π/4.

    cos θ is evaluated as sin((1 − p)·π/4) so that p = +1 gives a left gain of exactly 0, as p = −1
    does on the right.
    """
    p = np.asarray(p, dtype=np.float64)
    return np.sin((1.0 - p) * (np.pi / 4.0)), np.sin((1.0 + p) * (np.pi / 4.0))


def is_active(params: dict) -> bool:
    return any(abs(v) > 1e-8 for key in ("pan_min", "pan_max", "pan_freq_hz") for v in _pair(params, key))


def _pair(params: dict, key: str) -> Pair:
    v = params.get(key, 0.0)
    if isinstance(v, (int, float)):
        return float(v), float(v)
    return float(v[0]), float(v[1])


def position(params: dict, t: Timing, sample_rate: int, n) -> np.ndarray:
    """Pan position p at frames n."""
    n = np.asarray(n, dtype=np.float64)
    a = ramp.alpha(t, n)
    m0, m1 = _pair(params, "pan_min")
    x0, x1 = _pair(params, "pan_max")
    lo = ramp.lerp((min(m0, x0), min(m1, x1)), a)
    hi = ramp.lerp((max(m0, x0), max(m1, x1)), a)
    rate = _pair(params, "pan_freq_hz")
    phase = _pair(params, "pan_phase_rad")
    if rate == (0.0, 0.0):
        return 0.5 * (lo + hi)
    q_dd = _dd.add(clock(rate, t, sample_rate, n), _dd.from_float(ramp.lerp(phase, a) / TAU))
    k, u = _dd.whole_frac(q_dd)
    kind = params.get("pan_type", "linear")
    if kind == "linear":
        return 0.5 * (lo + hi) + 0.5 * (hi - lo) * np.sin(TAU * u)
    if kind not in PAN_TYPES:
        raise ValueError(f"pan_type: expected one of {', '.join(PAN_TYPES)}, got {kind!r}")
    even = np.mod(k, 2.0) == 0.0
    ext = np.where(even, hi, lo)  # the extreme of this cycle
    prev_ext = np.where(even, lo, hi)  # the extreme of the previous cycle
    if kind == "inward":  # extreme → centre
        p, v_prev, v_start = ext * (1.0 - u), 0.0, ext
    else:  # centre → extreme
        p, v_prev, v_start = ext * u, prev_ext, 0.0
    # 5 ms linear glide from where the previous cycle ended (u_s in cycles).
    u_s = np.minimum(0.25, 0.005 * ramp.lerp(rate, a))
    k0 = np.floor(float(ramp.lerp(phase, ramp.alpha(t, 0.0))) / TAU)  # cycle index at frame 0
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(u_s > 0.0, np.maximum(0.0, 1.0 - u / u_s), 0.0)
    glide = np.where(k > k0, (v_prev - v_start) * w, 0.0)
    return p + glide


def apply(y: np.ndarray, params: dict, t: Timing, sample_rate: int, n) -> np.ndarray:
    """Multiplies the (count, 2) signal y in place by the pan-law gains; no-op when bypassed."""
    if not is_active(params):
        return y
    gl, gr = pan_law(np.clip(position(params, t, sample_rate, n), -1.0, 1.0))
    y[:, 0] *= gl
    y[:, 1] *= gr
    return y
