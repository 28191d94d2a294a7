"""Measures stored tracks' level plans in the background, one at a time.

A stream plays at the measured loudness (`render.md` §10) only when the level plan is in the
on-disk cache (`entrainer.levelcache`); otherwise it uses the quieter provisional plan. The
measurement is a full analysis render, so it runs on one low-priority thread after a track is
stored, never inside a request. The key is the one `entrainer.Stream` looks up (same plan,
rate, seed and options), so the next session of the track finds it.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading

from .. import _engine, levelcache

log = logging.getLogger("entrainer.service")

# Stream defaults (entrainer.Stream): seed 0, step ceiling 1.0, target level 0.25.
_SEED, _CEILING, _TARGET = 0, 1.0, 0.25


def _needs_outside_data(plan: dict) -> bool:
    """Tracks with clips, subliminal audio or KEMAR responses need decoded data beside the plan;
    their streams measure nothing in the background and play the provisional plan."""
    if plan.get("clips"):
        return True
    return any("audio_buffers" in v["params"] or v["params"].get("hrtf_model") == "kemar"
               for st in plan["steps"] for v in st["voices"])


class LevelMeasurer:
    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._queue: queue.Queue = queue.Queue()
        self._pending = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def pending(self) -> int:
        return self._pending

    def start(self) -> None:
        if self.enabled and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="entrainer-levels", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def submit(self, plan: dict, sample_rate: int) -> None:
        if not self.enabled or _needs_outside_data(plan):
            return
        key = levelcache.key(plan, sample_rate, _SEED, _CEILING, _TARGET)
        if levelcache.load(key) is not None:
            return
        with self._lock:
            self._pending += 1
        self._queue.put((key, plan, sample_rate))

    def _run(self) -> None:
        try:  # Linux: a thread has its own nice value; live streams come first
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 15)
        except (AttributeError, OSError):
            pass
        while True:
            item = self._queue.get()
            if item is None:
                return
            key, plan, rate = item
            try:
                if levelcache.load(key) is None:
                    r = _engine.Renderer(json.dumps(plan), rate, _SEED, _CEILING, _TARGET)
                    gains, final, _, _ = r.measure_levels()
                    levelcache.store(key, gains, final)
            except Exception:
                log.exception("measuring a level plan failed; sessions use the provisional plan")
            finally:
                with self._lock:
                    self._pending -= 1
