"""entrainer.offline: render, excerpts, iter_blocks, render_to_file and the render options."""

from __future__ import annotations

import os

import numpy as np
import pytest
import soundfile as sf

import entrainer
from entrainer.offline import output_format

from conftest import step, track, voice

SR = 48000


def two_steps() -> dict:
    """Class E voices only (no noise): excerpts equal the full render bit for bit."""
    return track(step(0.6, voice(ampL=0.5, ampR=0.4, baseFreq=300.0, beatFreq=6.0, freqOscRangeL=5.0,
                                 freqOscFreqL=2.0)),
                 step(0.6, voice(transition=True, startBaseFreq=300.0, endBaseFreq=450.0, startBeatFreq=6.0,
                                 endBeatFreq=3.0, initial_offset=0.1),
                      voice("monaural_beat_stereo_amps", baseFreq=220.0, beatFreq=5.0)),
                 sample_rate=SR, crossfade=0.1)


FULL_FRAMES = int(1.1 * SR)     # 0.6 + 0.6 − 0.1 s


def frames(seconds: float) -> int:
    return int(np.floor(seconds * SR + 0.5))


def test_render_returns_contiguous_float32_frames_by_two():
    y = entrainer.render(two_steps())
    assert y.dtype == np.float32 and y.shape == (FULL_FRAMES, 2) and y.flags.c_contiguous
    assert np.all(np.isfinite(y)) and np.max(np.abs(y)) == pytest.approx(0.25, abs=1e-7)


def test_render_accepts_a_path_a_dict_json_text_and_a_loaded_track(tmp_path):
    import json

    t = two_steps()
    (tmp_path / "t.json").write_text(json.dumps(t))
    expected = entrainer.render(t, duration=0.1)
    for source in (tmp_path / "t.json", str(tmp_path / "t.json"), json.dumps(t), entrainer.load_track(t)):
        np.testing.assert_array_equal(entrainer.render(source, duration=0.1), expected)


def test_sample_rate_option_renders_at_another_rate():
    assert entrainer.render(two_steps(), sample_rate=22050).shape == (int(1.1 * 22050), 2)


@pytest.mark.parametrize("start,duration", [
    (0.0, 0.25), (0.3, 0.2), (0.55, 0.1), (0.61, None), (1.0, 5.0), (0.0, 0.0), (2.0, None), (0.123456, 0.0001),
])
def test_excerpt_equals_the_same_frames_of_the_full_render(start, duration):
    full = entrainer.render(two_steps())
    part = entrainer.render(two_steps(), start=start, duration=duration)
    a = min(frames(start), FULL_FRAMES)
    b = FULL_FRAMES if duration is None else min(FULL_FRAMES, a + frames(duration))
    assert part.shape == (b - a, 2) and part.dtype == np.float32
    np.testing.assert_array_equal(part, full[a:b])


@pytest.mark.parametrize("block", [1000, 4096, 1 << 16])
@pytest.mark.parametrize("start,duration", [(0.0, None), (0.37, 0.5)])
def test_iter_blocks_concatenate_to_render(block, start, duration):
    t = two_steps()
    blocks = list(entrainer.iter_blocks(t, block_frames=block, start=start, duration=duration))
    assert all(b.dtype == np.float32 and b.ndim == 2 and b.shape[1] == 2 for b in blocks)
    assert all(b.shape[0] == block for b in blocks[:-1]) and 0 < blocks[-1].shape[0] <= block
    np.testing.assert_array_equal(np.concatenate(blocks), entrainer.render(t, start=start, duration=duration))


def test_provisional_levels_are_not_louder_than_the_track_levels():
    t = two_steps()
    measured = np.max(np.abs(entrainer.render(t)))
    provisional = np.max(np.abs(entrainer.render(t, levels="provisional")))
    assert measured == pytest.approx(0.25, abs=1e-7)
    assert 0 < provisional <= measured


def test_range_levels_normalise_the_excerpt_alone():
    t = two_steps()
    quiet = track(step(0.5, voice(ampL=0.1, ampR=0.1, baseFreq=300.0, beatFreq=4.0)),
                  step(0.5, voice(ampL=0.9, ampR=0.9, baseFreq=300.0, beatFreq=4.0)), sample_rate=SR)
    part = entrainer.render(quiet, duration=0.4, step_ceiling=None)
    alone = entrainer.render(quiet, duration=0.4, step_ceiling=None, levels="range")
    assert np.max(np.abs(part)) < 0.05
    assert np.max(np.abs(alone)) == pytest.approx(0.25, abs=1e-7)
    assert np.max(np.abs(entrainer.render(t, levels="range"))) == pytest.approx(0.25, abs=1e-7)


# --- option checks: one message each, before anything is rendered ---------------------------

