"""Head-related impulse responses for the spatial voices (voices.md §2.12), prepared for a rate.

The responses are the MIT KEMAR measurements (W. G. Gardner and K. D. Martin, "HRTF
Measurements of a KEMAR Dummy-Head Microphone", MIT Media Lab Perceptual Computing Technical
Report #280, 1994; normal pinna). Entrainer does not ship them: their terms allow any use with
citation but say nothing about redistribution, so they are read at run time from the data file
that the PyPI package `slab` installs (`pip install slab`; the file is all that is used, slab
itself is never imported). That file is a bz2-compressed pickle; it is read with an unpickler
that accepts only slab's two container classes (mapped to plain holders) and NumPy's array
reconstruction, and refuses everything else, so it cannot run code. The 72 elevation-0 pairs
are checked against a pinned SHA-256 before use.

`kemar(sample_rate)` returns the table the engine and the NumPy reference use:

- ``irs``: float64 (72, 2, taps), azimuth 0°, 5°, …, 355° (positive = left, the data's
  convention), ear 0 left, 1 right; resampled band-limited from 44.1 kHz when the rate differs;
- ``level``: float64 (1024,), g(f) = 1 / max over directions and ears of |H(f)| on
  `level_frequencies(sample_rate)` (voices.md §2.12 "Level").

>>> level_frequencies(48_000)[[0, -1]].tolist()
[10.0, 24000.0]
"""

from __future__ import annotations

import bz2
import functools
import hashlib
import importlib.metadata
import math
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import EntrainerError

DATA_RATE = 44_100
DATA_TAPS = 512
AZIMUTHS = 72                  # 0°, 5°, …, 355° at elevation 0
LEVEL_POINTS = 1024
LEVEL_LOW_HZ = 10.0
DOWN_DELAY = 16                # frames added to every response when resampling down
_PACKAGE_FILE = "slab/data/mit_kemar_normal_pinna.bz2"
# SHA-256 of the 72 × 2 × 512 elevation-0 responses as little-endian float64, azimuth-major.
PAYLOAD_SHA256 = "f8b635e166cc63dbb63822c5afae1bae060fe9dd8e5f92b4d8d66de0479a98eb"

CITATION = ('W. G. Gardner and K. D. Martin, "HRTF Measurements of a KEMAR Dummy-Head '
            'Microphone", MIT Media Lab Perceptual Computing Technical Report #280, 1994')


class HrtfUnavailable(EntrainerError):
    """The KEMAR responses cannot be read (slab is not installed, or its data file differs)."""


@dataclass(frozen=True)
class HrirSet:
    sample_rate: int
    irs: np.ndarray      # (72, 2, taps) float64
    level: np.ndarray    # (1024,) float64

    @property
    def taps(self) -> int:
        return self.irs.shape[2]


def level_frequencies(sample_rate: int) -> np.ndarray:
    """The 1024 log-spaced frequencies of the level table, 10 Hz … sr/2."""
    lo, hi = math.log(LEVEL_LOW_HZ), math.log(sample_rate / 2.0)
    return np.exp(lo + (hi - lo) * np.arange(LEVEL_POINTS) / (LEVEL_POINTS - 1))


def level_gain(level: np.ndarray, sample_rate: int, freq_hz) -> np.ndarray:
    """g(f) interpolated linearly in log-frequency, held constant outside 10 Hz … sr/2."""
    f = np.asarray(freq_hz, dtype=np.float64)
    lo, hi = math.log(LEVEL_LOW_HZ), math.log(sample_rate / 2.0)
    pos = (np.log(np.maximum(f, LEVEL_LOW_HZ)) - lo) * ((LEVEL_POINTS - 1) / (hi - lo))
    pos = np.clip(pos, 0.0, LEVEL_POINTS - 1.0)
    i = np.minimum(np.floor(pos).astype(np.int64), LEVEL_POINTS - 2)
    w = pos - i
    return level[i] + (level[i + 1] - level[i]) * w


def data_file() -> Path:
    """Where the installed slab package keeps the KEMAR responses (slab is not imported)."""
    try:
        dist = importlib.metadata.distribution("slab")
    except importlib.metadata.PackageNotFoundError:
        raise HrtfUnavailable(
            'hrtfModel "kemar" needs the MIT KEMAR responses, which Entrainer reads from the '
            'PyPI package slab: install it with "pip install slab", or set hrtfModel to "sphere"'
        ) from None
    path = Path(str(dist.locate_file(_PACKAGE_FILE)))
    if not path.is_file():
        raise HrtfUnavailable(f"the slab package has no {_PACKAGE_FILE}; reinstall slab")
    return path


class _Holder:
    """Stands in for slab's HRTF and Filter objects: keeps their attributes, nothing else."""

    def __setstate__(self, state):
        if isinstance(state, tuple):  # (dict, slots) form
            state = state[0] or {}
        self.__dict__.update(state)


class _SafeUnpickler(pickle.Unpickler):
    _HOLDERS = {("slab.hrtf", "HRTF"), ("slab.filter", "Filter")}

    def find_class(self, module: str, name: str):
        if (module, name) in self._HOLDERS:
            return type(name, (_Holder,), {})
        if name == "_reconstruct" and module in ("numpy.core.multiarray", "numpy._core.multiarray"):
            return np.ndarray.__reduce__(np.zeros(0))[0]  # numpy's own _reconstruct
        if module == "numpy" and name in ("ndarray", "dtype"):
            return getattr(np, name)
        raise pickle.UnpicklingError(f"refused to load {module}.{name} from the HRTF data file")


