"""Helpers of the audio tests: read a live stream for a while, parse WAV, decode MP3/Opus, find tones."""

from __future__ import annotations

import io
import struct
import time

import httpx
import numpy as np

import entrainer

from .conftest import tone_track


def audio_url(session: dict, fmt: str = "wav", at: float | None = None, token: str | None = None) -> str:
    url = f"/api/sessions/{session['id']}/audio?format={fmt}&token={token or session['token']}"
    return url if at is None else f"{url}&at={at}"


class Received:
    def __init__(self, status: int, headers: httpx.Headers, data: bytes, first_byte_s: float | None,
                 times: list[tuple[float, int]], ended: bool):
        self.status, self.headers, self.data = status, headers, data
        self.first_byte_s = first_byte_s
        self.times = times          # (seconds since the request, bytes received so far)
        self.ended = ended          # the server closed the stream


def read(server, url: str, seconds: float, stop_at_bytes: int | None = None) -> Received:
    """Reads a live stream for `seconds` of wall time (or until it ends)."""
    t0 = time.monotonic()
    data = bytearray()
    times: list[tuple[float, int]] = []
    first = None
    ended = False
    with httpx.Client(base_url=server.url, timeout=10) as client:
        with client.stream("GET", url) as r:
            if r.status_code != 200:
                r.read()
                return Received(r.status_code, r.headers, r.content, None, [], True)
            it = r.iter_raw()
            while time.monotonic() - t0 < seconds:
                try:
                    chunk = next(it)
                except StopIteration:
                    ended = True
                    break
                if first is None:
                    first = time.monotonic() - t0
                data += chunk
                times.append((time.monotonic() - t0, len(data)))
                if stop_at_bytes is not None and len(data) >= stop_at_bytes:
                    break
            return Received(200, r.headers, bytes(data), first, times, ended)


def wav_samples(data: bytes) -> tuple[int, np.ndarray]:
    """(sample rate, int16 frames × 2) of a streamed WAV; checks the header fields."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE" and data[12:16] == b"fmt "
    size, fmt, channels, rate, byte_rate, align, bits = struct.unpack("<IHHIIHH", data[16:36])
    assert (size, fmt, channels, bits, align, byte_rate) == (16, 1, 2, 16, 4, rate * 4)
    assert data[36:40] == b"data"
    body = data[44:]
    body = body[: len(body) // 4 * 4]
    return rate, np.frombuffer(body, dtype="<i2").reshape(-1, 2)


def decode(data: bytes) -> tuple[int, np.ndarray, str]:
    """Decodes MP3 or Ogg/Opus bytes with FFmpeg (PyAV): (rate, float frames × 2, codec)."""
    import av

    with av.open(io.BytesIO(data)) as c:
        stream = c.streams.audio[0]
        blocks = []
        try:
            for frame in c.decode(stream):
                blocks.append(frame.to_ndarray().reshape(-1, frame.samples).T if frame.format.is_planar
                              else frame.to_ndarray().reshape(-1, 2))
        except av.error.InvalidDataError:
            pass                    # a stream cut mid-frame
        return stream.rate, np.concatenate(blocks).astype(np.float64), stream.codec_context.name


def peak_hz(x: np.ndarray, rate: int) -> float:
    w = np.hanning(len(x))
    spectrum = np.abs(np.fft.rfft(x * w))
    return float(np.argmax(spectrum) * rate / len(x))


def quantised_render(doc: dict, start_s: float = 0.0, duration_s: float = 3.0) -> np.ndarray:
    """What the WAV stream must carry: the offline render (provisional levels) rounded to int16."""
    y = entrainer.render(doc, start=start_s, duration=duration_s, levels="provisional")
    return np.rint(np.clip(y, -1, 1) * 32767).astype(np.int16)


def find_in(reference: np.ndarray, piece: np.ndarray, tolerance: int = 1) -> list[int]:
    """Offsets where `piece` matches `reference` within `tolerance` LSB."""
    n = len(piece)
    first = np.abs(reference[: len(reference) - n + 1].astype(np.int32) - piece[0]).max(axis=1)
    return [int(k) for k in np.flatnonzero(first <= tolerance)
            if np.abs(reference[k:k + n].astype(np.int32) - piece).max() <= tolerance]


TONE = tone_track()