BAD_OPTIONS = [
    (dict(target_level=0), "target_level: expected a number in (0, 1], got 0"),
    (dict(target_level=2), "target_level: expected a number in (0, 1], got 2"),
    (dict(target_level=1.5), "target_level: expected a number in (0, 1], got 1.5"),
    (dict(step_ceiling=-1), "step_ceiling: expected a number > 0, got -1"),
    (dict(step_ceiling=0.0), "step_ceiling: expected a number > 0, got 0"),
    (dict(sample_rate=7000), "sample_rate: expected an integer from 8000 to 192000, got 7000"),
    (dict(sample_rate=200000), "sample_rate: expected an integer from 8000 to 192000, got 200000"),
    (dict(levels="loud"), 'levels: expected "track", "range", "provisional" or a LevelPlan, got "loud"'),
    (dict(levels="measured"), 'levels: expected "track", "range", "provisional" or a LevelPlan, got "measured"'),
    (dict(seed=-1), "seed: expected an integer from 0 to 2^64 − 1, got -1"),
    (dict(start=-0.5), "start: expected a time ≥ 0 s, got -0.5"),
    (dict(duration=float("nan")), "duration: expected a time ≥ 0 s, got nan"),
]


@pytest.mark.parametrize("options,message", BAD_OPTIONS, ids=[str(o) for o, _ in BAD_OPTIONS])
def test_bad_options_give_one_message(options, message):
    with pytest.raises(entrainer.RenderError) as e:
        entrainer.render(two_steps(), **options)
    assert str(e.value) == message
    assert isinstance(e.value, entrainer.EntrainerError)


def test_nyquist_is_checked_at_the_render_rate():
    t = track(step(0.5, voice(baseFreq=5000.0, beatFreq=10.0), description="High"), sample_rate=SR)
    assert entrainer.render(t).shape == (SR // 2, 2)
    with pytest.raises(entrainer.TrackError) as e:
        entrainer.render(t, sample_rate=8000)
    assert str(e.value) == (
        "1 error in the render plan\nprogression[0].voices[0].params.baseFreq: expected baseFreq + beatFreq/2 + "
        "max(freqOscRangeL, freqOscRangeR)/2 below 4000 Hz (half the sample rate of 8000 Hz), got "
        '5000 + 10/2 + max(0, 0)/2 = 5005 Hz (step "High", voice binaural_beat)')


# --- files -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path,explicit,fallback,fmt", [
    ("a.wav", None, None, "wav"), ("a.FLAC", None, None, "flac"), ("a", None, "x.flac", "flac"),
    ("a", None, None, "wav"), ("a.wav", "flac", None, "flac"), ("a.flac", ".WAV", None, "wav"),
    ("a.Mp3", None, None, "mp3"), ("a", None, "x.mp3", "mp3"), ("a.wav", "MP3", None, "mp3"),
])
def test_output_format_choice(path, explicit, fallback, fmt):
    """render.md §11: an explicit option wins, then the extension, then output_filename, then WAV."""
    assert output_format(path, explicit, fallback) == fmt


@pytest.mark.parametrize("path,explicit,message", [
    ("a.ogg", None, 'output: expected a .wav, .flac or .mp3 name, got "a.ogg"'),
    ("a.wav", "aiff", 'format: expected "wav", "flac" or "mp3", got "aiff"'),
])
def test_output_format_errors(path, explicit, message):
    with pytest.raises(entrainer.RenderError) as e:
        output_format(path, explicit)
    assert str(e.value) == message


def test_mp3_without_its_encoder_is_a_format_error(monkeypatch, tmp_path):
    """render.md §11: MP3 is an optional build feature; without PyAV's LAME it is E_FORMAT."""
    monkeypatch.setattr(entrainer.offline, "mp3_available", lambda: False)
    with pytest.raises(entrainer.RenderError) as e:
        entrainer.render_to_file(two_steps(), tmp_path / "out.mp3")
    assert str(e.value) == ("format: MP3 output is not built into this installation (it needs PyAV with "
                            "libmp3lame: pip install av); use .wav or .flac")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name,bits,subtype", [
    ("out.wav", "16", "PCM_16"), ("out.wav", 16, "PCM_16"), ("out.wav", 24, "PCM_24"), ("out.wav", "float", "FLOAT"),
    ("out.flac", "16", "PCM_16"), ("out.flac", "24", "PCM_24"),
])
def test_render_to_file_writes_the_render(tmp_path, name, bits, subtype):
    t = two_steps() | {"metadata": {"title": "Two steps"}}
    result = entrainer.render_to_file(t, tmp_path / name, bits=bits, block_frames=5000)
    assert (result.path, result.frames, result.sample_rate, result.format) == (
        tmp_path / name, FULL_FRAMES, SR, name.rsplit(".", 1)[1])
    assert result.duration_s == pytest.approx(1.1)
    with sf.SoundFile(str(tmp_path / name)) as f:
        assert (f.samplerate, f.channels, f.frames, f.subtype, f.title) == (SR, 2, FULL_FRAMES, subtype, "Two steps")
        audio = f.read(dtype="float64")
    lsb = 1e-7 if bits == "float" else 1 / (2 ** (15 if str(bits) == "16" else 23) - 1)
    np.testing.assert_allclose(audio, entrainer.render(t), atol=lsb)
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_render_to_file_gives_the_file_the_usual_permissions(tmp_path):
    entrainer.render_to_file(two_steps(), tmp_path / "out.wav", duration=0.1)
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "out.wav").stat().st_mode & 0o777 == 0o666 & ~mask


