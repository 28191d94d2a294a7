"""The swept-notch noise engine (`voices.md` §2.11) and the noise voices (§3.12, §3.13).

Chain, rendered from frame 0 and sliced (the warm-up of §2.9.5 taken to its limit):

1. unit Gaussian white noise, stream 0 of the voice seed (`rng.py`), coloured to unit RMS (§2.10.2);
2. the warmth low-pass and rumble high-pass, each twice (§2.9.2);
3. per channel, the notch sweeps at LFO position q = P + offset (pass A, and pass B at the intra
   offset), coefficients and cascade weights refreshed every 16 frames from frame 0 (§2.9.4);
4. static notches, each as 2 × cascade sections;
5. the calibration gain G(α) for a long-run RMS of 0.2; then the voice's gain, fades and envelope.

A recursive section whose coefficients change every 16 frames cannot go through `lfilter` in one
call, so `tv_section` runs the recursion inside all blocks at once (16 vectorised steps): the
two outputs each block carries into the next obey an affine recurrence from block to block, which
a prefix scan solves first (vectorised, log₂(blocks) passes).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import signal

from . import _dd, ramp, rng, shapes
from .common import pair, scalar
from .phase import clock
from .ramp import Pair, Timing

BLOCK = 16
TARGET_RMS = 0.2
GRID = 8192
POSITIONS = 64

PINK_POLES = np.array([0.99886, 0.99332, 0.96900, 0.86650, 0.55000, -0.7616])
PINK_GAINS = np.array([0.0555179, 0.0750759, 0.1538520, 0.3104856, 0.5329522, -0.0168980])
PINK_DIRECT, PINK_DELAYED, PINK_NORM, BLUE_NORM = 0.5362, 0.115926, 3.05253, 0.594308
ALIASES = {"red": "brown", "violet": "purple"}


# --- colours (§2.10.2) ---------------------------------------------------------------------------

def _rho(sr: int) -> float:
    return math.exp(-2.0 * math.pi * 10.0 / sr)


def _green_sos(sr: int) -> np.ndarray:
    return signal.butter(4, [100.0, 1000.0], btype="bandpass", fs=sr, output="sos")


def _unit_pink(w: np.ndarray) -> np.ndarray:
    """Kellett's full filter: Σ one-pole terms + direct path + the delayed term, ÷ 3.05253."""
    y = PINK_DIRECT * w
    y[1:] += PINK_DELAYED * w[:-1]
    for p, g in zip(PINK_POLES, PINK_GAINS):
        y = y + signal.lfilter([g], [1.0, -p], w)
    return y / PINK_NORM


def _raw_colour(name: str, w: np.ndarray, sr: int) -> np.ndarray:
    """The colour before its final normalisation (deep brown and green: ÷ their RMS gain)."""
    if name == "white":
        return w
    if name == "pink":
        return _unit_pink(w)
    if name == "brown":
        return signal.lfilter([1.0], [1.0, -_rho(sr)], w) * math.sqrt(1.0 - _rho(sr) ** 2)
    if name == "deep brown":
        return signal.lfilter([1.0], [1.0, -_rho(sr)], _unit_pink(w))
    if name == "blue":
        return np.diff(_unit_pink(w), prepend=0.0) / BLUE_NORM
    if name == "purple":
        return np.diff(w, prepend=0.0) / math.sqrt(2.0)
    if name == "green":
        return signal.sosfilt(_green_sos(sr), _unit_pink(w))
    raise ValueError(f"colour: unknown noise colour {name!r}")


def _decay(a: np.ndarray, sr: int) -> float:
    """Decay rate (1/s) of the slowest pole of a denominator."""
    radius = np.max(np.abs(np.roots(a))) if len(a) > 1 else 0.0
    return math.inf if radius == 0 else -math.log(radius) * sr


def colour_sigma(name: str, sr: int) -> float:
    s = math.inf
    if name in ("pink", "deep brown", "blue", "green"):
        s = -math.log(PINK_POLES[0]) * sr
    if name in ("brown", "deep brown"):
        s = min(s, -math.log(_rho(sr)) * sr)
    if name == "green":
        s = min([s] + [_decay(sec[3:], sr) for sec in _green_sos(sr)])
    return s


