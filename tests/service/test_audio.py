"""Live audio on a real server: first bytes fast, WAV equal to the offline render, MP3 and Opus
decodable with the right tones, paced to real time, following pause/seek and reconnections."""

from __future__ import annotations

import time

import numpy as np
import pytest

from .conftest import bearer, tone_track
from .streams import TONE, audio_url, decode, find_in, peak_hz, quantised_render, read, wav_samples

SR = 44100
LEAD_S = 1.0        # the test server's lead (conftest)
CHUNK_S = 0.5       # the service's default chunk


def seconds_of_wav(n_bytes: int) -> float:
    return max(0, n_bytes - 44) / (SR * 4)


def test_wav_starts_within_a_second_and_equals_the_offline_render(server, session):
    got = read(server, audio_url(session, "wav"), 1.5)
    assert got.status == 200 and got.headers["content-type"] == "audio/wav"
    assert got.first_byte_s < 1.0
    rate, pcm = wav_samples(got.data)
    assert rate == SR and len(pcm) >= SR
    expected = quantised_render(TONE, 0.0, len(pcm) / SR)
    assert np.abs(pcm.astype(np.int32) - expected[: len(pcm)]).max() <= 1
    assert got.headers["x-entrainer-start"] == "0.000"


def test_the_stream_is_paced_to_real_time(server, session):
    got = read(server, audio_url(session, "wav"), 2.0)
    elapsed = got.times[-1][0]
    audio_s = seconds_of_wav(got.times[-1][1])
    # At most the lead plus one chunk ahead of the clock, and never behind it.
    assert elapsed <= audio_s <= elapsed + LEAD_S + CHUNK_S + 0.1, (elapsed, audio_s)


