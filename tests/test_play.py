"""`entrainer play`: plays through the real-time stream and shows a status line."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def run(*args, env_output="null"):
    import os

    env = dict(os.environ, ENTRAINER_OUTPUT=env_output, COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "entrainer.cli", "play", *args], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)


def test_play_runs_for_the_requested_time_and_shows_status():
    r = run("examples/demo.json", "--for", "1.0", "--start", "45")
    assert r.returncode == 0, r.stderr
    assert "0:00:4" in r.stderr and "step 2/3" in r.stderr and "beat" in r.stderr
    assert "Traceback" not in r.stderr


def test_play_reports_a_bad_output_without_traceback():
    r = run("examples/demo.json", "--output", "speakers", "--for", "0.5")
    assert r.returncode == 2
    assert 'output: expected "default", "device:NAME", "null", "wav:PATH" or "manual", got "speakers"' in r.stderr
    assert "Traceback" not in r.stderr
