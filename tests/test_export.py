"""Export options of render.md §11: MP3 (320 kbit/s, plain stereo) and TPDF dither."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

import entrainer

from conftest import step, track, voice

SR = 44100
LSB16 = 1 / 32767


def tones(seconds: float = 2.0, sample_rate: int = SR) -> dict:
    """A binaural beat, 297 Hz left and 303 Hz right (leftHigh false), nothing else."""
    return track(step(seconds, voice(ampL=0.8, ampR=0.8, baseFreq=300.0, beatFreq=6.0)),
                 sample_rate=sample_rate) | {"metadata": {"title": "Tones é"}}


def mp3_frames(data: bytes) -> list[tuple[int, int, int]]:
    """(MPEG version bits, bit rate in kbit/s, channel mode) of every Layer III frame."""
    pos = 0
    if data[:3] == b"ID3":
        pos = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])
    bitrates = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
    rates = {0: 44100, 1: 48000, 2: 32000}
    frames = []
    while pos + 4 <= len(data):
        h = data[pos:pos + 4]
        if h[0] != 0xFF or (h[1] & 0xE0) != 0xE0:
            break                   # trailing tag (ID3v1 / APE), or the end
        version, layer = (h[1] >> 3) & 3, (h[1] >> 1) & 3
        assert (version, layer) == (3, 1), "MPEG-1 Layer III"
        kbps, rate, padding = bitrates[h[2] >> 4], rates[(h[2] >> 2) & 3], (h[2] >> 1) & 1
        frames.append((version, kbps, h[3] >> 6))
        pos += 144 * kbps * 1000 // rate + padding
    return frames


def peak_hz(x: np.ndarray, sample_rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    k = int(np.argmax(spectrum))
    # parabolic interpolation of the log magnitude around the peak bin
    a, b, c = np.log(spectrum[k - 1:k + 2])
    return (k + 0.5 * (a - c) / (a - 2 * b + c)) * sample_rate / len(x)


@pytest.mark.parametrize("sample_rate", [44100, 48000])
def test_mp3_is_320_kbps_plain_stereo_and_keeps_each_ear(tmp_path, sample_rate):
    out = tmp_path / "tones.mp3"
    t = tones(sample_rate=sample_rate)
    result = entrainer.render_to_file(t, out, block_frames=10_000)
    assert (result.format, result.frames, result.sample_rate) == ("mp3", 2 * sample_rate, sample_rate)
    frames = mp3_frames(out.read_bytes())
    # Every audio frame at 320 kbit/s (the first may be the encoder's Xing/LAME info frame,
    # which has the same header), and channel mode 0: stereo, not joint stereo (1).
    assert len(frames) >= 2 * sample_rate // 1152
    assert {f[1] for f in frames} == {320} and {f[2] for f in frames} == {0}
    with sf.SoundFile(str(out)) as f:
        assert (f.samplerate, f.channels, f.title) == (sample_rate, 2, "Tones é")
        audio = f.read(dtype="float64")
    # The decoder removes the encoder delay and padding: the same length as the render.
    assert len(audio) == result.frames
    reference = entrainer.render(t)
    mid = slice(sample_rate // 4, -sample_rate // 4)
    for ear, hz in ((0, 297.0), (1, 303.0)):
        assert peak_hz(audio[mid, ear], sample_rate) == pytest.approx(hz, abs=0.05)
        # At 320 kbit/s a pure tone comes back within -60 dB of the render.
        err = audio[mid, ear] - reference[mid, ear]
        assert np.sqrt(np.mean(err**2)) < 1e-3 * np.sqrt(np.mean(reference[mid, ear] ** 2))
    assert [p.name for p in tmp_path.iterdir()] == ["tones.mp3"]


def test_mp3_cancelled_midway_leaves_nothing(tmp_path):
    class Stop(Exception):
        pass

    def progress(phase, done, total):
        if phase == "render" and done > 0:
            raise Stop

    with pytest.raises(Stop):
        entrainer.render_to_file(tones(), tmp_path / "tones.mp3", block_frames=4096, progress=progress)
    assert list(tmp_path.iterdir()) == []


def codes(path, start=0.0, duration=None, **kw) -> np.ndarray:
    entrainer.render_to_file(tones(), path, start=start, duration=duration, **kw)
    data, _ = sf.read(str(path), dtype="int32")
    return data >> 16 if "bits" not in kw or str(kw["bits"]) == "16" else data >> 8


def test_dither_is_tpdf_of_one_lsb_and_reproducible(tmp_path):
    plain = codes(tmp_path / "plain.wav")
    dithered = codes(tmp_path / "d.wav", dither=True)
    again = codes(tmp_path / "d2.wav", dither=True)
    other_seed = codes(tmp_path / "d3.wav", dither=True, seed=1)
    exact = entrainer.render(tones()).astype(np.float64) / LSB16
    assert np.array_equal(dithered, again)                       # same seed, same bytes
    assert not np.array_equal(dithered, other_seed)
    assert np.array_equal(plain, codes(tmp_path / "p3.wav", seed=1))   # no dither: the seed is unused
    assert np.abs(plain - exact).max() <= 0.5 + 1e-3
    err = dithered - exact
    # round(x + d), d = u1 + u2 − 1: error within ±1.5 LSB, mean 0, variance 1/6 + 1/12.
    assert np.abs(err).max() < 1.5
    assert abs(err.mean()) < 0.01
    assert err.var() == pytest.approx(0.25, abs=0.01)
    assert np.abs(dithered - plain).max() == 1 and (dithered != plain).mean() > 0.2


@pytest.mark.parametrize("bits", ["16", "24"])
def test_dithered_excerpt_equals_the_same_frames_of_the_full_render(tmp_path, bits):
    """The dither of frame n depends on n alone (render.md §13), so excerpts match the full render."""
    full = codes(tmp_path / "full.flac", dither=True, bits=bits)
    part = codes(tmp_path / "part.flac", start=0.5, duration=0.7, dither=True, bits=bits)
    a = int(np.floor(0.5 * SR + 0.5))
    assert np.array_equal(part, full[a:a + len(part)])
    assert len(part) == int(np.floor(0.7 * SR + 0.5))
