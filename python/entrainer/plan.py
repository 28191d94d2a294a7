"""The render plan (docs/plan.md): the loaded model turned into the engine's JSON contract.

Every parameter of each voice's table is written, with defaults filled in and the
start/end rules of voices.md §2.4 applied, under its snake_case plan key. Because the
render may run at another rate than the file's, the frequency check is run again at the
render rate, and steps shorter than one frame at that rate are dropped as the loader drops
them at the file's rate.
"""

from __future__ import annotations

from typing import Any

from ._engine import frames
from .audio import audio_id, audio_ids
from .errors import E_EMPTY, E_PARAM, E_RANGE, E_UNSUPPORTED, Report, collecting, show
from .fields import is_number
from .loader import crossfade_out_s
from .model import Adsr, BackgroundNoise, Clip, LinearFade, Track, Voice
from .summary import track_summary  # noqa: F401  (re-exported: the CLI's validate command)
from .voices.nyquist import check_track
from .voices.params import plan_values, resolve
from .voices.registry import BY_NAME
from .voices.validate import where_of

MIN_RATE, MAX_RATE = 8000, 192000


def build_plan(track: Track, sample_rate: int | None = None) -> dict[str, Any]:
    """The plan for `track`; with `sample_rate`, also checked for rendering at that rate."""
    report = Report("the render plan")
    plan = collecting(report, _build, track, sample_rate, report)
    report.raise_if_errors()
    return plan


def _build(track: Track, sample_rate: int | None, report: Report) -> dict[str, Any] | None:
    if sample_rate is not None:
        if not is_number(sample_rate) or sample_rate != int(sample_rate) \
                or not MIN_RATE <= sample_rate <= MAX_RATE:
            report.error(E_RANGE, "sample_rate", f"expected an integer from {MIN_RATE} to "
                                                 f"{MAX_RATE}, got {show(sample_rate)}")
            return None
        sample_rate = int(sample_rate)
        for diagnostic in check_track(track, sample_rate):
            report.add(diagnostic)
    ids = audio_ids(track)
    rate = sample_rate or track.sample_rate_hz
    steps = [s for s in track.steps if frames(s.duration_s, rate) > 0]
    if not steps and not track.clips:
        report.error(E_EMPTY, track.steps_key,
                     "expected at least one step with a duration of one frame or more, got none")
    return {
        "steps": [{
            "source_index": step.source_index,
            "duration_s": float(step.duration_s),
            "crossfade_out_s": float(crossfade_out_s(track, step)),
            "crossfade_curve": step.crossfade_out_curve or track.crossfade_curve,
            "description": step.description,
            "voices": [_voice(step, voice, report, ids) for voice in step.voices],
        } for step in steps],
        "noise": _noise(track.background_noise),
        "clips": [_clip(clip) for clip in track.clips],
    }


def _clip(clip: Clip) -> dict[str, Any]:
    # The audio itself goes to the engine separately (entrainer.audio.clip_buffers).
    return {"source_index": clip.source_index, "start_s": float(clip.start_s),
            "gain": float(clip.gain), "pan": float(clip.pan), "fade_in_s": float(clip.fade_in_s),
            "fade_out_s": float(clip.fade_out_s),
            "duration_s": None if clip.max_duration_s is None else float(clip.max_duration_s)}


def _voice(step, voice: Voice, report: Report, ids: dict) -> dict[str, Any]:
    family = BY_NAME.get(voice.function)
    where = where_of(step, voice)
    if family is None or not family.implemented:
        # Only reachable with a model built by hand: the loader refuses these names.
        report.error(E_UNSUPPORTED, voice.location,
                     f"{show(voice.function)} is not supported yet{where.suffix}")
        return {}
    resolved = resolve(family.rows, voice.params, voice.transition, where, report)
    params = _params(family, voice, resolved, where)
    if family.file_refs is not None:
        # The decoded files go to the engine separately (entrainer.audio.voice_buffers).
        params["audio_buffers"] = [audio_id(ids, a) for a in voice.audio]
    ramp = voice.ramp
    if voice.transition and ramp is None:
        report.error(E_PARAM, voice.location, "a transition voice needs a ramp")
    return {
        "source_index": voice.source_index,
        "function": family.name,
        "seed": resolved["seed"].value if "seed" in resolved else None,
        "ramp": None if not voice.transition or ramp is None else {
            "initial_offset_s": float(ramp.initial_offset_s),
            "transition_s": None if ramp.transition_s is None else float(ramp.transition_s),
            "curve": ramp.curve,
        },
        "envelope": _envelope(voice.envelope),
        "params": params,
    }


def _params(family, voice: Voice, resolved, where) -> dict[str, Any]:
    params = plan_values(family.rows, resolved, family.swaps)
    if family.extra is not None:
        params.update(family.extra(voice.params, resolved, voice.transition, where, None, None))
    return params


def _envelope(env) -> dict[str, Any] | None:
    if env is None:
        return None
    if isinstance(env, LinearFade):
        return {"type": "linear_fade", "fade_s": env.fade_s, "start_amp": env.start_amp,
                "end_amp": env.end_amp, "fade_out": env.fade_type == "out"}
    if isinstance(env, Adsr):
        return {"type": "adsr", "attack_s": env.attack_s, "decay_s": env.decay_s,
                "sustain_level": env.sustain_level, "release_s": env.release_s}
    return {"type": "linen", "attack_s": env.attack_s, "release_s": env.release_s}


def _noise(noise: BackgroundNoise | None) -> dict[str, Any] | None:
    if noise is None:
        return None
    p = noise.preset
    return {"seed": p.seed, "gain": noise.gain, "pan": noise.pan, "start_s": noise.start_s,
            "fade_in_s": noise.fade_in_s, "fade_out_s": noise.fade_out_s,
            "amp_envelope": [[float(t), float(a)] for t, a in noise.amp_envelope],
            "ramp": {"initial_offset_s": p.initial_offset_s, "transition_s": p.transition_s,
                     "hold_end_s": p.hold_end_s} if p.transition else None,
            "params": {"colour": p.noise_type, "lfo_shape": p.lfo_waveform,
                       "lfo_freq_hz": list(p.lfo_freq_hz),
                       "lfo_offset_r_deg": list(p.lfo_offset_r_deg),
                       "intra_offset_deg": list(p.intra_offset_deg),
                       "sweeps": p.sweeps, "static_notches": p.static_notches,
                       "prefilters": True}}


__all__ = ["build_plan", "track_summary"]
