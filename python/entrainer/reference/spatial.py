"""`spatial_angle_modulation` (`voices.md` §3.10) and `spatial_angle_modulation_monaural_beat`
(§3.11): a mono source carried around the head and rendered with head-related responses (§2.12).

Both voices build a source x[n] (zero before frame 0) and an azimuth ψ[n] in the voice
convention (degrees, 0° front, +90° right), then render ear signals:

- ``kemar``: ψ_data = −ψ; grid cell i = floor(ψ_data/5) mod 72, weight w = frac(ψ_data/5);
  y = (1 − w)·(h_i ∗ x) + w·(h_{i+1} ∗ x) over the last `taps` inputs. Where ψ moves by more than
  5° between two frames (a jump), the output fades linearly over frames(0.005) frames from the
  pair held at the frame before the jump to the moving pair. Class E.
- ``sphere``: the Brown–Duda model: per-ear delay (Woodworth, plus one frame for both ears so
  that the third-order Lagrange reader needs no future input) and a one-pole/one-zero head shadow
  whose α is refreshed every 16 frames. Class F: a seek replays 0.5 s of warm-up.

The output is amp(t)·y. Convolutions run on the frames a chunk needs, with SciPy's FFT
convolution (agrees with direct sums within ~1e-15 of the signal).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import signal

from .. import hrtf
from . import monaural
from .common import Frames, is_zero, pair, scalar
from .phase import Carrier, carrier_phase
from .ramp import Timing

TAU = 2.0 * np.pi
DEG = 180.0 / math.pi
HEAD_RADIUS_M = 0.0875
SOUND_SPEED_M_S = 343.0
COEFF_BLOCK = 16
CHUNK = 4096
JUMP_DEG = 5.0


def fade_frames(sample_rate: int) -> int:
    return math.floor(0.005 * sample_rate + 0.5)


def sin_cycles(p):
    """sin(2πp) with the engine's reduction: exact zeros keep their sign (−0 at p = ½)."""
    p = np.asarray(p, dtype=np.float64)
    r = p - np.floor(p + 0.5)
    a = np.abs(r)
    return np.sin(TAU * np.where(a > 0.25, np.copysign(0.5 - a, r), r))


def cos_cycles(p):
    return sin_cycles(np.asarray(p, dtype=np.float64) + 0.25)


# --- paths -------------------------------------------------------------------------------------


