"""bench/bench_service.py runs in its tiny mode (2 listeners, 2 s), so it cannot rot. Timings
are printed, never judged."""

from __future__ import annotations

import subprocess
import sys

from entrainer.service.config import REPO


def test_the_service_benchmark_runs():
    r = subprocess.run([sys.executable, str(REPO / "bench" / "bench_service.py"), "--tiny"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[1].split()[:3] == ["N", "behind", "refused"]
    assert lines[2].split()[:3] == ["2", "0", "0"]
    assert lines[-1] == "largest N with no listener behind real time: 2"
