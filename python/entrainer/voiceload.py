"""Reading one voice object (format.md §4.4): name resolution, params, ramp, envelope.

The function name is resolved through the registry (format.md §4.4.1), the parameters are
checked against the family's table (voices.md), and on a transition voice the timing keys
move out of `params` into `Voice.ramp`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .clipload import checked_audio
from .envelopeload import read_envelope
from .errors import (E_TYPE, E_UNKNOWN_FUNCTION, E_UNSUPPORTED, W_NO_TRANSITION_VARIANT,
                     W_TRANSITION_FLAG, Report, show)
from .fields import Fields
from .model import ResolvedAudio, Voice
from .rampload import TIMING_KEYS, read_ramp
from .refs import RefContext, resolve
from .voices.params import Where
from .voices.registry import known_names, lookup
from .voices.validate import check_params, suffix


@dataclass(frozen=True)
class StepContext:
    """What a voice needs from its step: messages, the ramp conversion, the frequency check."""

    description: str = ""
    duration_s: float | None = None          # None: not placed in a step (a .voice file)
    sample_rate: int | None = None           # None: skip the frequency check
    refs: RefContext | None = None           # where file references resolve (None: nowhere)


def read_voice(raw: object, index: int, location: str, step: StepContext,
               report: Report) -> Voice | None:
    if not isinstance(raw, dict):
        report.error(E_TYPE, location, f"expected a voice object, got {show(raw)}")
        return None
    f = Fields(raw, location, report)
    name_key = f.key_of("synth_function_name", "synthFunctionName", "synth_function")
    name = f.string("synth_function_name", "synthFunctionName", "synth_function", required=True)
    flag, flag_given = f.boolean("is_transition", "isTransition")
    params_key, params = f.object("params", "parameters")
    envelope_key = f.key_of("volume_envelope", "volumeEnvelope")
    envelope_raw = f.get("volume_envelope", "volumeEnvelope")
    description = f.string("description")
    category = f.string("category", default="binaurals")
    extras = f.extras()
    params_location = f.at(params_key)
    # Null parameters are absent (format.md §1), as the legacy renderer dropped them.
    params = {k: v for k, v in (params or {}).items() if v is not None}

    step_suffix = suffix(step.description)
    found = lookup(name) if name else None
    family = found.family if found else None
    transition = flag or bool(found and found.transition_by_name)
    if found and family is None:
        text = (f"{show(name)} {found.rejected}" if found.rejected
                else f"unknown synth function {show(name)}")
        report.error(E_UNKNOWN_FUNCTION, f.at(name_key),
                     f"{text}{step_suffix}; known: {', '.join(known_names())}")
    if found and found.transition_by_name and flag_given and not flag:
        report.warn(W_TRANSITION_FLAG, f.at(name_key),
                    f'{show(name)} ends in "_transition" but "is_transition" is false; '
                    f"it plays as a transition{step_suffix}")
    if family is not None and transition and not family.has_transition:
        report.warn(W_NO_TRANSITION_VARIANT, f.at(name_key),
                    f"{family.name} has no transition variant; it plays static{step_suffix}")
        transition = False
    if family is not None and not family.implemented:
        report.error(E_UNSUPPORTED, f.at(name_key),
                     f"{show(name)} is not supported yet{step_suffix}")

    display = f"{family.name if family else name}{'_transition' if transition else ''}"
    voice_suffix = suffix(step.description, display)
    ramp = None
    if transition:
        curve_keys = family.curve_keys if family is not None else ("transition_curve",)
        ramp = read_ramp(params, params_location, step.duration_s, report, voice_suffix, curve_keys)
        params = {k: v for k, v in params.items() if k not in TIMING_KEYS + curve_keys}
    audio: list[ResolvedAudio] = []
    if family is not None and family.implemented:
        where = Where(params_location, voice_suffix)
        check_params(family, params, transition, where, step.sample_rate, report)
        if family.file_refs is not None:
            audio = _read_audio(family.file_refs(params, params_location), step.refs, report, voice_suffix)
    envelope = read_envelope(envelope_raw, f.at(envelope_key), report)
    if family is None:
        return None
    return Voice(source_index=index, function=family.name, transition=transition, params=params,
                 ramp=ramp, envelope=envelope, audio=audio, description=description, category=category,
                 extras=extras, location=location, params_location=params_location)


def _read_audio(refs: list[tuple[str, str]], ctx: RefContext | None, report: Report,
                voice_suffix: str) -> list[ResolvedAudio]:
    """Resolve and check a voice's audio files (format.md §4.4.5); messages name the voice."""
    ctx = ctx or RefContext(None, ())
    found = Report(report.source, limit=None)
    out = []
    for location, ref in refs:
        target = resolve(ref, location, ctx, found)
        checked = checked_audio(target, ref, location, found, max_channels=None) if target else None
        if checked is not None:
            out.append(checked)
    for d in found.errors:
        report.error(d.code, d.location, d.text + voice_suffix)
    for w in found.warnings:
        report.warn(w.code, w.location, w.text + voice_suffix)
    return out