def colour(name: str, w: np.ndarray, sr: int) -> np.ndarray:
    """Unit-RMS colour from white noise w (frames from 0)."""
    name = ALIASES.get(name, name)
    y = _raw_colour(name, w, sr)
    if name in ("deep brown", "green"):
        # ÷ sqrt(Σh²) of the exact impulse response, summed until the slowest pole is e⁻⁶⁰ down.
        length = math.ceil(60.0 / colour_sigma(name, sr) * sr)
        impulse = np.zeros(length)
        impulse[0] = 1.0
        y = y / math.sqrt(np.sum(_raw_colour(name, impulse, sr) ** 2))
    return y


def colour_power(name: str, f: np.ndarray, sr: int) -> np.ndarray:
    """Power response of the colour filter at f (up to a constant; the calibration normalises)."""
    name = ALIASES.get(name, name)
    z1 = np.exp(-2j * np.pi * f / sr)
    pink = PINK_DIRECT + PINK_DELAYED * z1
    for p, g in zip(PINK_POLES, PINK_GAINS):
        pink = pink + g / (1.0 - p * z1)
    pink = np.abs(pink) ** 2
    leaky = 1.0 / np.abs(1.0 - _rho(sr) * z1) ** 2
    diff = np.abs(1.0 - z1) ** 2
    if name == "white":
        return np.ones_like(f)
    if name == "pink":
        return pink
    if name == "brown":
        return leaky
    if name == "deep brown":
        return pink * leaky
    if name == "blue":
        return pink * diff
    if name == "purple":
        return diff
    _, h = signal.sosfreqz(_green_sos(sr), worN=f, fs=sr)
    return pink * np.abs(h) ** 2


# --- filters -------------------------------------------------------------------------------------

def prefilter_sos(sr: int) -> np.ndarray:
    """Warmth (order-1 low-pass at min(10 kHz, 0.45·sr)) and rumble (order-2 high-pass, 50 Hz), twice."""
    warmth = signal.butter(1, min(10_000.0, 0.45 * sr), fs=sr, output="sos")
    rumble = signal.butter(2, 50.0, btype="highpass", fs=sr, output="sos")
    return np.concatenate([warmth, warmth, rumble, rumble])


def notch_ba(f0, q, sr: int):
    """§2.9.1 notch coefficients (b0, b1, b2, a1, a2) for arrays of centres and qualities."""
    w0 = 2.0 * np.pi * np.asarray(f0, dtype=np.float64) / sr
    beta = np.tan(w0 / (2.0 * np.asarray(q, dtype=np.float64)))
    g = 1.0 / (1.0 + beta)
    c = np.cos(w0)
    return g, -2.0 * g * c, g, -2.0 * g * c, 2.0 * g - 1.0


def notch_power(f0, q, f, sr: int) -> np.ndarray:
    """|H|² of notches at centres f0 (shape (m,)) over frequencies f (shape (k,)): (m, k)."""
    b0, b1, b2, a1, a2 = (np.asarray(v)[:, None] for v in notch_ba(np.atleast_1d(f0), q, sr))
    z1 = np.exp(-2j * np.pi * f / sr)[None, :]
    z2 = z1 * z1
    return np.abs(b0 + b1 * z1 + b2 * z2) ** 2 / np.abs(1.0 + a1 * z1 + a2 * z2) ** 2


def _block_recursion(v: np.ndarray, a1, a2, p, q) -> np.ndarray:
    """y[k] = v[k] − a1·y[k−1] − a2·y[k−2] inside every block at once, from y[−1] = p, y[−2] = q."""
    y = np.empty_like(v)
    y1, y2 = p, q
    for k in range(v.shape[0]):
        y[k] = v[k] - a1 * y1 - a2 * y2
        y1, y2 = y[k], y1
    return y


