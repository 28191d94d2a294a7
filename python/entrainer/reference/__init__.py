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

from . import am_shaping, binaural, dual_pulse, isochronic, monaural, noise, qam, rng, spatial, subliminal
from .ramp import Timing, timing

__all__ = ["VOICES", "render_voice"]

Impl = Callable[[dict, int, Timing, int, int], np.ndarray]

_FAMILIES = {
    "binaural_beat": binaural.render,
    "isochronic_tone": isochronic.render,
    "monaural_beat_stereo_amps": monaural.render,
    "noise_generator": noise.render,
    "noise_swept_notch": noise.render,
    "generate_swept_notch_pink_sound": noise.render,
    "stereo_am_independent": am_shaping.render_stereo_am,
    "wave_shape_stereo_am": am_shaping.render_wave_shape,
    "rhythmic_waveshaping": am_shaping.render_rhythmic,
    "qam_beat": qam.render_qam,
    "hybrid_qam_monaural_beat": qam.render_hybrid,
    "dual_pulse_binaural": dual_pulse.render,
    "spatial_angle_modulation": spatial.render_sam,
    "spatial_angle_modulation_monaural_beat": spatial.render_sam_monaural,
}
# Noise voices also need the voice seed and the step length (fade-out); their default gain.
_NOISE_AMP = {"noise_generator": 0.25, "noise_swept_notch": 1.0, "generate_swept_notch_pink_sound": 1.0}

# Voices whose samples also depend on the step length (qam_beat's release): called with
# `step_frames=` as well.
_STEP_LENGTH = {qam.render_qam}

# A transition voice is the base voice with a ramp; the plan's `ramp` key decides which.
VOICES: dict[str, Impl] = {}
for _name, _impl in _FAMILIES.items():
    VOICES[_name] = _impl
    VOICES[_name + "_transition"] = _impl

# Voices that play audio files: they also get the step length and their decoded buffers.
AUDIO_VOICES = {"subliminal_encode": subliminal.render}


def render_voice(
    voice: dict, sample_rate: int, step_frames: int, start: int = 0, count: int | None = None,
    audio: list[np.ndarray] | None = None,
) -> np.ndarray:
    """The voice's own output for frames start … start + count − 1 of its step (count defaults to the rest).

    ``audio`` holds the mono buffers (at ``sample_rate``) that ``params.audio_buffers`` indexes.
    """
    name = voice.get("function")
    impl = VOICES.get(name) or AUDIO_VOICES.get(name)
    if impl is None:
        known = ", ".join(sorted([*VOICES, *AUDIO_VOICES]))
        raise ValueError(f"function: unknown synth function {name!r}; the reference knows {known}")
    if count is None:
        count = step_frames - start
    if start < 0 or count < 0 or start + count > step_frames:
        raise ValueError(f"frames {start}…{start + count - 1} are outside a step of {step_frames} frames")
    if count == 0:
        return np.zeros((0, 2))
    params = voice.get("params") or {}
    if name in AUDIO_VOICES:
        buffers = [np.asarray(audio[i], dtype=np.float32) for i in params.get("audio_buffers", [])]
        return impl(params, sample_rate, step_frames, start, count, buffers)
    t = timing(voice.get("ramp"), sample_rate, step_frames)
    base = name.removesuffix("_transition")
    if base in _NOISE_AMP:
        # render.md §13: the voice's own seed, else derived("step/<i>/voice/<j>") from render seed 0
        # (the engine's render_voice hook places the voice in step 0).
        seed = voice.get("seed")
        if seed is None:
            seed = rng.derived(0, f"step/0/voice/{voice.get('source_index', 0)}")
        return impl(params, sample_rate, t, start, count, seed=seed,
                    step_frames=step_frames, default_amp=_NOISE_AMP[base])
    if impl in _STEP_LENGTH:
        return impl(params, sample_rate, t, start, count, step_frames=step_frames)
    return impl(params, sample_rate, t, start, count)
