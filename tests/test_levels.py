"""The level analysis (render.md §10): the bounded scan, which skips voices that cannot reach a
step's peak, measures exactly what rendering every voice everywhere measures."""

from __future__ import annotations

import random

import pytest

import entrainer
from entrainer import _engine

from conftest import step, track, voice

SR = 22050


def strict_voice(rng: random.Random, loud: float) -> dict:
    """A voice of a kind whose amplitude bound is strict (VoiceSpec::strict_bound)."""
    amp = loud * rng.uniform(0.2, 1.0)
    kind = rng.choice(["binaural", "binaural", "binaural_am", "monaural", "stereo_am", "wave_shape", "rhythmic",
                       "isochronic", "dual_pulse"])
    base = rng.uniform(60.0, 2000.0)
    if kind == "binaural_am":
        # Unskewed AM and no pan: the voice bounds itself by its AM over each window (block_bound).
        return voice(ampL=amp, ampR=amp * rng.uniform(0.5, 1.0), baseFreq=base, beatFreq=rng.uniform(0.0, 12.0),
                     ampOscDepthL=rng.uniform(0.2, 1.0), ampOscFreqL=rng.uniform(0.05, 3.0),
                     ampOscPhaseOffsetL=rng.uniform(0.0, 6.3), ampOscDepthR=rng.choice([0.0, 1.0]),
                     ampOscFreqR=rng.uniform(0.05, 0.5), ampOscPhaseOffsetR=rng.uniform(-3.0, 3.0),
                     freqOscRangeL=rng.choice([0.0, 0.5]), freqOscFreqL=2.0)
    if kind == "binaural":
        return voice(ampL=amp, ampR=amp * rng.uniform(0.5, 1.0), baseFreq=base, beatFreq=rng.uniform(0.0, 12.0),
                     ampOscDepthL=rng.choice([0.0, 0.5, 1.0]), ampOscFreqL=rng.uniform(0.05, 3.0),
                     ampOscSkewL=rng.uniform(-0.5, 0.5), freqOscRangeR=rng.choice([0.0, 0.5, 40.0]),
                     freqOscFreqR=rng.uniform(0.1, 4.0), freqOscShape=rng.choice(["sine", "triangle"]),
                     phaseOscFreq=rng.choice([0.0, 0.3]), phaseOscRange=0.8,
                     panRangeMin=rng.uniform(-1.0, 0.0), panRangeMax=rng.uniform(0.0, 1.0),
                     panFreq=rng.choice([0.0, 0.2, 1.5]))
    if kind == "monaural":
        return voice("monaural_beat_stereo_amps", amp_lower_L=amp, amp_upper_L=amp * 0.7, amp_lower_R=amp * 0.5,
                     amp_upper_R=amp, baseFreq=base, beatFreq=rng.uniform(1.0, 10.0),
                     ampOscDepth=rng.uniform(0.0, 1.0), ampOscFreq=rng.uniform(0.1, 2.0))
    if kind == "stereo_am":
        return voice("stereo_am_independent", amp=amp, carrierFreq=base, modFreqL=rng.uniform(1.0, 9.0),
                     modFreqR=rng.uniform(1.0, 9.0), modDepthL=rng.uniform(0.0, 1.0), modDepthR=1.0)
    if kind == "wave_shape":
        return voice("wave_shape_stereo_am", amp=amp, carrierFreq=base, shapeModFreq=rng.uniform(1.0, 8.0),
                     shapeModDepth=rng.uniform(0.0, 1.0), shapeAmount=rng.uniform(0.0, 5.0),
                     stereoModFreqL=rng.uniform(0.1, 2.0), stereoModDepthL=rng.uniform(0.0, 1.0))
    if kind == "rhythmic":
        return voice("rhythmic_waveshaping", amp=amp, carrierFreq=base, modFreq=rng.uniform(1.0, 10.0),
                     modDepth=rng.uniform(0.0, 1.0), shapeAmount=rng.uniform(0.0, 5.0), pan=rng.uniform(-1.0, 1.0))
    if kind == "isochronic":
        return voice("isochronic_tone", ampL=amp, ampR=amp, baseFreq=base, beatFreq=rng.uniform(2.0, 12.0),
                     rampPercent=rng.uniform(0.05, 0.3), panRangeMin=-0.5, panRangeMax=0.5, panFreq=0.3)
    return voice("dual_pulse_binaural", ampL=amp, ampR=amp, baseFreq=base, beatFreq=rng.uniform(1.0, 8.0),
                 pulseRate=rng.uniform(1.0, 6.0), pulseDepth=rng.uniform(0.3, 1.0))


def other_voice(rng: random.Random, loud: float) -> dict:
    """A voice the analysis always renders (filtered: no strict bound)."""
    amp = loud * rng.uniform(0.2, 1.0)
    if rng.random() < 0.5:
        return voice("isochronic_tone", ampL=amp, ampR=amp, baseFreq=rng.uniform(200.0, 800.0), beatFreq=9.0,
                     harmonicSuppression=True)
    return voice("qam_beat", ampL=amp, ampR=amp, baseFreqL=rng.uniform(200.0, 400.0), baseFreqR=300.0)


