"""Where the listener is: the timeline position being heard now, not the one being rendered.

A live stream runs up to `lead_s` ahead of real time, and the browser plays what it buffered.
Each chunk sent is recorded with the wall time at which a listener who plays continuously from
the first byte hears it. The heard position is read from those records. A seek is heard only
after the chunks already sent, so until then the seek target is reported (and used by a new
connection) instead.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Chunk:
    due: float          # monotonic time at which it starts to be heard
    length_s: float
    pos0: int           # timeline frame at its first frame
    pos1: int           # timeline frame after its last frame
    frames: int
    seq: int


class Playhead:
    def __init__(self, position_frames: int = 0):
        self._lock = threading.Lock()
        self._chunks: deque[Chunk] = deque()
        self._base = position_frames        # when nothing is (or was) streamed
        self._seq = 0
        self._override: tuple[int, int] | None = None   # (position, first seq that shows it)

    def record(self, due: float, length_s: float, pos0: int, pos1: int, frames: int) -> None:
        with self._lock:
            self._seq += 1
            self._chunks.append(Chunk(due, length_s, pos0, pos1, frames, self._seq))
            if len(self._chunks) > 256:
                self._chunks.popleft()

    def jumped(self, position_frames: int) -> None:
        """A seek: report the target until the first chunk rendered after it is heard."""
        with self._lock:
            self._override = (position_frames, self._seq + 1)

    def restart(self, position_frames: int) -> None:
        """A new connection starts at `position_frames`: forget what the old one sent."""
        with self._lock:
            self._chunks.clear()
            self._override = None
            self._base = position_frames

    def stop(self, now: float) -> int:
        """The connection ended: freeze at what was heard by `now`."""
        pos = self.position(now)
        with self._lock:
            self._chunks.clear()
            self._base = pos
        return pos

    def position(self, now: float) -> int:
        with self._lock:
            while len(self._chunks) > 1 and self._chunks[1].due <= now:
                self._chunks.popleft()
            current = self._chunks[0] if self._chunks and self._chunks[0].due <= now else None
            if self._override is not None:
                pos, seq = self._override
                if current is None or current.seq < seq:
                    return pos
                self._override = None
            if current is None:
                return self._chunks[0].pos0 if self._chunks else self._base
            frac = min(1.0, max(0.0, (now - current.due) / current.length_s))
            advanced = current.pos1 - current.pos0
            if 0 <= advanced <= 2 * current.frames:
                return round(current.pos0 + frac * advanced)
            # a jump inside the chunk (a seek or an update took effect there)
            return max(0, round(current.pos1 - (1.0 - frac) * current.frames))