@pytest.mark.parametrize("fmt, codec, rate, media", [
    ("mp3", "mp3", 44100, "audio/mpeg"),          # mp3float is FFmpeg's decoder name for it
    ("opus", "opus", 48000, "audio/ogg; codecs=opus"),
])
def test_compressed_streams_decode_to_the_two_tones(server, session, fmt, codec, rate, media):
    got = read(server, audio_url(session, fmt), 1.6)
    assert got.status == 200 and got.headers["content-type"] == media
    assert got.first_byte_s < 1.0
    if fmt == "mp3":
        assert got.data[0] == 0xFF and got.data[1] & 0xE0 == 0xE0       # an MPEG frame sync word
    else:
        assert got.data[:4] == b"OggS" and b"OpusHead" in got.data[:200]
    r, y, name = decode(got.data)
    assert r == rate and name.startswith(codec) and len(y) > rate
    seg = y[len(y) // 4: len(y) // 4 + rate // 2]
    assert peak_hz(seg[:, 0], rate) == pytest.approx(437.0, abs=3)
    assert peak_hz(seg[:, 1], rate) == pytest.approx(443.0, abs=3)


def test_pause_stops_the_bytes_and_resume_continues(server, session):
    import threading

    h = bearer(session["token"])
    base = f"/api/sessions/{session['id']}"
    marks = {}

    def control():
        time.sleep(0.6)
        server.http.post(base + "/pause", headers=h)
        marks["paused"] = time.monotonic()
        time.sleep(2.0)
        server.http.post(base + "/resume", headers=h)
        marks["resumed"] = time.monotonic()

    t = threading.Thread(target=control)
    t0 = time.monotonic()
    t.start()
    got = read(server, audio_url(session, "wav"), 3.6)
    t.join()
    paused_at = marks["paused"] - t0
    resumed_at = marks["resumed"] - t0
    at = lambda when: max((n for s, n in got.times if s <= when), default=0)   # noqa: E731
    # After the pause has been heard, nothing more arrives until the resume.
    during = at(resumed_at - 0.05) - at(paused_at + LEAD_S + CHUNK_S + 0.2)
    assert during == 0, during
    assert at(3.6) - at(resumed_at) > SR * 4 * 0.5       # flowing again
    rate, pcm = wav_samples(got.data)
    assert np.abs(pcm[-SR // 4:]).max() > 1000             # and audible


def test_seek_then_reconnect_starts_at_the_target(server, session):
    h = bearer(session["token"])
    read(server, audio_url(session, "wav"), 0.5)
    r = server.http.post(f"/api/sessions/{session['id']}/seek", json={"position_s": 20.0}, headers=h)
    assert r.json()["position_s"] == 20.0
    got = read(server, audio_url(session, "wav"), 1.2)
    assert got.headers["x-entrainer-start"] == "20.000"
    _, pcm = wav_samples(got.data)
    reference = quantised_render(TONE, 19.9, 1.5)
    hits = find_in(reference, pcm[2205:2205 + 256])      # 50 ms in: after the seek's fades
    assert hits and abs(hits[0] - (0.1 * SR + 2205)) <= 0.03 * SR, hits


def test_a_dropped_connection_resumes_where_the_listener_was(server, session):
    h = bearer(session["token"])
    read(server, audio_url(session, "wav"), 1.5)
    heard = server.http.get(f"/api/sessions/{session['id']}", headers=h).json()["position_s"]
    assert 1.2 <= heard <= 1.9, heard            # what a listener playing from the first byte heard
    again = read(server, audio_url(session, "wav"), 0.8)
    start = float(again.headers["x-entrainer-start"])
    assert abs(start - heard) < 0.3
    _, pcm = wav_samples(again.data)
    reference = quantised_render(TONE, start - 0.2, 1.0)
    hits = find_in(reference, pcm[2205:2205 + 256])
    assert hits and abs(hits[0] - (0.2 * SR + 2205)) <= 0.03 * SR
    # an explicit position wins
    assert read(server, audio_url(session, "wav", at=7.5), 0.3).headers["x-entrainer-start"] == "7.500"


def test_a_new_connection_replaces_the_old_one(server, session):
    import threading

    result = {}
    t = threading.Thread(target=lambda: result.update(old=read(server, audio_url(session, "wav"), 6.0)))
    t.start()
    time.sleep(0.8)
    new = read(server, audio_url(session, "mp3"), 1.0)
    t.join()
    assert new.status == 200 and result["old"].ended
    assert result["old"].times[-1][0] < 3.0


def test_a_finished_track_ends_the_stream(server):
    tid = server.http.post("/api/tracks", json=tone_track(1.5)).json()["id"]
    s = server.http.post("/api/sessions", json={"track_id": tid}).json()
    try:
        got = read(server, audio_url(s, "mp3"), 6.0)
        assert got.ended
        _, y, _ = decode(got.data)
        assert 1.5 <= len(y) / SR <= 1.5 + 0.5
        deadline = time.monotonic() + 3.0          # the listener still plays what was sent
        while True:
            status = server.http.get(f"/api/sessions/{s['id']}", headers=bearer(s["token"])).json()
            if status["state"] == "finished" or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert status["state"] == "finished" and status["position_s"] == 1.5
        again = read(server, audio_url(s, "wav", at=0.2), 0.8)      # play it again
        _, pcm = wav_samples(again.data)
        assert again.headers["x-entrainer-start"] == "0.200"
        assert np.abs(pcm[2205:]).max() > 5000
    finally:
        server.http.post(f"/api/sessions/{s['id']}/stop", headers=bearer(s["token"]))


@pytest.mark.parametrize("query, status, message", [
    ("format=flac&token={token}", 422, 'format: expected "mp3", "opus" or "wav", got "flac"'),
    ("format=mp3", 401, 'Authorization: expected "Bearer <token>" (or ?token= for audio and WebSocket), got nothing'),
    ("format=mp3&token=wrong", 403, 'Authorization: this token does not control session "{sid}"'),
    ("format=mp3&token={token}&at=31", 422, "at: expected a time from 0 to 30 s, got 31"),
    ("format=mp3&token={token}&at=-2", 422, "at: expected a number ≥ 0, got \"-2\""),
])
def test_audio_errors(server, session, query, status, message):
    r = server.http.get(f"/api/sessions/{session['id']}/audio?" + query.format(token=session["token"]))
    assert r.status_code == status
    assert r.json()["message"] == message.format(sid=session["id"])


def test_concurrent_streams_are_bounded(start_server, tmp_path):
    s = start_server(tmp_path, limits={"streams_total": 1})
    tid = s.http.post("/api/tracks", json=tone_track()).json()["id"]
    a, b = (s.http.post("/api/sessions", json={"track_id": tid}).json() for _ in range(2))
    import threading

    t = threading.Thread(target=read, args=(s, audio_url(a), 2.0))
    t.start()
    time.sleep(0.6)
    r = s.http.get(audio_url(b))
    assert r.status_code == 429
    assert r.json()["message"] == "(server): expected at most 1 concurrent audio streams, got 2; try again later"
    assert read(s, audio_url(a), 0.3).status == 200        # a reconnection replaces its own stream
    t.join()


def test_update_while_listening_changes_the_sound_at_the_same_position(server, session):
    import threading

    h = bearer(session["token"])

    def update():
        time.sleep(0.5)
        r = server.http.post(f"/api/sessions/{session['id']}/update",
                             json={"track": tone_track(30.0, base=440.0, beat=20.0)}, headers=h)
        assert r.status_code == 200 and r.json()["version"] == 2

    t = threading.Thread(target=update)
    t.start()
    got = read(server, audio_url(session, "wav"), 3.4)
    t.join()
    _, pcm = wav_samples(got.data)
    assert len(pcm) > 4 * SR                                  # one continuous stream: no restart
    before, after = pcm[SR // 2: SR].astype(float), pcm[-SR // 2:].astype(float)
    assert peak_hz(before[:, 0], SR) == pytest.approx(437, abs=3)
    assert peak_hz(after[:, 0], SR) == pytest.approx(430, abs=3)
    assert peak_hz(after[:, 1], SR) == pytest.approx(450, abs=3)