def read_elevation0(path: Path) -> np.ndarray:
    """The 72 elevation-0 pairs as float64 (72, 2, 512), azimuth 0°, 5°, …; checked by SHA-256."""
    with bz2.open(path, "rb") as f:
        obj = _SafeUnpickler(f).load()
    rate = float(getattr(obj, "samplerate", 0.0))
    sources = np.asarray(obj.sources, dtype=np.float64)
    if rate != DATA_RATE:
        raise HrtfUnavailable(f"the KEMAR data file has a sample rate of {rate}, expected {DATA_RATE}")
    out = np.empty((AZIMUTHS, 2, DATA_TAPS))
    found = np.zeros(AZIMUTHS, dtype=bool)
    for src, filt in zip(sources, obj.data):
        az, el = float(src[0]), float(src[1])
        k = round(az / 5.0)
        if el == 0.0 and abs(az - 5.0 * k) < 1e-9 and 0 <= k < AZIMUTHS:
            data = np.asarray(filt.data, dtype=np.float64)
            if data.shape != (DATA_TAPS, 2):
                raise HrtfUnavailable(f"a KEMAR response has shape {data.shape}, expected ({DATA_TAPS}, 2)")
            out[k] = data.T
            found[k] = True
    if not found.all():
        raise HrtfUnavailable("the KEMAR data file lacks some of the 72 elevation-0 directions")
    digest = hashlib.sha256(out.astype("<f8").tobytes()).hexdigest()
    if digest != PAYLOAD_SHA256:
        raise HrtfUnavailable(f"the KEMAR responses differ from the expected ones (SHA-256 {digest})")
    return out


def resample(irs: np.ndarray, sample_rate: int) -> np.ndarray:
    """Band-limited resampling of 44.1 kHz responses to `sample_rate` in the FFT domain.

    Each response is zero-padded to N₀ frames with N₀·sr/44100 = M an integer and its spectrum
    zero-extended to M frames (rates above 44.1 kHz: exact), or cut (rates below), then trimmed
    to ceil(512·sr/44100) taps. A cut band rings on both sides of every onset, and the ringing
    before the onset would wrap to the end of the period and be trimmed away: so going down, the
    top 15 % of the new band is tapered (raised cosine) and every response is delayed by the
    same 16 frames, which keeps interaural time and level differences unchanged.
    """
    if sample_rate == DATA_RATE:
        return irs.copy()
    step = DATA_RATE // math.gcd(DATA_RATE, sample_rate)
    n0 = step * math.ceil(2 * DATA_TAPS / step)
    m = n0 * sample_rate // DATA_RATE
    spec = np.fft.rfft(irs, n=n0, axis=-1)
    keep = min(spec.shape[-1], m // 2 + 1)
    new = np.zeros(irs.shape[:-1] + (m // 2 + 1,), dtype=complex)
    new[..., :keep] = spec[..., :keep]
    taps = math.ceil(DATA_TAPS * sample_rate / DATA_RATE)
    if m < n0:
        f = np.arange(keep) / (m / 2)
        taper = np.where(f <= 0.85, 1.0, 0.5 + 0.5 * np.cos(np.pi * (f - 0.85) / 0.15))
        new[..., :keep] *= taper * np.exp(-2j * np.pi * np.arange(keep) * DOWN_DELAY / m)
        taps += DOWN_DELAY
    return np.fft.irfft(new, n=m, axis=-1)[..., :taps]


def level_table(irs: np.ndarray, sample_rate: int) -> np.ndarray:
    """g(f) = 1 / max over the 72 directions and both ears of |H(f)| (exact DTFT)."""
    f = level_frequencies(sample_rate)
    k = np.arange(irs.shape[-1])
    basis = np.exp(-2j * np.pi * np.outer(f, k) / sample_rate)       # (1024, taps)
    mag = np.abs(basis @ irs.reshape(-1, irs.shape[-1]).T)            # (1024, 144)
    return 1.0 / mag.max(axis=1)


@functools.lru_cache(maxsize=1)
def _elevation0() -> np.ndarray:
    return read_elevation0(data_file())


@functools.lru_cache(maxsize=4)
def kemar(sample_rate: int) -> HrirSet:
    """The KEMAR set at `sample_rate` (cached; raises HrtfUnavailable without slab)."""
    irs = resample(_elevation0(), int(sample_rate))
    irs.setflags(write=False)
    level = level_table(irs, int(sample_rate))
    level.setflags(write=False)
    return HrirSet(int(sample_rate), irs, level)


def uses_kemar(voices) -> bool:
    """Whether any plan voice renders with the KEMAR responses."""
    return any((v.get("params") or {}).get("hrtf_model", "kemar") == "kemar"
               and v.get("function", "").startswith("spatial_angle_modulation") for v in voices)


def engine_tables(voices, sample_rate: int):
    """The `hrtf` argument of the engine: (irs, level) when a voice needs KEMAR, else None."""
    if not uses_kemar(voices):
        return None
    s = kemar(sample_rate)
    return np.ascontiguousarray(s.irs), np.ascontiguousarray(s.level)
