"""Background level measurement (levels.py): a stored track's level plan lands in the cache
under the key entrainer.Stream looks up, so its sessions play at the export loudness."""

from __future__ import annotations

import time

from entrainer import levelcache, load_track
from entrainer.plan import build_plan
from entrainer.service.levels import LevelMeasurer
from entrainer.stream import Stream

from .conftest import tone_track


def test_measured_plans_are_found_by_streams(tmp_path, monkeypatch):
    monkeypatch.setenv("ENTRAINER_CACHE_DIR", str(tmp_path))
    track = load_track(tone_track(3.0))
    plan = build_plan(track, sample_rate=44100)
    m = LevelMeasurer()
    m.start()
    try:
        m.submit(plan, 44100)
        deadline = time.monotonic() + 20
        while m.pending and time.monotonic() < deadline:
            time.sleep(0.05)
        assert m.pending == 0
    finally:
        m.stop()
    s = Stream(track, output="manual", levels="auto")
    _, found, _ = s._plan_and_levels(track)
    assert found is not None and found == levelcache.load(levelcache.key(plan, 44100, 0, 1.0, 0.25))
