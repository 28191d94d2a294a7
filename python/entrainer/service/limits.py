"""The service limits of `format.md` §8, checked on a track before it is loaded or played.

`check_depth` runs on the raw text (before Python's recursive decoder sees it), `check_document`
on the decoded JSON, `check_loaded` on the model (lengths that need the timeline). Each
raises one `ApiError` holding every exceeded limit as an `E_LIMIT` line: 413 when a byte or
size limit is among them, else 422.
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import E_LIMIT, ROOT, Diagnostic, TrackError, join, num
from .config import TRACK_RATES, Limits
from .problems import ApiError

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_DATA_URL = re.compile(r"^data:[^,]*;base64,", re.IGNORECASE)
_SIZE = "size"          # marks a diagnostic whose limit is about bytes (HTTP 413)


def _fail(found: list[tuple[Diagnostic, str]]) -> None:
    if not found:
        return
    diagnostics = [d for d, _ in found]
    status = 413 if any(kind == _SIZE for _, kind in found) else 422
    raise ApiError(status, diagnostics, str(TrackError(diagnostics)))


def _mb(n: int) -> str:
    return f"{n / 1e6:.3g} MB"


def body_too_large(size: int, limits: Limits) -> ApiError:
    text = f"expected a body of at most {limits.request_bytes} bytes, got {size} bytes or more"
    return ApiError(413, [Diagnostic(E_LIMIT, "(request)", text)])


def check_depth(data: bytes, limits: Limits) -> None:
    """JSON nesting depth, counted on the text with strings blanked out (vectorised)."""
    if data.count(b"[") + data.count(b"{") <= limits.json_depth:
        return
    text = _STRING.sub(b'""', data)
    a = np.frombuffer(text, dtype=np.uint8)
    step = (np.isin(a, (0x5B, 0x7B)).astype(np.int32) - np.isin(a, (0x5D, 0x7D)).astype(np.int32))
    depth = int(np.cumsum(step).max(initial=0))
    if depth > limits.json_depth:
        _fail([(Diagnostic(E_LIMIT, ROOT, f"expected JSON nested at most {limits.json_depth} levels deep, "
                                          f"got {depth}"), "")])


def _key(obj: dict, *names: str) -> str | None:
    return next((n for n in names if n in obj), None)


class _Walk:
    """Collects exceeded limits while walking the decoded document once."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.found: list[tuple[Diagnostic, str]] = []
        self.data_total = 0

    def add(self, location: str, text: str, kind: str = "") -> None:
        if len(self.found) < 50:
            self.found.append((Diagnostic(E_LIMIT, location, text), kind))

    def strings(self, value, location: str) -> None:
        """String lengths everywhere (data: URLs are counted by payload instead)."""
        lim = self.limits
        stack = [(value, location)]
        while stack:
            v, loc = stack.pop()
            if isinstance(v, str):
                if _DATA_URL.match(v):
                    self.data_url(v, loc)
                elif len(v) > lim.string_chars:
                    self.add(loc, f"expected a string of at most {lim.string_chars} characters, got {len(v)}")
            elif isinstance(v, dict):
                for k, item in v.items():
                    if len(k) > lim.string_chars:
                        self.add(loc, f"expected keys of at most {lim.string_chars} characters, got one of {len(k)}")
                        continue
                    stack.append((item, join(loc, k)))
            elif isinstance(v, list):
                stack.extend((item, join(loc, i)) for i, item in enumerate(v))

    def data_url(self, v: str, loc: str) -> None:
        lim = self.limits
        payload = len(v) - v.index(",") - 1
        decoded = payload * 3 // 4
        self.data_total += decoded
        if decoded > lim.data_url_bytes:
            self.add(loc, f"expected a data: URL payload of at most {_mb(lim.data_url_bytes)}, "
                          f"got {_mb(decoded)}", _SIZE)


