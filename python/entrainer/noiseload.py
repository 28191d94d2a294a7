"""Reading `background_noise` (format.md §4.6) and the `.noise` preset it names (§5.1).

The preset is read with its own locations and then chained to the track's, so an error
inside it reads `background_noise.file_path -> "x.noise": sweeps[1].start_q: …`. This
release renders plain colours only (white, pink, brown, red): sweeps, static notches,
spectral colour models and filtered input audio are refused with E_UNSUPPORTED.
"""

from __future__ import annotations

import json

from .errors import (E_JSON, E_ENCODING, E_ORDER, E_PARAM, E_RANGE, E_REF_UNREADABLE, E_TYPE,
                     E_UNSUPPORTED, ROOT, W_ALIAS_CONFLICT, W_NOISE_SILENT, Diagnostic, Report,
                     TrackError, join, show)
from .fields import Fields, is_number, quoted_list
from .jsonload import loads
from .model import BackgroundNoise, NoisePreset
from .refs import RefContext, read_bytes, resolve

COLOURS = ("white", "pink", "brown", "red")
LATER_COLOURS = ("deep brown", "blue", "purple", "violet", "green")   # voices.md §2.10.2
_PAIR = "a [time, amp] pair of numbers ≥ 0"


def read_background_noise(raw: object, location: str, report: Report,
                          ctx: RefContext) -> BackgroundNoise | None:
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
        preset = read_preset(inline, report, prefix=f.at(params_key))
        source = "inline"
    else:
        preset = _load_preset_file(ref, f.at(ref_key), report, ctx)
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


def _load_preset_file(ref: str, location: str, report: Report,
                      ctx: RefContext) -> NoisePreset | None:
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
    return read_preset(raw, report, prefix=prefix, chained=True)


def _chain(prefix: str, location: str) -> str:
    return prefix if location == ROOT else f"{prefix}: {location}"


def read_preset(raw: object, report: Report, prefix: str, chained: bool = False) -> NoisePreset | None:
    """Check a `.noise` object; locations start at `prefix` (chained for a referenced file)."""
    inner = Report(report.source, limit=None)
    preset = _preset(raw, inner)
    for d in [*inner.errors, *inner.warnings]:
        location = _chain(prefix, d.location) if chained else (
            prefix if d.location == ROOT else f"{prefix}.{d.location}")
        report.add(Diagnostic(d.code, location, d.text))
    return None if inner.errors else preset


def _preset(raw: object, report: Report) -> NoisePreset | None:
    if not isinstance(raw, dict):
        report.error(E_TYPE, ROOT, f"expected an object (a .noise preset), got {show(raw)}")
        return None
    f = Fields(raw, ROOT, report)
    for key in ("noise_parameters", "color_params"):
        if f.present(key):
            report.error(E_UNSUPPORTED, f.at(key), "spectral colour models are not supported yet")
    colour = f.string("noise_type", default="pink").strip().lower()
    if colour in LATER_COLOURS:
        report.error(E_UNSUPPORTED, f.at("noise_type"), f"{show(colour)} is not supported yet")
    elif colour not in COLOURS:
        report.error(E_PARAM, f.at("noise_type"), f"expected one of "
                     f"{quoted_list(COLOURS + LATER_COLOURS)}, got {show(raw.get('noise_type'))}")
    for key, what in (("sweeps", "swept notches"), ("static_notches", "static notches")):
        _, items = f.array(key)
        if items:
            report.error(E_UNSUPPORTED, f.at(key), f"{what} are not supported yet")
    if f.string("input_audio_path"):
        report.error(E_UNSUPPORTED, f.at("input_audio_path"),
                     "filtering an audio file instead of noise is not supported yet")
    # The remaining keys are inert without sweeps; they are still type-checked so that a
    # broken preset is found now rather than when sweeps arrive.
    f.number("duration_seconds", lo=0)
    f.number("sample_rate", integer=True, lo=1)
    f.choice("lfo_waveform", choices=("sine", "triangle"), default="sine", code=E_PARAM)
    f.boolean("transition")
    for key in ("lfo_freq", "start_lfo_freq", "end_lfo_freq"):
        f.number(key, lo=0)
    for key in ("start_lfo_phase_offset_deg", "end_lfo_phase_offset_deg",
                "start_intra_phase_offset_deg", "end_intra_phase_offset_deg",
                "initial_offset", "post_offset"):
        f.number(key)
    f.number("transition_duration", lo=0)
    if report.errors or colour not in COLOURS:
        return None
    extras = {k: v for k, v in raw.items() if k != "noise_type"}
    return NoisePreset(noise_type=colour, extras=extras)
