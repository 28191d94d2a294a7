"""Double-double arithmetic on NumPy arrays, so that phases of hour-long steps keep 1e-9 cycles.

A value is a pair ``(hi, lo)`` of float64 arrays whose exact sum is the number. The error-free
transformations are the classical ones (Knuth's two-sum, Dekker's split product); they need
round-to-nearest float64 without extended precision, which NumPy on x86-64 and ARM64 gives.
"""

from __future__ import annotations

import numpy as np

DD = tuple[np.ndarray, np.ndarray]

_SPLITTER = 134217729.0  # 2**27 + 1


def two_sum(a, b) -> DD:
    """a + b as an exact pair."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _fast_two_sum(a, b) -> DD:
    # Requires |a| ≥ |b| (or a = 0); true wherever it is used below.
    s = a + b
    return s, b - (s - a)


def _split(a):
    t = _SPLITTER * a
    hi = t - (t - a)
    return hi, a - hi


def two_prod(a, b) -> DD:
    """a · b as an exact pair (no overflow for the magnitudes used here)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def from_float(a) -> DD:
    a = np.asarray(a, dtype=np.float64)
    return a, np.zeros_like(a)


def add(x: DD, y: DD) -> DD:
    s, e = two_sum(x[0], y[0])
    return _fast_two_sum(s, e + (x[1] + y[1]))


def neg(x: DD) -> DD:
    return -x[0], -x[1]


def mul(x: DD, b) -> DD:
    """Double-double times float."""
    p, e = two_prod(x[0], b)
    return _fast_two_sum(p, e + x[1] * b)


def div(x: DD, d) -> DD:
    """Double-double divided by a float."""
    q1 = x[0] / d
    p, e = two_prod(q1, d)
    q2 = (((x[0] - p) - e) + x[1]) / d
    return _fast_two_sum(q1, q2)


def whole_frac(x: DD) -> tuple[np.ndarray, np.ndarray]:
    """(floor(x), x − floor(x)) with the fraction in [0, 1). hi − floor(hi) is exact."""
    w = np.floor(x[0])
    f = (x[0] - w) + x[1]
    w2 = np.floor(f)
    f = f - w2
    # f can round up to exactly 1.0 when it is a hair below 1.
    one = f >= 1.0
    return w + w2 + one, np.where(one, 0.0, f)


def to_float(x: DD) -> np.ndarray:
    return x[0] + x[1]
