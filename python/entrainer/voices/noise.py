"""The noise voices: `noise_generator` (voices.md §3.12), `noise_swept_notch` with its aliases
and `generate_swept_notch_pink_sound` (§3.13). All three drive the swept-notch engine of
§2.11 and share its plan keys (docs/plan.md, "Swept-notch engine"); they differ in the legacy
names of their keys, their defaults and their gains.

The flat keys are table rows; sweeps, per-sweep overrides, static notches and the amplitude
envelope are read by each family's `extra` hook (`notches.py`).
"""

from __future__ import annotations

from typing import Any

from ..errors import E_UNSUPPORTED, Report, join
from .family import Family
from .notches import (DEFAULT_SWEEP, MAX_SWEEPS, Check, amp_envelope, apply_overrides,
                      check_count, per_sweep, slow_notch_warnings, static_notches, sweep_list,
                      sweep_object)
from .params import BOOL, ENUM, HOLD, NUMBER, STATIC, Param, Resolved, Where
from .stages import FLANGER, SEED, SPATIAL, LaterStage

COLOURS = ("white", "pink", "brown", "red", "deep brown", "blue", "purple", "violet", "green")

NOISE_TYPE = Param("noise_type", "colour", ENUM, "pink", ramp=HOLD, choices=COLOURS)
LFO_SHAPE = Param("lfo_waveform", "lfo_shape", ENUM, "sine", ramp=HOLD, choices=("sine", "triangle"))

# voices.md §4 question 2: the meaning of `stereo_phase_invert` is open, so `true` is refused.
PHASE_INVERT = LaterStage("stereo phase inversion", "§4", (
    Param("stereo_phase_invert", None, BOOL, False, ramp=STATIC),
), switch=("stereo_phase_invert",))

# Keys of a noise_generator sweep object: (start names, end names) per plan field.
_OBJECT_NAMES = {
    "min_hz": (("start_min", "startMin", "min"), ("end_min",)),
    "max_hz": (("start_max", "startMax", "max"), ("end_max",)),
    "q": (("start_q", "q"), ("end_q",)),
    "cascade": (("start_casc", "cascade"), ("end_casc",)),
}
_BASE_OBJECT_NAMES = {
    "min_hz": (("min", "start_min", "startMin"), ()),
    "max_hz": (("max", "start_max", "startMax"), ()),
    "q": (("q", "start_q"), ()),
    "cascade": (("cascade", "start_casc"), ()),
}


def _start_end(params: dict, key: str, transition: bool, start_key: str | None = None,
               end_key: str | None = None) -> tuple[tuple[str, Any] | None, tuple[str, Any] | None]:
    """(key, value) of the start and end spellings present: start ← start_X ← X, end ← end_X."""
    names = ((start_key or f"start_{key}"), key) if transition else (key,)
    start = next(((n, params[n]) for n in names if params.get(n) is not None), None)
    e = end_key or f"end_{key}"
    end = (e, params[e]) if transition and params.get(e) is not None else None
    return start, end


def _overrides(check: Check, params: dict, location: str, sweeps: list[dict], transition: bool,
               field: str, key: str, kind: str, default: list | None = None,
               start_key: str | None = None, end_key: str | None = None) -> None:
    """Apply a per-sweep Q or cascade override (a number, or a list per sweep)."""
    start, end = _start_end(params, key, transition, start_key, end_key)
    n = len(sweeps)
    starts = per_sweep(check, join(location, start[0]), start[1], n, kind) if start else None
    if start is None and default is not None:
        starts = default * n if len(default) == 1 else default
    ends = per_sweep(check, join(location, end[0]), end[1], n, kind) if end else None
    if n:
        apply_overrides(sweeps, field, starts, ends)


def _later_input(check: Check, params: dict, location: str) -> None:
    raw = params.get("input_audio_path")
    if raw is None or raw == "":
        return
    if not isinstance(raw, str):
        check.bad(join(location, "input_audio_path"), "a string (a path)", raw)
    elif check.report is not None:
        check.failed = True
        check.report.error(E_UNSUPPORTED, join(location, "input_audio_path"),
                           f"processing an audio file instead of noise is not supported yet{check.suffix}")