def tv_section(x: np.ndarray, b0, b1, b2, a1, a2) -> np.ndarray:
    """One Direct Form I section from zero state; coefficient arrays hold one value per 16 frames."""
    n, nb, L = x.size, np.size(b0), BLOCK
    xp = np.zeros(nb * L + 2)
    xp[2 : 2 + n] = x
    b0, b1, b2, a1, a2 = (np.asarray(c, dtype=np.float64) for c in (b0, b1, b2, a1, a2))
    # Arrays are (position in block, block), so each row is contiguous.
    frame = lambda lag: xp[2 - lag : xp.size - lag].reshape(nb, L).T  # noqa: E731
    v = b0 * frame(0) + b1 * frame(1) + b2 * frame(2)
    zero = np.zeros(nb)
    zs = _block_recursion(v, a1, a2, zero, zero)
    # The outputs (p, q) = (y[−1], y[−2]) carried into a block add p·h[k + 1] − q·a2·h[k], with h the
    # impulse response of 1/(1 + a1 z⁻¹ + a2 z⁻²). So the pair carried into block b + 1 is
    # M_b·(p, q) + c_b: an affine recurrence over blocks, solved by a prefix scan.
    h = _block_recursion(np.vstack([np.ones(nb), np.zeros((L, nb))]), a1, a2, zero, zero)
    m00, m01 = h[L].copy(), -a2 * h[L - 1]
    m10, m11 = h[L - 1].copy(), -a2 * h[L - 2]
    c0, c1 = zs[L - 1].copy(), zs[L - 2].copy()
    d = 1
    while d < nb:
        p00, p01, p10, p11, pc0, pc1 = (a[:-d].copy() for a in (m00, m01, m10, m11, c0, c1))
        t00, t01, t10, t11 = m00[d:].copy(), m01[d:].copy(), m10[d:].copy(), m11[d:].copy()
        c0[d:] += t00 * pc0 + t01 * pc1
        c1[d:] += t10 * pc0 + t11 * pc1
        m00[d:], m01[d:] = t00 * p00 + t01 * p10, t00 * p01 + t01 * p11
        m10[d:], m11[d:] = t10 * p00 + t11 * p10, t10 * p01 + t11 * p11
        d *= 2
    p, q = np.zeros(nb), np.zeros(nb)
    p[1:], q[1:] = c0[:-1], c1[:-1]
    return _block_recursion(v, a1, a2, p, q).T.reshape(-1)[:n]


# --- the engine ----------------------------------------------------------------------------------

def _sweeps(params: dict) -> list[dict]:
    return [{k: tuple(map(float, s[k])) for k in ("min_hz", "max_hz", "q", "cascade")}
            for s in params.get("sweeps") or []]


def _shape(params: dict, p):
    if scalar(params, "lfo_shape", "sine") == "triangle":
        return shapes.notch_triangle(p)
    return shapes.notch_cosine(p)


def _centre(sweep: dict, a, w):
    lo = ramp.lerp(sweep["min_hz"], a)
    hi = ramp.lerp(sweep["max_hz"], a)
    lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
    return 0.5 * (lo + hi) + 0.5 * (hi - lo) * w


def _passes(params: dict) -> int:
    intra = pair(params, "intra_offset_deg", 0.0)
    return 2 if intra != (0.0, 0.0) else 1


def calibration(params: dict, sr: int) -> tuple[float, float]:
    """(G_start, G_end) = 0.2/sqrt(P̄) on the grid fᵢ = (i + ½)·sr/2K of §2.11."""
    f = (np.arange(GRID) + 0.5) * sr / (2 * GRID)
    s = colour_power(scalar(params, "colour", "pink"), f, sr)
    base = s / s.mean()
    if scalar(params, "prefilters", True):
        _, h = signal.sosfreqz(prefilter_sos(sr), worN=f, fs=sr)
        base = base * np.abs(h) ** 2
    for f0, q, c in params.get("static_notches") or []:
        base = base * notch_power(f0, q, f, sr)[0] ** (2 * int(c))
    sweeps = _sweeps(params)
    q_pos = np.arange(POSITIONS) / POSITIONS
    gains = []
    for a in (0.0, 1.0):
        avg = np.ones(GRID)
        if sweeps:
            prod = np.ones((POSITIONS, GRID))
            intra = ramp.lerp(pair(params, "intra_offset_deg", 0.0), a) / 360.0
            for p in range(_passes(params)):
                w = _shape(params, np.mod(q_pos + (intra if p == 1 else 0.0), 1.0))
                for sw in sweeps:
                    count = round(float(ramp.lerp(sw["cascade"], a)))
                    prod *= notch_power(_centre(sw, a, w), ramp.lerp(sw["q"], a), f, sr) ** count
            avg = prod.mean(axis=0)
        gains.append(TARGET_RMS / math.sqrt(np.mean(base * avg)))
    return gains[0], gains[1]


