"""The live audio of a session: rendered, encoded and sent at the pace of real time.

The body of `GET /api/sessions/{id}/audio` is this async generator. It renders `chunk_s` of
audio at a time on the render threads (the engine releases the GIL), sends the header and the
first chunks at once (first bytes within milliseconds), then stays at most `lead_s` ahead of
real time, so that pause, seek, gain and update are heard within `lead_s` even by a client that
never reconnects. While the session is paused, nothing is sent. A new connection for the same
session replaces this one; a dropped connection leaves the session where the listener was.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import Executor

from ..stream import StreamError
from .config import Settings
from .problems import ApiError
from .sessions import Session

#: How often a waiting stream looks at its session (pause, replacement, stop).
_POLL_S = 0.05


async def live_audio(session: Session, generation: int, encoder, settings: Settings,
                     executor: Executor):
    """Yields the encoded stream of an audio connection already attached as `generation`."""
    loop = asyncio.get_running_loop()
    sr = session.sample_rate
    frames = max(256, int(settings.chunk_s * sr))
    length_s = frames / sr
    finished = False
    try:
        header = encoder.header()
        if header:
            yield header
        t0: float | None = None     # wall time at which the listener hears this connection's first frame
        sent_s = 0.0
        while session.generation == generation and not session.stopped:
            now = time.monotonic()
            if session.paused and session.engine_state == "paused":
                t0 = None           # after a pause, start the clock again rather than burst
                session.touch()
                await asyncio.sleep(_POLL_S)
                continue
            if t0 is None:
                t0 = now - sent_s
            ahead = sent_s - (now - t0)
            if ahead > settings.lead_s:
                await asyncio.sleep(min(ahead - settings.lead_s, _POLL_S * 2))
                continue
            if ahead < 0:           # the listener's buffer ran dry: count it, do not burst
                if sent_s > 0:
                    session.late_chunks += 1
                t0 = now - sent_s
            try:
                r = await loop.run_in_executor(executor, session.render, frames, encoder.encode)
            except (StreamError, ApiError):
                break               # stopped while rendering
            if session.generation != generation:
                break
            session.playhead.record(t0 + sent_s, length_s, r.pos0, r.pos1, frames)
            session.touch()
            sent_s += length_s
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
