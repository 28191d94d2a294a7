"""Reading referenced audio files (clips, subliminal voices): probe, decode, resample.

Decoding goes through libsndfile (the `soundfile` package), which reads WAV, FLAC, OGG
and MP3 from a path or from the bytes of a `data:` URL. Resampling is libsoxr's
band-limited converter (the `soxr` package) at its high quality setting, which meets
render.md §9's figures with a wide margin (tests/test_audio.py measures them): passband
within ±0.1 dB up to 0.45 × the lower rate, images and aliases more than 90 dB down.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from ._engine import frames

FORMATS = "WAV, FLAC, OGG or MP3"


class AudioError(Exception):
    """Audio that cannot be decoded; the text is libsndfile's reason, without any path."""


@dataclass(frozen=True)
class AudioInfo:
    channels: int
    sample_rate_hz: int
    frames: int


def _source(path=None, data: bytes | None = None):
    return io.BytesIO(data) if data is not None else str(path)


def probe(path=None, data: bytes | None = None) -> AudioInfo:
    """Channels, rate and length from the file's header (nothing is decoded)."""
    import soundfile as sf

    try:
        info = sf.info(_source(path, data))
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as e:
        raise AudioError(_why(e)) from None
    return AudioInfo(info.channels, int(info.samplerate), int(info.frames))


def decode(path=None, data: bytes | None = None) -> tuple[np.ndarray, int]:
    """The whole file as float32 of shape (frames, channels), and its sample rate."""
    import soundfile as sf

    try:
        x, sr = sf.read(_source(path, data), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as e:
        raise AudioError(_why(e)) from None
    return np.ascontiguousarray(x), int(sr)


def _why(e: Exception) -> str:
    text = str(e).strip() or type(e).__name__
    # libsndfile prefixes its messages with the (server-side) path or object; keep the reason only.
    return text.rsplit(": ", 1)[-1] if ": " in text else text


def resampled_length(n: int, rate_in: int, rate_out: int) -> int:
    """Frames of n input frames at the output rate: frames(n / rate_in) at rate_out."""
    return n if rate_in == rate_out else frames(n / rate_in, rate_out)


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Band-limited conversion of float32 (frames, channels) audio; length as resampled_length()."""
    if rate_in == rate_out:
        return np.ascontiguousarray(x, dtype=np.float32)
    import soxr

    n_out = resampled_length(x.shape[0], rate_in, rate_out)
    if x.shape[0] == 0:
        return np.zeros((0, x.shape[1]), dtype=np.float32)
    y = soxr.resample(np.ascontiguousarray(x, dtype=np.float32), rate_in, rate_out, quality="HQ")
    y = np.asarray(y, dtype=np.float32).reshape(-1, x.shape[1])
    if y.shape[0] < n_out:
        y = np.concatenate([y, np.zeros((n_out - y.shape[0], x.shape[1]), dtype=np.float32)])
    return np.ascontiguousarray(y[:n_out])


def load_at_rate(rate_out: int, path=None, data: bytes | None = None) -> np.ndarray:
    """Decode and resample to `rate_out`: float32 of shape (frames, channels)."""
    x, rate_in = decode(path, data)
    return resample(x, rate_in, rate_out)


def clip_buffers(track, rate_out: int) -> list[np.ndarray]:
    """Every clip of a loaded track decoded at `rate_out`, in plan order (for the engine).

    The files were checked at load time; one that changed since then and no longer decodes
    is E_AUDIO here, before any audio is rendered.
    """
    from .errors import E_AUDIO, Report, show

    report = Report("the track")
    out = []
    for clip in track.clips:
        try:
            out.append(load_at_rate(rate_out, clip.resolved.path, clip.resolved.data))
        except AudioError as e:
            report.error(E_AUDIO, f"{clip.location or 'overlay_clips'}.file_path",
                         f"expected {FORMATS} audio, got {show(clip.source)}, which cannot be decoded ({e})")
        except OSError as e:
            report.error(E_AUDIO, f"{clip.location or 'overlay_clips'}.file_path", f"cannot read {show(clip.source)}: {e.strerror or e}")
    report.raise_if_errors()
    return out


def _identity(audio) -> tuple:
    return ("data", audio.data) if audio.data is not None else ("path", str(audio.path))


def voice_audio_sources(track) -> list:
    """The distinct audio files that voices play (subliminal_encode), in first-use order.

    A voice's plan lists its files as indices into this list (`audio_buffers`), and
    `voice_buffers` decodes them in the same order, each file once however often it is used.
    """
    seen: dict[tuple, int] = {}
    out = []
    for step in track.steps:
        for voice in step.voices:
            for audio in voice.audio:
                key = _identity(audio)
                if key not in seen:
                    seen[key] = len(out)
                    out.append(audio)
    return out


def audio_ids(track) -> dict[tuple, int]:
    """Index of each voice audio file in `voice_audio_sources(track)`, by identity."""
    return {_identity(a): i for i, a in enumerate(voice_audio_sources(track))}


def audio_id(ids: dict[tuple, int], audio) -> int:
    return ids[_identity(audio)]


def voice_buffers(track, rate_out: int) -> list[np.ndarray]:
    """Every voice audio file as mono float32 at `rate_out` (the mean of its channels, then
    resampled: voices.md §3.14 steps 1–2), in `voice_audio_sources` order."""
    from .errors import E_AUDIO, Report

    report = Report("the track")
    out = []
    for audio in voice_audio_sources(track):
        try:
            x, rate_in = decode(audio.path, audio.data)
        except (AudioError, OSError) as e:
            report.error(E_AUDIO, "(voice audio)", f"cannot decode {audio.path}: {e}")
            continue
        mono = x.astype(np.float64).mean(axis=1, keepdims=True).astype(np.float32)
        out.append(resample(mono, rate_in, rate_out)[:, 0].copy())
    report.raise_if_errors()
    return out
