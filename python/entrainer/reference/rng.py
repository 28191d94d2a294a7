"""Counter-based SplitMix64 (`voices.md` §2.10.1) and seed derivation (`render.md` §13), in NumPy.

>>> hex(r(42, 1, 1_000_000))
'0xcf31ed115a7db53'
>>> [round(float(g), 12) for g in gaussian(key(42, 1), np.arange(4))]
[-0.620424296604, -1.010818225159, -0.1771144919, 0.543839934627]
"""

from __future__ import annotations

import numpy as np

MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def _mix_int(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def mix(z: np.ndarray) -> np.ndarray:
    """mix(z) on uint64 arrays (arithmetic modulo 2⁶⁴)."""
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def key(seed: int, stream: int) -> int:
    return (seed ^ _mix_int((stream + GAMMA) & MASK)) & MASK


def r(seed: int, stream: int, i: int) -> int:
    return _mix_int((key(seed, stream) + (i + 1) * GAMMA) & MASK)


def values(k: int, i: np.ndarray) -> np.ndarray:
    """r for a keyed stream at indices i (uint64)."""
    i = np.asarray(i, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return mix(np.uint64(k) + (i + np.uint64(1)) * np.uint64(GAMMA))


def gaussian(k: int, n: np.ndarray) -> np.ndarray:
    """Unit Gaussian samples n of a keyed stream: Box–Muller on value pairs (2m, 2m + 1)."""
    n = np.asarray(n, dtype=np.int64)
    m = (n // 2).astype(np.uint64)
    scale = 2.0**-53
    u1 = ((values(k, 2 * m) >> np.uint64(11)).astype(np.float64) + 1.0) * scale
    u2 = (values(k, 2 * m + np.uint64(1)) >> np.uint64(11)).astype(np.float64) * scale
    rho = np.sqrt(-2.0 * np.log(u1))
    angle = 2.0 * np.pi * u2
    return np.where(n % 2 == 0, rho * np.cos(angle), rho * np.sin(angle))


def fnv1a64(s: str) -> int:
    h = 0xCBF29CE484222325
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def derived(seed: int, ident: str) -> int:
    """A consumer's seed: mix(seed XOR fnv1a64(id))."""
    return _mix_int((seed ^ fnv1a64(ident)) & MASK)
