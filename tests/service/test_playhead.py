"""The heard position (playhead.py) and the render-load watch (audio.RenderLoad), in-process."""

from __future__ import annotations

import pytest

from entrainer.service.audio import RenderLoad
from entrainer.service.playhead import Playhead

SR = 1000        # frames per second, to keep the numbers readable


def streamed(p: Playhead, t0: float, chunks: list[tuple[int, int]], length_s: float = 0.5) -> None:
    """Records chunks (pos0, pos1) sent back to back from wall time t0."""
    for k, (a, b) in enumerate(chunks):
        p.record(t0 + k * length_s, length_s, a, b, int(length_s * SR))


@pytest.mark.parametrize("now, expected", [
    (9.0, 0),          # nothing heard yet: the first chunk's start
    (10.0, 0), (10.25, 250), (10.5, 500), (11.2, 1200), (11.5, 1500),
    (12.0, 1500),      # after the last chunk: where it ended
])
def test_position_follows_the_chunks_as_they_are_heard(now, expected):
    p = Playhead()
    streamed(p, 10.0, [(0, 500), (500, 1000), (1000, 1500)])
    assert p.position(now) == expected


def test_a_paused_chunk_holds_the_position():
    p = Playhead()
    streamed(p, 0.0, [(0, 500), (500, 520), (520, 520)])     # a 20 ms fade, then paused
    assert p.position(1.4) == 520


def test_a_seek_is_reported_until_a_chunk_after_it_is_heard():
    p = Playhead()
    streamed(p, 0.0, [(0, 500), (500, 1000)])
    p.jumped(20_000)
    assert p.position(0.3) == 20_000
    p.record(1.0, 0.5, 1000, 20_480, 500)                    # the chunk that carried the seek
    assert p.position(0.9) == 20_000
    assert p.position(1.25) == 20_230                        # a jump inside a chunk: counted from its end


def test_stop_freezes_and_restart_moves():
    p = Playhead()
    streamed(p, 0.0, [(0, 500), (500, 1000)])
    assert p.stop(0.75) == 750
    assert p.position(100.0) == 750
    p.restart(5000)
    assert p.position(0.0) == 5000


def test_render_load_is_saturated_only_when_buffers_shrink():
    load = RenderLoad(lead_s=2.0)
    assert not load.saturated
    for _ in range(200):
        load.record(1.9)
    assert not load.saturated
    for _ in range(200):
        load.record(0.3)
    assert load.saturated


def test_render_load_is_saturated_when_the_threads_are_busy():
    class Pool:
        utilisation = 0.5

    load = RenderLoad(lead_s=2.0, pool=Pool())
    assert not load.saturated
    Pool.utilisation = 0.9
    assert load.saturated
