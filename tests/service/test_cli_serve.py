"""`entrainer serve`: options, and a clear message (no traceback) for a bad one."""

from __future__ import annotations

import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "entrainer.cli", "serve", *args], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_serve_lists_its_options():
    r = run("--help")
    assert r.returncode == 0
    for option in ("--host", "--port", "--data-dir", "--database-url", "--limit"):
        assert option in r.stdout


def test_a_bad_limit_is_explained():
    r = run("--limit", "steps=lots")
    assert r.returncode == 2
    assert r.stderr.strip() == "--limit steps: expected an integer, got 'lots'"
    assert "Traceback" not in r.stderr
