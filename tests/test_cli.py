"""The `entrainer` command run as users run it: in a subprocess, reading its exit status,
its whole stderr message and the files it leaves behind."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from conftest import ORIGINAL, ROOT, step, track, voice

DEMO = ROOT / "examples" / "demo.json"
DEMO_TITLE = "Entrainer demo: alpha to theta"
SR = 44100
FRAMES_5S = 220_500          # frames(5 s) at 44 100 Hz


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "COLUMNS")}
    return subprocess.run([sys.executable, "-m", "entrainer.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def settle(**params) -> dict:
    """A one-step track that is valid at 44.1 kHz; `params` change its only voice."""
    p = dict(ampL=0.5, ampR=0.5, baseFreq=200.0, beatFreq=10.0) | params
    return track(step(10.0, voice(**p), description="Settle"), sample_rate=SR)


def write(folder: Path, name: str, content) -> None:
    if content is None:
        return
    text = content if isinstance(content, str) else json.dumps(content, indent=4)
    (folder / name).write_text(text, encoding="utf-8")


KNOWN = ("binaural_beat, dual_pulse_binaural, generate_swept_notch_pink_sound, hybrid_qam_monaural_beat, "
         "isochronic_tone, monaural_beat_stereo_amps, noise, noise_generator, noise_swept_notch, qam_beat, "
         "rhythmic_waveshaping, spatial_angle_modulation, spatial_angle_modulation_monaural_beat, "
         "stereo_am_independent, subliminal_encode, wave_shape_stereo_am")
VOICE = "progression[0].voices[0]"

# Errors found while loading: `validate` and `render` print the same message.
LOAD_ERRORS = [
    ("unknown voice", track(step(10.0, voice("binaural_beats"), description="Settle")),
     f'{VOICE}.synth_function_name: unknown synth function "binaural_beats" (step "Settle"); known: {KNOWN}'),
    ("wrong type", settle(baseFreq="200"),
     f'{VOICE}.params.baseFreq: expected a number ≥ 0, got "200" (step "Settle", voice binaural_beat)'),
    ("NaN token", '{"progression": [{"duration": NaN, "voices": []}]}',
     "(root): invalid JSON at line 1, column 31: NaN is not JSON (numbers must be finite)"),
    ("negative duration", track(step(-5.0, voice()), sample_rate=SR),
     "progression[0].duration: expected a number ≥ 0, got -5.0"),
    ("baseFreq at Nyquist", settle(baseFreq=22045.0),
     f"{VOICE}.params.baseFreq: expected baseFreq + beatFreq/2 + max(freqOscRangeL, freqOscRangeR)/2 below "
     "22050 Hz (half the sample rate of 44100 Hz), got 22045 + 10/2 + max(0, 0)/2 = 22050 Hz "
     '(step "Settle", voice binaural_beat)'),
    ("baseFreq above Nyquist", settle(baseFreq=30000.0),
     f"{VOICE}.params.baseFreq: expected baseFreq + beatFreq/2 + max(freqOscRangeL, freqOscRangeR)/2 below "
     "22050 Hz (half the sample rate of 44100 Hz), got 30000 + 10/2 + max(0, 0)/2 = 30005 Hz "
     '(step "Settle", voice binaural_beat)'),
    ("truncated JSON", '{\n    "progression": [\n        {"duration": 10.0, "voi',   # the string starts at column 28
     "(root): invalid JSON at line 3, column 28: the text ends too early (is it truncated?)"),
    ("empty file", "", "(root): invalid JSON at line 1, column 1: the text is empty"),
    ("zero sample rate", settle() | {"global": {"sample_rate": 0}},
     "global.sample_rate: expected an integer from 8000 to 192000, got 0"),
    ("missing file", None, '(root): file "track.json" not found'),
]


# `validate` and `render` share the loading code: `validate` is run on one row of each kind.
VALIDATE_TOO = ("unknown voice", "baseFreq at Nyquist", "NaN token", "missing file")
LOAD_RUNS = [pytest.param(command, content, line, id=f"{name}-{command}")
             for name, content, line in LOAD_ERRORS
             for command in (("render", "validate") if name in VALIDATE_TOO else ("render",))]


@pytest.mark.parametrize("command,content,line", LOAD_RUNS)
def test_bad_track_gives_one_located_message(tmp_path, command, content, line):
    write(tmp_path, "track.json", content)
    before = sorted(tmp_path.iterdir())
    args = ["render", "track.json", "-o", "out.wav"] if command == "render" else ["validate", "track.json"]
    result = run(tmp_path, *args)
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stderr, result.stdout) == (2, f"1 error in track.json\n{line}\n", "")
    assert sorted(tmp_path.iterdir()) == before          # no output, no leftover .part file


PLAN_NYQUIST_8K = (f"1 error in the render plan\n{VOICE}.params.baseFreq: expected baseFreq + beatFreq/2 + "
                   "max(freqOscRangeL, freqOscRangeR)/2 below 4000 Hz (half the sample rate of 8000 Hz), got "
                   '5000 + 10/2 + max(0, 0)/2 = 5005 Hz (step "Settle", voice binaural_beat)')

# Errors in the render request, for a track that is itself valid.
RENDER_ERRORS = [
    ("valid at 44.1 kHz, above Nyquist at 8 kHz", ["-o", "out.wav", "--sample-rate", "8000"], PLAN_NYQUIST_8K),
    ("sample rate below 8000", ["-o", "out.wav", "--sample-rate", "7000"],
     "sample_rate: expected an integer from 8000 to 192000, got 7000"),
    ("output folder does not exist", ["-o", "nowhere/out.wav"], 'output: folder "nowhere" does not exist'),
    ("unknown output extension", ["-o", "out.ogg"], 'output: expected a .wav, .flac or .mp3 name, got "out.ogg"'),
    ("unknown --format", ["-o", "out.wav", "--format", "ogg"], 'format: expected "wav", "flac" or "mp3", got "ogg"'),
    ("24 bits for MP3", ["-o", "out.mp3", "--bits", "24"], "bits: expected 16 for MP3, got 24"),
    ("MP3 at 96 kHz", ["-o", "out.mp3", "--sample-rate", "96000"],
     "sample_rate: MP3 at 320 kbit/s needs 32000, 44100 or 48000 Hz, got 96000; choose one of those, "
     "or write WAV or FLAC"),
    ("dither on float WAV", ["-o", "out.wav", "--bits", "float", "--dither"],
     "dither: float WAV is not quantised; dither applies to 16 and 24 bits"),
    ("32 bits for FLAC", ["-o", "out.flac", "--bits", "32"], "bits: expected 16 or 24 for FLAC, got 32"),
    ("float for FLAC", ["-o", "out.flac", "--bits", "float"], "bits: expected 16 or 24 for FLAC, got float"),
    ("32 bits for WAV", ["-o", "out.wav", "--bits", "32"], "bits: expected 16, 24 or float for WAV, got 32"),
    ("bad --levels", ["-o", "out.wav", "--levels", "loud"], '--levels: expected "track" or "range", got "loud"'),
    ("target level 0", ["-o", "out.wav", "--target-level", "0"], "target_level: expected a number in (0, 1], got 0"),
    ("target level 2", ["-o", "out.wav", "--target-level", "2"], "target_level: expected a number in (0, 1], got 2"),
    ("negative step ceiling", ["-o", "out.wav", "--step-ceiling", "-1"],
     "step_ceiling: expected a number > 0, got -1"),
    ("negative start", ["-o", "out.wav", "--start", "-1"], "start: expected a time ≥ 0 s, got -1"),
    ("negative duration", ["-o", "out.wav", "--duration", "-1"], "duration: expected a time ≥ 0 s, got -1"),
]


@pytest.mark.parametrize("args,message", [c[1:] for c in RENDER_ERRORS], ids=[c[0] for c in RENDER_ERRORS])
def test_bad_render_request_gives_one_message(tmp_path, args, message):
    write(tmp_path, "track.json", settle(baseFreq=5000.0))
    result = run(tmp_path, "render", "track.json", *args)
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stderr, result.stdout) == (2, message + "\n", "")
    assert [p.name for p in tmp_path.iterdir()] == ["track.json"]


def test_the_track_at_8000_hz_is_otherwise_valid(tmp_path):
    """The row above fails only because of the render rate: at the file's rate it renders."""
    write(tmp_path, "track.json", settle(baseFreq=5000.0))
    result = run(tmp_path, "render", "track.json", "-o", "out.wav", "--duration", "0.5")
    assert (result.returncode, result.stderr) == (0, "")
    assert sf.info(str(tmp_path / "out.wav")).frames == SR // 2