ENVELOPES = [
    None,
    {"type": "adsr", "params": {"attack": 0.5, "decay": 1.0, "sustain_level": 0.6, "release": 1.5}},
    {"type": "linear_fade", "params": {"fade_duration": 3.0, "start_amp": 0.2, "end_amp": 1.0}},
]


def random_track(seed: int) -> dict:
    rng = random.Random(seed)
    steps = []
    for i in range(rng.randint(1, 3)):
        voices = [strict_voice(rng, rng.choice([1.0, 0.3, 0.02])) for _ in range(rng.randint(3, 8))]
        if rng.random() < 0.4:
            voices.append(other_voice(rng, 0.3))
        for v in voices:
            v["volume_envelope"] = rng.choice(ENVELOPES)
        # A transition in the loudest voice: its peak can sit anywhere in the step.
        voices[0] = voice(transition=True, startAmpL=rng.uniform(0.1, 1.0), endAmpL=rng.uniform(0.1, 1.0),
                          startAmpR=0.5, endAmpR=0.9, startBaseFreq=100.0, endBaseFreq=300.0, startBeatFreq=4.0,
                          endBeatFreq=8.0, initial_offset=rng.uniform(0.0, 2.0))
        steps.append(step(rng.uniform(8.0, 14.0), *voices, description=f"s{i}"))
    return track(*steps, sample_rate=SR, crossfade=rng.choice([0.0, 1.0]),
                 curve=rng.choice(["linear", "equal_power"]))


def analyses(t: dict) -> tuple[tuple, tuple, tuple[int, int]]:
    r = entrainer.prepare(t, levels="provisional").engine
    full = r.measure_levels(scan="full")
    assert r.scan_stats[0] == r.scan_stats[1]  # the full scan renders every voice block
    bounded = r.measure_levels()
    return full, bounded, r.scan_stats


@pytest.mark.parametrize("seed", range(12))
def test_bounded_analysis_equals_the_full_one(seed):
    full, bounded, (rendered, total) = analyses(random_track(seed))
    assert bounded == full  # step gains, final gain, step peaks and peak, bit for bit
    assert rendered < total  # the bounded path ran (it skips 8-58 % of these tracks' voice blocks)


def test_a_late_peak_in_a_long_step_is_found():
    """The loudest moment is where a slow AM and a swell of the main voice coincide, near the
    end of a 60 s step: the scan settles most blocks early and must still find it."""
    t = track(step(60.0,
                   voice(transition=True, startAmpL=0.2, endAmpL=1.0, startAmpR=0.2, endAmpR=1.0, startBaseFreq=200.0,
                         endBaseFreq=200.0, startBeatFreq=4.0, endBeatFreq=4.0, initial_offset=50.0,
                         transition_duration=9.0),
                   voice(ampL=0.5, ampR=0.5, baseFreq=330.0, beatFreq=6.0, ampOscDepthL=1.0, ampOscDepthR=1.0,
                         ampOscFreqL=1 / 60, ampOscFreqR=1 / 60),
                   *[voice(ampL=0.01, ampR=0.01, baseFreq=500.0 + 97.0 * k, beatFreq=1.0) for k in range(6)]),
              sample_rate=SR)
    full, bounded, (rendered, total) = analyses(t)
    assert bounded == full
    assert full[2][0] > 1.3  # the swell and the AM crest together
    assert rendered < 0.6 * total  # 52 %; with the strict bounds alone it would be ≥ 2/3


def test_voices_with_slow_am_are_bounded_by_their_envelope_over_each_window():
    """Two voices with opposite AM (their gains add up to 1) and a slow louder tone: once the
    tone is rendered, the AM voices' bounds over the window (amp × the AM's largest gain there)
    settle most blocks. With their strict bounds (amp) alone, the tone and the first AM voice
    would have to be rendered in every block (at least 2/3 of the voice blocks)."""
    t = track(step(30.0,
                   voice(ampL=1.0, ampR=1.0, baseFreq=3.0, beatFreq=0.2),
                   # AM crests: the first voice at the start (phase 3π/2), the second at 10 s.
                   voice(ampL=0.99, ampR=0.99, baseFreq=200.0, beatFreq=4.0, ampOscDepthL=1.0, ampOscDepthR=1.0,
                         ampOscFreqL=0.05, ampOscFreqR=0.05, ampOscPhaseOffsetL=4.712389,
                         ampOscPhaseOffsetR=4.712389),
                   voice(ampL=0.99, ampR=0.99, baseFreq=330.0, beatFreq=6.0, ampOscDepthL=1.0, ampOscDepthR=1.0,
                         ampOscFreqL=0.05, ampOscFreqR=0.05, ampOscPhaseOffsetL=1.570796,
                         ampOscPhaseOffsetR=1.570796)),
              sample_rate=SR)
    full, bounded, (rendered, total) = analyses(t)
    assert bounded == full
    assert full[2][0] > 1.9  # the tone and an AM voice's crest together
    assert rendered < 0.6 * total  # 52 %; with the strict bounds alone it would be ≥ 2/3


def test_scan_names_are_checked():
    r = entrainer.prepare(random_track(0), levels="provisional").engine
    with pytest.raises(ValueError, match='scan: expected "bounded" or "full", got "quick"'):
        r.measure_levels(scan="quick")
    assert isinstance(r, _engine.Renderer)
