"""Track routes on a real server: library, CRUD with edit tokens, validation with the CLI's
located lines, references kept inside the library folder."""

from __future__ import annotations

import json

import pytest

from entrainer import TrackError, load_track

from .conftest import bearer, tone_track


def cli_message(doc) -> str:
    """What `entrainer validate` prints for the same document."""
    with pytest.raises(TrackError) as e:
        load_track(doc if isinstance(doc, (str, bytes)) else json.dumps(doc))
    return str(e.value)


def test_the_library_is_seeded_with_the_bundled_examples(server):
    tracks = server.http.get("/api/tracks").json()["tracks"]
    builtin = [t for t in tracks if t["builtin"]]
    assert {t["title"] for t in builtin} >= {"Entrainer demo: alpha to theta"}
    demo = next(t for t in builtin if t["title"] == "Entrainer demo: alpha to theta")
    assert demo["duration_s"] == 132.0 and demo["steps"] == 3


def test_create_get_update_delete_with_the_edit_token(server):
    r = server.http.post("/api/tracks", json=tone_track(12.0))
    assert r.status_code == 201
    body = r.json()
    tid, token = body["id"], body["token"]
    assert body["title"] == "Test tone" and body["duration_s"] == 12.0 and len(token) >= 40

    got = server.http.get(f"/api/tracks/{tid}").json()
    assert got["id"] == tid and got["steps"][0]["functions"] == {"binaural_beat": 1}
    assert json.loads(server.http.get(f"/api/tracks/{tid}/json").text) == tone_track(12.0)

    changed = tone_track(20.0)
    changed["metadata"]["title"] = "Longer tone"
    r = server.http.put(f"/api/tracks/{tid}", json=changed, headers=bearer(token))
    assert r.status_code == 200 and r.json()["duration_s"] == 20.0
    assert server.http.get(f"/api/tracks/{tid}").json()["title"] == "Longer tone"

    assert server.http.delete(f"/api/tracks/{tid}", headers=bearer(token)).status_code == 204
    r = server.http.get(f"/api/tracks/{tid}")
    assert r.status_code == 404
    assert r.json()["message"] == f"track: no track with id {tid}"


@pytest.mark.parametrize("headers, status, message", [
    ({}, 401, 'Authorization: expected "Bearer <token>", got nothing'),
    ({"Authorization": "Basic abc"}, 401, 'Authorization: expected "Bearer <token>", got a "Basic" header'),
    ({"Authorization": "Bearer"}, 401, 'Authorization: expected "Bearer <token>", got "Bearer" with no token'),
    ({"Authorization": "Bearer not-the-token"}, 403, "Authorization: this token does not allow changing track {id}"),
])
def test_changing_a_track_needs_its_token(server, tone, headers, status, message):
    tid, _ = tone
    for r in (server.http.put(f"/api/tracks/{tid}", json=tone_track(), headers=headers),
              server.http.delete(f"/api/tracks/{tid}", headers=headers)):
        assert r.status_code == status
        assert r.json()["message"] == message.format(id=tid)
    assert server.http.get(f"/api/tracks/{tid}").status_code == 200


def test_bundled_examples_are_read_only(server):
    demo = server.http.get("/api/tracks").json()["tracks"][0]
    r = server.http.delete(f"/api/tracks/{demo['id']}", headers=bearer("anything"))
    assert r.status_code == 403
    assert r.json()["errors"] == [{
        "code": "E_FORBIDDEN", "location": "track",
        "text": f"track {demo['id']} is a bundled example and cannot be changed; send a copy with POST /api/tracks instead"}]


def test_upload_as_a_file(server):
    files = {"file": ("My Evening.json", json.dumps(tone_track(5.0, beat=4.0)).encode(), "application/json")}
    r = server.http.post("/api/tracks/upload", files=files)
    assert r.status_code == 201, r.text
    assert r.json()["duration_s"] == 5.0
    r = server.http.post("/api/tracks/upload", files={"other": ("x.json", b"{}", "application/json")})
    assert r.status_code == 422
    assert r.json()["message"] == "file: expected a value, got nothing"


BROKEN = [
    # (document, status, codes)
    ({"progression": [{"duration": "10", "voices": []}]}, 422, ["E_TYPE"]),
    ({"progression": [{"duration": 10, "voices": [{"synth_function_name": "binaural_beats", "params": {}}]}]},
     422, ["E_UNKNOWN_FUNCTION"]),
    ({"steps": [{"binaural_preset_id": "voice:x", "duration": 10}]}, 422, ["E_NOT_A_TRACK"]),
    ([1, 2], 422, ["E_NOT_A_TRACK"]),
    ('{"progression": [}', 400, ["E_JSON"]),
    ('{"progression": [], "progression": []}', 422, ["E_DUPLICATE_KEY"]),
    ('{"global": {"sample_rate": NaN}, "progression": []}', 400, ["E_JSON"]),
]