def test_output_that_is_a_folder_is_an_io_error(tmp_path):
    write(tmp_path, "track.json", settle())
    (tmp_path / "out").mkdir()
    result = run(tmp_path, "render", "track.json", "-o", "out", "--duration", "0.1")
    assert (result.returncode, result.stderr) == (1, 'output: cannot write "out": Is a directory\n')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "track.json"]
    assert list((tmp_path / "out").iterdir()) == []


# --- validate ----------------------------------------------------------------------------


@pytest.mark.parametrize("path,name,summary", [
    (DEMO, "demo.json", "total 0:02:12 (132.000 s), 3 steps, 7 voices; functions: binaural_beat (4), "
                        "binaural_beat_transition (1), isochronic_tone (1), monaural_beat_stereo_amps (1)"),
    (ORIGINAL / "f19.json", "f19.json", "total 0:49:55 (2995.000 s), 6 steps, 171 voices; functions: "
                                        "binaural_beat (83), binaural_beat_transition (88)"),
])
def test_validate_prints_a_summary(tmp_path, path, name, summary):
    if not path.exists():
        pytest.skip(f"{path} is not available")
    result = run(tmp_path, "validate", path)
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0].strip() == f"{name}: valid"
    assert lines[-1] == summary
    assert "Traceback" not in result.stdout


