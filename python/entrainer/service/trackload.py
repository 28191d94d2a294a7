"""A track sent to the service, checked in the order of `format.md` §7–§8.

Depth (on the text), strict JSON (400 for bad JSON or encoding), the service limits (413/422),
the loader with the library folder as the only allowed root (422), the timeline limit, and
finally the render plan at the live stream rate, so that a track the engine cannot play is
refused when it is stored, with the same located lines the CLI prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import TrackError
from ..jsonload import decode_text, loads
from ..loader import load_track
from ..model import Track
from ..plan import build_plan
from ..summary import track_summary
from . import limits
from .config import Settings, live_rate
from .problems import ApiError


@dataclass
class CheckedTrack:
    track: Track
    text: str                 # the JSON as sent (stored verbatim)
    summary: dict
    plan: dict                # at `sample_rate`
    sample_rate: int          # the live stream rate
    title: str


def check_track(body: bytes | str, settings: Settings, name: str | None = None,
                folder: Path | None = None) -> CheckedTrack:
    """Checks a track body; raises ApiError (400/413/422) with located lines."""
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    lim = settings.limits
    if len(data) > lim.request_bytes:
        raise limits.body_too_large(len(data), lim)
    limits.check_depth(data, lim)
    try:
        text = decode_text(data)
        doc = loads(text)
    except TrackError as e:
        raise ApiError.from_track(e) from None
    return check_document(doc, text, settings, name, folder)


def check_document(doc: object, text: str, settings: Settings, name: str | None = None,
                   folder: Path | None = None) -> CheckedTrack:
    lim = settings.limits
    limits.check_document(doc, lim)
    library = settings.library_dir
    try:
        track = load_track(doc, base_dir=folder or library, allowed_roots=[library], allow_data_urls=True)
    except TrackError as e:
        raise ApiError.from_track(e) from None
    summary = track_summary(track)
    limits.check_loaded(track, summary["duration_s"], lim)
    rate = live_rate(track.sample_rate_hz)
    try:
        plan = build_plan(track, sample_rate=rate)
    except TrackError as e:
        raise ApiError.from_track(e, warnings=track.warnings) from None
    title = (track.metadata.title or name or "Untitled track").strip()[:200]
    return CheckedTrack(track, text, summary, plan, rate, title)