def path_azimuth(shape: str, p, radius, arc0_deg, arc1_deg, stopped: bool) -> np.ndarray:
    """ψ in degrees (voice convention) of `spatial_angle_modulation`, p = frac(path clock)."""
    r = np.asarray(radius, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    if stopped:
        x, y = np.zeros_like(p), r * np.ones_like(p)
    elif shape == "circle":
        x, y = r * sin_cycles(p), r * cos_cycles(p)
    elif shape == "linear":
        x, y = np.zeros_like(p), r * sin_cycles(p)
    elif shape in ("arc", "oscillating_arc"):
        a0, a1 = np.asarray(arc0_deg) / DEG, np.asarray(arc1_deg) / DEG
        if shape == "arc":
            a = a0 + (1.0 - cos_cycles(p)) / 2.0 * (a1 - a0)
        else:
            a = a0 + (1.0 - 2.0 * np.abs(p - 0.5)) * (a1 - a0)
        x, y = r * np.sin(a), r * np.cos(a)
    else:
        c, s = cos_cycles(p), sin_cycles(p)
        m = np.maximum(np.abs(c), np.abs(s))
        x, y = r * c / m, r * s / m
        if shape == "diamond":
            x, y = (x + y) / math.sqrt(2.0), (y - x) / math.sqrt(2.0)
    psi = np.arctan2(x, y) * DEG
    return np.where(r == 0.0, 0.0, psi)


# --- renderers ---------------------------------------------------------------------------------


def _cells(psi):
    q = -np.asarray(psi, dtype=np.float64) / 5.0
    fl = np.floor(q)
    return np.mod(fl, 72).astype(np.int64), q - fl


def _angle_distance(d):
    d = np.mod(d, 360.0)
    return np.minimum(d, 360.0 - d)


def kemar_render(x: np.ndarray, psi: np.ndarray, lead: int, set_: hrtf.HrirSet, count: int):
    """Ear signals for frames s … s + count − 1.

    x covers frames [s − lead, s + count) (zeros before frame 0); psi ends at frame s + count − 1
    and starts early enough to see the jumps still fading at s (or at frame 0).
    """
    taps = set_.taps
    fade = fade_frames(set_.sample_rate)
    i_all, w_all = _cells(psi)
    # Jumps: |ψ[n] − ψ[n−1]| > 5° (wrapped); index into psi.
    jump = np.zeros(psi.size, dtype=bool)
    jump[1:] = _angle_distance(np.diff(psi)) > JUMP_DEG
    idx = np.arange(psi.size)
    last = np.maximum.accumulate(np.where(jump, idx, -1))
    fading = (last >= 0) & (idx - last < fade)
    held = np.where(fading, last - 1, idx)   # where the old pair is read (≥ 0 since jump[0] is False)
    u = np.where(fading, (idx - last) / fade, 1.0)
    sl = slice(psi.size - count, psi.size)
    i_new, w_new = i_all[sl], w_all[sl]
    i_old, w_old, u = i_all[held[sl]], w_all[held[sl]], u[sl]
    out = np.empty((count, 2))
    for c0 in range(0, count, CHUNK):
        c1 = min(c0 + CHUNK, count)
        seg = x[lead + c0 - (taps - 1) : lead + c1]
        need = np.unique(np.concatenate([i_new[c0:c1], i_new[c0:c1] + 1, i_old[c0:c1], i_old[c0:c1] + 1]) % 72)
        rows = np.arange(c1 - c0)
        for ear in (0, 1):
            conv = np.zeros((72, c1 - c0))
            for k in need:
                conv[k] = signal.fftconvolve(seg, set_.irs[k, ear], mode="valid")

            def pair_out(i, w):
                return (1.0 - w[c0:c1]) * conv[i[c0:c1], rows] + w[c0:c1] * conv[(i[c0:c1] + 1) % 72, rows]

            new = pair_out(i_new, w_new)
            old = pair_out(i_old, w_old)
            uu = u[c0:c1]
            out[c0:c1, ear] = np.where(uu < 1.0, (1.0 - uu) * old + uu * new, new)
    return out


def woodworth_delay_s(theta_deg):
    th = np.asarray(theta_deg, dtype=np.float64) / DEG
    k = HEAD_RADIUS_M / SOUND_SPEED_M_S
    return np.where(th < math.pi / 2, k * (1.0 - np.cos(th)), k * (th - math.pi / 2 + 1.0))


def sphere_max_delay_frames(sample_rate: int) -> int:
    """The largest integer delay part (plus the 2 frames of the Lagrange reader after it)."""
    return int(math.floor(HEAD_RADIUS_M / SOUND_SPEED_M_S * (math.pi / 2 + 1.0) * sample_rate + 1.0)) + 2


def shadow_coefficients(theta_deg, sample_rate: int):
    """(b0, b1, a1) of the head-shadow filter at ear angles θ (degrees)."""
    alpha_min, theta_min = 0.1, 150.0
    al = (1.0 + alpha_min / 2.0) + (1.0 - alpha_min / 2.0) * np.cos(math.pi * np.asarray(theta_deg) / theta_min)
    tk = sample_rate * HEAD_RADIUS_M / SOUND_SPEED_M_S   # τ·κ with τ = 1/(2ω₀), κ = 2·sr
    return (1.0 + al * tk) / (1.0 + tk), (1.0 - al * tk) / (1.0 + tk), (1.0 - tk) / (1.0 + tk)


def sphere_warmup_frames(sample_rate: int) -> int:
    a1 = shadow_coefficients(0.0, sample_rate)[2]
    sigma = -math.log(abs(a1)) * sample_rate
    return math.ceil(sample_rate * min(max(40.0 / sigma, 0.5), 60.0))


def sphere_render(x: np.ndarray, psi: np.ndarray, first: int, lead: int, sample_rate: int, count: int):
    """Ear signals for the last `count` frames of psi; psi starts at frame `first` (the warm-up
    start, a multiple of 16), x covers [first − lead, first + len(psi)) with zeros before frame 0."""
    n_all = psi.size
    psi_d = -psi
    n = np.arange(first, first + n_all)
    coeff_at = (n // COEFF_BLOCK) * COEFF_BLOCK - first   # index of the frame the coefficients come from
    out = np.empty((count, 2))
    for ear, off in ((0, -90.0), (1, 90.0)):
        theta = _angle_distance(psi_d + off)
        d = woodworth_delay_s(theta) * sample_rate + 1.0
        di = np.floor(d).astype(np.int64)
        mu = d - di
        base = lead + np.arange(n_all) - di            # index of x[n − d]
        h = (-mu * (mu - 1) * (mu - 2) / 6, (mu + 1) * (mu - 1) * (mu - 2) / 2,
             -(mu + 1) * mu * (mu - 2) / 2, (mu + 1) * mu * (mu - 1) / 6)
        v = h[0] * x[base + 1] + h[1] * x[base] + h[2] * x[base - 1] + h[3] * x[base - 2]
        b0, b1, a1 = shadow_coefficients(theta[coeff_at], sample_rate)
        vprev = np.concatenate(([0.0], v[:-1]))
        y = signal.lfilter([1.0], [1.0, a1], b0 * v + b1 * vprev)
        out[:, ear] = y[n_all - count :]
    return out


# --- the voices --------------------------------------------------------------------------------


def _spatialise(params, sample_rate, t, start, count, source, azimuth):
    """Shared path: `source(first, count)` gives x, `azimuth(first, count)` gives ψ."""
    model = scalar(params, "hrtf_model", "kemar")
    amp = Frames.make(sample_rate, t, start, count).at(pair(params, "amp", 0.7))
    if model == "kemar":
        set_ = hrtf.kemar(sample_rate)
        lead, hist = set_.taps - 1, fade_frames(sample_rate)
        first = max(0, start - lead)
        x = np.concatenate([np.zeros(lead - (start - first)), source(set_, first, start + count - first)])
        h0 = max(0, start - hist)
        psi = azimuth(h0, start + count - h0)
        y = kemar_render(x, psi, lead, set_, count)
    else:
        lead = sphere_max_delay_frames(sample_rate)
        first = max(0, start - sphere_warmup_frames(sample_rate)) // COEFF_BLOCK * COEFF_BLOCK
        s0 = max(0, first - lead)
        x = np.concatenate([np.zeros(lead - (first - s0)), source(None, s0, start + count - s0)])
        psi = azimuth(first, start + count - first)
        y = sphere_render(x, psi, first, lead, sample_rate, count)
    return y * amp[:, None]


def render_sam(params: dict, sample_rate: int, t: Timing, start: int, count: int) -> np.ndarray:
    carrier = pair(params, "carrier_freq_hz", 440.0)
    rate = pair(params, "path_freq_hz", 4.0)
    shape = scalar(params, "path_shape", "circle")

    def source(set_, first, n):
        fr = Frames.make(sample_rate, t, first, n)
        phi = carrier_phase(Carrier(carrier, 0.0), t, sample_rate, first, n).frac
        g = 1.0 if set_ is None else hrtf.level_gain(set_.level, sample_rate, fr.at(carrier))
        return g * sin_cycles(phi)

    def azimuth(first, n):
        fr = Frames.make(sample_rate, t, first, n)
        return path_azimuth(shape, fr.clock_frac(rate), fr.at(pair(params, "path_radius", 1.0)),
                            fr.at(pair(params, "arc_start_deg", 0.0)), fr.at(pair(params, "arc_end_deg", 360.0)),
                            is_zero(rate))

    return _spatialise(params, sample_rate, t, start, count, source, azimuth)


def render_sam_monaural(params: dict, sample_rate: int, t: Timing, start: int, count: int) -> np.ndarray:
    base = pair(params, "base_freq_hz", 200.0)
    depth = pair(params, "sam_am_depth", 0.0)
    am_rate = pair(params, "sam_am_freq_hz", 0.0)
    rate = pair(params, "spatial_freq_hz", pair(params, "beat_freq_hz", 4.0)[0])
    sigma = 1.0 if scalar(params, "rotation", "cw") == "cw" else -1.0

    def source(set_, first, n):
        fr = Frames.make(sample_rate, t, first, n)
        core = monaural.render(params, sample_rate, t, first, n)
        m = 0.5 * (core[:, 0] + core[:, 1])
        if not is_zero(depth) and not is_zero(am_rate):
            d = fr.at(depth)
            m = m * ((1.0 - d / 2.0) + (d / 2.0) * np.sin(TAU * fr.lfo(am_rate, pair(params, "sam_am_phase_rad", 0.0))))
        g = 1.0 if set_ is None else hrtf.level_gain(set_.level, sample_rate, fr.at(base))
        return g * m

    def azimuth(first, n):
        fr = Frames.make(sample_rate, t, first, n)
        r = fr.at(pair(params, "path_radius", 1.0))
        psi = fr.at(pair(params, "spatial_phase_rad", 0.0)) * DEG + sigma * 360.0 * fr.clock_frac(rate)
        psi = psi + np.where(r < 0.0, 180.0, 0.0)
        return np.where(r == 0.0, 0.0, psi)

    return _spatialise(params, sample_rate, t, start, count, source, azimuth)
