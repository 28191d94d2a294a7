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


def test_tokens_are_redacted_from_access_logs():
    import logging

    from entrainer.service.server import RedactTokens

    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', (
        "127.0.0.1:5", "GET", "/api/sessions/abc/audio?format=mp3&token=s3cr3t-_x&at=2", "1.1", 200), None)
    RedactTokens().filter(record)
    assert record.getMessage() == '127.0.0.1:5 - "GET /api/sessions/abc/audio?format=mp3&token=…&at=2 HTTP/1.1" 200'