@pytest.mark.parametrize("doc, status, codes", BROKEN)
def test_validation_answers_the_cli_lines_and_a_json_list(server, doc, status, codes):
    text = doc if isinstance(doc, str) else json.dumps(doc)
    for path in ("/api/tracks/validate", "/api/tracks"):
        r = server.http.post(path, content=text.encode(), headers={"Content-Type": "application/json"})
        assert r.status_code == status
        body = r.json()
        assert body["message"] == cli_message(text)
        assert [e["code"] for e in body["errors"]] == codes
        assert body["message"].splitlines()[1:] == [f"{e['location']}: {e['text']}" for e in body["errors"]]
        assert "Traceback" not in r.text


def test_non_utf8_is_400_with_the_byte_offset(server):
    r = server.http.post("/api/tracks/validate", content=b'{"progression": [], "x": "\xff"}')
    assert r.status_code == 400
    assert r.json()["errors"] == [{"code": "E_ENCODING", "location": "(root)",
                                   "text": "expected UTF-8 text, got an invalid byte at offset 26"}]


def test_validate_a_good_track_gives_its_summary_and_warnings(server):
    doc = tone_track(10.0)
    doc["progression"].append({"duration": 0, "voices": []})
    r = server.http.post("/api/tracks/validate", json=doc)
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is True and body["duration_s"] == 10.0
    assert body["warnings"] == [{"code": "W_STEP_SKIPPED", "location": "progression[1]",
                                 "text": "skipped: its duration is 0, so it plays nothing"}]


def test_the_engine_check_runs_at_validation(server):
    """A track the loader accepts but the live engine cannot play is refused with its location."""
    doc = tone_track(10.0, base=23000.0)        # above Nyquist at the 44.1 kHz stream rate
    r = server.http.post("/api/tracks/validate", json=doc)
    assert r.status_code == 422
    assert r.json()["errors"][0]["location"].startswith("progression[0].voices[0]")


@pytest.mark.parametrize("ref, code, text", [
    ("../../etc/passwd", "E_REF_OUTSIDE", '"../../etc/passwd" resolves outside the allowed folders'),
    ("/etc/passwd", "E_REF_NOT_FOUND", 'file "passwd" not found next to the track'),
    ("file:///etc/passwd", "E_REF_SCHEME", 'expected a file path, got "file:///etc/passwd"'),
    ("missing.noise", "E_REF_NOT_FOUND", 'file "missing.noise" not found next to the track'),
])
def test_references_cannot_leave_the_library_folder(server, ref, code, text):
    doc = tone_track(10.0, background_noise={"file_path": ref, "amp": 0.5})
    r = server.http.post("/api/tracks/validate", json=doc)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"code": code, "location": "background_noise.file_path", "text": text}]


def test_a_reference_into_the_library_works_and_absolute_paths_are_relocated(server):
    doc = tone_track(10.0, background_noise={"file_path": "C:\\Users\\someone\\soft-pink.noise", "amp": 0.5})
    r = server.http.post("/api/tracks/validate", json=doc)
    assert r.status_code == 200, r.text
    assert r.json()["background_noise"] == "pink"
    assert [w["code"] for w in r.json()["warnings"]] == ["W_REF_RELOCATED"]


def test_timeline_gives_steps_and_beat_curves(server):
    doc = tone_track(20.0)
    doc["global"]["crossfade_duration"] = 2.0
    doc["progression"].append({"duration": 30.0, "description": "down", "voices": [{
        "synth_function_name": "binaural_beat", "is_transition": True,
        "params": {"startBeatFreq": 6.0, "endBeatFreq": 4.0, "baseFreq": 440.0, "initial_offset": 10.0,
                   "transition_duration": 10.0}}]})
    tid = server.http.post("/api/tracks", json=doc).json()["id"]
    t = server.http.get(f"/api/tracks/{tid}/timeline").json()
    assert t["duration_s"] == 48.0 and [s["start_s"] for s in t["steps"]] == [0.0, 18.0]
    points = t["steps"][1]["beats"][0]["points"]
    assert points[0] == [18.0, 6.0] and points[-1] == [48.0, 4.0]
    mid = dict((round(x, 1), y) for x, y in points)[33.0]      # halfway through the linear ramp
    assert mid == pytest.approx(5.0, abs=1e-3)


def test_unknown_paths_and_ids(server):
    assert server.http.get("/api/nothing").json()["message"] == "(request): no such path"
    r = server.http.get("/api/tracks/abc")
    assert r.status_code == 422 and r.json()["message"] == 'track_id: expected an integer, got "abc"'


def test_openapi_lists_the_routes(server):
    paths = server.http.get("/openapi.json").json()["paths"]
    for p in ("/api/health", "/api/tracks", "/api/tracks/{track_id}", "/api/tracks/validate", "/api/sessions",
              "/api/sessions/{sid}/pause", "/api/sessions/{sid}/seek", "/api/sessions/{sid}/audio"):
        assert p in paths