class Stop(Exception):
    pass


def stop_when(phase: str):
    def progress(p: str, done: int, total: int) -> None:
        if p == phase:
            raise Stop(phase)
    return progress


@pytest.mark.parametrize("existing", [None, b"the previous export"])
def test_a_failed_render_leaves_no_temp_file_and_the_old_file_untouched(tmp_path, existing):
    target = tmp_path / "out.wav"
    if existing is not None:
        target.write_bytes(existing)
    with pytest.raises(Stop):
        entrainer.render_to_file(two_steps(), target, progress=stop_when("render"), block_frames=1000)
    assert [p.name for p in tmp_path.iterdir()] == ([] if existing is None else ["out.wav"])
    if existing is not None:
        assert target.read_bytes() == existing


@pytest.mark.parametrize("name,bits", [("out.wav", "16"), ("out.wav", "24"), ("out.wav", "float"),
                                       ("out.flac", "16"), ("out.mp3", "16")])
def test_writing_on_a_second_thread_gives_the_same_bytes(tmp_path, name, bits):
    """The writer thread overlaps encoding with rendering; the file is the one-thread file."""
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    for folder, threaded in ((one, False), (two, True)):
        entrainer.render_to_file(two_steps(), folder / name, bits=bits, block_frames=997, writer_thread=threaded)
    a, b = (one / name).read_bytes(), (two / name).read_bytes()
    assert len(a) > 10_000 and a == b


@pytest.mark.parametrize("existing", [None, b"the previous export"])
def test_a_write_that_fails_on_the_writer_thread_stops_the_render(tmp_path, monkeypatch, existing):
    """A full disk on the writer thread: the error reaches the caller, the render stops
    within a few blocks, the writer thread ends, and no file is left behind."""
    import threading

    import soundfile

    target = tmp_path / "out.flac"
    if existing is not None:
        target.write_bytes(existing)
    written = []

    def failing_write(self, data):
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        written.append(len(data))

    monkeypatch.setattr(soundfile.SoundFile, "write", failing_write)
    rendered = []
    with pytest.raises(OSError, match="No space left"):
        entrainer.render_to_file(two_steps(), target, block_frames=100,
                                 progress=lambda phase, done, total: rendered.append(done) if phase == "render" else None)
    total = round(1.1 * SR)
    assert len(written) == 3
    assert rendered and rendered[-1] <= 100 * (3 + 1 + entrainer.offline.WRITE_AHEAD + 2) < total
    assert not any(t.name == "entrainer-writer" for t in threading.enumerate())
    assert [p.name for p in tmp_path.iterdir()] == ([] if existing is None else ["out.flac"])
    if existing is not None:
        assert target.read_bytes() == existing


def test_an_exception_during_a_long_analysis_stops_the_render(tmp_path):
    """Progress is reported every 65 536 frames while levels are measured."""
    long = track(step(3.0, voice(baseFreq=200.0, beatFreq=4.0)), sample_rate=SR)
    with pytest.raises(Stop):
        entrainer.render_to_file(long, tmp_path / "out.wav", progress=stop_when("analyse"))
    assert list(tmp_path.iterdir()) == []


def test_an_exception_at_the_end_of_the_analysis_stops_the_render(tmp_path):
    # cache=False: a level plan cached by an earlier test would skip the analysis
    with pytest.raises(Stop):
        entrainer.render_to_file(two_steps(), tmp_path / "out.wav", progress=stop_when("analyse"), cache=False)


@pytest.mark.parametrize("kwargs,message", [
    (dict(path="nowhere/out.wav"), 'output: folder "{tmp}/nowhere" does not exist'),
    (dict(path="out.flac", bits="float"), "bits: expected 16 or 24 for FLAC, got float"),
    (dict(path="out.wav", bits="32"), "bits: expected 16, 24 or float for WAV, got 32"),
    (dict(path="out.mp3", bits="24"), "bits: expected 16 for MP3, got 24"),
    (dict(path="out.mp3", sample_rate=22050), "sample_rate: MP3 at 320 kbit/s needs 32000, 44100 or 48000 Hz, "
                                              "got 22050; choose one of those, or write WAV or FLAC"),
    (dict(path="out.wav", bits="float", dither=True),
     "dither: float WAV is not quantised; dither applies to 16 and 24 bits"),
])
def test_render_to_file_refuses_before_rendering(tmp_path, kwargs, message):
    kwargs = dict(kwargs, path=tmp_path / kwargs["path"])
    calls = []
    with pytest.raises(entrainer.RenderError) as e:
        entrainer.render_to_file(two_steps(), progress=lambda *a: calls.append(a), **kwargs)
    assert str(e.value) == message.format(tmp=tmp_path)
    assert calls == [] and list(tmp_path.iterdir()) == []
