"""The drop-in legacy module: `load_track_from_json` and `generate_audio` keep the legacy
renderer's contract (a dict or None; True or False, with the reasons on stderr)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import soundfile as sf

import entrainer
import entrainer_legacy
from entrainer import legacy

from conftest import step, track, voice

SR = 8000


def legacy_layout() -> dict:
    """A track in the legacy layout (global_settings/steps), as the old editor wrote it."""
    return {"global_settings": {"sample_rate": SR, "crossfade_duration": 0.1, "output_filename": "from_track.wav"},
            "steps": [{"duration": 0.5, "description": "one", "voices": [
                          {"synth_function_name": "binaural_beat", "is_transition": False,
                           "params": {"ampL": 0.4, "ampR": 0.4, "baseFreq": 300, "beatFreq": 5}}]},
                      {"duration": 0.4, "description": "two", "voices": [
                          {"synth_function_name": "isochronic_tone", "params": {"baseFreq": 400, "beatFreq": 8}}]}]}


@pytest.fixture()
def track_file(tmp_path):
    path = tmp_path / "session.json"
    path.write_text(json.dumps(legacy_layout()))
    return path


def test_both_import_paths_are_the_same_functions():
    assert entrainer_legacy.load_track_from_json is legacy.load_track_from_json
    assert entrainer_legacy.generate_audio is legacy.generate_audio


def test_load_returns_the_track_dict_as_written(track_file):
    data = entrainer_legacy.load_track_from_json(track_file)
    assert isinstance(data, dict) and data == legacy_layout()
    assert json.loads(json.dumps(data)) == data                 # still a plain JSON dict


def test_generate_writes_the_file_at_the_target_level(track_file, tmp_path, capsys):
    data = entrainer_legacy.load_track_from_json(track_file)
    out = tmp_path / "out.wav"
    assert entrainer_legacy.generate_audio(data, str(out), target_level=0.5) is True
    audio, sr = sf.read(out, dtype="float64")
    assert (sr, audio.shape) == (SR, (frames(0.8), 2))          # 0.5 + 0.4 − 0.1 s
    assert abs(np.abs(audio).max() - 0.5) <= 1 / 32767          # 16-bit WAV, peak at the target
    # the same samples as the library's own render
    expected = entrainer.render(entrainer.load_track(track_file), target_level=0.5)
    assert np.abs(audio - expected).max() <= 1 / 32767
    assert f"Audio written to {out}" in capsys.readouterr().out


def frames(seconds: float) -> int:
    return int(np.floor(seconds * SR + 0.5))


def test_default_level_and_file_name_come_from_the_legacy_defaults(track_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = entrainer_legacy.load_track_from_json(track_file)
    assert entrainer_legacy.generate_audio(data) is True
    audio, _ = sf.read(tmp_path / "from_track.wav")
    assert abs(np.abs(audio).max() - 0.25) <= 1 / 32767
    assert entrainer_legacy.generate_audio(data, "flat.flac", target_level=None) is True
    assert sf.info(tmp_path / "flat.flac").format == "FLAC"


def test_a_dict_built_in_the_script_resolves_against_the_current_folder(tmp_path, monkeypatch):
    sf.write(tmp_path / "bell.wav", np.full((400, 1), 0.5, dtype=np.float32), SR, subtype="FLOAT")
    monkeypatch.chdir(tmp_path)
    data = track(step(0.1), sample_rate=SR, overlay_clips=[{"file_path": "bell.wav", "start": 0.05}])
    assert entrainer_legacy.generate_audio(data, "clip.wav", target_level=1.0) is True
    audio, _ = sf.read(tmp_path / "clip.wav")
    assert audio.shape == (frames(0.1), 2) and abs(audio.max() - 1.0) <= 1 / 32767


def test_references_of_a_loaded_file_resolve_next_to_it(tmp_path, monkeypatch):
    (tmp_path / "tracks").mkdir()
    sf.write(tmp_path / "tracks" / "bell.wav", np.full((400, 1), 0.5, dtype=np.float32), SR)
    path = tmp_path / "tracks" / "t.json"
    path.write_text(json.dumps(track(step(0.1), sample_rate=SR, overlay_clips=[{"file_path": "bell.wav"}])))
    monkeypatch.chdir(tmp_path)                                  # not the track's folder
    data = entrainer_legacy.load_track_from_json(path)
    assert entrainer_legacy.generate_audio(data, "out.wav") is True


@pytest.mark.parametrize(("content", "first_line"), [
    (None, "1 error in"),
    ("{not json", "1 error in"),
    ('{"steps": [{"duration": 1, "voices": [{"synth_function_name": "binaural_beats"}]}]}', "1 error in"),
])
def test_load_gives_none_and_says_why(tmp_path, capsys, content, first_line):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content)
    assert entrainer_legacy.load_track_from_json(path) is None
    err = capsys.readouterr().err
    assert err.startswith(first_line)
    if content is None:
        assert err.endswith(f'(root): file "{path}" not found\n')
    if "binaural_beats" in (content or ""):
        assert 'steps[0].voices[0].synth_function_name: unknown synth function "binaural_beats"' in err


def test_generate_gives_false_and_says_why(tmp_path, capsys):
    assert entrainer_legacy.generate_audio(None, str(tmp_path / "x.wav")) is False
    assert capsys.readouterr().err == "Error: cannot generate audio, the track data is missing\n"
    bad = legacy_layout()
    bad["steps"][0]["voices"][0]["params"]["baseFreq"] = "fast"
    assert entrainer_legacy.generate_audio(bad, str(tmp_path / "x.wav")) is False
    assert capsys.readouterr().err == (
        "1 error in the track\nsteps[0].voices[0].params.baseFreq: expected a number ≥ 0, got \"fast\" "
        "(step \"one\", voice binaural_beat)\n")
    assert entrainer_legacy.generate_audio(legacy_layout(), str(tmp_path / "x.ogg")) is False
    assert capsys.readouterr().err == 'output: expected a .wav, .flac or .mp3 name, got "x.ogg"\n'
    assert entrainer_legacy.generate_audio(legacy_layout(), str(tmp_path / "missing" / "x.wav")) is False
    assert "does not exist" in capsys.readouterr().err
    assert entrainer_legacy.generate_audio(legacy_layout(), str(tmp_path / "x.wav"), target_level=2.0) is False
    assert capsys.readouterr().err == "target_level: expected a number in (0, 1], got 2\n"
    assert not any(p.name.startswith("x.") for p in tmp_path.iterdir())    # nothing half-written


def test_warnings_go_to_stderr_and_do_not_fail(tmp_path, capsys):
    t = legacy_layout()
    t["steps"].append({"duration": 0, "voices": []})
    path = tmp_path / "w.json"
    path.write_text(json.dumps(t))
    assert entrainer_legacy.load_track_from_json(path) == t
    assert capsys.readouterr().err.startswith("warning: steps[2]: skipped")


def test_scripts_can_edit_the_dict_before_rendering(track_file, tmp_path):
    data = entrainer_legacy.load_track_from_json(track_file)
    data["steps"][0]["duration"] = 0.2
    assert entrainer_legacy.generate_audio(data, str(tmp_path / "short.wav")) is True
    assert sf.info(tmp_path / "short.wav").frames == frames(0.5)   # 0.2 + 0.4 − 0.1 s
    assert os.path.exists(tmp_path / "short.wav")