def engine(params: dict, sr: int, t: Timing, frames: int, seed: int) -> np.ndarray:
    """The calibrated engine output e_L, e_R for frames 0 … frames − 1, shape (frames, 2)."""
    n = np.arange(frames)
    x = colour(scalar(params, "colour", "pink"), rng.gaussian(rng.key(seed, 0), n), sr)
    if scalar(params, "prefilters", True):
        x = signal.sosfilt(prefilter_sos(sr), x)
    nb = -(-frames // BLOCK)
    starts = np.arange(nb, dtype=np.float64) * BLOCK
    a_blk = ramp.alpha(t, starts)
    p_blk = clock(pair(params, "lfo_freq_hz", 1 / 12), t, sr, starts)
    offsets = (0.0, pair(params, "lfo_offset_r_deg", 0.0))
    intra = ramp.lerp(pair(params, "intra_offset_deg", 0.0), a_blk) / 360.0
    sweeps = _sweeps(params)
    gain_pair = calibration(params, sr)
    gain = ramp.lerp(gain_pair, ramp.alpha(t, n.astype(np.float64)))
    statics = params.get("static_notches") or []
    out = np.empty((frames, 2))
    for ch in range(2):
        off = 0.0 if ch == 0 else ramp.lerp(offsets[1], a_blk) / 360.0
        q_ch = _dd.add(p_blk, _dd.from_float(off))
        y = x
        for p in range(_passes(params)):
            q = _dd.add(q_ch, _dd.from_float(intra)) if p == 1 else q_ch
            w = _shape(params, _dd.whole_frac(q)[1])
            for sw in sweeps:
                coeffs = notch_ba(_centre(sw, a_blk, w), ramp.lerp(sw["q"], a_blk), sr)
                c = ramp.lerp(sw["cascade"], a_blk)
                lo = np.repeat(np.floor(c), BLOCK)[:frames]
                hi = np.repeat(np.ceil(c), BLOCK)[:frames]
                frac_w = np.repeat(c - np.floor(c), BLOCK)[:frames]
                y_lo = y_hi = None
                for j in range(1, int(math.ceil(max(sw["cascade"]))) + 1):
                    y = tv_section(y, *coeffs)
                    y_lo = y if y_lo is None else np.where(lo == j, y, y_lo)
                    y_hi = y if y_hi is None else np.where(hi == j, y, y_hi)
                y = (1.0 - frac_w) * y_lo + frac_w * y_hi
        for f0, q, c in statics:
            b0, b1, b2, a1, a2 = (float(v) for v in notch_ba(f0, q, sr))
            sos = np.tile([b0, b1, b2, 1.0, a1, a2], (2 * int(c), 1))
            y = signal.sosfilt(sos, y)
        out[:, ch] = y * gain
    return out


def _fades(fr: np.ndarray, total: int, fade_in: int, fade_out: int) -> np.ndarray:
    g = np.ones(fr.size)
    if fade_in >= 2:
        g = np.where(fr < fade_in, fr / (fade_in - 1), g)
    back = total - 1 - fr
    if fade_out >= 2:
        g = g * np.where(back < fade_out, back / (fade_out - 1), 1.0)
    return g


def breakpoints(points: list, t_s: np.ndarray) -> np.ndarray:
    """Piecewise-linear through (t, a), held outside; equal times make a step (the later applies)."""
    if not points:
        return np.ones_like(t_s)
    times = np.array([p[0] for p in points], dtype=np.float64)
    amps = np.array([p[1] for p in points], dtype=np.float64)
    i = np.searchsorted(times, t_s, side="right")  # points at or before t
    out = np.empty_like(t_s)
    before, after = i == 0, i >= len(times)
    out[before] = amps[0]
    out[after] = amps[-1]
    mid = ~(before | after)
    t0, t1 = times[i[mid] - 1], times[i[mid]]
    a0, a1 = amps[i[mid] - 1], amps[i[mid]]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[mid] = np.where(t1 <= t0, a1, a0 + (a1 - a0) * (t_s[mid] - t0) / (t1 - t0))
    return out


def render(params: dict, sample_rate: int, t: Timing, start: int, count: int, seed: int = 0,
           step_frames: int | None = None, default_amp: float = 0.25) -> np.ndarray:
    """A noise voice: e_c · amp_c(α) · fade · env for frames start … start + count − 1."""
    total = start + count if step_frames is None else step_frames
    e = engine(params, sample_rate, t, start + count, seed)[start:]
    fr = np.arange(start, start + count, dtype=np.float64)
    a = ramp.alpha(t, fr)
    fade_in = min(ramp.frames(float(scalar(params, "fade_in_s", 0.0)), sample_rate), total)
    fade_out = min(ramp.frames(float(scalar(params, "fade_out_s", 0.0)), sample_rate), total)
    shape = _fades(fr, total, fade_in, fade_out) * breakpoints(params.get("amp_envelope") or [], fr / sample_rate)
    for side, ch in (("l", 0), ("r", 1)):
        amp: Pair = pair(params, f"amp_{side}", default_amp)
        e[:, ch] *= ramp.lerp(amp, a) * shape
    return e