def _finish(check: Check, params: dict, location: str, sweeps: list[dict], transition: bool) -> dict:
    statics = static_notches(check, join(location, "static_notches"), params.get("static_notches"))
    _later_input(check, params, location)
    raw_channels = params.get("channels")
    if raw_channels is not None and raw_channels != 2:
        check.bad(join(location, "channels"), "2 (the voice is stereo)", raw_channels, range_error=True)
    slow_notch_warnings(check, join(location, "sweeps"), sweeps, statics)
    return {"sweeps": sweeps, "static_notches": statics, "prefilters": True}


def _generator_extra(params: dict, resolved: dict[str, Resolved], transition: bool, where: Where,
                     sample_rate: int | None, report: Report | None) -> dict[str, Any]:
    """§3.12: `sweeps` as objects or lists (default: one sweep; `[]`: none), `notch_q` and
    `cascade_count` overrides, static notches and the amplitude envelope."""
    check = Check(report, where.suffix, sample_rate=sample_rate)
    loc = where.location
    raw = params.get("sweeps")
    if raw is None:
        sweeps = [{k: list(v) for k, v in DEFAULT_SWEEP.items()}]
    elif not isinstance(raw, list):
        check.bad(join(loc, "sweeps"), "an array of sweeps", raw)
        sweeps = []
    else:
        sweeps = []
        for i, item in enumerate(check_count(check, join(loc, "sweeps"), raw, MAX_SWEEPS, "sweeps")):
            where_i = join(join(loc, "sweeps"), i)
            if isinstance(item, dict):
                names = _OBJECT_NAMES if transition else _BASE_OBJECT_NAMES
                sweeps.append(sweep_object(check, item, where_i, transition, names))
            elif isinstance(item, list):
                sweeps.append(sweep_list(check, item, where_i, transition))
            else:
                check.bad(where_i, "a sweep object or [min, max, q, cascade]", item)
    _overrides(check, params, loc, sweeps, transition, "q", "notch_q", "q")
    _overrides(check, params, loc, sweeps, transition, "cascade", "cascade_count", "cascade")
    out = _finish(check, params, loc, sweeps, transition)
    out["amp_envelope"] = amp_envelope(check, join(loc, "amp_envelope"), params.get("amp_envelope"))
    return out


def _ranges(check: Check, location: str, raw: Any) -> list[list[float]] | None:
    """A list of [min, max] sweep ranges (swapped when reversed)."""
    if not isinstance(raw, list):
        check.bad(location, "an array of [min, max] sweep ranges", raw)
        return None
    out = []
    for i, item in enumerate(check_count(check, location, raw, MAX_SWEEPS, "sweeps")):
        where = join(location, i)
        if not (isinstance(item, list) and len(item) == 2):
            check.bad(where, "a [min, max] sweep range in Hz", item)
            return None
        lo, hi = check.freq(join(where, 0), item[0]), check.freq(join(where, 1), item[1])
        if lo is None or hi is None:
            return None
        out.append([min(lo, hi), max(lo, hi)])
    return out


def _range_sweeps(check: Check, params: dict, location: str, key: str, transition: bool) -> list[dict]:
    """§3.13: sweeps as [min, max] ranges under `key`, ramping item by item in transitions."""
    start, end = _start_end(params, key, transition)
    starts = _ranges(check, join(location, start[0]), start[1]) if start else [[1000.0, 10000.0]]
    starts = starts or []
    ends = _ranges(check, join(location, end[0]), end[1]) if end else None
    if ends is not None and len(ends) != len(starts):
        check.bad(join(location, end[0]), f"{len(starts)} sweep ranges (as many as the start values)",
                  end[1], range_error=True)
        ends = None
    ends = ends or starts
    return [{"min_hz": [s[0], e[0]], "max_hz": [s[1], e[1]], "q": [25.0, 25.0], "cascade": [10, 10]}
            for s, e in zip(starts, ends)]


def _swept_notch_extra(params: dict, resolved: dict[str, Resolved], transition: bool, where: Where,
                       sample_rate: int | None, report: Report | None) -> dict[str, Any]:
    check = Check(report, where.suffix, sample_rate=sample_rate)
    loc = where.location
    sweeps = _range_sweeps(check, params, loc, "sweeps", transition)
    _overrides(check, params, loc, sweeps, transition, "q", "notch_q", "q", default=[25.0],
               start_key="start_q", end_key="end_q")
    _overrides(check, params, loc, sweeps, transition, "cascade", "casc", "cascade", default=[10])
    out = _finish(check, params, loc, sweeps, transition)
    volume = float(resolved["volume"].value)
    out.update(amp_l=[volume, volume], amp_r=[volume, volume])
    return out


