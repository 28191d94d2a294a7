"""Fixtures for the voice property tests: the renderer under test, with a small render cache.

The renderer is a callable with the signature of `entrainer.reference.render_voice`:
(voice: dict, sample_rate, step_frames, start=0, count=None) -> float64 array (count, 2).
ENTRAINER_RENDERERS (comma-separated, default "reference,engine") selects which ones run:
"reference" is the NumPy reference, "engine" the Rust engine's `render_voice` test hook.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict

import numpy as np
import pytest

from entrainer.reference import render_voice as reference_render


def engine_render(voice, sample_rate, step_frames, start=0, count=None):
    from entrainer import _engine, hrtf

    if count is None:
        count = step_frames - start
    tables = hrtf.engine_tables([voice], sample_rate)
    out = _engine.render_voice(json.dumps(voice), sample_rate, step_frames, start, count, hrtf=tables)
    return np.asarray(out, dtype=np.float64)


RENDERERS = {"reference": reference_render, "engine": engine_render}
SELECTED = [name.strip() for name in os.environ.get("ENTRAINER_RENDERERS", "reference,engine").split(",") if name.strip()]


class CachedRenderer:
    """Calls the renderer, remembering recent results; several properties share one render."""

    def __init__(self, name: str, fn, size: int = 12):
        self.name, self._fn, self._size = name, fn, size
        self._cache: OrderedDict = OrderedDict()

    def __call__(self, voice: dict, sample_rate: int, step_frames: int, start: int = 0, count: int | None = None):
        key = (json.dumps(voice, sort_keys=True), sample_rate, step_frames, start, count)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        out = np.asarray(self._fn(voice, sample_rate, step_frames, start, count), dtype=np.float64)
        out.setflags(write=False)
        self._cache[key] = out
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return out

    def uncached(self, voice: dict, sample_rate: int, step_frames: int, start: int = 0, count: int | None = None):
        """Calls the renderer without touching the cache (for many small renders)."""
        return np.asarray(self._fn(voice, sample_rate, step_frames, start, count), dtype=np.float64)


_INSTANCES: dict[str, CachedRenderer] = {}


@pytest.fixture(params=SELECTED)
def render(request) -> CachedRenderer:
    """The renderer under test (parametrised over ENTRAINER_RENDERERS)."""
    name = request.param
    if name not in RENDERERS:
        raise pytest.UsageError(f"ENTRAINER_RENDERERS: unknown renderer {name!r}; known: {', '.join(RENDERERS)}")
    if name not in _INSTANCES:
        _INSTANCES[name] = CachedRenderer(name, RENDERERS[name])
    return _INSTANCES[name]
