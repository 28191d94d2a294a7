"""Loading a track file into the model (format.md §3.3): one reader for both layouts.

`load_track()` decodes the JSON, checks that it is a track, resolves the top-level aliases,
reads the global block, the steps and their voices, the background noise, the clips and
the metadata, and finally runs the cross-checks that need the timeline. It collects up to
50 errors and then raises one TrackError; warnings are returned on the model.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ._engine import frames, timeline
from .clipload import read_clips
from .errors import (E_EMPTY, E_NOT_A_TRACK, E_REF_NOT_FOUND, E_REF_UNREADABLE, E_TYPE,
                     E_UNKNOWN_CURVE, ROOT, W_CROSSFADE_CLAMPED, W_IGNORED_KEY,
                     W_NOISE_AFTER_END, W_OUTPUT_NAME, W_START_MISMATCH, W_STEP_SKIPPED,
                     Diagnostic, Report, TrackError, collecting, join, num, show)
from .fields import Fields, json_equal
from .jsonload import loads
from .model import Metadata, Step, Track
from .noiseload import read_background_noise
from .refs import RefContext, canonical_roots
from .voiceload import StepContext, read_voice
from .voices.validate import suffix

CROSSFADE_CURVES = ("linear", "equal_power")
OUTPUT_EXTENSIONS = (".wav", ".flac", ".mp3")
DEFAULT_SAMPLE_RATE = 44100

Source = str | os.PathLike | bytes | bytearray | dict


def load_track(source: Source, *, base_dir: str | os.PathLike | None = None,
               allowed_roots=(), allow_data_urls: bool = False) -> Track:
    """Load and validate a track: a path to a file, a dict, or JSON text or bytes.

    A `str` is JSON text when it starts with `{` or `[` (after white space) or is blank,
    otherwise a path. References resolve against `base_dir`, by default the folder of a track file;
    the allowed roots are that folder plus `allowed_roots` (format.md §6.1).
    """
    raw, label, folder = _read_source(source, base_dir)
    roots = canonical_roots(([folder] if folder is not None else []) + [Path(r) for r in allowed_roots])
    ctx = RefContext(folder, roots, allow_data_urls)
    report = Report(label)
    track = collecting(report, _read_track, raw, report, ctx)
    report.raise_if_errors()
    track.base_dir = folder
    track.warnings = list(report.warnings)
    return track


def _read_source(source: Source, base_dir) -> tuple[object, str, Path | None]:
    folder = Path(base_dir) if base_dir is not None else None
    if not isinstance(source, (str, bytes, bytearray, os.PathLike)):
        return source, "the track", folder          # already decoded (a dict, normally)
    if isinstance(source, (bytes, bytearray)):
        return loads(bytes(source), "the track"), "the track", folder
    if isinstance(source, str) and source.lstrip("\ufeff \t\r\n")[:1] in ("{", "[", ""):
        return loads(source, "the track"), "the track", folder
    path = Path(source)
    label = str(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TrackError([Diagnostic(E_REF_NOT_FOUND, ROOT, f"file {_quote(label)} not found")], label) from None
    except OSError as e:
        raise TrackError([Diagnostic(E_REF_UNREADABLE, ROOT,
                                     f"cannot read {_quote(label)}: {e.strerror or e}")], label) from None
    return loads(data, label), label, folder if folder is not None else path.parent


def _quote(path: str) -> str:
    # The caller's own path, shown whole (it is not a value from the file).
    return json.dumps(path, ensure_ascii=False)


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    if isinstance(value, dict):
        keys = ", ".join(f'"{k}"' for k in value)
        keys = keys if len(keys) <= 60 else keys[:59] + "…"
        return f"an object with keys {keys}" if value else "an empty object"
    return "a number"


def _not_a_track(text: str, report: Report):
    report.error(E_NOT_A_TRACK, ROOT, text)
    raise report.failure()


def _step_list(raw: object, report: Report) -> tuple[Fields, str, list]:
    """Check that `raw` is a track (format.md §2.3) and return its step list."""
    expected = 'expected an object with a "progression" or "steps" array'
    if not isinstance(raw, dict):
        _not_a_track(f"{expected}, got {_kind(raw)}", report)
    top = Fields(raw, ROOT, report)
    if not top.present("progression", "steps"):
        _not_a_track(f"{expected}, got {_kind(raw)}", report)
    key, items = top.array("progression", "steps", what="an array of step objects")
    if items is None:
        raise report.failure()
    steps = [s for s in items if isinstance(s, dict)]
    if steps and not any("voices" in s for s in steps):
        if any("binaural_preset_id" in s for s in steps):
            _not_a_track("this is a session file, not a track file", report)
        if any("oscillators" in s or "strobe_sets" in s for s in steps):
            _not_a_track("this is an LED light-sequence file, not a track file", report)
    return top, key, items


def _read_track(raw: object, report: Report, ctx: RefContext) -> Track:
    top, steps_key, items = _step_list(raw, report)
    global_key, global_raw = top.object("global", "global_settings", "globalSettings")
    g = Fields(global_raw or {}, global_key, report)
    sample_rate = g.number("sample_rate", "sampleRate", default=DEFAULT_SAMPLE_RATE,
                           lo=8000, hi=192000, integer=True)
    crossfade_s = g.number("crossfade_duration", "crossfadeDuration", default=1.0, lo=0)
    curve = g.choice("crossfade_curve", "crossfadeCurve", choices=CROSSFADE_CURVES,
                     default="linear", code=E_UNKNOWN_CURVE)
    output = _output_filename(g, report)
    steps, skipped, broken = _read_steps(items, steps_key, sample_rate, report, ctx)

    noise_key = top.key_of("background_noise", "noise")
    noise_raw = top.get("background_noise", "noise")
    noise = read_background_noise(noise_raw, noise_key, report, ctx, sample_rate)
    clips_key = top.key_of("overlay_clips", "clips")
    clips_raw = top.get("overlay_clips", "clips")
    clips = read_clips(clips_raw, clips_key, report, ctx)
    metadata = _metadata(top, report)

    track = Track(sample_rate_hz=sample_rate, crossfade_s=crossfade_s, crossfade_curve=curve,
                  output_filename=output, steps=steps, skipped_steps=skipped,
                  background_noise=noise, clips=clips, metadata=metadata,
                  layout="legacy" if steps_key == "steps" else "v2",
                  extras=top.extras(), global_extras=g.extras(), steps_key=steps_key)
    _cross_check(track, report, broken)
    return track


def _output_filename(g: Fields, report: Report) -> str:
    key = g.key_of("output_filename", "outputFilename")
    written = g.string("output_filename", "outputFilename", default="generated_track.wav")
    # The legacy editor allowed bare names only; only the last component is ever used.
    name = written.replace("\\", "/").rsplit("/", 1)[-1]
    if name != written:
        report.warn(W_OUTPUT_NAME, g.at(key), f"folders are dropped; using {show(name)}")
    if not name.lower().endswith(OUTPUT_EXTENSIONS):
        report.warn(W_OUTPUT_NAME, g.at(key), f"expected a .wav, .flac or .mp3 name, got {show(written)}")
    return name


def _read_steps(items: list, steps_key: str, sample_rate: int, report: Report,
                ctx: RefContext | None = None):
    steps: list[Step] = []
    skipped: list[tuple[int, object]] = []
    broken = 0                                     # steps too broken to place on the timeline
    for i, item in enumerate(items):
        location = join(steps_key, i)
        if not isinstance(item, dict):
            report.error(E_TYPE, location, f"expected a step object, got {show(item)}")
            broken += 1
            continue
        s = Fields(item, location, report)
        duration = s.number("duration", "Duration", "durationSeconds", "stepDuration",
                            lo=0, required=True)
        _, voices = s.array("voices", required=True, what="an array of voice objects")
        description = s.string("description")
        declared = s.number("start", "start_time")
        crossfade = s.number("crossfade_duration", lo=0)
        curve = s.choice("crossfade_curve", choices=CROSSFADE_CURVES, default=None,
                         code=E_UNKNOWN_CURVE)
        for key in ("binaural_volume", "noise_volume"):
            if item.get(key) is not None and not json_equal(item[key], 0.6):
                report.warn(W_IGNORED_KEY, s.at(key),
                            "kept, but it has no effect yet (format.md §4.9)")
        if duration is None:
            broken += 1
            continue
        if frames(duration, sample_rate) == 0:
            why = ("is 0" if duration == 0 else
                   f"({num(duration)} s) is shorter than one frame at {sample_rate} Hz")
            report.warn(W_STEP_SKIPPED, location,
                        f"skipped: its duration {why}, so it plays nothing{suffix(description)}")
            skipped.append((i, item))
            continue
        context = StepContext(description, duration, sample_rate, ctx)
        read = [read_voice(v, j, join(s.at("voices"), j), context, report)
                for j, v in enumerate(voices or [])]
        steps.append(Step(source_index=i, description=description, duration_s=duration,
                          crossfade_out_s=crossfade, crossfade_out_curve=curve,
                          declared_start_s=declared, voices=[v for v in read if v is not None],
                          extras=s.extras(), location=location))
    return steps, skipped, broken


def _metadata(top: Fields, report: Report) -> Metadata:
    key, raw = top.object("metadata", "info")
    m = Fields(raw or {}, key, report)
    return Metadata(title=m.string("title"), notes=m.string("notes"),
                    source_url=m.string("source_url", "url", "link"), extras=m.extras())


def _cross_check(track: Track, report: Report, broken: int) -> None:
    """The checks that need the timeline (format.md §3.3 step 7), at the file's rate.

    With `broken` steps (already reported) the timeline is unknown: only E_EMPTY is
    skipped, since a broken step may well have been meant to play.
    """
    sr = track.sample_rate_hz
    if not track.steps and not track.clips:
        if not broken:
            report.error(E_EMPTY, track.steps_key,
                         "expected at least one step with a duration of one frame or more, got none")
        return
    lengths = [frames(s.duration_s, sr) for s in track.steps]
    requested = [frames(crossfade_out_s(track, s), sr) for s in track.steps]
    starts, crossfades, end = timeline(lengths, requested)
    for i, (k, x) in enumerate(zip(crossfades, requested)):
        if k < x:
            report.warn(W_CROSSFADE_CLAMPED, track.steps[i].location,
                        f"the crossfade into the next step is shortened from {num(x / sr)} s to "
                        f"{num(k / sr)} s because a neighbouring step is too short")
    for step, start in zip(track.steps, starts):
        declared = step.declared_start_s
        if declared is not None and abs(declared * sr - start) > 1:
            report.warn(W_START_MISMATCH, step.location,
                        f"declared start {num(declared)} s, but the step starts at {num(start / sr)} s "
                        f"(frame {start}); the declared start is ignored")
    noise = track.background_noise
    if noise is not None and frames(noise.start_s, sr) >= end:
        report.warn(W_NOISE_AFTER_END, noise.location,
                    f"the noise would start at {num(noise.start_s)} s, at or after the end of "
                    f"the programme ({num(end / sr)} s), so it never plays")


def crossfade_out_s(track: Track, step: Step) -> float:
    """The crossfade requested from `step` into the next one (its override or the global)."""
    return step.crossfade_out_s if step.crossfade_out_s is not None else track.crossfade_s
