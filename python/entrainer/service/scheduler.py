"""The render threads, earliest deadline first.

Every render job carries the wall time at which its audio starts to be heard: for a new
connection's first chunk that is now, for a chunk that tops up a full buffer it is up to
`lead_s` later. Taking the earliest deadline first keeps the first byte fast and lets buffers
absorb a busy moment, where a first-come queue would make a new listener wait behind every
other listener's buffer top-ups. The engine and the encoders release the GIL, so one thread
per core renders in parallel.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time

#: Busy time is summed over windows of this length to give the utilisation.
_WINDOW_S = 0.5


def _resolve(future: asyncio.Future, result, error) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class DeadlinePool:
    def __init__(self, threads: int, name: str = "entrainer-render"):
        self._heap: list = []
        self._order = itertools.count()       # equal deadlines: first come, first served
        self._cv = threading.Condition()
        self._stopping = False
        self._busy_s = 0.0
        self._window = time.monotonic()
        self._utilisation = 0.0
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
                         for i in range(threads)]
        for t in self._threads:
            t.start()

    def run(self, deadline: float, fn, *args) -> asyncio.Future:
        """Runs `fn(*args)` on a render thread; await the answer. `deadline` is a monotonic time."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._cv:
            if self._stopping:
                raise RuntimeError("the render threads are shutting down")
            heapq.heappush(self._heap, (deadline, next(self._order), fn, args, loop, future))
            self._cv.notify()
        return future

    @property
    def queued(self) -> int:
        return len(self._heap)

    @property
    def utilisation(self) -> float:
        """The share of the threads' time spent in jobs over the last window or two (0 to 1).
        Jobs slowed down by other processes count as busy too: both mean no spare CPU."""
        with self._cv:
            if time.monotonic() - self._window > 4 * _WINDOW_S:
                return 0.0               # no job finished lately: idle
            return self._utilisation

    def _account(self, started: float, ended: float) -> None:
        with self._cv:
            self._busy_s += ended - started
            span = ended - self._window
            if span >= _WINDOW_S:
                now_share = min(1.0, self._busy_s / (span * len(self._threads)))
                self._utilisation = 0.5 * self._utilisation + 0.5 * now_share
                self._busy_s = 0.0
                self._window = ended

    def _work(self) -> None:
        while True:
            with self._cv:
                while not self._heap and not self._stopping:
                    self._cv.wait()
                if not self._heap:
                    return
                _, _, fn, args, loop, future = heapq.heappop(self._heap)
            if future.cancelled():
                continue
            result = error = None
            started = time.monotonic()
            try:
                result = fn(*args)
            except BaseException as e:      # handed to the awaiting coroutine
                error = e
            self._account(started, time.monotonic())
            try:
                loop.call_soon_threadsafe(_resolve, future, result, error)
            except RuntimeError:
                pass                        # the event loop is gone (shutdown)

    def shutdown(self) -> None:
        with self._cv:
            self._stopping = True
            for *_, loop, future in self._heap:
                try:
                    loop.call_soon_threadsafe(future.cancel)
                except RuntimeError:
                    pass
            self._heap.clear()
            self._cv.notify_all()
        for t in self._threads:
            t.join(timeout=5)
