"""The render threads run the job with the earliest deadline first (scheduler.py)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from entrainer.service.scheduler import DeadlinePool


def test_earliest_deadline_first_and_errors_reach_the_caller():
    pool = DeadlinePool(1)
    gate = threading.Event()
    order = []

    async def main():
        blocker = pool.run(0.0, gate.wait)                  # keeps the one thread busy
        await asyncio.sleep(0.05)
        jobs = [pool.run(deadline, order.append, deadline) for deadline in (5.0, 1.0, 3.0, 2.0)]
        failing = pool.run(4.0, lambda: 1 / 0)
        gate.set()
        await blocker
        await asyncio.gather(*jobs)
        with pytest.raises(ZeroDivisionError):
            await failing

    try:
        asyncio.run(main())
    finally:
        pool.shutdown()
    assert order == [1.0, 2.0, 3.0, 5.0]


def test_shutdown_refuses_new_work():
    pool = DeadlinePool(2)
    pool.shutdown()

    async def main():
        pool.run(0.0, print)

    with pytest.raises(RuntimeError, match="shutting down"):
        asyncio.run(main())
