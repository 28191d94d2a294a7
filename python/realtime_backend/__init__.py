"""Drop-in module for scripts written against the legacy real-time engine.

    import realtime_backend
    realtime_backend.start_stream(track_json, 44100)   # a dict or a JSON string
    ...
    realtime_backend.stop_stream()

One stream at a time: starting a second one stops the first. The output is the default
sound device unless ``ENTRAINER_OUTPUT`` says otherwise (``null``, ``wav:PATH``,
``device:NAME``). Errors are raised as Python exceptions (``entrainer.EntrainerError``
subclasses) with located, readable messages.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from entrainer.stream import Stream, StreamError

__all__ = ["start_stream", "stop_stream", "pause_stream", "resume_stream", "seek_stream",
           "update_stream", "set_master_gain", "stream_status", "StreamError"]

_lock = threading.Lock()
_stream: Stream | None = None


def _track(track_json: Any):
    if isinstance(track_json, (bytes, bytearray)):
        track_json = track_json.decode("utf-8")
    if isinstance(track_json, str):
        return track_json  # the loader reports JSON errors with line and column
    if isinstance(track_json, dict):
        return json.loads(json.dumps(track_json))  # a private copy: the caller may mutate theirs
    raise StreamError(f"track_json: expected a dict or a JSON string, got {type(track_json).__name__}")


def _current() -> Stream:
    if _stream is None:
        raise StreamError("no stream is running; call start_stream() first")
    return _stream


def start_stream(track_json: Any, sample_rate: int = 44100, start_time: float = 0.0) -> None:
    """Starts playing a track (stopping any stream already playing)."""
    global _stream
    with _lock:
        if _stream is not None:
            _stream.stop()
            _stream = None
        s = Stream(_track(track_json), sample_rate=sample_rate, start_at=start_time)
        _stream = s.start()


def stop_stream() -> None:
    """Stops the stream (a 10 ms fade-out). Harmless when nothing plays."""
    global _stream
    with _lock:
        if _stream is not None:
            _stream.stop()
            _stream = None


def pause_stream() -> None:
    _current().pause()


def resume_stream() -> None:
    _current().resume()


def seek_stream(seconds: float) -> None:
    _current().seek(float(seconds))


def update_stream(track_json: Any) -> None:
    """Replaces the track while playing, without a restart (crossfaded at the same position)."""
    _current().update(_track(track_json))


def set_master_gain(gain: float) -> None:
    _current().set_gain(float(gain))


def stream_status() -> dict:
    """Position (s), step index, state, blocks, underruns, load, peak and gain; or
    ``{"state": "stopped"}`` when nothing plays."""
    if _stream is None or not _stream.running:
        return {"state": "stopped"}
    s = _stream.status()
    return {"position": s.position_s, "duration": s.duration_s, "step": s.step_index, "state": s.state,
            "blocks": s.blocks, "underruns": s.underruns, "load": s.load, "peak": s.peak, "gain": s.gain}
