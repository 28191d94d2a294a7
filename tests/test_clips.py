"""Overlay clips (format.md §4.7, render.md §9): loading, confinement of their paths, and the
rendered placement, gain, balance, fades, cuts, timeline length and level plan."""

from __future__ import annotations

import base64
import json
import os

import numpy as np
import pytest
import soundfile as sf

import entrainer
from entrainer.errors import TrackError
from entrainer.loader import load_track
from entrainer.plan import build_plan
from measure import tone_frequency

from conftest import step, track, voice

SR = 8000
RAW = dict(target_level=None, step_ceiling=None)


def frames(seconds: float, sr: int = SR) -> int:
    return int(np.floor(seconds * sr + 0.5))


def write(path, x, sr: int = SR, **kw):
    x = np.asarray(x, dtype=np.float32)
    sf.write(path, x, sr, subtype=kw.pop("subtype", "FLOAT" if path.suffix == ".wav" else None), **kw)
    return path


def ramp_audio(n: int, channels: int = 1) -> np.ndarray:
    """A recognisable signal: distinct values per frame and per channel."""
    k = np.arange(n, dtype=np.float32)
    cols = [0.5 * np.sin(0.01 * k + c) for c in range(channels)]
    return np.stack(cols, axis=1).astype(np.float32)


def clip_track(tmp_path, *clips: dict, steps=None, name="t.json", **extra) -> os.PathLike:
    t = track(*(steps if steps is not None else [step(1.0)]), sample_rate=SR, overlay_clips=list(clips), **extra)
    path = tmp_path / name
    path.write_text(json.dumps(t))
    return path


def expected_gain(n_played: int, amp: float, pan: float, fade_in: int, fade_out: int) -> np.ndarray:
    """render.md §9 gain(k), written out plainly: amp × balance(pan) × f_in(k) × f_out(k)."""
    k = np.arange(n_played, dtype=np.float64)
    f = np.ones(n_played)
    if fade_in >= 2:
        f = np.where(k < fade_in, k / (fade_in - 1), 1.0)
    if fade_out >= 2:
        back = n_played - 1 - k
        f = f * np.where(back < fade_out, back / (fade_out - 1), 1.0)
    bal = np.array([min(1.0, 1.0 - pan), min(1.0, 1.0 + pan)])
    return (amp * bal)[None, :] * f[:, None]


# --- rendering ------------------------------------------------------------------------------

@pytest.mark.parametrize("channels", [1, 2])
def test_placement_gain_balance_and_fades_are_exact(tmp_path, channels):
    x = ramp_audio(frames(2.0), channels)
    write(tmp_path / "a.wav", x)
    clip = {"file_path": "a.wav", "start": 0.25, "amp": 0.8, "pan": 0.4, "fade_in": 0.3, "fade_out": 0.5}
    y = entrainer.render(clip_track(tmp_path, clip), **RAW)
    c0, n = frames(0.25), x.shape[0]
    assert y.shape == (c0 + n, 2)                       # L = c0 + P, past the 1 s programme
    assert not y[:c0].any()
    src = np.repeat(x, 2, axis=1) if channels == 1 else x   # mono feeds both channels equally
    want = (expected_gain(n, 0.8, 0.4, frames(0.3), frames(0.5)) * src.astype(np.float64)).astype(np.float32)
    np.testing.assert_array_equal(y[c0:], want)
    assert y[c0, 0] == 0 and y[-1, 0] == 0               # the fades reach 0 on the first and last frame


