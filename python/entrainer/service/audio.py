"""The live audio of a session: rendered, encoded and sent at the pace of real time.

The body of `GET /api/sessions/{id}/audio` is this async generator. It renders on the render
threads (`scheduler.py`, earliest deadline first): a short first chunk so that the first
bytes leave at once, then `chunk_s` at a time, staying at most `lead_s` ahead of real time, so
that pause, seek, gain and update are heard within `lead_s` even by a client that never
reconnects. While the session is paused, nothing is sent. A new connection for the same session
replaces this one; a dropped connection leaves the session where the listener was.

`RenderLoad` says when the machine has no CPU to spare for one more listener: when the render
threads are busy most of the time, or when the listeners' buffers shrink (a stream in its steady
state asks for its next chunk with about `lead_s` buffered). New streams are then refused (429)
instead of letting every listener fall behind.
"""

from __future__ import annotations

import asyncio
import time

from ..stream import StreamError
from .config import Settings
from .problems import ApiError
from .scheduler import DeadlinePool
from .sessions import Session

#: How often a waiting stream looks at its session (pause, replacement, stop).
_POLL_S = 0.05
#: The first chunk of a connection: small, for a fast first byte.
_FIRST_CHUNK_S = 0.1


class RenderLoad:
    """The render threads' utilisation, and a moving average of the buffered audio of steady
    streams when they ask for a chunk."""

    #: Above this share of busy time, a new stream would not find the CPU it needs.
    MAX_UTILISATION = 0.85

    def __init__(self, lead_s: float, pool: DeadlinePool | None = None):
        self.lead_s = lead_s
        self.limit_s = lead_s / 2
        self.margin_s = lead_s
        self.pool = pool
        self._last = 0.0

    def record(self, buffered_s: float) -> None:
        self.margin_s += 0.02 * (buffered_s - self.margin_s)
        self._last = time.monotonic()

    @property
    def utilisation(self) -> float:
        return self.pool.utilisation if self.pool is not None else 0.0

    @property
    def saturated(self) -> bool:
        if self.utilisation > self.MAX_UTILISATION:
            return True
        # With no steady stream for a while there is nothing to be late.
        return self.margin_s < self.limit_s and time.monotonic() - self._last < 2.0


async def live_audio(session: Session, generation: int, encoder, settings: Settings,
                     pool: DeadlinePool, load: RenderLoad):
    """Yields the encoded stream of an audio connection already attached as `generation`."""
    sr = session.sample_rate
    chunk = max(256, int(settings.chunk_s * sr))
    frames = max(256, min(chunk, int(_FIRST_CHUNK_S * sr)))
    finished = False
    try:
        header = encoder.header()
        if header:
            yield header
        t0: float | None = None     # wall time at which the listener hears this connection's first frame
        sent_s = 0.0
        steady = False              # the buffer has been filled to the lead once
        while session.generation == generation and not session.stopped:
            now = time.monotonic()
            if session.paused and session.engine_state == "paused":
                t0 = None           # after a pause, start the clock again rather than burst
                steady = False
                session.touch()
                await asyncio.sleep(_POLL_S)
                continue
            if t0 is None:
                t0 = now - sent_s
            ahead = sent_s - (now - t0)
            if ahead > settings.lead_s:
                steady = True
                await asyncio.sleep(min(ahead - settings.lead_s, _POLL_S * 2))
                continue
            if steady:
                load.record(ahead)
            if ahead < 0:           # the listener's buffer ran dry: count it, do not burst
                if sent_s > 0:
                    session.late_chunks += 1
                t0 = now - sent_s
            try:
                # due when the listener starts hearing it
                r = await pool.run(t0 + sent_s, session.render, frames, encoder.encode)
            except (StreamError, ApiError):
                break               # stopped while rendering
            if session.generation != generation:
                break
            length_s = frames / sr
            session.playhead.record(t0 + sent_s, length_s, r.pos0, r.pos1, frames)
            session.touch()
            sent_s += length_s
            frames = chunk
            if r.data:
                yield r.data
            if r.state in ("finished", "stopped"):
                finished = True
                tail = encoder.flush()
                if tail:
                    yield tail
                break
    finally:
        session.detach(generation, finished)
        close = getattr(encoder, "close", None)
        if close is not None:
            close()
