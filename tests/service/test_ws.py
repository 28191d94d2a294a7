"""The session WebSocket on a real server: status several times a second, advancing while audio
flows; control messages answered with an ack or a located error; the handshake needs the token."""

from __future__ import annotations

import json
import threading
import time

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from .streams import audio_url, read


def ws_url(server, session, token=None) -> str:
    return server.ws_url(f"/api/sessions/{session['id']}/ws?token={token or session['token']}")


def statuses(ws, seconds: float) -> list[dict]:
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        m = json.loads(ws.recv(timeout=2))
        if m["type"] == "status":
            out.append(m)
    return out


def test_status_is_pushed_and_advances_while_audio_flows(server, session):
    listener = threading.Thread(target=read, args=(server, audio_url(session, "mp3"), 2.5))
    with connect(ws_url(server, session)) as ws:
        listener.start()
        got = statuses(ws, 2.0)
        listener.join()
    assert len(got) >= 8                                  # 5 per second
    assert got[-1]["listening"] is True and got[-1]["state"] == "playing"
    positions = [m["position_s"] for m in got]
    assert positions == sorted(positions) and positions[-1] - positions[0] >= 1.2
    assert got[-1]["step"] == 0 and got[-1]["step_description"] == "tone"
    assert got[-1]["beats"][0]["beat_hz"] == 6.0


def test_controls_over_the_socket(server, session):
    with connect(ws_url(server, session)) as ws:
        ws.send(json.dumps({"type": "seek", "position_s": 10}))
        ack = next(m for m in (json.loads(ws.recv(timeout=2)) for _ in range(20)) if m["type"] == "ack")
        assert ack["request"] == "seek" and ack["status"]["position_s"] == 10.0
        ws.send(json.dumps({"type": "gain", "gain": 0.3}))
        ws.send(json.dumps({"type": "pause"}))
        time.sleep(0.4)
        last = statuses(ws, 0.3)[-1]
        assert last["gain"] == 0.3 and last["state"] == "paused"


@pytest.mark.parametrize("message, text", [
    ({"type": "jump"}, 'type: expected "pause", "resume", "seek", "gain" or "stop", got "jump"'),
    ({"type": "seek"}, "seek.position_s: expected a number, got nothing"),
    ({"type": "seek", "position_s": 99}, "position_s: expected a time from 0 to 30 s, got 99"),
    ({"type": "gain", "gain": 3}, "gain.gain: expected a number from 0 to 1, got 3"),
    ([1], '(message): expected an object like {"type": "pause"}, got [1]'),
    ("{", None),
])
def test_bad_messages_get_a_located_error(server, session, message, text):
    with connect(ws_url(server, session)) as ws:
        ws.send(message if isinstance(message, str) else json.dumps(message))
        error = next(m for m in (json.loads(ws.recv(timeout=2)) for _ in range(20)) if m["type"] == "error")
    if text is None:
        assert error["errors"][0]["code"] == "E_JSON"
    else:
        assert error["message"] == text


def test_stop_over_the_socket_closes_it(server, session):
    with connect(ws_url(server, session)) as ws:
        ws.send(json.dumps({"type": "stop"}))
        seen = []
        try:
            for _ in range(20):
                seen.append(json.loads(ws.recv(timeout=2)))
        except Exception:
            pass
    assert any(m.get("state") == "stopped" for m in seen)


@pytest.mark.parametrize("token, status", [("wrong", 403), ("", 401)])
def test_the_handshake_needs_the_token(server, session, token, status):
    with pytest.raises(InvalidStatus) as e:
        connect(ws_url(server, session, token=token) if token else
                server.ws_url(f"/api/sessions/{session['id']}/ws"))
    assert e.value.response.status_code == status
    assert json.loads(e.value.response.body)["errors"][0]["location"] == "Authorization"
