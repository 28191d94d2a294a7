"""Recursive filters of `voices.md` §2.9: Butterworth low-pass and high-pass designs, Direct Form I
cascades whose coefficients may change every 16 frames (§2.9.4), and harmonic suppression (§2.9.3).

The order-4 low-pass design is written out (pre-warped bilinear transform, sections in SciPy's
order with the overall gain in the first section) so that a ramping cut-off can be designed for
thousands of blocks at once; tests check it against ``scipy.signal.butter(4, fc, fs=sr,
output='sos')`` within 1e-9. A cascade runs from zero state at frame 0; between coefficient
changes it is evaluated with ``scipy.signal.lfilter``, started from the Direct Form I history
(the last two inputs and outputs of each section) re-expressed for the new coefficients.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from . import ramp
from .ramp import Pair, Timing

COEFF_BLOCK = 16  # frames per coefficient update, counted from frame 0

# Quality factors of the two sections of an order-4 Butterworth: 1/(2 cos(π/8)), 1/(2 cos(3π/8)).
_Q4 = (0.5 / np.cos(np.pi / 8.0), 0.5 / np.cos(3.0 * np.pi / 8.0))


def butter_lowpass4_sos(cutoff_hz, sample_rate: int) -> np.ndarray:
    """Order-4 Butterworth low-pass, shape (..., 2, 6) for array-valued cut-offs (SciPy's layout)."""
    fc = np.asarray(cutoff_hz, dtype=np.float64)
    k = np.tan(np.pi * fc / sample_rate)
    k2 = k * k
    sos = np.empty(fc.shape + (2, 6))
    gain = np.ones_like(fc)
    for i, q in enumerate(_Q4):
        d = 1.0 + k / q + k2
        gain = gain * k2 / d
        sos[..., i, 3] = 1.0
        sos[..., i, 4] = 2.0 * (k2 - 1.0) / d
        sos[..., i, 5] = (1.0 - k / q + k2) / d
    sos[..., 0, 0:3] = gain[..., None] * np.array([1.0, 2.0, 1.0])
    sos[..., 1, 0:3] = np.array([1.0, 2.0, 1.0])
    return sos


def butter_highpass4_sos(cutoff_hz, sample_rate: int) -> np.ndarray:
    """Order-4 Butterworth high-pass in the same layout: gain in the first section, numerators (1, −2, 1)."""
    fc = np.asarray(cutoff_hz, dtype=np.float64)
    k = np.tan(np.pi * fc / sample_rate)
    k2 = k * k
    sos = np.empty(fc.shape + (2, 6))
    gain = np.ones_like(fc)
    for i, q in enumerate(_Q4):
        d = 1.0 + k / q + k2
        gain = gain / d
        sos[..., i, 3] = 1.0
        sos[..., i, 4] = 2.0 * (k2 - 1.0) / d
        sos[..., i, 5] = (1.0 - k / q + k2) / d
    sos[..., 0, 0:3] = gain[..., None] * np.array([1.0, -2.0, 1.0])
    sos[..., 1, 0:3] = np.array([1.0, -2.0, 1.0])
    return sos


def suppression_cutoff(base_hz, sample_rate: int):
    """fc = clamp(1.5·base, 20 Hz, 0.45·sr)."""
    return np.clip(1.5 * np.asarray(base_hz, dtype=np.float64), 20.0, 0.45 * sample_rate)


def df1_cascade(x: np.ndarray, block_sos: np.ndarray, block: int = COEFF_BLOCK) -> np.ndarray:
    """Runs x (frames from 0, shape (n,) or (n, ch)) through a cascade of biquads in Direct Form I.

    block_sos has shape (blocks, sections, 6): the coefficients used for frames
    [i·block, (i + 1)·block). Zero state at frame 0; state is never reset.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    nblocks = block_sos.shape[0]
    if nblocks * block < n:
        raise ValueError("block_sos does not cover the signal")
    # Runs of blocks with identical coefficients are filtered in one call.
    flat = block_sos.reshape(nblocks, -1)
    change = np.nonzero(np.any(flat[1:] != flat[:-1], axis=1))[0] + 1
    starts = np.concatenate(([0], change)) * block
    ends = np.append(change * block, nblocks * block)
    runs = [(s, min(e, n), s // block) for s, e in zip(starts, ends) if s < n]
    y = x
    for sec in range(block_sos.shape[1]):
        xin, out = y, np.empty_like(y)
        for r0, r1, bi in runs:
            b0, b1, b2, _, a1, a2 = block_sos[bi, sec]
            zero = np.zeros(x.shape[1:])
            x1, y1 = (xin[r0 - 1], out[r0 - 1]) if r0 >= 1 else (zero, zero)
            x2, y2 = (xin[r0 - 2], out[r0 - 2]) if r0 >= 2 else (zero, zero)
            # Transposed-form state equivalent to the Direct Form I history under these coefficients.
            zi = np.stack([b1 * x1 - a1 * y1 + b2 * x2 - a2 * y2, b2 * x1 - a2 * y1])
            out[r0:r1], _ = signal.lfilter([b0, b1, b2], [1.0, a1, a2], xin[r0:r1], axis=0, zi=zi)
        y = out
    return y


def harmonic_suppression(y: np.ndarray, base_hz: Pair, t: Timing, sample_rate: int) -> np.ndarray:
    """Low-pass both channels of y (frames from 0) at clamp(1.5·base(t), 20, 0.45·sr), twice in series."""
    n = y.shape[0]
    block_starts = np.arange(0, n, COEFF_BLOCK, dtype=np.float64)
    fc = suppression_cutoff(ramp.lerp(base_hz, ramp.alpha(t, block_starts)), sample_rate)
    sos = butter_lowpass4_sos(fc, sample_rate)
    return df1_cascade(y, np.concatenate([sos, sos], axis=1))
