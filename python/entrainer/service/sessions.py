"""Listening sessions: one `entrainer.Stream(output="manual")` per listener, guarded by a token.

The stream is pulled only while an audio connection is open (`audio.py`). Controls that arrive
while nobody listens are kept as the wanted state (paused, gain, position, pending update) and
applied when the next connection starts, so the engine's command queue never fills up with
nobody to read it. A session belongs to the client (address) that created it; every request
about it needs its token, compared in constant time.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from .._engine import frames as to_frames
from ..errors import num, show
from ..stream import Stream
from .config import Settings
from .playhead import Playhead
from .problems import E_AUTH, E_FORBIDDEN, E_LIMIT, E_REQUEST, E_STATE, ApiError, not_found
from .timeline import beats_at, step_at, step_starts
from .trackload import CheckedTrack

#: Engine block: commands take effect at block boundaries, 1024 frames ≈ 21–23 ms.
BLOCK = 1024


@dataclass
class Rendered:
    data: bytes
    pos0: int
    pos1: int
    state: str


class Session:
    def __init__(self, sid: str, token: str, client: str, track_id: int, title: str,
                 checked: CheckedTrack, settings: Settings):
        self.id = sid
        self.token = token
        self.client = client
        self.settings = settings
        self.lock = threading.Lock()          # one caller inside the engine object at a time
        self.stream = Stream(checked.track, sample_rate=checked.sample_rate, block_size=BLOCK,
                             output="manual", levels="auto").start()
        self.sample_rate = checked.sample_rate
        self._use(track_id, title, checked)
        self.playhead = Playhead(0)
        self.paused = False
        self.gain = 1.0
        self.generation = 0                  # of the audio connection; a new one replaces the old
        self.listening = False
        self.stopped = False
        self.sockets = 0                     # open WebSocket connections
        self.late_chunks = 0
        self.engine_state = "playing"
        self._engine_paused = False
        self._engine_gain = 1.0
        self._pending: CheckedTrack | None = None
        self._pos = 0                         # render position after the last pull
        self.last_active = time.monotonic()
        self._tokens = 2 * settings.limits.control_per_s
        self._refill = time.monotonic()

    def _use(self, track_id: int, title: str, checked: CheckedTrack) -> None:
        self.track_id = track_id
        self.title = title
        self.plan = checked.plan
        self.starts, self.end_frames = step_starts(checked.plan, self.sample_rate)
        self.version = getattr(self, "version", 0) + 1

    # --- requests -----------------------------------------------------------------------

    def touch(self) -> None:
        self.last_active = time.monotonic()

    def allow_control(self) -> None:
        """A token bucket: bursts of 2 s worth, `control_per_s` on average (429 beyond)."""
        now = time.monotonic()
        rate = self.settings.limits.control_per_s
        self._tokens = min(2 * rate, self._tokens + (now - self._refill) * rate)
        self._refill = now
        if self._tokens < 1:
            raise ApiError.one(429, E_LIMIT, "(session)",
                               f"expected at most {rate:g} control requests per second, got more",
                               headers={"Retry-After": "1"})
        self._tokens -= 1
        self.touch()

    def _alive(self) -> None:
        if self.stopped:
            raise ApiError.one(409, E_STATE, "(session)", f"session {show(self.id)} is stopped")

    def pause(self) -> None:
        with self.lock:
            self._alive()
            self.paused = True
            if self.listening:
                self.stream.pause()
                self._engine_paused = True

    def resume(self) -> None:
        with self.lock:
            self._alive()
            self.paused = False
            if self.listening:
                self.stream.resume()
                self._engine_paused = False

    def set_gain(self, gain: float) -> None:
        with self.lock:
            self._alive()
            self.gain = gain
            if self.listening:
                self.stream.set_gain(gain)
                self._engine_gain = gain

    def check_position(self, position_s: float, where: str) -> int:
        duration = self.end_frames / self.sample_rate
        if not 0 <= position_s <= duration:
            raise ApiError.one(422, E_REQUEST, where,
                               f"expected a time from 0 to {num(duration)} s, got {num(position_s)}")
        return to_frames(position_s, self.sample_rate)

    def seek(self, position_s: float) -> None:
        target = self.check_position(position_s, "position_s")
        with self.lock:
            self._alive()
            if self.listening:
                self.stream.seek(position_s)
                self.playhead.jumped(target)
            else:
                self.playhead.restart(target)

    def update(self, track_id: int, title: str, checked: CheckedTrack) -> None:
        if checked.sample_rate != self.sample_rate:
            raise ApiError.one(422, E_REQUEST, "track",
                               f"expected a track for a {self.sample_rate} Hz stream, got one that "
                               f"streams at {checked.sample_rate} Hz; start a new session for it")
        with self.lock:
            self._alive()
            if self.listening:
                self.stream.update(checked.track)
            else:
                self._pending = checked
            self._use(track_id, title, checked)

    def stop(self) -> None:
        with self.lock:
            if self.stopped:
                return
            self.stopped = True
            self.listening = False
            self.stream.stop()

    # --- the audio connection (called from the render threads) --------------------------

    def attach(self, start_frames: int) -> int:
        """A new audio connection: apply the wanted state, start at `start_frames`."""
        with self.lock:
            self._alive()
            self.generation += 1
            if self._pending is not None:
                self.stream.update(self._pending.track)
                self._pending = None
            engine = self.stream.status()
            if start_frames != engine.position_frames:
                self.stream.seek(start_frames / self.sample_rate)
                if engine.state == "finished" and not self.paused:
                    self.stream.resume()          # a seek leaves a finished stream paused
            if self.gain != self._engine_gain:
                self.stream.set_gain(self.gain)
                self._engine_gain = self.gain
            if self.paused != self._engine_paused:
                (self.stream.pause if self.paused else self.stream.resume)()
                self._engine_paused = self.paused
            self.playhead.restart(start_frames)
            self._pos = start_frames
            self.listening = True
            self.touch()
            return self.generation

    def detach(self, generation: int, finished: bool = False) -> None:
        """The connection ended. At the end of the track the listener still plays what was
        sent, so the playhead runs on; otherwise it stops where the listener was."""
        with self.lock:
            if self.generation == generation:
                self.listening = False
                if not finished:
                    self.playhead.stop(time.monotonic())

    def render(self, frames: int, encode) -> Rendered:
        with self.lock:
            self._alive()
            block = self.stream.pull(frames)
            st = self.stream.status()
            pos0, self._pos = self._pos, st.position_frames
            self.engine_state = st.state
        data = encode(block)
        return Rendered(data, pos0, st.position_frames, st.state)

    # --- what the page shows ------------------------------------------------------------

    def status(self) -> dict:
        now = time.monotonic()
        pos = min(self.playhead.position(now), self.end_frames)
        step = step_at(self.starts, pos)
        step_time = 0.0 if step is None else (pos - self.starts[step]) / self.sample_rate
        if self.stopped:
            state = "stopped"
        elif pos >= self.end_frames:
            state = "finished"
        else:
            state = "paused" if self.paused else "playing"
        description = self.plan["steps"][step]["description"] if step is not None else ""
        return {
            "type": "status", "session": self.id, "track_id": self.track_id, "title": self.title,
            "version": self.version, "state": state, "listening": self.listening,
            "position_s": round(pos / self.sample_rate, 3), "duration_s": self.end_frames / self.sample_rate,
            "step": step, "step_count": len(self.starts), "step_description": description,
            "beats": beats_at(self.plan, self.sample_rate, step, step_time),
            "gain": self.gain, "sample_rate": self.sample_rate, "late_chunks": self.late_chunks,
        }

    def start_position(self) -> int:
        return self.playhead.position(time.monotonic())


class Sessions:
    """Every live session of this process, with the per-client and total bounds."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._by_id)

    def all(self) -> list[Session]:
        with self._lock:
            return list(self._by_id.values())

    def create(self, client: str, track_id: int, title: str, checked: CheckedTrack) -> Session:
        lim = self.settings.limits
        with self._lock:
            mine = sum(1 for s in self._by_id.values() if isinstance(s, Session) and s.client == client)
            if mine >= lim.sessions_per_client:
                raise ApiError.one(429, E_LIMIT, "(client)",
                                   f"expected at most {lim.sessions_per_client} sessions per client, "
                                   f"got {mine + 1}; stop one first")
            if len(self._by_id) >= lim.sessions_total:
                raise ApiError.one(429, E_LIMIT, "(server)",
                                   f"expected at most {lim.sessions_total} sessions on this server, "
                                   f"got {len(self._by_id) + 1}; try again later")
            sid = secrets.token_urlsafe(12)
            placeholder = object()
            self._by_id[sid] = placeholder       # holds the place while the stream starts
        try:
            session = Session(sid, secrets.token_urlsafe(32), client, track_id, title, checked, self.settings)
        except BaseException:
            with self._lock:
                self._by_id.pop(sid, None)
            raise
        with self._lock:
            self._by_id[sid] = session
        return session

    def get(self, sid: str, token: str | None) -> Session:
        session = self._by_id.get(sid)
        if not isinstance(session, Session):
            raise not_found("session", sid)
        if not token:
            raise ApiError.one(401, E_AUTH, "Authorization",
                               'expected "Bearer <token>" (or ?token= for audio and WebSocket), got nothing',
                               headers={"WWW-Authenticate": "Bearer"})
        if not secrets.compare_digest(session.token.encode(), token.encode()):
            raise ApiError.one(403, E_FORBIDDEN, "Authorization",
                               f"this token does not control session {show(sid)}")
        session.touch()
        return session

    def open_stream(self, session: Session, saturated: bool = False) -> None:
        """Bounds concurrent audio streams; a reconnection replaces its own, so it always fits.
        While the render threads are saturated, new streams are refused so that the ones
        playing stay in real time."""
        lim = self.settings.limits
        with self._lock:
            if session.listening:
                return
            if saturated:
                raise ApiError.one(429, E_LIMIT, "(server)",
                                   "expected a render queue that keeps up with real time, got one that "
                                   "does not: this server is at capacity; try again later",
                                   headers={"Retry-After": "10"})
            live = sum(1 for s in self._by_id.values() if isinstance(s, Session) and s.listening)
            if live >= lim.streams_total:
                raise ApiError.one(429, E_LIMIT, "(server)",
                                   f"expected at most {lim.streams_total} concurrent audio streams, "
                                   f"got {live + 1}; try again later", headers={"Retry-After": "5"})
            session.listening = True          # reserved until the connection attaches

    def remove(self, session: Session) -> None:
        session.stop()
        with self._lock:
            if self._by_id.get(session.id) is session:
                del self._by_id[session.id]

    def idle(self, now: float) -> list[Session]:
        limit = self.settings.session_idle_s
        return [s for s in self.all() if isinstance(s, Session) and not s.listening
                and now - s.last_active > limit]

    def stop_all(self) -> None:
        for s in self.all():
            if isinstance(s, Session):
                self.remove(s)
