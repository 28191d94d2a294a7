"""Session routes on a real server: tokens, controls and their 4xx answers, quotas."""

from __future__ import annotations

import time

import httpx
import pytest

from .conftest import TEST_LIMITS, bearer, tone_track


def test_create_answers_an_id_a_token_and_links(server, session):
    assert len(session["id"]) >= 16 and len(session["token"]) >= 40
    assert session["sample_rate"] == 44100 and session["duration_s"] == 30.0
    assert session["audio"]["mp3"] == f"/api/sessions/{session['id']}/audio?format=mp3&token={session['token']}"
    status = server.http.get(f"/api/sessions/{session['id']}", headers=bearer(session["token"])).json()
    assert status["state"] == "playing" and status["listening"] is False and status["position_s"] == 0.0
    assert status["beats"] == [{"voice": 0, "function": "binaural_beat", "beat_hz": 6.0, "base_hz": 440.0}]


@pytest.mark.parametrize("action, body", [
    ("pause", None), ("resume", None), ("stop", None), ("seek", {"position_s": 1}), ("gain", {"gain": 0.5}),
    ("update", {"track_id": 1}),
])
def test_controls_need_the_sessions_own_token(server, session, tone, action, body):
    path = f"/api/sessions/{session['id']}/{action}"
    r = server.http.post(path, json=body)
    assert r.status_code == 401
    assert r.json()["message"] == 'Authorization: expected "Bearer <token>", got nothing'
    # another client's valid token does not work either
    other = server.http.post("/api/sessions", json={"track_id": tone[0]}).json()
    try:
        r = server.http.post(path, json=body, headers=bearer(other["token"]))
        assert r.status_code == 403
        assert r.json()["message"] == f'Authorization: this token does not control session "{session["id"]}"'
        r = server.http.get(f"/api/sessions/{session['id']}", headers=bearer(other["token"]))
        assert r.status_code == 403
    finally:
        server.http.post(f"/api/sessions/{other['id']}/stop", headers=bearer(other["token"]))
    r = server.http.post("/api/sessions/nosuchsession/pause", headers=bearer(session["token"]))
    assert r.status_code == 404 and r.json()["message"] == 'session: no session with id "nosuchsession"'


def test_controls_change_the_status(server, session):
    h = bearer(session["token"])
    base = f"/api/sessions/{session['id']}"
    assert server.http.post(base + "/pause", headers=h).json()["state"] == "paused"
    assert server.http.post(base + "/resume", headers=h).json()["state"] == "playing"
    assert server.http.post(base + "/seek", json={"position_s": 12.5}, headers=h).json()["position_s"] == 12.5
    assert server.http.post(base + "/gain", json={"gain": 0.25}, headers=h).json()["gain"] == 0.25


@pytest.mark.parametrize("action, body, status, message", [
    ("seek", {"position_s": 31}, 422, "position_s: expected a time from 0 to 30 s, got 31"),
    ("seek", {"position_s": -1}, 422, "position_s: expected a number ≥ 0, got -1"),
    ("seek", {"position_s": "x"}, 422, 'position_s: expected a number, got "x"'),
    ("seek", {}, 422, "position_s: expected a value, got nothing"),
    ("seek", {"position_s": 1, "extra": 2}, 422, "extra: unknown key"),
    ("gain", {"gain": 2}, 422, "gain: expected a number ≤ 1, got 2"),
    ("update", {}, 422, '(body): expected exactly one of "track_id" and "track", got neither'),
    ("update", {"track_id": 999999}, 404, "track: no track with id 999999"),
    ("update", {"track": {"progression": [{"duration": "x", "voices": []}]}}, 422,
     '1 error in the track\nprogression[0].duration: expected a number ≥ 0, got "x"'),
])
def test_bad_control_bodies_are_located(server, session, action, body, status, message):
    r = server.http.post(f"/api/sessions/{session['id']}/{action}", json=body, headers=bearer(session["token"]))
    assert r.status_code == status
    assert r.json()["message"] == message


