"""Entrainer: render and play brainwave-entrainment track files with a Rust DSP core.

    >>> import entrainer
    >>> audio = entrainer.render("examples/demo.json", duration=2.0)   # doctest: +SKIP
    >>> audio.shape, audio.dtype                                       # doctest: +SKIP
    ((88200, 2), dtype('float32'))
"""

from __future__ import annotations

try:
    from . import _engine
except ImportError as e:  # pragma: no cover - depends on the machine
    raise ImportError(
        "entrainer's native engine (entrainer._engine) failed to load: "
        f"{e}. Reinstall with `bash scripts/setup.sh` (it builds the Rust engine; it needs cargo)."
    ) from e

from .errors import Diagnostic, EntrainerError, TrackError
from .loader import load_track
from .offline import FileResult, LevelPlan, Render, RenderError, iter_blocks, prepare, render, render_to_file

__version__ = _engine.__version__

__all__ = [
    "Diagnostic",
    "EntrainerError",
    "FileResult",
    "LevelPlan",
    "Render",
    "RenderError",
    "TrackError",
    "iter_blocks",
    "load_track",
    "prepare",
    "render",
    "render_to_file",
]
