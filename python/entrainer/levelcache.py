"""A small on-disk cache of measured level plans (`render.md` §10.3 allows it).

Measuring a track's levels costs a full analysis render. The result depends only on the
plan, the render rate, the seed, the level options and the engine build, so it is stored
under a hash of exactly those, in ``$ENTRAINER_CACHE_DIR`` (default: the user cache folder).
A damaged or unreadable entry is ignored and measured again.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from . import _engine


def cache_dir() -> Path:
    base = os.environ.get("ENTRAINER_CACHE_DIR")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "entrainer" / "levels"


@lru_cache(maxsize=1)
def _engine_build_id() -> str:
    """Hash of the native module: a rebuilt engine never reuses another build's plans."""
    h = hashlib.sha256()
    with open(_engine.__file__, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def key(plan: dict, sample_rate: int, seed: int, step_ceiling, target_level, audio=()) -> str:
    """`audio`: the decoded buffers the plan refers to (clips, subliminal files), hashed by content."""
    text = json.dumps({"plan": plan, "sr": sample_rate, "seed": seed, "ceiling": step_ceiling,
                       "target": target_level, "engine": _engine_build_id()}, sort_keys=True)
    h = hashlib.sha256(text.encode())
    for buf in audio:
        h.update(memoryview(_contiguous(buf)).cast("B"))
    return h.hexdigest()


def _contiguous(buf):
    import numpy as np

    return np.ascontiguousarray(buf)


def load(k: str) -> tuple[list[float], float] | None:
    try:
        data = json.loads((cache_dir() / f"{k}.json").read_text())
        return [float(g) for g in data["step_gains"]], float(data["final_gain"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(k: str, step_gains: list[float], final_gain: float) -> None:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{k}.{os.getpid()}.tmp"
        # repr round-trips floats exactly, so a cached plan gives the same samples
        tmp.write_text(json.dumps({"step_gains": step_gains, "final_gain": final_gain}))
        os.replace(tmp, folder / f"{k}.json")
    except OSError:
        pass  # a cache that cannot be written only costs time
