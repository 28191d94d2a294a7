"""The benchmark scripts run (tiny mode) and check their answers, so they cannot rot.
Timings are printed for people to read; no test judges them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.parametrize("script,expect", [
    ("bench_render.py", ["Full render of demo.json", "Per voice", "ratio"]),
    ("bench_realtime.py", ["Callback time, demo.json", "p99", "streams per core"]),
])
def test_benchmark_runs_in_tiny_mode(script, expect):
    r = subprocess.run([sys.executable, str(ROOT / "bench" / script), "--tiny"], capture_output=True, text=True,
                       timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    for text in expect:
        assert text in r.stdout
    assert "DISAGREEMENT" not in r.stdout  # bench_render checks engine = reference before timing
