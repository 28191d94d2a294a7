"""The QAM voices (`voices.md` §3.7–§3.8), class F:

- `qam_beat`: per ear, E_c·cos(2πΦ_c ∓ Δ) with the bipolar envelope E_c = (1 + d·M′)(1 + d2·cos)
  × cross coupling × (1 + d_s·cos), plus an optional harmonic on its own phase and a pair of beating
  sidebands, times an attack/release gain;
- `hybrid_qam_monaural_beat`: L a bipolar-AM cosine carrier, R two sine tones at c ∓ b/2 around a
  vibrato centre c = max(0, centre + v), with a wobble between them and dip AM.

Both end in the post-filter of §2.9.2 (high-pass 30 Hz order 4 twice, low-pass 0.45·sr order 4
twice). The chain is rendered from frame 0 and sliced, which is the warm-up of §2.9.5 taken to its
limit. Modulators are active only when their depth and rate are both non-zero at some end.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from . import _dd, ramp
from .common import Frames, is_zero, pair, scalar
from .filters import butter_highpass4_sos, butter_lowpass4_sos
from .phase import TAU, Carrier, Vibrato, carrier_phase, clock
from .ramp import Pair, Timing, frames


def post_filter(y: np.ndarray, sample_rate: int) -> np.ndarray:
    """HP 30 Hz order 4, twice, then LP 0.45·sr order 4, twice; zero state at frame 0."""
    hp = butter_highpass4_sos(30.0, sample_rate)
    lp = butter_lowpass4_sos(0.45 * sample_rate, sample_rate)
    return signal.sosfilt(np.concatenate([hp, hp, lp, lp]), y, axis=0)


def cos_am(fr: Frames, depth: Pair, rate_hz: Pair, phase_rad: Pair = (0.0, 0.0), shape: Pair = (1.0, 1.0)):
    """1 + d·M′, M = cos(2π·P + θ), M′ = sign(M)·|M|^(1/shape); 1.0 unless depth and rate are non-zero."""
    if is_zero(depth) or is_zero(rate_hz):
        return 1.0
    m = np.cos(TAU * fr.lfo(rate_hz, phase_rad))
    return 1.0 + fr.at(depth) * np.sign(m) * np.abs(m) ** (1.0 / fr.at(shape))


def wobble(fr: Frames, rate_hz: Pair, range_rad: Pair, phase_rad: Pair):
    """Δ = (ρ/2)·sin(2π·P + θ) radians."""
    if is_zero(range_rad):
        return 0.0
    return 0.5 * fr.at(range_rad) * np.sin(TAU * fr.lfo(rate_hz, phase_rad))


def _frames_at(sample_rate: int, t: Timing, n: np.ndarray) -> Frames:
    return Frames(sample_rate, t, n, ramp.alpha(t, n))


def _qam_dry(params: dict, sample_rate: int, t: Timing, count: int, step_frames: int) -> np.ndarray:
    """The QAM signal before the post-filter, frames 0 … count − 1."""
    fr = Frames.make(sample_rate, t, 0, count)

    def own(f: Frames, side: str):
        """E′: primary × secondary AM of one ear."""
        primary = cos_am(f, pair(params, f"am_depth_{side}", 0.5), pair(params, f"am_freq_{side}_hz", 4.0),
                         pair(params, f"am_phase_{side}_rad", 0.0), pair(params, f"mod_shape_{side}", 1.0))
        secondary = cos_am(f, pair(params, f"am2_depth_{side}", 0.0), pair(params, f"am2_freq_{side}_hz", 0.0),
                           pair(params, f"am2_phase_{side}_rad", 0.0))
        return np.broadcast_to(primary * secondary, (f.n.size,))

    env = [own(fr, "l"), own(fr, "r")]
    depth = pair(params, "cross_mod_depth", 0.0)
    delay_s = float(scalar(params, "cross_mod_delay_s", 0.0))
    if not is_zero(depth) and delay_s > 0.0:
        d = frames(delay_s, sample_rate)
        late = fr.n >= d
        delayed = _frames_at(sample_rate, t, np.maximum(fr.n - d, 0.0))
        env_d = [own(delayed, "l"), own(delayed, "r")]
        k = fr.at(depth)
        env = [env[0] * np.where(late, 1.0 + k * (env_d[1] - 1.0), 1.0),
               env[1] * np.where(late, 1.0 + k * (env_d[0] - 1.0), 1.0)]
    sub = cos_am(fr, pair(params, "sub_harmonic_depth", 0.0), pair(params, "sub_harmonic_freq_hz", 0.0))
    delta = wobble(fr, pair(params, "wobble_freq_hz", 0.0), pair(params, "wobble_range_rad", 0.0),
                   (float(scalar(params, "wobble_phase_rad", 0.0)),) * 2)
    ratio = float(scalar(params, "harmonic_ratio", 2.0))
    h_depth = pair(params, "harmonic_depth", 0.0)
    sidebands = bool(scalar(params, "beating_sidebands", False))
    so = float(scalar(params, "sideband_offset_hz", 1.0))
    sd = float(scalar(params, "sideband_depth", 0.1))
    # attack/release gain
    t_s = fr.n / sample_rate
    dur_s = step_frames / sample_rate
    attack = float(scalar(params, "attack_s", 0.0))
    release = float(scalar(params, "release_s", 0.0))
    g = np.ones(count)
    if attack > 0.0:
        g = np.where(t_s < attack, t_s / attack, g)
    if release > 0.0:
        g = np.where(t_s > dur_s - release, g * (dur_s - t_s) / release, g)
    y = np.empty((count, 2))
    for ch, (side, base_default, sign) in enumerate((("l", 200.0, -1.0), ("r", 204.0, 1.0))):
        e = env[ch] * sub
        base = pair(params, f"base_freq_{side}_hz", base_default)
        start_phase = float(scalar(params, f"start_phase_{side}_rad", 0.0)) / TAU
        phi = TAU * carrier_phase(Carrier(base, start_phase), t, sample_rate, 0, count).frac + sign * delta
        s = e * np.cos(phi)
        if not is_zero(h_depth):
            harmonic = Carrier((ratio * base[0], ratio * base[1]), ratio * start_phase)
            ph_h = carrier_phase(harmonic, t, sample_rate, 0, count).frac
            s = s + fr.at(h_depth) * e * np.cos(TAU * ph_h + sign * ratio * delta)
        if sidebands:
            w = TAU * _dd.whole_frac(_dd.div(_dd.two_prod(fr.n, so), float(sample_rate)))[1]
            s = s + sd * e * (np.cos(phi - w) + np.cos(phi + w))
        y[:, ch] = fr.at(pair(params, f"amp_{side}", 0.5)) * g * s
    return y


def render_qam(params: dict, sample_rate: int, t: Timing, start: int, count: int, *, step_frames: int) -> np.ndarray:
    y = post_filter(_qam_dry(params, sample_rate, t, start + count, step_frames), sample_rate)
    return np.ascontiguousarray(y[start:])


def _hybrid_dry(params: dict, sample_rate: int, t: Timing, count: int) -> np.ndarray:
    fr = Frames.make(sample_rate, t, 0, count)
    y = np.empty((count, 2))
    # L: ampL·(1 + d·cos(2π·P + θ))·cos(2πΦ_L)
    phase_l = float(scalar(params, "qam_start_phase_l_rad", 0.0)) / TAU
    phi_l = carrier_phase(Carrier(pair(params, "qam_carrier_freq_l_hz", 100.0), phase_l), t, sample_rate, 0, count).frac
    e_l = cos_am(fr, pair(params, "qam_am_depth_l", 0.5), pair(params, "qam_am_freq_l_hz", 4.0),
                 pair(params, "qam_am_phase_l_rad", 0.0))
    y[:, 0] = fr.at(pair(params, "amp_l", 0.5)) * e_l * np.cos(TAU * phi_l)
    # R: tones at c ∓ b/2 around the centre c = max(0, centre + v), v active with rate and range.
    centre = pair(params, "mono_carrier_freq_r_hz", 100.0)
    half = tuple(0.5 * b for b in pair(params, "mono_beat_freq_r_hz", 4.0))
    vib_rate = pair(params, "mono_fm_freq_r_hz", 0.0)
    vib = None
    if not is_zero(vib_rate):
        vib = Vibrato(pair(params, "mono_fm_range_r_hz", 0.0), vib_rate, pair(params, "mono_fm_phase_r_rad", 0.0))
    p1 = float(scalar(params, "mono_start_phase_tone1_rad", 0.0)) / TAU
    p2 = float(scalar(params, "mono_start_phase_tone2_rad", 0.0)) / TAU
    # f₁ = max(0, c − b/2) = max(0, centre + v − b/2): one carrier with its clamp at 0 Hz.
    lower = Carrier((centre[0] - half[0], centre[1] - half[1]), p1, vib)
    ph1 = carrier_phase(lower, t, sample_rate, 0, count).frac
    # f₂ = c + b/2: the clamped centre's phase plus the integral of b/2.
    c2 = carrier_phase(Carrier(centre, p2, vib), t, sample_rate, 0, count)
    ph2 = _dd.whole_frac(_dd.add(_dd.from_float(c2.frac), clock(half, t, sample_rate, fr.n)))[1]
    delta = wobble(fr, pair(params, "mono_wobble_freq_r_hz", 0.0), pair(params, "mono_wobble_range_r_rad", 0.0),
                   pair(params, "mono_wobble_phase_r_rad", 0.0))
    s = np.sin(TAU * ph1 - delta) + np.sin(TAU * ph2 + delta)
    depth, rate = pair(params, "mono_am_depth_r", 0.0), pair(params, "mono_am_freq_r_hz", 0.0)
    if not is_zero(depth) and not is_zero(rate):
        s = s * (1.0 - 0.5 * fr.at(depth) * (1.0 + np.sin(TAU * fr.lfo(rate, pair(params, "mono_am_phase_r_rad", 0.0)))))
    y[:, 1] = fr.at(pair(params, "amp_r", 0.5)) * s
    return y


def render_hybrid(params: dict, sample_rate: int, t: Timing, start: int, count: int) -> np.ndarray:
    y = post_filter(_hybrid_dry(params, sample_rate, t, start + count), sample_rate)
    return np.ascontiguousarray(y[start:])
