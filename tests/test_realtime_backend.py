"""The drop-in `realtime_backend` module: the legacy script interface over entrainer.Stream."""

from __future__ import annotations

import json
import time

import pytest

import realtime_backend as rb
from entrainer import EntrainerError

from conftest import step, track, voice


@pytest.fixture(autouse=True)
def null_output(monkeypatch):
    monkeypatch.setenv("ENTRAINER_OUTPUT", "null")
    yield
    rb.stop_stream()


def demo(beat: float = 6.0) -> dict:
    return track(step(5.0, voice(ampL=0.5, ampR=0.5, baseFreq=300.0, beatFreq=beat)), sample_rate=44100)


def test_start_status_controls_and_stop():
    rb.start_stream(demo(), 44100)
    time.sleep(0.3)
    s = rb.stream_status()
    assert s["state"] == "playing" and 0.1 < s["position"] < 0.6 and s["step"] == 0 and s["duration"] == 5.0
    rb.pause_stream()
    time.sleep(0.1)
    assert rb.stream_status()["state"] == "paused"
    rb.resume_stream()
    rb.seek_stream(3.0)
    rb.set_master_gain(0.5)
    time.sleep(0.2)
    s = rb.stream_status()
    assert s["position"] >= 3.0 and s["gain"] == pytest.approx(0.5)
    rb.update_stream(json.dumps(demo(beat=8.0)))
    rb.stop_stream()
    assert rb.stream_status() == {"state": "stopped"}


def test_a_second_stream_replaces_the_first():
    rb.start_stream(demo(), 44100)
    first = rb._stream
    rb.start_stream(json.dumps(demo(beat=4.0)), 48000)
    assert rb._stream is not first and not first.running
    assert rb._stream.sample_rate == 48000


@pytest.mark.parametrize("call,message", [
    (lambda: rb.pause_stream(), "no stream is running; call start_stream() first"),
    (lambda: rb.start_stream(42, 44100), "track_json: expected a dict or a JSON string, got int"),
    (lambda: rb.start_stream('{"progression": [', 44100), "invalid JSON at line 1"),
    (lambda: rb.start_stream(demo(), 1000), "sample_rate: expected an integer from 8000 to 192000, got 1000"),
])
def test_errors_are_exceptions_with_clear_messages(call, message):
    with pytest.raises(EntrainerError) as e:
        call()
    assert message in str(e.value)