def test_duration_cuts_and_declicks_the_cut(tmp_path):
    x = np.full((frames(3.0), 2), 0.5, dtype=np.float32)
    write(tmp_path / "a.wav", x)
    y = entrainer.render(clip_track(tmp_path, {"file_path": "a.wav", "duration": 1.5}), **RAW)
    p = frames(1.5)
    assert y.shape == (p, 2)
    f_out = frames(0.05)                                   # the cut gets a 50 ms fade-out
    np.testing.assert_array_equal(y, (expected_gain(p, 1.0, 0.0, 0, f_out) * 0.5).astype(np.float32))
    # a cut shorter than 4 × 50 ms fades over a quarter of what is left
    y = entrainer.render(clip_track(tmp_path, {"file_path": "a.wav", "duration": 0.1}, steps=[step(0.05)]), **RAW)
    p = frames(0.1)
    np.testing.assert_array_equal(y, (expected_gain(p, 1.0, 0.0, 0, p // 4) * 0.5).astype(np.float32))
    # a fade-out longer than the declick is kept; a duration beyond the file cuts nothing
    y = entrainer.render(clip_track(tmp_path, {"file_path": "a.wav", "duration": 1.5, "fade_out": 0.2}), **RAW)
    np.testing.assert_array_equal(y, (expected_gain(frames(1.5), 1.0, 0.0, 0, frames(0.2)) * 0.5).astype(np.float32))
    y = entrainer.render(clip_track(tmp_path, {"file_path": "a.wav", "duration": 9.0}), **RAW)
    np.testing.assert_array_equal(y, x)


def test_clips_ride_on_top_of_steps_noise_and_step_limits(tmp_path):
    x = ramp_audio(frames(0.5))
    write(tmp_path / "a.wav", x)
    loud = step(1.0, voice(ampL=3.0, ampR=3.0, baseFreq=440.0, beatFreq=0.0))   # limited to peak 1
    path = clip_track(tmp_path, {"file_path": "a.wav", "start": 0.2, "amp": 2.0}, steps=[loud])
    with_clip = entrainer.render(path, target_level=None)
    without = entrainer.render(clip_track(tmp_path, steps=[loud], name="b.json"), target_level=None)
    c0 = frames(0.2)
    added = with_clip.astype(np.float64) - without
    # the clip is added at full gain 2.0, whatever the step limit did to the voice
    assert np.abs(added[c0:c0 + x.shape[0]] - 2.0 * x).max() < 1e-6
    assert np.abs(added[:c0]).max() == 0 and np.abs(added[c0 + x.shape[0]:]).max() == 0


def test_the_timeline_length_includes_the_clips(tmp_path):
    write(tmp_path / "a.wav", ramp_audio(frames(1.0)))
    path = clip_track(tmp_path, {"file_path": "a.wav", "start": 0.0}, {"file_path": "a.wav", "start": 2.5},
                      steps=[step(1.0), step(1.0)])
    r = entrainer.prepare(path)
    assert r.engine.total_frames == frames(3.5)
    assert r.engine.step_starts == [0, frames(1.0)]       # the steps do not move
    # a clip that ends inside the programme changes nothing
    path = clip_track(tmp_path, {"file_path": "a.wav", "start": 0.5}, steps=[step(1.0), step(1.0)], name="c.json")
    assert entrainer.prepare(path).engine.total_frames == frames(2.0)


def test_a_track_of_clips_alone_plays(tmp_path):
    write(tmp_path / "a.wav", ramp_audio(frames(0.5)))
    path = clip_track(tmp_path, {"file_path": "a.wav", "start": 0.1}, steps=[])
    y = entrainer.render(path)
    assert y.shape == (frames(0.6), 2)
    assert abs(np.abs(y).max() - 0.25) < 1e-6


def test_a_track_with_neither_steps_nor_clips_is_empty(tmp_path):
    with pytest.raises(TrackError) as info:
        load_track(clip_track(tmp_path, steps=[]))
    assert str(info.value).endswith("progression: expected at least one step with a duration of one frame or more, got none")


def test_clips_are_resampled_to_the_render_rate(tmp_path):
    n = np.arange(44100)
    write(tmp_path / "a.flac", (0.5 * np.sin(2 * np.pi * 1000.0 * n / 44100))[:, None], sr=44100)
    path = clip_track(tmp_path, {"file_path": "a.flac"}, steps=[step(0.5)])
    y = entrainer.render(path, sample_rate=48000, **RAW)
    assert y.shape == (48000, 2)
    assert abs(tone_frequency(y[:, 0], 48000) - 1000.0) < 0.01
    assert abs(np.abs(y[4800:-4800]).max() - 0.5) < 1e-3


def test_block_size_and_seek_invariance(tmp_path):
    write(tmp_path / "a.wav", ramp_audio(frames(0.4), 2))
    write(tmp_path / "b.wav", ramp_audio(frames(0.3), 1))
    clips = [{"file_path": "a.wav", "start": 0.05, "fade_in": 0.1, "fade_out": 0.1, "pan": -0.3},
             {"file_path": "b.wav", "start": 0.3, "amp": 0.7, "duration": 0.2}]
    steps = [step(0.3, voice(ampL=0.2, ampR=0.2, baseFreq=300.0)), step(0.2, voice(ampL=0.3, baseFreq=500.0))]
    path = clip_track(tmp_path, *clips, steps=steps, crossfade=0.05)
    whole = entrainer.render(path)
    assert whole.shape == (frames(0.5), 2)                 # clip b ends last, at 0.3 + 0.2 s
    for block in (1, 64, 65, 256, 4096):
        parts = np.concatenate(list(entrainer.iter_blocks(path, block_frames=block)))
        np.testing.assert_array_equal(parts, whole, err_msg=f"block {block}")
    for start in (0.0, 0.1, 0.333, 0.52):
        a = frames(start)
        np.testing.assert_array_equal(entrainer.render(path, start=start), whole[a:], err_msg=f"start {start}")


def test_levels_include_the_clips(tmp_path):
    write(tmp_path / "a.wav", np.full((frames(0.5), 1), 0.6, dtype=np.float32))
    steps = [step(1.0, voice(ampL=0.3, ampR=0.3, baseFreq=400.0, beatFreq=0.0))]
    path = clip_track(tmp_path, {"file_path": "a.wav", "start": 0.2, "amp": 1.5, "pan": 0.5}, steps=steps)
    y = entrainer.render(path, target_level=0.25)
    assert abs(np.abs(y).max() - 0.25) < 1e-6             # measured: the clip's peak counts
    r = entrainer.prepare(path, levels="provisional", target_level=0.25)
    # provisional: the voices' bound (0.3) plus amp × the clip's peak (1.5 × 0.6)
    assert r.levels.final_gain == pytest.approx(0.25 / (0.3 + 1.5 * 0.6), rel=1e-6)
    assert r.levels.step_gains == (1.0,)


def test_the_plan_lists_the_clips(tmp_path):
    write(tmp_path / "a.wav", ramp_audio(10))
    t = load_track(clip_track(tmp_path, {"file_path": "a.wav", "start": 1, "gain": 0.5, "duration": 0},
                              {"path": "a.wav", "fade_in": 2, "fade_out": 3, "pan": -1, "duration": 4}))
    assert build_plan(t)["clips"] == [
        {"source_index": 0, "start_s": 1.0, "gain": 0.5, "pan": 0.0, "fade_in_s": 0.0, "fade_out_s": 0.0,
         "duration_s": None},
        {"source_index": 1, "start_s": 0.0, "gain": 1.0, "pan": -1.0, "fade_in_s": 2.0, "fade_out_s": 3.0,
         "duration_s": 4.0},
    ]


# --- loading --------------------------------------------------------------------------------

def load_error(path, **kw) -> str:
    with pytest.raises(TrackError) as info:
        load_track(path, **kw)
    return str(info.value)


def test_more_than_two_channels_is_an_audio_error(tmp_path):
    write(tmp_path / "six.wav", np.zeros((100, 6)), subtype="PCM_16")
    assert load_error(clip_track(tmp_path, {"file_path": "six.wav"})) == (
        f"1 error in {tmp_path / 't.json'}\noverlay_clips[0].file_path: expected mono or stereo audio, got 6 channels")


def test_a_file_that_is_not_audio_is_an_audio_error(tmp_path):
    (tmp_path / "notes.mp3").write_text("hello, not an mp3")
    text = load_error(clip_track(tmp_path, {"file_path": "notes.mp3"}))
    assert text.startswith(f"1 error in {tmp_path / 't.json'}\noverlay_clips[0].file_path: expected WAV, FLAC, OGG "
                           'or MP3 audio, got "notes.mp3", which cannot be decoded (')
    assert str(tmp_path) not in text.splitlines()[1]          # no server path in the message


def test_an_empty_file_path_is_required(tmp_path):
    assert load_error(clip_track(tmp_path, {"file_path": ""})) == (
        f"1 error in {tmp_path / 't.json'}\n"
        "overlay_clips[0].file_path: expected a non-empty string, got \"\"")


def _data_url(x: np.ndarray, fmt: str = "WAV") -> str:
    import io

    buf = io.BytesIO()
    sf.write(buf, x, SR, format=fmt)
    return f"data:audio/{fmt.lower()};base64," + base64.b64encode(buf.getvalue()).decode()


@pytest.mark.parametrize("fmt", ["WAV", "MP3"])
def test_data_urls_play_when_the_caller_allows_them(fmt):
    x = (0.5 * np.sin(2 * np.pi * 440.0 * np.arange(SR) / SR))[:, None].astype(np.float32)
    t = track(step(0.5), sample_rate=SR, overlay_clips=[{"file_path": _data_url(x, fmt), "start": 0.1}])
    with pytest.raises(TrackError) as info:
        load_track(t)
    assert "(data: URLs are not allowed here)" in str(info.value)
    loaded = load_track(t, allow_data_urls=True)
    y = entrainer.render(loaded, **RAW)
    assert y.shape[0] >= frames(1.1)
    assert abs(tone_frequency(y[frames(0.2):frames(1.0), 0], SR) - 440.0) < 0.05


def test_a_data_url_that_is_not_audio_is_an_audio_error():
    ref = "data:audio/wav;base64," + base64.b64encode(b"RIFF....WAVEjunk").decode()
    t = track(step(0.5), overlay_clips=[{"file_path": ref}])
    text = load_error(t, allow_data_urls=True)
    assert text.startswith('1 error in the track\noverlay_clips[0].file_path: expected WAV, FLAC, OGG or MP3 audio, '
                           'got "data:audio/wav;base64,UklGRi4uLi5XQVZFanVuaw==", which cannot be decoded (')


@pytest.fixture()
def tree(tmp_path):
    """tracks/ holds the track; lib/ is a library root; secret/ is outside every root."""
    for d in ("tracks/sub", "lib", "secret"):
        (tmp_path / d).mkdir(parents=True)
    for p in ("tracks/sub/a.wav", "lib/bell.wav", "secret/s.wav"):
        write(tmp_path / p, ramp_audio(100))
    os.symlink(tmp_path / "secret" / "s.wav", tmp_path / "tracks" / "leak.wav")
    os.symlink(tmp_path / "secret", tmp_path / "tracks" / "leakdir")
    os.symlink(tmp_path / "tracks" / "sub" / "a.wav", tmp_path / "tracks" / "alias.wav")
    return tmp_path


CONFINED = [
    ("sub/a.wav", {}, None),
    ("sub/../sub/a.wav", {}, None),
    ("alias.wav", {}, None),                                   # a link that stays inside is fine
    ("../secret/s.wav", {}, '"../secret/s.wav" resolves outside the allowed folders'),
    ("sub/../../secret/s.wav", {}, '"sub/../../secret/s.wav" resolves outside the allowed folders'),
    ("..\\secret\\s.wav", {}, '"..\\\\secret\\\\s.wav" resolves outside the allowed folders'),
    ("leak.wav", {}, '"leak.wav" resolves outside the allowed folders'),
    ("leakdir/s.wav", {}, '"leakdir/s.wav" resolves outside the allowed folders'),
    ("../lib/bell.wav", {}, '"../lib/bell.wav" resolves outside the allowed folders'),
    ("../lib/bell.wav", {"library": True}, None),
    ("/etc/passwd", {}, 'file "passwd" not found next to the track'),
    ("SECRET", {}, None),                                       # replaced below by the absolute path
]


@pytest.mark.parametrize(("ref", "options", "error"), CONFINED, ids=[c[0] for c in CONFINED])
def test_clip_paths_never_leave_the_allowed_roots(tree, ref, options, error):
    if ref == "SECRET":
        # an absolute path into a folder outside the roots is looked up by name only: not found
        ref, error = str(tree / "secret" / "s.wav"), 'file "s.wav" not found next to the track'
    roots = [tree / "lib"] if options.get("library") else []
    path = clip_track(tree / "tracks", {"file_path": ref}, steps=[step(0.1)])
    if error is None:
        loaded = load_track(path, allowed_roots=roots)
        assert entrainer.render(loaded, **RAW).shape == (frames(0.1), 2)
    else:
        assert load_error(path, allowed_roots=roots) == f"1 error in {path}\noverlay_clips[0].file_path: {error}"
