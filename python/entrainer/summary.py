"""A short description of a loaded track, for `entrainer validate` and for the service.

Step starts and the total length come from the one timeline function at the track's own
sample rate, so they are exactly what a render at that rate does.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ._engine import frames, timeline
from .audio import resampled_length
from .model import Track


def _crossfade(track: Track, step) -> float:
    return step.crossfade_out_s if step.crossfade_out_s is not None else track.crossfade_s


def clip_frames(clip, sample_rate: int) -> int:
    """P of a clip at `sample_rate`, from the length in its header (render.md §9 step 2)."""
    audio = clip.resolved
    if audio.frames is None or not audio.sample_rate_hz:
        return 0
    n = resampled_length(audio.frames, audio.sample_rate_hz, sample_rate)
    if clip.max_duration_s:
        n = min(n, frames(clip.max_duration_s, sample_rate))
    return n


def track_summary(track: Track) -> dict[str, Any]:
    """Steps (start, duration, description, voice functions), totals, functions, warnings.

    Function names are shown as the legacy renderer named them: a transition voice counts
    under `<base>_transition`.
    """
    sr = track.sample_rate_hz
    lengths = [frames(s.duration_s, sr) for s in track.steps]
    requested = [frames(_crossfade(track, s), sr) for s in track.steps]
    starts, _, end = timeline(lengths, requested)
    used: Counter[str] = Counter()
    steps = []
    for step, start in zip(track.steps, starts):
        counts = Counter(v.display_name for v in step.voices)
        used.update(counts)
        steps.append({
            "index": step.source_index,
            "start_s": start / sr,
            "duration_s": step.duration_s,
            "description": step.description,
            "voices": len(step.voices),
            "functions": dict(sorted(counts.items())),
        })
    noise = track.background_noise
    for clip in track.clips:                       # L = max(E, end of every clip) (render.md §2.2)
        end = max(end, frames(clip.start_s, sr) + clip_frames(clip, sr))
    return {
        "sample_rate_hz": sr,
        "layout": track.layout,
        "duration_s": end / sr,                    # the whole timeline, clips included
        "steps": steps,
        "skipped_steps": [index for index, _ in track.skipped_steps],
        "voices": sum(used.values()),
        "functions": dict(sorted(used.items())),
        "background_noise": None if noise is None else noise.preset.noise_type,
        "clips": len(track.clips),
        "warnings": [{"code": w.code, "location": w.location, "text": w.text, "message": str(w)}
                     for w in track.warnings],
    }
