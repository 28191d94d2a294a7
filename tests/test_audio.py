"""`entrainer.audio`: decoding WAV/FLAC/OGG/MP3 through libsndfile, and the band-limited
resampler measured against render.md §9.1 (passband within ±0.1 dB up to 0.45 × the lower
rate, images and aliases at least 90 dB down)."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
import soundfile as sf

from entrainer.audio import AudioError, decode, load_at_rate, probe, resample, resampled_length
from measure import tone_frequency

PAIRS = [(44100, 48000), (48000, 44100), (22050, 48000), (96000, 44100), (8000, 44100)]


def tone(f_hz: float, sr: int, seconds: float = 0.5, amp: float = 0.5) -> np.ndarray:
    n = np.arange(int(seconds * sr))
    return (amp * np.sin(2 * np.pi * f_hz * n / sr)).astype(np.float32)[:, None]


def fit(y: np.ndarray, f_hz: float, sr: int, first: int) -> tuple[float, float]:
    """(amplitude of the f_hz sinusoid, amplitude-equivalent RMS of what is left) by least squares."""
    n = np.arange(first, first + y.size)
    basis = np.stack([np.sin(2 * np.pi * f_hz * n / sr), np.cos(2 * np.pi * f_hz * n / sr)], axis=1)
    coef, *_ = np.linalg.lstsq(basis, y, rcond=None)
    rest = y - basis @ coef
    return float(np.hypot(*coef)), float(np.sqrt(2 * np.mean(rest**2)))


def middle(y: np.ndarray) -> tuple[np.ndarray, int]:
    """The middle half of a resampled signal (away from the converter's start and end)."""
    q = y.shape[0] // 4
    return y[q : 3 * q, 0].astype(np.float64), q


def db(x: float) -> float:
    return 20 * np.log10(max(x, 1e-30))


@pytest.mark.parametrize(("rate_in", "rate_out"), PAIRS)
def test_passband_is_flat_to_within_a_tenth_of_a_db(rate_in, rate_out):
    edge = 0.45 * min(rate_in, rate_out)
    for f in np.linspace(20.0, edge, 12):
        y, first = middle(resample(tone(f, rate_in), rate_in, rate_out))
        amp, _ = fit(y, f, rate_out, first)
        assert abs(db(amp / 0.5)) <= 0.1, f"{f:.0f} Hz"


@pytest.mark.parametrize(("rate_in", "rate_out"), [p for p in PAIRS if p[0] < p[1]])
def test_images_are_90_db_down_when_upsampling(rate_in, rate_out):
    # Everything that is not the tone itself (its images above rate_in/2) must be ≥ 90 dB down.
    for f in np.linspace(100.0, 0.45 * rate_in, 6):
        y, first = middle(resample(tone(f, rate_in), rate_in, rate_out))
        amp, rest = fit(y, f, rate_out, first)
        assert db(rest / amp) <= -90, f"{f:.0f} Hz"


@pytest.mark.parametrize(("rate_in", "rate_out"), [p for p in PAIRS if p[0] > p[1]])
def test_aliases_are_90_db_down_when_downsampling(rate_in, rate_out):
    # Tones above the new Nyquist frequency would fold back into the band; they must vanish.
    for f in np.linspace(0.5 * rate_out + 50, 0.5 * rate_in - 50, 6):
        y, _ = middle(resample(tone(f, rate_in), rate_in, rate_out))
        assert db(np.sqrt(2 * np.mean(y**2)) / 0.5) <= -90, f"{f:.0f} Hz"
    # and an in-band tone keeps nothing else
    f = 0.3 * rate_out
    y, first = middle(resample(tone(f, rate_in), rate_in, rate_out))
    amp, rest = fit(y, f, rate_out, first)
    assert db(rest / amp) <= -90


@pytest.mark.parametrize(("n", "rate_in", "rate_out", "expected"), [
    (44100, 44100, 48000, 48000), (1, 44100, 48000, 1), (441, 44100, 48000, 480),
    (1000, 48000, 44100, 919), (0, 22050, 48000, 0), (12345, 48000, 48000, 12345),
])
def test_resampled_length_is_frames_of_the_duration(n, rate_in, rate_out, expected):
    assert resampled_length(n, rate_in, rate_out) == expected
    x = np.ones((n, 2), dtype=np.float32)
    y = resample(x, rate_in, rate_out)
    assert (y.shape, y.dtype, y.flags.c_contiguous) == ((expected, 2), np.float32, True)


def test_same_rate_is_untouched():
    x = tone(440.0, 48000)
    assert np.array_equal(resample(x, 48000, 48000), x)


FORMATS = [("WAV", "PCM_16", 1e-4), ("FLAC", "PCM_24", 1e-6), ("OGG", "VORBIS", None), ("MP3", "MPEG_LAYER_III", None)]


@pytest.mark.parametrize(("fmt", "subtype", "exact"), FORMATS, ids=[f[0] for f in FORMATS])
@pytest.mark.parametrize("channels", [1, 2])
def test_every_format_decodes(tmp_path, fmt, subtype, exact, channels):
    sr = 44100
    x = np.concatenate([tone(440.0, sr, 1.0), tone(660.0, sr, 1.0, 0.3)], axis=1)[:, :channels]
    path = tmp_path / f"clip.{fmt.lower()}"
    sf.write(path, x, sr, format=fmt, subtype=subtype)
    info = probe(path)
    assert (info.channels, info.sample_rate_hz) == (channels, sr)
    y, rate = decode(path)
    assert (rate, y.dtype, y.shape[1]) == (sr, np.float32, channels)
    assert abs(y.shape[0] - sr) <= (0 if exact else 2000)      # lossy codecs may pad a little
    for c, f in enumerate((440.0, 660.0)[:channels]):
        assert abs(tone_frequency(y[:, c], sr) - f) < 0.05
    if exact:
        assert np.abs(y - x).max() <= exact
    # the same bytes decode from memory (data: URLs)
    y2, _ = decode(data=path.read_bytes())
    assert np.array_equal(y, y2)


def test_load_at_rate_keeps_the_pitch(tmp_path):
    path = tmp_path / "a.flac"
    sf.write(path, tone(1000.0, 44100, 1.0), 44100)
    y = load_at_rate(48000, path)
    assert y.shape == (48000, 1)
    assert abs(tone_frequency(y[:, 0], 48000) - 1000.0) < 0.01


@pytest.mark.parametrize("data", [b"", b"RIFF", b"not audio at all" * 10])
def test_garbage_is_an_audio_error_without_a_path(data):
    with pytest.raises(AudioError) as info:
        probe(data=data)
    assert "BytesIO" not in str(info.value) and str(info.value)
    with pytest.raises(AudioError):
        decode(data=data)


def test_data_url_payloads_decode():
    buf = io.BytesIO()
    sf.write(buf, tone(440.0, 8000, 0.1), 8000, format="WAV")
    payload = base64.b64decode(base64.b64encode(buf.getvalue()))
    y, rate = decode(data=payload)
    assert (y.shape, rate) == ((800, 1), 8000)