def check_document(doc: object, limits: Limits) -> None:
    """Counts and sizes on the decoded JSON (before the loader reads it)."""
    if not isinstance(doc, dict):
        return                       # not a track: the loader says so
    w = _Walk(limits)
    steps_key = _key(doc, "progression", "steps")
    steps = doc.get(steps_key) if steps_key else None
    if isinstance(steps, list):
        if len(steps) > limits.steps:
            w.add(steps_key, f"expected at most {limits.steps} steps, got {len(steps)}")
        total = 0
        for i, step in enumerate(steps):
            if not isinstance(step, dict):
                continue
            at = join(steps_key, i)
            voices = step.get("voices")
            if isinstance(voices, list):
                total += len(voices)
                if len(voices) > limits.voices_per_step:
                    w.add(join(at, "voices"), f"expected at most {limits.voices_per_step} voices per step, "
                                              f"got {len(voices)}")
                for j, voice in enumerate(voices):
                    if isinstance(voice, dict):
                        _voice(voice, join(join(at, "voices"), j), w)
            _crossfade(step, at, "crossfade_duration", w)
        if total > limits.voices_total:
            w.add(steps_key, f"expected at most {limits.voices_total} voices in the whole track, got {total}")
    g_key = _key(doc, "global", "global_settings", "globalSettings")
    g = doc.get(g_key) if g_key else None
    if isinstance(g, dict):
        rate_key = _key(g, "sample_rate", "sampleRate")
        rate = g.get(rate_key) if rate_key else None
        if isinstance(rate, (int, float)) and not isinstance(rate, bool) and rate not in TRACK_RATES:
            rates = ", ".join(str(r) for r in TRACK_RATES)
            w.add(join(g_key, rate_key), f"expected one of {rates} Hz, got {num(rate)}")
        for key in ("crossfade_duration", "crossfadeDuration"):
            _crossfade(g, g_key, key, w)
    noise_key = _key(doc, "background_noise", "noise")
    noise = doc.get(noise_key) if noise_key else None
    if isinstance(noise, dict):
        _points(noise, noise_key, w)
        params = noise.get("params")
        if isinstance(params, dict):
            for key, what in (("sweeps", limits.noise_sweeps), ("static_notches", limits.noise_notches)):
                items = params.get(key)
                if isinstance(items, list) and len(items) > what:
                    w.add(join(join(noise_key, "params"), key),
                          f"expected at most {what} {key.replace('_', ' ')}, got {len(items)}")
    clips_key = _key(doc, "overlay_clips", "clips")
    clips = doc.get(clips_key) if clips_key else None
    if isinstance(clips, list) and len(clips) > limits.clips:
        w.add(clips_key, f"expected at most {limits.clips} clips, got {len(clips)}")
    w.strings(doc, ROOT)
    if w.data_total > limits.data_url_total_bytes:
        w.add(ROOT, f"expected data: URL payloads of at most {_mb(limits.data_url_total_bytes)} in total, "
                    f"got {_mb(w.data_total)}", _SIZE)
    _fail(w.found)


def _crossfade(obj: dict, at: str, key: str, w: _Walk) -> None:
    x = obj.get(key)
    if isinstance(x, (int, float)) and not isinstance(x, bool) and x > w.limits.crossfade_s:
        w.add(join(at, key), f"expected at most {num(w.limits.crossfade_s)} s per boundary, got {num(x)}")


def _points(obj: dict, at: str, w: _Walk) -> None:
    env = obj.get("amp_envelope")
    if isinstance(env, list) and len(env) > w.limits.envelope_points:
        w.add(join(at, "amp_envelope"), f"expected at most {w.limits.envelope_points} points, got {len(env)}")


def _voice(voice: dict, at: str, w: _Walk) -> None:
    params = voice.get("params")
    if not isinstance(params, dict):
        return
    if len(params) > w.limits.params_keys:
        w.add(join(at, "params"), f"expected at most {w.limits.params_keys} keys, got {len(params)}")
    paths = params.get("audio_paths")
    if isinstance(paths, str):
        paths = [p for p in paths.split(";") if p.strip()]
    if isinstance(paths, list) and len(paths) > w.limits.subliminal_files:
        w.add(join(join(at, "params"), "audio_paths"),
              f"expected at most {w.limits.subliminal_files} files per voice, got {len(paths)}")


def check_loaded(track, duration_s: float, limits: Limits) -> None:
    """Limits that need the timeline: the whole programme (and clips) at most `timeline_s`."""
    end = duration_s
    for clip in getattr(track, "clips", []) or []:
        start = clip.start_s or 0.0
        length = clip.max_duration_s          # the file's own length is known only when decoded
        if length is not None:
            end = max(end, start + length)
    if end > limits.timeline_s:
        _fail([(Diagnostic(E_LIMIT, track.steps_key,
                           f"expected a timeline of at most {num(limits.timeline_s)} s "
                           f"({num(limits.timeline_s / 3600)} h), got {num(round(end, 3))} s"), "")])
