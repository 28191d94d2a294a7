"""Measurement methods M1–M6 of `voices.md` §0.6, used by the voice property tests.

Each function takes a rendered channel (1-D float array) and the sample rate, and returns plain
numbers or arrays. Times returned are in seconds from the first sample of the array.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

DISCARD_S = 0.05  # M2 and M3 discard the first and last 50 ms


def _next_pow2(n: int) -> int:
    return 1 << (int(n) - 1).bit_length()


def spectrum_peak(x, sr: float, lo_hz: float = 0.0, hi_hz: float | None = None, pad: int = 8):
    """M1: (frequency Hz, amplitude) of the largest spectral peak in [lo_hz, hi_hz].

    Hann window over the whole span, FFT zero-padded to at least `pad`× the span, and a parabola
    through the log magnitudes of the peak bin and its neighbours. The amplitude is scaled so that
    a sinusoid of amplitude A reads A, which makes dB differences between peaks meaningful.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.hanning(x.size)
    nfft = _next_pow2(pad * x.size)
    mag = np.abs(np.fft.rfft(x * w, nfft))
    freqs = np.arange(mag.size) * sr / nfft
    hi_hz = sr / 2 if hi_hz is None else hi_hz
    band = np.nonzero((freqs >= lo_hz) & (freqs <= hi_hz))[0]
    k = band[np.argmax(mag[band])]
    k = min(max(k, 1), mag.size - 2)
    a, b, c = np.log(mag[k - 1 : k + 2] + 1e-300)
    denom = a - 2 * b + c
    d = 0.5 * (a - c) / denom if denom != 0 else 0.0
    peak = np.exp(b - 0.25 * (a - c) * d)
    return (k + d) * sr / nfft, 2.0 * peak / w.sum()


def tone_frequency(x, sr: float, lo_hz: float = 0.0, hi_hz: float | None = None) -> float:
    """M1 tone frequency in Hz (see `spectrum_peak`)."""
    return spectrum_peak(x, sr, lo_hz, hi_hz)[0]


def analytic(x) -> np.ndarray:
    """Analytic signal by the FFT Hilbert transform."""
    return signal.hilbert(np.asarray(x, dtype=np.float64))


def _moving_average(x, width: int) -> np.ndarray:
    width = max(1, int(width))
    return np.convolve(x, np.ones(width) / width, mode="same")


def _kept(n: int, sr: float, discard_s: float) -> slice:
    d = int(round(discard_s * sr))
    return slice(d, n - d)


def instantaneous_frequency(x, sr: float, window_s: float = 0.01, discard_s: float = DISCARD_S):
    """M2: (t, f) with f = Δ(unwrapped analytic phase)·sr/2π averaged over `window_s` windows.

    The frequency between samples n and n + 1 is placed at t = (n + 0.5)/sr; the moving average is
    centred; the first and last `discard_s` are dropped.
    """
    ph = np.unwrap(np.angle(analytic(x)))
    f = np.diff(ph) * sr / (2 * np.pi)
    f = _moving_average(f, round(window_s * sr))
    t = (np.arange(f.size) + 0.5) / sr
    keep = _kept(f.size, sr, discard_s)
    return t[keep], f[keep]


def envelope(x, sr: float, carrier_hz: float | None = None, discard_s: float = DISCARD_S):
    """M3: (t, e), the analytic magnitude averaged over max(2 ms, one carrier period), edges dropped."""
    e = np.abs(analytic(x))
    width_s = 0.002 if not carrier_hz else max(0.002, 1.0 / carrier_hz)
    e = _moving_average(e, round(width_s * sr))
    t = np.arange(e.size) / sr
    keep = _kept(e.size, sr, discard_s)
    return t[keep], e[keep]


def interaural_phase(left, right, sr: float, window_s: float):
    """M4: (t, φ) with φ = angle of the mean of conj(z_L)·z_R over consecutive windows (radians).

    Positive φ means the right channel leads. t is the centre of each window.
    """
    z = np.conj(analytic(left)) * analytic(right)
    w = int(round(window_s * sr))
    m = z.size // w
    phi = np.angle(z[: m * w].reshape(m, w).mean(axis=1))
    t = (np.arange(m) + 0.5) * w / sr
    return t, phi


def rms(x) -> float:
    """M5 level: root mean square, linear."""
    x = np.asarray(x, dtype=np.float64)
    return float(np.sqrt(np.mean(x * x)))


def peak(x) -> float:
    """M5 level: largest absolute sample."""
    return float(np.max(np.abs(x)))


def db(ratio) -> float:
    """A linear amplitude ratio in dB."""
    return float(20.0 * np.log10(ratio))


def max_second_difference(x) -> float:
    """max over n of |x[n] − 2x[n−1] + x[n−2]|."""
    x = np.asarray(x, dtype=np.float64)
    return float(np.max(np.abs(x[2:] - 2 * x[1:-1] + x[:-2])))


def click_bound(amp: float, f_max_hz: float, sr: float) -> float:
    """M6 bound for a smooth oscillator: 1.2·A·(2π·f_max/sr)² + 1e-6."""
    return 1.2 * amp * (2 * np.pi * f_max_hz / sr) ** 2 + 1e-6


def is_click_free(x, amp: float, f_max_hz: float, sr: float) -> bool:
    """M6: the second difference stays within `click_bound`."""
    return max_second_difference(x) <= click_bound(amp, f_max_hz, sr)