def test_validate_builds_the_plan_of_a_track_with_clips(tmp_path):
    sf.write(str(tmp_path / "bell.wav"), np.zeros((100, 2)), SR)
    write(tmp_path, "track.json", settle() | {"overlay_clips": [{"file_path": "bell.wav", "start": 0.0}]})
    result = run(tmp_path, "validate", "track.json")
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


# --- render ------------------------------------------------------------------------------


@pytest.fixture()
def demo_folder(tmp_path) -> Path:
    for name in ("demo.json", "soft-pink.noise"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    return tmp_path


def render_demo(folder: Path, out: str, *options: str) -> tuple[np.ndarray, sf.SoundFile]:
    result = run(folder, "render", "demo.json", "-o", out, "--duration", "5", *options)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(f"wrote {out} (")
    path = folder / out
    audio, rate = sf.read(str(path), dtype="float64", always_2d=True)
    assert rate == SR and audio.shape == (FRAMES_5S, 2)
    assert not any(p.name.endswith(".part") for p in folder.iterdir())
    return audio, sf.SoundFile(str(path))


@pytest.mark.parametrize("out,bits,subtype,step_size", [
    ("demo.wav", "16", "PCM_16", 1 / 32767),
    ("demo.flac", "16", "PCM_16", 1 / 32767),
    ("demo.flac", "24", "PCM_24", 1 / 8388607),
    ("demo.wav", "24", "PCM_24", 1 / 8388607),
    ("demo.wav", "float", "FLOAT", 1e-7),
])
def test_render_excerpt_peak_is_the_target(demo_folder, out, bits, subtype, step_size):
    """render.md §14.8: with --levels range the excerpt itself peaks at the target level,
    to within one quantisation step (float32 rounding for float WAV)."""
    audio, info = render_demo(demo_folder, out, "--levels", "range", "--bits", bits)
    assert info.subtype == subtype
    assert abs(np.max(np.abs(audio)) - 0.25) <= step_size
    assert info.title == DEMO_TITLE


def test_target_level_option_changes_the_peak(demo_folder):
    audio, _ = render_demo(demo_folder, "loud.wav", "--levels", "range", "--target-level", "0.5")
    assert abs(np.max(np.abs(audio)) - 0.5) <= 1 / 32767


def test_default_levels_are_those_of_the_whole_track(demo_folder):
    """The default excerpt is frames [0, 5 s) of the full export: quieter than the whole
    track's peak, and equal to the same frames of a full render."""
    audio, _ = render_demo(demo_folder, "part.wav")
    full = run(demo_folder, "render", "demo.json", "-o", "full.wav")
    assert (full.returncode, full.stderr) == (0, "")
    whole, _ = sf.read(str(demo_folder / "full.wav"), dtype="float64")
    assert abs(np.max(np.abs(whole)) - 0.25) <= 1 / 32767
    np.testing.assert_array_equal(audio, whole[:FRAMES_5S])
    assert np.max(np.abs(audio)) < 0.25


def test_one_thread_option_writes_the_same_file(demo_folder):
    """--one-thread encodes on the rendering thread: the same FLAC, byte for byte."""
    render_demo(demo_folder, "two.flac")
    render_demo(demo_folder, "one.flac", "--one-thread")
    assert (demo_folder / "one.flac").read_bytes() == (demo_folder / "two.flac").read_bytes()


def test_default_output_name_is_the_tracks(demo_folder):
    result = run(demo_folder, "render", "demo.json", "--duration", "0.5")
    assert result.returncode == 0 and result.stdout.startswith("wrote demo.flac (FLAC, 44100 Hz")
    assert sf.info(str(demo_folder / "demo.flac")).format == "FLAC"
