"""`subliminal_encode` in a track (voices.md §3.14, format.md §4.4.5): its audio files resolved
like every reference, load errors that name the step, the voice and the key, the files mixed
to mono and resampled, and the voice inside the renderer (blocks, seeks, levels)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

import entrainer
from entrainer.errors import TrackError
from entrainer.loader import load_track
from entrainer.plan import build_plan
from measure import spectrum_peak

SR = 48000
RAW = dict(target_level=None, step_ceiling=None)


def frames(seconds: float, sr: int = SR) -> int:
    return int(np.floor(seconds * sr + 0.5))


def tone(f_hz: float, seconds: float, sr: int = SR, amp: float = 0.5) -> np.ndarray:
    return (amp * np.sin(2 * np.pi * f_hz * np.arange(frames(seconds, sr)) / sr)).astype(np.float32)


def sub_track(folder, d: float = 3.0, sample_rate: int = SR, name: str = "t.json", **params) -> str:
    t = {"global": {"sample_rate": sample_rate, "crossfade_duration": 0},
         "progression": [{"duration": d, "description": "Whisper", "voices": [
             {"synth_function_name": "subliminal_encode", "params": params}]}]}
    path = folder / name
    path.write_text(json.dumps(t))
    return path


@pytest.fixture()
def folder(tmp_path):
    sf.write(tmp_path / "a.wav", tone(440.0, 1.0), SR, subtype="FLOAT")
    sf.write(tmp_path / "b.flac", tone(300.0, 1.5, amp=0.3), SR)
    (tmp_path / "text.wav").write_text("not audio")
    (tmp_path.parent / "outside.wav").write_bytes((tmp_path / "a.wav").read_bytes())
    return tmp_path


LOC = "progression[0].voices[0].params"
WHO = '(step "Whisper", voice subliminal_encode)'
ERRORS = [
    ({"audio_path": "missing.wav"}, f'{LOC}.audio_path: file "missing.wav" not found next to the track {WHO}'),
    ({"audio_paths": ["a.wav", "gone.wav"]},
     f'{LOC}.audio_paths[1]: file "gone.wav" not found next to the track {WHO}'),
    ({"audio_paths": "a.wav; ;gone.wav"}, f'{LOC}.audio_paths: file "gone.wav" not found next to the track {WHO}'),
    ({"audio_path": "../outside.wav"}, f'{LOC}.audio_path: "../outside.wav" resolves outside the allowed folders {WHO}'),
    ({"audio_path": "data:audio/wav;base64,UklGRg=="},
     f'{LOC}.audio_path: expected a file path, got "data:audio/wav;base64,UklGRg==" (data: URLs are not '
     f'allowed here) {WHO}'),
    ({"audio_path": 3}, f"{LOC}.audio_path: expected a file path, got 3 {WHO}"),
    ({"audio_paths": ["a.wav", 2]},
     f'{LOC}.audio_paths: expected an array of file paths, or one string of paths separated by ";", '
     f'got ["a.wav", 2] {WHO}'),
    ({"audio_path": "a.wav", "carrierFreq": 14000},
     f"{LOC}.carrierFreq: expected a number from 15000 to 20000, got 14000 {WHO}"),
    ({"audio_path": "a.wav", "amp": 1.5}, f"{LOC}.amp: expected a number from 0 to 1, got 1.5 {WHO}"),
    ({"audio_path": "a.wav", "mode": "loop"}, f'{LOC}.mode: expected one of "sequence", "stack", got "loop" {WHO}'),
    ({"audio_path": "a.wav", "flangeEnable": True}, f"{LOC}.flangeEnable: the flanger is not supported yet {WHO}"),
]


@pytest.mark.parametrize(("params", "line"), ERRORS, ids=[e[1].split(": ", 1)[1][:40] for e in ERRORS])
def test_load_errors_name_the_step_the_voice_and_the_key(folder, params, line):
    path = sub_track(folder, **params)
    with pytest.raises(TrackError) as info:
        load_track(path)
    assert str(info.value) == f"1 error in {path}\n{line}"


def test_a_file_that_is_not_audio(folder):
    with pytest.raises(TrackError) as info:
        load_track(sub_track(folder, audio_path="text.wav"))
    line = str(info.value).splitlines()[1]
    assert line.startswith(f'{LOC}.audio_path: expected WAV, FLAC, OGG or MP3 audio, got "text.wav", which '
                           "cannot be decoded (")
    assert line.endswith(f") {WHO}")


def test_the_carrier_must_stay_below_nyquist(folder):
    with pytest.raises(TrackError) as info:
        load_track(sub_track(folder, sample_rate=32000, audio_path="a.wav", carrierFreq=16000))
    assert str(info.value).splitlines()[1] == (
        f"{LOC}.carrierFreq: expected carrierFreq below 16000 Hz (half the sample rate of 32000 Hz), "
        f"got 16000 = 16000 Hz {WHO}")
    # and at the render rate
    ok = load_track(sub_track(folder, audio_path="a.wav", carrierFreq=17500))
    with pytest.raises(TrackError):
        build_plan(ok, 32000)


def test_audio_paths_take_precedence_and_files_are_shared(folder):
    t = load_track(sub_track(folder, audio_path="b.flac", audio_paths="a.wav;b.flac; a.wav"))
    assert [a.path.name for a in t.steps[0].voices[0].audio] == ["a.wav", "b.flac", "a.wav"]
    plan = build_plan(t)
    assert plan["steps"][0]["voices"][0]["params"] == {
        "mode": "sequence", "carrier_freq_hz": 17500.0, "amp": 0.5, "audio_buffers": [0, 1, 0]}
    # an empty list falls back to audio_path; no path at all is a silent voice
    t = load_track(sub_track(folder, audio_path="b.flac", audio_paths=[]))
    assert [a.path.name for a in t.steps[0].voices[0].audio] == ["b.flac"]
    silent = sub_track(folder, name="s.json")
    assert build_plan(load_track(silent))["steps"][0]["voices"][0]["params"]["audio_buffers"] == []
    assert not entrainer.render(silent, **RAW).any()


def test_a_transition_request_plays_the_base_voice(folder):
    t = json.loads(sub_track(folder, audio_path="a.wav").read_text())
    t["progression"][0]["voices"][0]["is_transition"] = True
    loaded = load_track(t, base_dir=folder)
    assert [w.code for w in loaded.warnings] == ["W_NO_TRANSITION_VARIANT"]
    assert not loaded.steps[0].voices[0].transition
    assert np.array_equal(entrainer.render(loaded, **RAW), entrainer.render(sub_track(folder, audio_path="a.wav"), **RAW))


def test_files_are_mixed_to_mono_and_resampled(folder):
    x = tone(440.0, 1.0, sr=44100)
    sf.write(folder / "stereo.wav", np.stack([x, np.zeros_like(x)], axis=1), 44100, subtype="FLOAT")
    sf.write(folder / "mono.wav", x / 2, 44100, subtype="FLOAT")
    stereo = entrainer.render(sub_track(folder, audio_path="stereo.wav"), **RAW)
    mono = entrainer.render(sub_track(folder, audio_path="mono.wav", name="m.json"), **RAW)
    assert np.array_equal(stereo, mono)                     # the mean of the channels, normalised
    lower, _ = spectrum_peak(stereo[: frames(1.0), 0], SR, 16500, 17500)
    upper, _ = spectrum_peak(stereo[: frames(1.0), 0], SR, 17500, 18500)
    assert abs(lower - 17060) <= 1 and abs(upper - 17940) <= 1
    # one second of audio at 44.1 kHz is one second at 48 kHz: the gap starts at 1.000 s
    assert np.abs(stereo[frames(1.0) + 1:frames(2.0) - 1]).max() < 1e-6


def test_in_the_renderer_blocks_and_seeks_are_exact(folder):
    path = sub_track(folder, d=2.5, audio_paths=["a.wav", "b.flac"], mode="stack", amp=0.4)
    whole = entrainer.render(path, **RAW)
    assert abs(np.abs(whole).max() - 0.4) < 1e-4
    for block in (1, 64, 65, 256, 4096):
        parts = np.concatenate(list(entrainer.iter_blocks(path, block_frames=block, **RAW)))
        assert np.array_equal(parts, whole), f"block {block}"
    for start in (0.1, 1.2345, 2.0):
        a = frames(start)
        assert np.array_equal(entrainer.render(path, start=start, **RAW), whole[a:])


def test_the_provisional_level_plan_uses_amp_as_the_bound(folder):
    r = entrainer.prepare(sub_track(folder, audio_path="a.wav", amp=0.4), levels="provisional", target_level=0.2)
    assert r.levels.final_gain == pytest.approx(0.2 / 0.4)
