"""Reading `background_noise` (format.md §4.6) and the `.noise` preset it names (§5.1).

The preset is read with its own locations and then chained to the track's, so an error
inside it reads `background_noise.file_path -> "x.noise": sweeps[1].start_q: …`. Every
colour, sweeps (ramping when `transition` is true) and static notches are read (voices.md
§2.17); spectral colour models and filtered input audio are refused with E_UNSUPPORTED.
"""

from __future__ import annotations

import json

from .errors import (E_JSON, E_ENCODING, E_ORDER, E_PARAM, E_RANGE, E_REF_UNREADABLE, E_TYPE,
                     E_UNSUPPORTED, ROOT, W_ALIAS_CONFLICT, W_NEGATIVE_OFFSET, W_NOISE_SILENT,
                     Diagnostic, Report,
                     TrackError, join, show)
from .fields import Fields, is_number, quoted_list
from .jsonload import loads
from .model import BackgroundNoise, NoisePreset
from .refs import RefContext, read_bytes, resolve
from .voices.noise import COLOURS
from .voices.notches import (MAX_SWEEPS, Check, check_count, slow_notch_warnings, static_notches,
                             sweep_object)

_PAIR = "a [time, amp] pair of numbers ≥ 0"


def read_background_noise(raw: object, location: str, report: Report, ctx: RefContext,
                          sample_rate: int | None = None) -> BackgroundNoise | None:
    """The active background noise, or None when the block is absent or inactive."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        report.error(E_TYPE, location, f"expected an object, got {show(raw)}")
        return None
    f = Fields(raw, location, report)
    ref_key = f.key_of("file_path", "file", "params_path", "noise_file")
    ref = f.string("file_path", "file", "params_path", "noise_file")
    params_key, inline = f.object("params", what="an object (an inline .noise preset)")
    gain_key = f.key_of("amp", "gain")
    gain = f.number("amp", "gain", default=1.0, lo=0)
    pan = f.number("pan", default=0.0, lo=-1, hi=1)
    start_s = f.number("start_time", "start_time_seconds", default=0.0, lo=0)
    fade_in_s = f.number("fade_in", default=0.0, lo=0)
    fade_out_s = f.number("fade_out", default=0.0, lo=0)
    envelope = _amp_envelope(f, report)
    extras = f.extras()
    if not ref and inline is None:
        return None                                  # the editor's inactive default
    if inline is not None:
        if ref:
            report.warn(W_ALIAS_CONFLICT, location,
                        f'"{params_key}" and "{ref_key}" are both given; using "{params_key}"')
        preset = read_preset(inline, report, prefix=f.at(params_key), sample_rate=sample_rate)
        source = "inline"
    else:
        preset = _load_preset_file(ref, f.at(ref_key), report, ctx, sample_rate)
        source = ref
    if preset is None:
        return None
    if gain == 0:
        report.warn(W_NOISE_SILENT, f.at(gain_key),
                    "the background noise is active but its gain is 0, so it is silent")
    return BackgroundNoise(preset=preset, source=source, gain=gain, pan=pan, start_s=start_s,
                           fade_in_s=fade_in_s, fade_out_s=fade_out_s,
                           amp_envelope=envelope, extras=extras, location=location)


def _amp_envelope(f: Fields, report: Report) -> list[tuple[float, float]]:
    key, items = f.array("amp_envelope", what=f"an array of {_PAIR}")
    points: list[tuple[float, float]] = []
    for i, item in enumerate(items or []):
        where = join(f.at(key), i)
        if not (isinstance(item, list) and len(item) == 2 and all(map(is_number, item))):
            report.error(E_TYPE, where, f"expected {_PAIR}, got {show(item)}")
            continue
        if item[0] < 0 or item[1] < 0:
            report.error(E_RANGE, where, f"expected {_PAIR}, got {show(item)}")
            continue
        if points and item[0] < points[-1][0]:
            report.error(E_ORDER, where, f"expected a time ≥ {show(points[-1][0])} "
                                        f"(the previous point), got {show(item[0])}")
            continue
        points.append((float(item[0]), float(item[1])))
    return points


def _load_preset_file(ref: str, location: str, report: Report, ctx: RefContext,
                      sample_rate: int | None) -> NoisePreset | None:
    target = resolve(ref, location, ctx, report)
    if target is None:
        return None
    data = read_bytes(target, ref, location, report)
    if data is None:
        return None
    prefix = f"{location} -> {json.dumps(ref, ensure_ascii=False)}"
    try:
        raw = loads(data, source=ref)
    except TrackError as e:
        for d in e.diagnostics:
            # A preset that is not valid JSON is an unreadable reference (format.md §7.2).
            code = E_REF_UNREADABLE if d.code in (E_JSON, E_ENCODING) else d.code
            report.add(Diagnostic(code, _chain(prefix, d.location), d.text))
        return None
    return read_preset(raw, report, prefix=prefix, chained=True, sample_rate=sample_rate)


def _chain(prefix: str, location: str) -> str:
    return prefix if location == ROOT else f"{prefix}: {location}"


def read_preset(raw: object, report: Report, prefix: str, chained: bool = False,
                sample_rate: int | None = None) -> NoisePreset | None:
    """Check a `.noise` object; locations start at `prefix` (chained for a referenced file).
    With `sample_rate`, notch frequencies must be below 0.49 of it (voices.md §2.11)."""
    inner = Report(report.source, limit=None)
    preset = _preset(raw, inner, sample_rate)
    for d in [*inner.errors, *inner.warnings]:
        location = _chain(prefix, d.location) if chained else (
            prefix if d.location == ROOT else f"{prefix}.{d.location}")
        report.add(Diagnostic(d.code, location, d.text))
    return None if inner.errors else preset


def _preset(raw: object, report: Report, sample_rate: int | None) -> NoisePreset | None:
    if not isinstance(raw, dict):
        report.error(E_TYPE, ROOT, f"expected an object (a .noise preset), got {show(raw)}")
        return None
    f = Fields(raw, ROOT, report)
    for key in ("noise_parameters", "color_params"):
        if f.present(key):
            report.error(E_UNSUPPORTED, f.at(key), "spectral colour models are not supported yet")
    colour = f.string("noise_type", default="pink").strip().lower()
    if colour not in COLOURS:
        report.error(E_PARAM, f.at("noise_type"), f"expected one of "
                     f"{quoted_list(COLOURS)}, got {show(raw.get('noise_type'))}")
    if f.string("input_audio_path"):
        report.error(E_UNSUPPORTED, f.at("input_audio_path"),
                     "filtering an audio file instead of noise is not supported yet")
    f.number("duration_seconds", lo=0)
    f.number("sample_rate", integer=True, lo=1)
    shape = f.choice("lfo_waveform", choices=("sine", "triangle"), default="sine", code=E_PARAM)
    transition, _ = f.boolean("transition")
    ramped = _Ramped(f, transition)
    check = Check(report, type_code=E_TYPE, range_code=E_RANGE, sample_rate=sample_rate)
    sweeps = _sweeps(f, check, transition)
    statics = static_notches(check, f.at("static_notches"), f.get("static_notches"))
    slow_notch_warnings(check, f.at("sweeps"), sweeps, statics)
    initial, length, hold = _timing(f, report)
    if report.errors:
        return None
    return NoisePreset(
        noise_type=colour, lfo_waveform=shape, transition=transition,
        # voices.md §2.17: the static rate is `lfo_freq` (start_lfo_freq when only that is given)
        lfo_freq_hz=ramped.pair("lfo_freq", default=1 / 12, lo=0, plain_first=True),
        lfo_offset_r_deg=ramped.pair("lfo_phase_offset_deg"),
        intra_offset_deg=ramped.pair("intra_phase_offset_deg"),
        sweeps=sweeps, static_notches=statics,
        initial_offset_s=initial, transition_s=length, hold_end_s=hold,
        extras={k: v for k, v in raw.items() if k not in _TYPED})


# Keys turned into NoisePreset fields; everything else stays in `extras`.
_TYPED = frozenset({
    "noise_type", "lfo_waveform", "transition", "lfo_freq", "start_lfo_freq", "end_lfo_freq",
    "start_lfo_phase_offset_deg", "end_lfo_phase_offset_deg", "start_intra_phase_offset_deg",
    "end_intra_phase_offset_deg", "sweeps", "static_notches", "initial_offset",
    "transition_duration", "post_offset"})

_SWEEP_KEYS = {
    "min_hz": (("start_min",), ("end_min",)),
    "max_hz": (("start_max",), ("end_max",)),
    "q": (("start_q",), ("end_q",)),
    "cascade": (("start_casc",), ("end_casc",)),
}


class _Ramped:
    """A preset value as (start, end): static presets use the start value at both ends."""

    def __init__(self, f: Fields, transition: bool):
        self.f, self.transition = f, transition

    def pair(self, key: str, default: float = 0.0, lo: float | None = None,
             plain_first: bool = False) -> tuple[float, float]:
        f = self.f
        plain = (key, f"start_{key}") if plain_first else (f"start_{key}",)
        if not self.transition:
            v = f.number(*plain, default=default, lo=lo)
            f.number(f"end_{key}", lo=lo)            # type-checked, inert
            return v, v
        names = (f"start_{key}", key) if plain_first else (f"start_{key}",)
        start = f.number(*names, default=default, lo=lo)
        end = f.number(f"end_{key}", default=start, lo=lo)
        return start, end


def _sweeps(f: Fields, check: Check, transition: bool) -> list[dict]:
    key, items = f.array("sweeps")
    out = []
    for i, item in enumerate(check_count(check, f.at(key), items or [], MAX_SWEEPS, "sweeps")):
        where = join(f.at(key), i)
        if not isinstance(item, dict):
            check.bad(where, "a sweep object", item)
            continue
        out.append(sweep_object(check, item, where, transition, _SWEEP_KEYS))
    return out


def _timing(f: Fields, report: Report) -> tuple[float, float | None, float | None]:
    """initial_offset, transition_duration and post_offset (format.md §5.1, render.md §8)."""
    initial = f.number("initial_offset", default=0.0)
    length = f.number("transition_duration", lo=0)
    hold = f.number("post_offset")
    for key, value in (("initial_offset", initial), ("post_offset", hold)):
        if value is not None and value < 0:
            report.warn(W_NEGATIVE_OFFSET, f.at(key), f"expected a time ≥ 0, got {show(value)}; using 0")
    return max(initial, 0.0), length, None if hold is None else max(hold, 0.0)
