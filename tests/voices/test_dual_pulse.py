"""The parameter table of `dual_pulse_binaural` (voices.md §3.9): common pulse keys as the
defaults of the per-ear ones at each end, shape aliases, the suppression switch, and the whole
load-error messages for bad input."""

from __future__ import annotations

import pytest

from entrainer.errors import Report, TrackError
from entrainer.loader import load_track
from entrainer.voices.params import Where, plan_values, resolve
from entrainer.voices.registry import get


def plan(transition: bool = False, **params) -> dict:
    family = get("dual_pulse_binaural")
    report = Report()
    values = plan_values(family.rows, resolve(family.rows, params, transition, Where("params"), report), family.swaps)
    assert report.errors == []
    return values


PLANS = [
    # (transition, params, plan key, expected)
    (False, {}, "pulse_rate_hz", [0.0, 0.0]),
    (False, {"pulseRate": 6}, "pulse_rate_l_hz", [6.0, 6.0]),
    (False, {"pulseRate": 6, "pulseRateR": 2}, "pulse_rate_r_hz", [2.0, 2.0]),
    (True, {"startPulseRate": 4, "endPulseRate": 8}, "pulse_rate_l_hz", [4.0, 8.0]),
    (True, {"startPulseRate": 4, "endPulseRate": 8, "endPulseRateR": 3}, "pulse_rate_r_hz", [4.0, 3.0]),
    (True, {"rampPercent": 0.4, "endRampPercentL": 0.1}, "ramp_fraction_l", [0.4, 0.1]),
    (True, {"startGapPercentR": 0.3}, "gap_fraction_r", [0.3, 0.3]),
    (False, {"pulsePhaseOffset": 2.25}, "pulse_phase_r_cycles", [2.25, 2.25]),
    (False, {"pulseDepthL": 0.5}, "pulse_depth_l", [0.5, 0.5]),
    (False, {"pulseShape": " Hann "}, "pulse_shape_r", "raised_cosine"),
    (False, {"pulseShape": "pulse", "pulseShapeL": "raised-cosine"}, "pulse_shape_l", "raised_cosine"),
    (False, {"pulseShape": "pulse"}, "pulse_shape_r", "square"),
    (True, {"startPulseShape": "cosine", "endPulseShape": "square"}, "pulse_shape_l", "raised_cosine"),
    (True, {"startHarmonicSuppression": False, "endHarmonicSuppression": True}, "harmonic_suppression", True),
    # the binaural keys are all there
    (True, {"startBaseFreq": 300, "endBaseFreq": 250}, "base_freq_hz", [300.0, 250.0]),
    (False, {"panRangeMin": 0.5, "panRangeMax": -0.5}, "pan_min", [-0.5, -0.5]),
]


@pytest.mark.parametrize("transition, params, key, expected", PLANS)
def test_plan_values(transition, params, key, expected):
    assert plan(transition, **params)[key] == expected


def track(voice: dict, rate: int = 48000) -> dict:
    return {"global": {"sample_rate": rate},
            "progression": [{"duration": 5, "description": "Hi", "voices": [voice]}]}


def V(transition: bool = False, **params) -> dict:
    return {"synth_function_name": "dual_pulse_binaural", "is_transition": transition, "params": params}


LOC = "progression[0].voices[0].params"
D = '(step "Hi", voice dual_pulse_binaural)'
ERRORS = [
    (V(pulseDepth=1.5), f"{LOC}.pulseDepth: expected a number from 0 to 1, got 1.5 {D}"),
    (V(gapPercentL=-0.1), f"{LOC}.gapPercentL: expected a number from 0 to 1, got -0.1 {D}"),
    (V(pulseRateR=-3), f"{LOC}.pulseRateR: expected a number ≥ 0, got -3 {D}"),
    (V(pulseShape="sawtooth"),
     f'{LOC}.pulseShape: expected one of "trapezoid", "square", "raised_cosine", got "sawtooth" {D}'),
    (V(harmonicSuppression="yes"), f'{LOC}.harmonicSuppression: expected true or false (or 0 or 1), got "yes" {D}'),
    (V(pulsePhaseOffset="0.5"), f'{LOC}.pulsePhaseOffset: expected a number, got "0.5" {D}'),
    (V(baseFreq=23990, beatFreq=10, freqOscRangeL=20),
     f"{LOC}.baseFreq: expected baseFreq + beatFreq/2 + max(freqOscRangeL, freqOscRangeR)/2 below 24000 Hz "
     f"(half the sample rate of 48000 Hz), got 23990 + 10/2 + max(20, 0)/2 = 24005 Hz {D}"),
    (V(glitchInterval=1, glitchDur=0.1, glitchNoiseLevel=0.2),
     f"{LOC}.glitchInterval: the glitch-burst stage is not supported yet {D}"),
]


@pytest.mark.parametrize("voice, line", ERRORS)
def test_load_errors(voice, line):
    with pytest.raises(TrackError) as info:
        load_track(track(voice))
    assert str(info.value) == f"1 error in the track\n{line}"
