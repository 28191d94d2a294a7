"""Reading `overlay_clips` (format.md §4.7): keys checked, each file reference resolved, and
its audio header read, so that a file that is not mono or stereo audio fails at load time.

The samples are decoded and resampled when a render is prepared (`entrainer.audio`).
"""

from __future__ import annotations

from .audio import FORMATS, AudioError, probe
from .errors import E_AUDIO, E_TYPE, Report, join, show
from .fields import Fields
from .model import Clip, ResolvedAudio
from .refs import RefContext, Target, resolve


def read_clips(raw: object, location: str, report: Report, ctx: RefContext) -> list[Clip]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        report.error(E_TYPE, location, f"expected an array of clip objects, got {show(raw)}")
        return []
    clips = []
    for i, item in enumerate(raw):
        clip = _read_clip(item, i, join(location, i), report, ctx)
        if clip is not None:
            clips.append(clip)
    return clips


def _read_clip(raw: object, index: int, location: str, report: Report,
               ctx: RefContext) -> Clip | None:
    if not isinstance(raw, dict):
        report.error(E_TYPE, location, f"expected a clip object, got {show(raw)}")
        return None
    f = Fields(raw, location, report)
    ref_key = f.key_of("file_path", "path", "file")
    ref = f.string("file_path", "path", "file", required=True)
    start_s = f.number("start", "start_time", default=0.0, lo=0)
    gain = f.number("amp", "gain", default=1.0, lo=0)
    pan = f.number("pan", default=0.0, lo=-1, hi=1)
    fade_in_s = f.number("fade_in", default=0.0, lo=0)
    fade_out_s = f.number("fade_out", default=0.0, lo=0)
    duration_s = f.number("duration", default=0.0, lo=0)
    description = f.string("description")
    category = f.string("category", default="effects")
    extras = f.extras()
    target = resolve(ref, f.at(ref_key), ctx, report, data_ok=True) if ref else None
    if target is None:
        return None
    resolved = checked_audio(target, ref, f.at(ref_key), report)
    if resolved is None:
        return None
    return Clip(source_index=index, source=ref, resolved=resolved,
                start_s=start_s, gain=gain, pan=pan, fade_in_s=fade_in_s,
                fade_out_s=fade_out_s, max_duration_s=duration_s or None,
                description=description, category=category, extras=extras, location=location)


def checked_audio(target: Target, ref: str, location: str, report: Report,
                  max_channels: int | None = 2) -> ResolvedAudio | None:
    """The header of a resolved audio reference: E_AUDIO unless it is audio with 1 to
    `max_channels` channels (clips: mono or stereo; None: any number)."""
    try:
        info = probe(target.path, target.data)
    except AudioError as e:
        report.error(E_AUDIO, location,
                     f"expected {FORMATS} audio, got {show(ref)}, which cannot be decoded ({e})")
        return None
    if max_channels is not None and not 1 <= info.channels <= max_channels:
        report.error(E_AUDIO, location, f"expected mono or stereo audio, got {info.channels} channels")
        return None
    return ResolvedAudio(path=target.path, data=target.data, media_type=target.media_type,
                         channels=info.channels, sample_rate_hz=info.sample_rate_hz,
                         frames=info.frames)
