"""NumPy reference voices: the executable, readable form of `voices.md`, used as the oracle in
differential tests against the Rust engine and as the pure-Python baseline in benchmarks.

``render_voice(voice, sample_rate, step_frames, start, count)`` takes one voice of the plan
(`docs/plan.md`) and returns its own output, float64 of shape (count, 2), for step-local frames
start … start + count − 1 of a step of ``step_frames`` frames: the transition ramp applied, the
volume envelope and edge fades not (those belong to the renderer).

>>> import numpy as np
>>> y = render_voice({"function": "binaural_beat", "params": {}}, 48_000, 48_000, 0, 4)
>>> y.shape, float(y[0, 0]), float(y[0, 1])
((4, 2), 0.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import binaural, isochronic, monaural, spatial
from .ramp import Timing, timing

__all__ = ["VOICES", "render_voice"]

Impl = Callable[[dict, int, Timing, int, int], np.ndarray]

_FAMILIES = {
    "binaural_beat": binaural.render,
    "isochronic_tone": isochronic.render,
    "monaural_beat_stereo_amps": monaural.render,
    "spatial_angle_modulation": spatial.render_sam,
    "spatial_angle_modulation_monaural_beat": spatial.render_sam_monaural,
}

# A transition voice is the base voice with a ramp; the plan's `ramp` key decides which.
VOICES: dict[str, Impl] = {}
for _name, _impl in _FAMILIES.items():
    VOICES[_name] = _impl
    VOICES[_name + "_transition"] = _impl


def render_voice(
    voice: dict, sample_rate: int, step_frames: int, start: int = 0, count: int | None = None
) -> np.ndarray:
    """The voice's own output for frames start … start + count − 1 of its step (count defaults to the rest)."""
    name = voice.get("function")
    impl = VOICES.get(name)
    if impl is None:
        known = ", ".join(sorted(VOICES))
        raise ValueError(f"function: unknown synth function {name!r}; the reference knows {known}")
    if count is None:
        count = step_frames - start
    if start < 0 or count < 0 or start + count > step_frames:
        raise ValueError(f"frames {start}…{start + count - 1} are outside a step of {step_frames} frames")
    if count == 0:
        return np.zeros((0, 2))
    t = timing(voice.get("ramp"), sample_rate, step_frames)
    return impl(voice.get("params") or {}, sample_rate, t, start, count)
