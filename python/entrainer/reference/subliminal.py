"""`subliminal_encode` (`voices.md` §3.14), written plainly: each file (already mono at the
render rate) is band-limited by an order-8 Butterworth low-pass run forward and then backward
from zero state, multiplied by the carrier sin(2π·fc·k/sr), normalised to a peak of 1, and
arranged per output frame, in sequence with 1 s gaps or stacked, at a final peak of `amp`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import signal

from .common import scalar

# Quality factors of the four sections of an order-8 Butterworth: 1/(2·cos((2k − 1)π/16)).
BUTTER8_Q = tuple(0.5 / math.cos((2 * k - 1) * math.pi / 16) for k in range(1, 5))


def band_hz(carrier_hz: float, sample_rate: int) -> float:
    """B = min(0.95·(sr/2 − carrier), 8000 Hz): the upper sideband stays below sr/2."""
    return min(0.95 * (sample_rate / 2 - carrier_hz), 8000.0)


def lowpass_sections(fc_hz: float, sample_rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(b, a) of each second-order section, bilinear transform pre-warped at fc."""
    w0 = 2 * math.pi * fc_hz / sample_rate
    out = []
    for q in BUTTER8_Q:
        alpha = math.sin(w0) / (2 * q)
        c = math.cos(w0)
        a0 = 1 + alpha
        b = np.array([(1 - c) / 2, 1 - c, (1 - c) / 2]) / a0
        a = np.array([1.0, -2 * c / a0, (1 - alpha) / a0])
        out.append((b, a))
    return out


def segment(audio: np.ndarray, carrier_hz: float, sample_rate: int) -> np.ndarray:
    """One file on the carrier, band-limited (zero phase) and normalised to a peak of 1."""
    y = np.asarray(audio, dtype=np.float64)
    sections = lowpass_sections(band_hz(carrier_hz, sample_rate), sample_rate)
    for b, a in sections:
        y = signal.lfilter(b, a, y)
    y = y[::-1]
    for b, a in sections:
        y = signal.lfilter(b, a, y)
    y = y[::-1]
    x = np.arange(y.size, dtype=np.float64) * carrier_hz / sample_rate
    y = y * np.sin(2 * np.pi * (x - np.floor(x)))
    peak = np.abs(y).max() if y.size else 0.0
    return y / peak if peak > 0 else y


def arranged(segments: list[np.ndarray], mode: str, n: np.ndarray, sample_rate: int) -> np.ndarray:
    """The arranged signal at frames n, before the final gain."""
    out = np.zeros(n.shape)
    if not segments:
        return out
    if mode == "stack":
        for s in segments:
            if s.size:
                out += s[n % s.size]
        return out / len(segments)
    lengths = np.array([s.size + sample_rate for s in segments])     # each followed by 1 s of silence
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    u = n % lengths.sum()
    which = np.searchsorted(offsets, u, side="right") - 1
    for i, s in enumerate(segments):
        d = u - offsets[i]
        inside = (which == i) & (d < s.size)
        out[inside] = s[d[inside]]
    return out


def step_peak(segments: list[np.ndarray], mode: str, step_frames: int, sample_rate: int) -> float:
    """P: the peak of the arranged signal over the whole step."""
    if mode == "stack":
        period = 1
        for s in segments:
            if s.size:
                period = min(math.lcm(period, s.size), step_frames)
        return float(np.abs(arranged(segments, mode, np.arange(period), sample_rate)).max())
    # In sequence every frame of the step is one frame of one segment (or silence).
    return float(np.abs(arranged(segments, mode, np.arange(step_frames), sample_rate)).max(initial=0.0))


def render(params: dict, sample_rate: int, step_frames: int, start: int, count: int,
           audio: list[np.ndarray]) -> np.ndarray:
    mode = scalar(params, "mode", "sequence")
    carrier_hz = float(scalar(params, "carrier_freq_hz", 17500.0))
    amp = float(scalar(params, "amp", 0.5))
    segments = [segment(a, carrier_hz, sample_rate) for a in audio]
    peak = step_peak(segments, mode, step_frames, sample_rate)
    x = arranged(segments, mode, np.arange(start, start + count), sample_rate)
    y = x * (amp / peak) if peak > 0 else np.zeros(count)
    return np.stack([y, y], axis=1)