def _pink_sound_extra(params: dict, resolved: dict[str, Resolved], transition: bool, where: Where,
                      sample_rate: int | None, report: Report | None) -> dict[str, Any]:
    check = Check(report, where.suffix, sample_rate=sample_rate)
    loc = where.location
    sweeps = _range_sweeps(check, params, loc, "filter_sweeps", transition)
    _overrides(check, params, loc, sweeps, transition, "q", "notch_q", "q", default=[25.0])
    _overrides(check, params, loc, sweeps, transition, "cascade", "cascade_count", "cascade", default=[10])
    out = _finish(check, params, loc, sweeps, transition)
    out.update(amp_l=[1.0, 1.0], amp_r=[1.0, 1.0])
    return out


NOISE_GENERATOR = Family(
    name="noise_generator",
    section="§3.12",
    summary="swept-notch coloured noise with per-ear gain, fades and an amplitude envelope",
    rows=(
        NOISE_TYPE,
        LFO_SHAPE,
        Param("lfo_freq", "lfo_freq_hz", NUMBER, 1 / 12, lo=0, unit="Hz"),
        Param("lfo_phase_offset_deg", "lfo_offset_r_deg", NUMBER, 90.0, unit="deg"),
        Param("intra_phase_offset_deg", "intra_offset_deg", NUMBER, 0.0, unit="deg"),
        Param("amp", None, NUMBER, 0.25, 0, 10, start_keys=("start_amp",), end_keys=("end_amp",)),
        Param("amp_left", "amp_l", NUMBER, 0.25, 0, 10, default_from="amp"),
        Param("amp_right", "amp_r", NUMBER, 0.25, 0, 10, default_from="amp"),
        Param("fade_in", "fade_in_s", NUMBER, 0.0, lo=0, ramp=STATIC, unit="s"),
        Param("fade_out", "fade_out_s", NUMBER, 0.0, lo=0, ramp=STATIC, unit="s"),
        *SEED,
    ),
    later=(SPATIAL, FLANGER),
    extra=_generator_extra,
    curve_keys=("transition_curve", "curve"),
)

NOISE_SWEPT_NOTCH = Family(
    name="noise_swept_notch",
    section="§3.13",
    summary="swept-notch noise with a volume",
    rows=(
        NOISE_TYPE,
        LFO_SHAPE,
        Param("lfo_freq", "lfo_freq_hz", NUMBER, 0.1, lo=0, unit="Hz"),
        # The `start_` spellings are the legacy names even in the base voice.
        Param("start_lfo_phase_offset_deg", "lfo_offset_r_deg", NUMBER, 0.0, unit="deg",
              start_keys=("start_lfo_phase_offset_deg",), end_keys=("end_lfo_phase_offset_deg",)),
        Param("start_intra_phase_offset_deg", "intra_offset_deg", NUMBER, 0.0, unit="deg",
              start_keys=("start_intra_phase_offset_deg",), end_keys=("end_intra_phase_offset_deg",)),
        Param("volume", None, NUMBER, 1.0, 0, 10, ramp=STATIC),
        *SEED,
    ),
    later=(PHASE_INVERT, FLANGER),
    aliases=("noise",),
    extra=_swept_notch_extra,
)

SWEPT_NOTCH_PINK_SOUND = Family(
    name="generate_swept_notch_pink_sound",
    section="§3.13",
    summary="the legacy swept-notch file writer as a voice (no gain: RMS 0.2)",
    rows=(
        NOISE_TYPE,
        LFO_SHAPE,
        Param("lfo_freq", "lfo_freq_hz", NUMBER, 1 / 12, lo=0, unit="Hz"),
        Param("lfo_phase_offset_deg", "lfo_offset_r_deg", NUMBER, 90.0, unit="deg"),
        Param("intra_phase_offset_deg", "intra_offset_deg", NUMBER, 0.0, unit="deg"),
        *SEED,
    ),
    later=(FLANGER,),
    extra=_pink_sound_extra,
)
