"""`subliminal_encode` (`voices.md` §3.14), measured on both renderers, plus M7 (block size and
seeks, class E: exact) and M8 (engine = reference within 2e-7).

The verification setup of the spec: a 1 s, 440 Hz tone at 48 kHz as the file, session 48 kHz,
carrier 17 500 Hz, amp 0.5, a 5 s step. The buffers are handed over as the renderer receives
them from the loader (mono float32 at the render rate).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from entrainer.reference import render_voice as reference_render
from measure import spectrum_peak

from .cases import SR, frames, voice
from .conftest import SELECTED

STEP = frames(5.0)
TONE = (0.5 * np.sin(2 * np.pi * 440.0 * np.arange(SR) / SR)).astype(np.float32)
LONGER = (0.3 * np.sin(2 * np.pi * 300.0 * np.arange(frames(1.5)) / SR)).astype(np.float32)
rng = np.random.default_rng(7)
NOISE = rng.standard_normal(frames(0.7)).astype(np.float32) * 0.2


def engine_render(v, sample_rate, step_frames, start=0, count=None, audio=()):
    from entrainer import _engine

    count = step_frames - start if count is None else count
    return np.asarray(_engine.render_voice(json.dumps(v), sample_rate, step_frames, start, count, list(audio)))


RENDERERS = {"reference": reference_render, "engine": engine_render}


@pytest.fixture(params=SELECTED)
def render(request):
    fn = RENDERERS[request.param]
    return lambda v, audio, step=STEP, start=0, count=None, sr=SR: fn(v, sr, step, start, count, audio=list(audio))


def sub(mode: str = "sequence", ids=(0,), carrier: float = 17500.0, amp: float = 0.5) -> dict:
    return voice("subliminal_encode", mode=mode, carrier_freq_hz=carrier, amp=amp, audio_buffers=list(ids))


def test_sidebands_sit_at_carrier_plus_and_minus_the_tone(render):
    y = render(sub(), [TONE])
    assert np.array_equal(y[:, 0], y[:, 1])
    first = y[: frames(1.0), 0]
    lower, a_lo = spectrum_peak(first, SR, 16500, 17500)
    upper, a_hi = spectrum_peak(first, SR, 17500, 18500)
    assert abs(lower - 17060) <= 1 and abs(upper - 17940) <= 1
    assert abs(20 * np.log10(a_lo / a_hi)) < 0.5          # double sideband: equal levels
    # no carrier: a double-sideband product of a zero-mean signal
    _, a_carrier = spectrum_peak(first, SR, 17490, 17510)
    assert a_carrier < 0.01 * a_lo


def test_sequence_timing_one_second_of_silence_between_repeats(render):
    y = render(sub(), [TONE])[:, 0]
    windows = lambda a, b: np.abs(y[frames(a):frames(b)]).reshape(-1, frames(0.01)).max(axis=1)  # noqa: E731
    assert windows(0.0, 1.0).min() > 0.05                 # sound in every 10 ms of the first second
    assert np.abs(y[frames(1.0) + 1:frames(2.0) - 1]).max() < 1e-6
    assert windows(2.0, 3.0).min() > 0.05
    assert np.abs(y[frames(3.0) + 1:frames(4.0) - 1]).max() < 1e-6
    assert np.abs(y[frames(1.0) - 200:frames(1.0)]).max() > 0.05   # non-silent right up to 1.000 s


def test_the_step_peak_is_amp(render):
    for amp in (0.5, 0.2):
        y = render(sub(amp=amp, ids=(0, 1)), [TONE, LONGER])
        assert abs(np.abs(y).max() - amp) <= 1e-4


def test_a_step_that_ends_inside_a_segment_is_normalised_over_what_plays(render):
    # The tone grows over its second: cut at 0.3 s, the peak of the heard part is amp.
    rising = (np.linspace(0, 1, SR) * np.sin(2 * np.pi * 440.0 * np.arange(SR) / SR)).astype(np.float32)
    y = render(sub(), [rising], step=frames(0.3))
    assert abs(np.abs(y).max() - 0.5) <= 1e-4


def test_stack_repeats_with_the_common_period(render):
    y = render(sub("stack", (0, 1)), [TONE, LONGER])
    period = frames(3.0)
    assert np.array_equal(y[period:], y[: STEP - period])
    assert not np.array_equal(y[frames(1.0):frames(1.0) + 1000], y[:1000])   # not a shorter period
    assert abs(np.abs(y).max() - 0.5) <= 1e-4


def test_upper_sideband_is_band_limited_below_nyquist(render):
    # Broadband input at 44.1 kHz: the file is cut to B = 0.95·(22050 − 17500) = 4322.5 Hz,
    # so nothing folds back below the lower sideband.
    sr = 44100
    y = render(sub(), [np.tile(NOISE, 2)], step=frames(1.4, sr), sr=sr)[:, 0]
    spec = np.abs(np.fft.rfft(y * np.hanning(y.size))) ** 2
    f = np.fft.rfftfreq(y.size, 1 / sr)
    band = spec[(f > 17500 - 4000) & (f < 17500 + 4000)].sum()
    below = spec[f < 17500 - 2 * 4322.5].sum()
    assert 10 * np.log10(below / band) < -80


def test_no_files_is_silence(render):
    assert not render(sub(ids=()), []).any()
    assert not render(sub("stack", ids=()), []).any()
    assert not render(sub(), [np.zeros(100, dtype=np.float32)]).any()


def test_a_seek_is_exact(render):
    # Block sizes are checked through the renderer (tests/voices/test_subliminal.py): each call
    # of this hook prepares the voice afresh, so a block sweep here would measure nothing more.
    for v in (sub(ids=(0, 1, 2)), sub("stack", (0, 1, 2))):
        audio = [TONE, LONGER, NOISE]
        full = render(v, audio)
        for seek in (frames(3.3) + 7, frames(1.0) - 3, 1):
            assert np.array_equal(render(v, audio, start=seek, count=5000), full[seek:seek + 5000])


@pytest.mark.skipif("engine" not in SELECTED, reason='set ENTRAINER_RENDERERS to include "engine"')
@pytest.mark.parametrize(("mode", "ids", "carrier", "step"), [
    ("sequence", (0,), 17500.0, STEP),
    ("sequence", (1, 0, 2, 0), 19000.0, STEP),
    ("stack", (0, 1, 2), 15000.0, STEP),
    ("stack", (2,), 17500.0, frames(0.5)),
])
def test_engine_matches_the_reference(mode, ids, carrier, step):
    v = sub(mode, ids, carrier)
    audio = [TONE, LONGER, NOISE]
    ref = reference_render(v, SR, step, 0, None, audio)
    eng = engine_render(v, SR, step, 0, None, audio)
    assert np.abs(eng - ref).max() <= 2e-7