def test_malformed_json_body_is_400(server, session):
    r = server.http.post(f"/api/sessions/{session['id']}/seek", content=b'{"position_s": }',
                         headers={**bearer(session["token"]), "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "E_JSON"


def test_update_with_a_stored_or_inline_track(server, session, tone):
    h = bearer(session["token"])
    base = f"/api/sessions/{session['id']}"
    longer = server.http.post("/api/tracks", json=tone_track(60.0, beat=8.0)).json()["id"]
    s = server.http.post(base + "/update", json={"track_id": longer}, headers=h).json()
    assert s["track_id"] == longer and s["duration_s"] == 60.0 and s["version"] == 2
    s = server.http.post(base + "/update", json={"track": tone_track(45.0, beat=3.0)}, headers=h).json()
    assert s["duration_s"] == 45.0 and s["beats"][0]["beat_hz"] == 3.0
    r = server.http.post(base + "/update", json={"track": tone_track(45.0, rate=48000)}, headers=h)
    assert r.status_code == 422
    assert r.json()["message"] == ("track: expected a track for a 44100 Hz stream, got one that streams at "
                                   "48000 Hz; start a new session for it")


def test_stop_ends_the_session(server, session):
    h = bearer(session["token"])
    assert server.http.post(f"/api/sessions/{session['id']}/stop", headers=h).json()["state"] == "stopped"
    r = server.http.get(f"/api/sessions/{session['id']}", headers=h)
    assert r.status_code == 404


def test_create_errors(server):
    r = server.http.post("/api/sessions", json={"track_id": 424242})
    assert r.status_code == 404 and r.json()["message"] == "track: no track with id 424242"
    r = server.http.post("/api/sessions", json={"track": 1})
    assert r.status_code == 422
    assert r.json()["message"].splitlines() == ["track_id: expected a value, got nothing", "track: unknown key"]


def client_from(server, address: str) -> httpx.Client:
    """A client whose connections come from another loopback address (another "client")."""
    return httpx.Client(base_url=server.url, transport=httpx.HTTPTransport(local_address=address), timeout=10)


def test_sessions_per_client_are_bounded(server, tone):
    limit = TEST_LIMITS["sessions_per_client"]
    with client_from(server, "127.0.0.2") as c, client_from(server, "127.0.0.3") as other:
        made = [c.post("/api/sessions", json={"track_id": tone[0]}).json() for _ in range(limit)]
        try:
            r = c.post("/api/sessions", json={"track_id": tone[0]})
            assert r.status_code == 429
            assert r.json()["message"] == (f"(client): expected at most {limit} sessions per client, "
                                           f"got {limit + 1}; stop one first")
            mine = other.post("/api/sessions", json={"track_id": tone[0]}).json()     # others are not affected
            other.post(f"/api/sessions/{mine['id']}/stop", headers=bearer(mine["token"]))
            c.post(f"/api/sessions/{made[0]['id']}/stop", headers=bearer(made[0]["token"]))
            made = made[1:]
            assert c.post("/api/sessions", json={"track_id": tone[0]}).status_code == 201
        finally:
            for m in made:
                c.post(f"/api/sessions/{m['id']}/stop", headers=bearer(m["token"]))


def test_control_requests_are_rate_limited(server, session):
    """A token bucket of 2 s worth at 20 per second: a fast burst gets 40 requests through, plus
    the 20 per second that refill while it runs (a slow machine takes a while to send them)."""
    rate, burst = 20, 2 * 20
    auth = bearer(session["token"])
    t0 = time.monotonic()
    codes = []
    while 429 not in codes and len(codes) < 400:
        codes.append(server.http.post(f"/api/sessions/{session['id']}/gain", json={"gain": 0.5},
                                      headers=auth).status_code)
    elapsed = time.monotonic() - t0
    ok = codes.index(429) if 429 in codes else len(codes)
    assert codes[:ok] == [200] * ok and ok < len(codes), f"no 429 in {len(codes)} requests"
    assert burst - 5 <= ok <= burst + rate * elapsed + 1, (ok, elapsed)
    # The bucket is shared by every control request: with it empty, pause is refused too
    # (at most the token or two refilled meanwhile get through).
    replies = []
    while len(replies) < 5 and (not replies or replies[-1].status_code != 429):
        replies.append(server.http.post(f"/api/sessions/{session['id']}/pause", headers=auth))
    r = replies[-1]
    assert r.status_code == 429 and r.headers["retry-after"] == "1", [x.status_code for x in replies]
    assert r.json()["message"] == "(session): expected at most 20 control requests per second, got more"


def test_idle_sessions_are_stopped(start_server, tmp_path):
    s = start_server(tmp_path, session_idle_s=0.6)
    tid = s.http.get("/api/tracks").json()["tracks"][0]["id"]
    made = s.http.post("/api/sessions", json={"track_id": tid}).json()
    time.sleep(1.8)
    r = s.http.get(f"/api/sessions/{made['id']}", headers=bearer(made["token"]))
    assert r.status_code == 404
