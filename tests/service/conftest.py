"""A real service on loopback for the API tests: a uvicorn subprocess on a free port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent

#: Small limits so that every 4xx path can be reached with small bodies.
TEST_LIMITS = {"request_bytes": 256 * 1024, "steps": 50, "voices_total": 300, "params_keys": 50,
               "envelope_points": 100, "data_url_bytes": 10_000, "data_url_total_bytes": 25_000,
               "sessions_per_client": 6, "streams_total": 8}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, **settings):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = {"data_dir": str(data_dir), "measure_levels": False, "lead_s": 1.0, **settings}
        cfg["limits"] = {**TEST_LIMITS, **settings.get("limits", {})}
        env = dict(os.environ, ENTRAINER_CACHE_DIR=str(data_dir / "levels-cache"))
        self.log = open(data_dir / f"server-{self.port}.log", "w")
        self.proc = subprocess.Popen([sys.executable, str(HERE / "launch.py"), str(self.port), json.dumps(cfg)],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the service did not start:\n" + (data_dir / f"server-{self.port}.log").read_text())
            time.sleep(0.1)
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def ws_url(self, path: str) -> str:
        return "ws://127.0.0.1:%d%s" % (self.port, path)

    def stop(self) -> None:
        if hasattr(self, "http"):
            self.http.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("service"))
    yield s
    s.stop()


@pytest.fixture
def start_server(tmp_path):
    """Another server with its own settings (limits, data folder) for one test."""
    started = []

    def start(data_dir: Path | None = None, **settings) -> Server:
        s = Server(data_dir or tmp_path, **settings)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


def tone_track(seconds: float = 30.0, base: float = 440.0, beat: float = 6.0, rate: int = 44100, **extra) -> dict:
    """One step of one binaural voice: left at base − beat/2, right at base + beat/2."""
    return {"global": {"sample_rate": rate, "crossfade_duration": 0.0},
            "metadata": {"title": "Test tone"},
            "progression": [{"duration": seconds, "description": "tone",
                             "voices": [{"synth_function_name": "binaural_beat", "is_transition": False,
                                         "params": {"ampL": 0.5, "ampR": 0.5, "baseFreq": base, "beatFreq": beat}}]}],
            **extra}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tone(server):
    """A stored tone track: (id, edit token)."""
    r = server.http.post("/api/tracks", json=tone_track())
    assert r.status_code == 201, r.text
    return r.json()["id"], r.json()["token"]


@pytest.fixture
def session(server, tone):
    """A session of the tone track, stopped afterwards: the JSON of POST /api/sessions."""
    r = server.http.post("/api/sessions", json={"track_id": tone[0]})
    assert r.status_code == 201, r.text
    s = r.json()
    yield s
    server.http.post(f"/api/sessions/{s['id']}/stop", headers=bearer(s["token"]))
