"""Verification of the swept-notch engine (`voices.md` §2.11) and the noise voices (§3.12,
§3.13), numbered as there, on both renderers, plus M7/M8 (seek, reference) for class F.

Spectra are Welch PSDs (Hann windows of 8192 frames, 50 % overlap). To keep the suite fast the
renders are 10 s (20 s for notch tracking) instead of the 60 s of the text; the tolerances
are the spec's, and each property was checked to hold with a wide margin at these lengths.
Colours are measured with `noise_swept_notch` at volume 5 (unit RMS) and the pre-filters
bypassed (the `prefilters` test hook).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from entrainer.reference import render_voice

from .cases import SR, frames, ramp, voice
from .conftest import _INSTANCES, RENDERERS, SELECTED, CachedRenderer, engine_render

N10 = frames(10.0)
N20 = frames(20.0)


def notch_voice(function="noise_swept_notch", ramp_=None, **params):
    base = {"colour": "pink", "lfo_shape": "sine", "lfo_freq_hz": 0.1, "lfo_offset_r_deg": 0.0,
            "intra_offset_deg": 0.0, "sweeps": [], "static_notches": [], "amp_l": 1.0, "amp_r": 1.0}
    return voice(function, ramp_, **{**base, **params})


def sweep(lo, hi, q=25.0, cascade=10):
    pair = lambda v: list(v) if isinstance(v, (list, tuple)) else [v, v]  # noqa: E731
    return {"min_hz": pair(lo), "max_hz": pair(hi), "q": pair(q), "cascade": pair(cascade)}


def psd(x):
    return signal.welch(x, fs=SR, window="hann", nperseg=8192, noverlap=4096)


def slope_db_per_octave(x, lo, hi):
    f, p = psd(x)
    band = (f >= lo) & (f <= hi)
    return np.polyfit(np.log2(f[band]), 10 * np.log10(p[band]), 1)[0]


def db(x):
    return 20 * np.log10(x)


def rms(x):
    return float(np.sqrt(np.mean(np.square(x))))


# --- §2.11 property 1: colours --------------------------------------------------------------------

def colour(render, name, seed=7):
    v = notch_voice(colour=name, prefilters=False, amp_l=5.0, amp_r=5.0)
    v["seed"] = seed
    return render(v, SR, N10)[:, 0]


@pytest.mark.parametrize("name", ["white", "pink", "brown", "red", "deep brown", "blue", "purple", "violet", "green"])
def test_2_11_1_every_colour_has_unit_rms(render, name):
    assert abs(db(rms(colour(render, name)))) <= 0.2


@pytest.mark.parametrize("name, lo, hi, slope, tol", [
    ("pink", 100, 10_000, -3.0, 0.3),
    ("brown", 100, 2_000, -6.0, 0.5),
    ("blue", 100, 4_000, 3.0, 0.5),
    ("purple", 100, 4_000, 6.0, 0.5),
    ("white", 100, 10_000, 0.0, 0.1),
])
def test_2_11_1_colour_slopes(render, name, lo, hi, slope, tol):
    assert slope_db_per_octave(colour(render, name), lo, hi) == pytest.approx(slope, abs=tol)


def test_2_11_1_white_is_flat(render):
    f, p = psd(colour(render, "white"))
    edges = 100 * 2 ** (np.arange(0, 20) / 3)          # third-octave bands, 100 Hz … 10 kHz
    levels = [10 * np.log10(p[(f >= a) & (f < b)].mean()) for a, b in zip(edges[:-1], edges[1:]) if b <= 10_000]
    assert np.ptp(levels) <= 1.0                        # every band within ± 0.5 dB of the middle


def test_2_11_1_green_is_pink_band_passed_100_to_1000_hz(render):
    f, g = psd(colour(render, "green"))
    _, p = psd(colour(render, "pink"))
    ratio = 10 * np.log10(g / p)
    ratio -= ratio[(f > 200) & (f < 500)].max()
    # the −3 dB points: the ends of the run of bins at or above −3 dB around 316 Hz
    i = j = int(np.argmin(np.abs(f - 316)))
    while ratio[i - 1] >= -3.0:
        i -= 1
    while ratio[j + 1] >= -3.0:
        j += 1
    cross = lambda k, m: np.interp(-3.0, sorted([ratio[k], ratio[m]]), [f[k], f[m]] if ratio[k] < ratio[m] else [f[m], f[k]])  # noqa: E731
    assert cross(i - 1, i) == pytest.approx(100, rel=0.05) and cross(j + 1, j) == pytest.approx(1000, rel=0.05)


# --- levels: §2.11 property 2, §3.12 properties 1–2, §3.13 property 1 -----------------------------

def test_3_13_1_swept_notch_defaults_are_at_rms_0_2_with_identical_ears(render):
    y = render(notch_voice(sweeps=[sweep(1000, 10_000)]), SR, N10)
    assert abs(db(rms(y[:, 0]) / 0.2)) <= 0.25
    assert np.array_equal(y[:, 0], y[:, 1])             # §2.11 property 4, §3.13 property 2


def test_3_12_1_noise_generator_defaults(render):
    v = notch_voice("noise_generator", sweeps=[sweep(1000, 10_000)], lfo_freq_hz=1 / 12,
                    lfo_offset_r_deg=90.0, amp_l=0.25, amp_r=0.25)
    y = render(v, SR, N10)
    for ch in (0, 1):
        assert abs(db(rms(y[:, ch]) / 0.05)) <= 0.25


def test_3_12_2_per_ear_gain(render):
    y = render(notch_voice("noise_generator", sweeps=[sweep(1000, 10_000)], amp_l=0.5, amp_r=0.0), SR, N10)
    assert not y[:, 1].any()
    assert abs(db(rms(y[:, 0]) / 0.1)) <= 0.25


def test_3_12_3_fade_in_is_linear_over_its_length(render):
    plain = notch_voice("noise_generator", amp_l=0.25, amp_r=0.25)
    faded = {**plain, "params": {**plain["params"], "fade_in_s": 2.0}}
    n = frames(3.0)
    a, b = render(faded, SR, n)[:, 0], render(plain, SR, n)[:, 0]
    w = frames(0.05)
    mean_square = lambda x: np.convolve(x * x, np.ones(w) / w, mode="valid")  # noqa: E731
    ratio = np.sqrt(mean_square(a) / mean_square(b))
    t = (np.arange(ratio.size) + (w - 1) / 2) / SR     # window centres
    rising = (ratio > 0.1) & (ratio < 0.9)
    k, c = np.polyfit(t[rising], ratio[rising], 1)
    r2 = 1 - np.var(ratio[rising] - (k * t[rising] + c)) / np.var(ratio[rising])
    assert r2 > 0.98
    assert -c / k == pytest.approx(0.0, abs=0.01) and (1 - c) / k == pytest.approx(2.0, abs=0.01)


# --- notch tracking: §2.11 properties 3–5, §3.13 properties 2–3 -----------------------------------

def notch_minima(x, ref, predicted, lo=100.0, hi=10_000.0):
    """Per Hann window of 4096 (hop 2048): (frequency of the minimum of the smoothed periodogram
    ratio, its depth in dB, the predicted centres at the window centre)."""
    f, t, sx = signal.spectrogram(x, fs=SR, window="hann", nperseg=4096, noverlap=2048, mode="psd")
    _, _, sr_ = signal.spectrogram(ref, fs=SR, window="hann", nperseg=4096, noverlap=2048, mode="psd")
    kernel = np.ones(5) / 5
    smooth = lambda s: np.apply_along_axis(lambda c: np.convolve(c, kernel, mode="same"), 0, s)  # noqa: E731
    ratio = 10 * np.log10(smooth(sx) / smooth(sr_))
    band = (f >= lo) & (f <= hi)
    return f[band], ratio[band], t


def centre(t, q_offset=0.0, lo=500.0, hi=4000.0, rate=0.1):
    return (lo + hi) / 2 + (hi - lo) / 2 * np.cos(2 * np.pi * (rate * t + q_offset))


@pytest.fixture(scope="module")
def tracking():
    """voices.md §2.11 property 3/4 settings with the right ear at +90°, per renderer."""
    out = {}
    for name in SELECTED:
        fn = engine_render if name == "engine" else render_voice
        swept = fn(notch_voice(sweeps=[sweep(500, 4000)], lfo_offset_r_deg=90.0), SR, N20)
        plain = fn(notch_voice(), SR, N20)
        out[name] = (swept, plain)
    return out


@pytest.mark.parametrize("renderer", SELECTED)
@pytest.mark.parametrize("ch, q_offset", [(0, 0.0), (1, 0.25)], ids=["left", "right at +0.25 cycle"])
def test_2_11_3_notch_follows_the_lfo(tracking, renderer, ch, q_offset):
    swept, plain = tracking[renderer]
    f, ratio, t = notch_minima(swept[:, ch], plain[:, ch], None)
    found = f[np.argmin(ratio, axis=0)]
    depth = ratio.min(axis=0)
    predicted = centre(t, q_offset)
    hits = np.abs(found / predicted - 1) <= 0.03
    assert hits.mean() >= 0.95
    assert np.median(depth) <= -25.0


def test_2_11_5_intra_offset_gives_two_notches(render):
    v = notch_voice(sweeps=[sweep(500, 4000)], intra_offset_deg=180.0)
    swept, plain = render(v, SR, N10), render(notch_voice(), SR, N10)
    f, ratio, t = notch_minima(swept[:, 0], plain[:, 0], None)
    for q_offset in (0.0, 0.5):
        predicted = centre(t, q_offset)
        near = np.abs(f[:, None] / predicted[None, :] - 1) <= 0.03
        deepest = np.where(near, ratio, np.inf).min(axis=0)
        # At the bottom of the sweep a Q 25 notch (20 Hz wide) is narrower than the 5-bin
        # smoothing (59 Hz), so the measured depth there is shallow; a notch is still plain.
        assert (deepest <= -6.0).mean() >= 0.95
    assert np.array_equal(swept[:, 0], swept[:, 1])


def test_3_13_3_pink_sound_right_ear_lags_a_quarter_cycle(render):
    v = notch_voice("generate_swept_notch_pink_sound", sweeps=[sweep(500, 4000)], lfo_freq_hz=0.1,
                    lfo_offset_r_deg=90.0)
    swept, plain = render(v, SR, N10), render(notch_voice("generate_swept_notch_pink_sound"), SR, N10)
    for ch, q_offset in ((0, 0.0), (1, 0.25)):
        f, ratio, t = notch_minima(swept[:, ch], plain[:, ch], None)
        assert (np.abs(f[np.argmin(ratio, axis=0)] / centre(t, q_offset) - 1) <= 0.03).mean() >= 0.95


def test_2_11_6_static_notch(render):
    notched = render(notch_voice(static_notches=[[1000.0, 10.0, 2]]), SR, N10)[:, 0]
    plain = render(notch_voice(), SR, N10)[:, 0]
    f, a = psd(notched)
    _, b = psd(plain)
    ratio = lambda hz: 10 * np.log10(a[np.argmin(np.abs(f - hz))] / b[np.argmin(np.abs(f - hz))])  # noqa: E731
    assert ratio(1000) <= -40.0
    assert ratio(800) > -1.5 and ratio(1250) > -1.5


# --- §2.11 property 7: seeds ----------------------------------------------------------------------

def test_2_11_7_seeds(render):
    v = notch_voice()                                   # the seed drives the source only
    one, again, two = ({**v, "seed": s} for s in (1, 1, 2))
    y1 = render.uncached(one, SR, N10)[:, 0]
    assert np.array_equal(y1, render.uncached(again, SR, N10)[:, 0])
    y2 = render.uncached(two, SR, N10)[:, 0]
    assert abs(np.corrcoef(y1, y2)[0, 1]) < 0.01


# --- M7/M8 for class F: seek and the reference ----------------------------------------------------

STEP = frames(5.0)
SEEK = frames(3.3) + 7
RAMPED = notch_voice(
    "noise_generator", ramp(0.5, 3.0), colour="green",
    sweeps=[sweep([300.0, 900.0], [600.0, 1200.0], q=[25.0, 40.0], cascade=[6, 3]), sweep(2000, 5000, 8.0, 2)],
    lfo_freq_hz=[0.5, 2.0], lfo_offset_r_deg=[30.0, 120.0], intra_offset_deg=[0.0, 180.0], lfo_shape="triangle",
    static_notches=[[1000.0, 10.0, 2]], amp_l=[0.2, 0.6], amp_r=0.3, fade_in_s=0.25, fade_out_s=0.5,
    amp_envelope=[[0.0, 1.0], [2.0, 0.5], [2.0, 0.8], [4.0, 1.2]])
SEEK_CASES = {
    "ramped generator": RAMPED,
    "deep brown, default sweep": notch_voice("noise_generator", colour="deep brown", sweeps=[sweep(1000, 10_000)],
                                             lfo_offset_r_deg=90.0),
    "blue, static notches only": notch_voice(colour="blue", static_notches=[[3000.0, 2.0, 3]], amp_l=0.7, amp_r=0.7),
    "purple, no pre-filters": notch_voice(colour="violet", prefilters=False, sweeps=[sweep(200, 800, 5.0, 1)]),
}


@pytest.mark.parametrize("name", SEEK_CASES)
def test_seek_matches_the_continuous_render(render, name):
    full = render(SEEK_CASES[name], SR, STEP)
    tail = render.uncached(SEEK_CASES[name], SR, STEP, SEEK, 4096)
    assert np.abs(tail - full[SEEK : SEEK + 4096]).max() <= 1e-6


def _cached(name: str) -> CachedRenderer:
    """The shared cached renderer, so the full renders of the seek test are reused here."""
    return _INSTANCES.setdefault(name, CachedRenderer(name, RENDERERS[name]))


@pytest.mark.skipif("engine" not in SELECTED, reason='set ENTRAINER_RENDERERS to include "engine"')
@pytest.mark.parametrize("name", SEEK_CASES)
def test_engine_matches_the_reference(name):
    v = SEEK_CASES[name]
    assert np.abs(_cached("engine")(v, SR, STEP) - _cached("reference")(v, SR, STEP)).max() <= 1e-6
