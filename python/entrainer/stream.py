"""Real-time playback: `entrainer.Stream` plays a track on the sound device, in small blocks,
with pause, resume, seek, gain and live updates, all click-free.

The audio thread lives in Rust (`crates/entrainer-player`); this class prepares the plan and
the level plan, then only sends commands and reads status. Outputs: the default device, a
named one (``"device:NAME"``), ``"null"`` (discarded, paced by a clock), ``"wav:PATH"``
(captured, paced like a device) or ``"manual"`` (pulled by the caller; for tests).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from . import _engine
from .errors import EntrainerError

StreamLevels = Literal["auto", "measured", "provisional"]


class StreamError(EntrainerError):
    """A stream could not start or be controlled."""


@dataclass(frozen=True)
class StreamStatus:
    position_s: float
    position_frames: int
    step_index: int | None
    state: str
    blocks: int
    underruns: int
    #: Render time of the last block over its duration (1.0 = the whole period).
    load: float
    max_load: float
    peak: float
    gain: float
    duration_s: float


def default_output() -> str:
    return os.environ.get("ENTRAINER_OUTPUT") or "default"


class Stream:
    """A real-time stream of a track. Use as a context manager, or call :meth:`start`/:meth:`stop`.

    ``levels``: ``"auto"`` uses the measured level plan when one is cached (from an earlier
    render or ``"measured"`` stream), else the provisional plan (`render.md` §10.3);
    ``"measured"`` analyses the track first; ``"provisional"`` never analyses.
    """

    def __init__(
        self,
        track: Any,
        sample_rate: int | None = None,
        block_size: int = 256,
        output: str | None = None,
        start_at: float = 0.0,
        *,
        gain: float = 1.0,
        seed: int = 0,
        levels: StreamLevels = "auto",
        target_level: float | None = 0.25,
        step_ceiling: float | None = 1.0,
    ):
        from .offline import _load

        self.track = _load(track)
        self.sample_rate = int(sample_rate or self.track.sample_rate_hz)
        if not 8000 <= self.sample_rate <= 192000:
            raise StreamError(f"sample_rate: expected an integer from 8000 to 192000, got {self.sample_rate}")
        if not (isinstance(block_size, int) and 1 <= block_size <= 8192):
            raise StreamError(f"block_size: expected an integer from 1 to 8192, got {block_size!r}")
        if not 0.0 <= gain <= 1.0:
            raise StreamError(f"gain: expected a number from 0 to 1, got {gain}")
        if levels not in ("auto", "measured", "provisional"):
            raise StreamError(f'levels: expected "auto", "measured" or "provisional", got {levels!r}')
        self.block_size = block_size
        self.output = output or default_output()
        self.start_at = float(start_at)
        self.gain = gain
        self.seed = seed
        self.levels = levels
        self.target_level = target_level
        self.step_ceiling = step_ceiling
        self._engine: _engine.Stream | None = None
        self._plan: dict | None = None

    # --- life cycle -------------------------------------------------------------------

    def _plan_and_levels(self, track) -> tuple[dict, tuple[list[float], float] | None, dict]:
        """The plan, the level plan (None: provisional) and the decoded audio it refers to."""
        from . import levelcache
        from .audio import clip_buffers, voice_buffers
        from .plan import build_plan

        plan = build_plan(track, sample_rate=self.sample_rate)
        from . import hrtf

        audio = {"clips": clip_buffers(track, self.sample_rate) if track.clips else None,
                 "voice_audio": voice_buffers(track, self.sample_rate),
                 "hrtf": hrtf.engine_tables((v for s in plan["steps"] for v in s["voices"]), self.sample_rate)}
        if self.levels == "provisional":
            return plan, None, audio
        key = levelcache.key(plan, self.sample_rate, self.seed, self.step_ceiling, self.target_level,
                             [*(audio["clips"] or []), *(audio["voice_audio"] or [])])
        cached = levelcache.load(key)
        if cached is not None:
            return plan, cached, audio
        if self.levels == "measured":
            r = _engine.Renderer(json.dumps(plan), self.sample_rate, self.seed, self.step_ceiling, self.target_level,
                                 audio["clips"], audio["voice_audio"], audio["hrtf"])
            gains, final, _, _ = r.measure_levels()
            levelcache.store(key, gains, final)
            return plan, (gains, final), audio
        return plan, None, audio

    def start(self) -> "Stream":
        if self._engine is not None:
            raise StreamError("the stream is already running")
        plan, lv, audio = self._plan_and_levels(self.track)
        if self.start_at < 0:
            raise StreamError(f"start_at: expected a time ≥ 0 s, got {self.start_at}")
        try:
            self._engine = _engine.Stream(
                json.dumps(plan), self.sample_rate, self.output, self.block_size,
                _engine.frames(self.start_at, self.sample_rate), self.gain, self.seed,
                self.step_ceiling, self.target_level, lv, audio["clips"], audio["voice_audio"], audio["hrtf"],
            )
        except _engine.NoDeviceError as e:
            raise StreamError(str(e)) from None
        except _engine.StreamError as e:
            raise StreamError(str(e)) from None
        self._plan = plan
        return self

    def stop(self) -> None:
        if self._engine is not None:
            engine, self._engine = self._engine, None
            engine.stop()

    def __enter__(self) -> "Stream":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __del__(self):  # a forgotten stream must not keep the device
        try:
            self.stop()
        except Exception:
            pass

    # --- control ----------------------------------------------------------------------

    def _running(self) -> _engine.Stream:
        if self._engine is None:
            raise StreamError("the stream is not running; call start() first")
        return self._engine

    def pause(self) -> None:
        self._running().pause()

    def resume(self) -> None:
        self._running().resume()

    def seek(self, seconds: float) -> None:
        if not seconds >= 0:
            raise StreamError(f"seek: expected a time ≥ 0 s, got {seconds}")
        self._running().seek(_engine.frames(seconds, self.sample_rate))

    def set_gain(self, gain: float) -> None:
        if not 0.0 <= gain <= 1.0:
            raise StreamError(f"gain: expected a number from 0 to 1, got {gain}")
        self._running().set_gain(gain)

    def update(self, track: Any) -> None:
        """Replaces the track while playing: crossfaded over 50 ms at the same position, so
        voices that continue keep their phase and nothing restarts from zero."""
        from .offline import _load

        new = _load(track)
        plan, lv, audio = self._plan_and_levels(new)
        self._running().update(json.dumps(plan), lv, audio["clips"], audio["voice_audio"], audio["hrtf"])
        self.track, self._plan = new, plan

    def status(self) -> StreamStatus:
        e = self._running()
        s = e.status()
        starts = e.step_starts
        pos = s["position"]
        step = None
        for i, st in enumerate(starts):
            if st <= pos:
                step = i
        return StreamStatus(
            position_s=pos / self.sample_rate, position_frames=pos, step_index=step, state=s["state"],
            blocks=s["blocks"], underruns=s["underruns"], load=s["load"], max_load=s["max_load"],
            peak=s["peak"], gain=s["gain"], duration_s=e.total_frames / self.sample_rate,
        )

    def pull(self, frames: int) -> np.ndarray:
        """``output="manual"`` only: the next `frames` frames, float32 (frames, 2)."""
        return self._running().pull(frames)

    @property
    def running(self) -> bool:
        return self._engine is not None and self._engine.running
