"""Every service limit of format.md §8 on a real server: E_LIMIT lines, 413 for sizes, 422 else.

The test server runs with small limits (conftest.TEST_LIMITS) so that each case is a small body.
"""

from __future__ import annotations

import json

import pytest

from entrainer.service.config import Limits, parse_limit

from .conftest import TEST_LIMITS, tone_track


def voice(**params):
    return {"synth_function_name": "binaural_beat", "is_transition": False,
            "params": {"baseFreq": 200.0, "beatFreq": 4.0, **params}}


def steps(n: int, voices: int = 1) -> list:
    return [{"duration": 1.0, "voices": [voice() for _ in range(voices)]} for _ in range(n)]


def data_url(n: int) -> str:
    return "data:audio/wav;base64," + "A" * (n * 4 // 3)


CASES = [
    # (id, document or raw text, status, location, text)
    ("steps", {"progression": steps(51)}, 422, "progression", "expected at most 50 steps, got 51"),
    ("voices per step", {"progression": steps(1, 101)}, 422, "progression[0].voices",
     "expected at most 100 voices per step, got 101"),
    ("voices total", {"steps": steps(4, 80)}, 422, "steps", "expected at most 300 voices in the whole track, got 320"),
    ("params keys", {"progression": [{"duration": 1, "voices": [voice(**{f"k{i}": i for i in range(49)})]}]},
     422, "progression[0].voices[0].params", "expected at most 50 keys, got 51"),
    ("string length", {"progression": [{"duration": 1, "description": "x" * 4097, "voices": []}]}, 422,
     "progression[0].description", "expected a string of at most 4096 characters, got 4097"),
    ("nesting", '{"progression": [], "x": ' + "[" * 70 + "]" * 70 + "}", 422, "(root)",
     "expected JSON nested at most 64 levels deep, got 71"),
    ("timeline", {"progression": [{"duration": 21601, "voices": [voice()]}]}, 422, "progression",
     "expected a timeline of at most 21600 s (6 h), got 21601 s"),
    ("sample rate", {"global": {"sample_rate": 22050}, "progression": steps(1)}, 422, "global.sample_rate",
     "expected one of 44100, 48000, 88200, 96000 Hz, got 22050"),
    ("crossfade", {"global_settings": {"crossfade_duration": 601}, "steps": steps(2)}, 422,
     "global_settings.crossfade_duration", "expected at most 600 s per boundary, got 601"),
    ("step crossfade", {"progression": [{"duration": 1, "crossfade_duration": 900, "voices": []}]}, 422,
     "progression[0].crossfade_duration", "expected at most 600 s per boundary, got 900"),
    ("clips", {"progression": steps(1), "overlay_clips": [{"file_path": "a.wav"}] * 33}, 422, "overlay_clips",
     "expected at most 32 clips, got 33"),
    ("envelope points", {"progression": steps(1), "background_noise": {"amp_envelope": [[i, 1] for i in range(101)]}},
     422, "background_noise.amp_envelope", "expected at most 100 points, got 101"),
    ("noise sweeps", {"progression": steps(1), "background_noise": {"params": {"sweeps": [{}] * 11}}}, 422,
     "background_noise.params.sweeps", "expected at most 10 sweeps, got 11"),
    ("subliminal files", {"progression": [{"duration": 1, "voices": [
        {"synth_function_name": "subliminal_encode", "params": {"audio_paths": ";".join(["a.wav"] * 17)}}]}]},
     422, "progression[0].voices[0].params.audio_paths", "expected at most 16 files per voice, got 17"),
    ("data url payload", {"progression": steps(1), "clips": [{"file_path": data_url(12_000)}]}, 413,
     "clips[0].file_path", "expected a data: URL payload of at most 0.01 MB, got 0.012 MB"),
    ("data url total", {"progression": steps(1), "clips": [{"file_path": data_url(9_000)}] * 3}, 413,
     "(root)", "expected data: URL payloads of at most 0.025 MB in total, got 0.027 MB"),
]


@pytest.mark.parametrize("doc, status, location, text", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_limit_answers_e_limit(server, doc, status, location, text):
    raw = doc if isinstance(doc, str) else json.dumps(doc)
    r = server.http.post("/api/tracks", content=raw.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == status, r.text
    body = r.json()
    assert {"code": "E_LIMIT", "location": location, "text": text} in body["errors"]
    assert all(e["code"] == "E_LIMIT" for e in body["errors"])
    assert f"{location}: {text}" in body["message"].splitlines()


def test_a_body_over_the_limit_is_413_before_it_is_read(server):
    big = json.dumps(tone_track(description="x" * (TEST_LIMITS["request_bytes"] + 10)))
    r = server.http.post("/api/tracks", content=big.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["message"] == (f"(request): expected a body of at most {TEST_LIMITS['request_bytes']} bytes, "
                                   f"got {len(big)} bytes or more")


def test_a_chunked_body_over_the_limit_is_413(server):
    def chunks():
        for _ in range(40):
            yield b" " * 8192
    r = server.http.post("/api/tracks/validate", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["errors"][0]["code"] == "E_LIMIT"


def test_limits_at_the_bound_pass(server):
    doc = {"progression": steps(50, 6), "global": {"sample_rate": 48000, "crossfade_duration": 0.5}}
    r = server.http.post("/api/tracks/validate", json=doc)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("text, expected", [
    ("steps=10", Limits(steps=10)),
    ("timeline_s=60", Limits(timeline_s=60.0)),
])
def test_limits_can_be_configured(text, expected):
    assert parse_limit(text, Limits()) == expected


@pytest.mark.parametrize("text, message", [
    ("bogus=1", "--limit: expected NAME=VALUE with NAME one of request_bytes, json_depth,"),
    ("steps=many", "--limit steps: expected an integer, got 'many'"),
    ("steps=0", "--limit steps: expected a value > 0, got 0"),
])
def test_bad_limit_options_are_explained(text, message):
    with pytest.raises(ValueError) as e:
        parse_limit(text, Limits())
    assert str(e.value).startswith(message)
