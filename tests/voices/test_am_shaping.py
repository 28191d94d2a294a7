"""The parameter tables of the AM and waveshaping voices (voices.md §3.4–§3.6): how files
become plan values (the uniform transition rule, the legacy stereo-width spelling) and the
whole load-error messages for bad input."""

from __future__ import annotations

import math

import pytest

from entrainer.errors import Report, TrackError
from entrainer.loader import load_track
from entrainer.voices.params import Where, plan_values, resolve
from entrainer.voices.registry import get


def plan(function: str, transition: bool = False, **params) -> dict:
    family = get(function)
    report = Report()
    values = plan_values(family.rows, resolve(family.rows, params, transition, Where("params"), report), family.swaps)
    assert report.errors == []
    return values


PLANS = [
    # (function, transition, params, plan key, expected)
    ("stereo_am_independent", False, {}, "stereo_width_hz", [0.2, 0.2]),
    ("stereo_am_independent", True, {"startStereoWidthHz": 1.0, "endStereoWidthHz": 3.0}, "stereo_width_hz", [1.0, 3.0]),
    ("stereo_am_independent", True, {"start_stereo_width_hz": 1.0, "end_stereo_width_hz": 2.0}, "stereo_width_hz", [1.0, 2.0]),
    ("stereo_am_independent", True, {"stereo_width_hz": 0.5}, "stereo_width_hz", [0.5, 0.5]),
    # no fixed legacy end defaults: end = start (the legacy ran the carrier to 250 Hz)
    ("stereo_am_independent", True, {"carrierFreq": 220}, "carrier_freq_hz", [220.0, 220.0]),
    ("stereo_am_independent", True, {"startAmp": 0.1, "endAmp": 0.3}, "amp", [0.1, 0.3]),
    ("wave_shape_stereo_am", False, {}, "stereo_mod_phase_r_rad", [math.pi / 2, math.pi / 2]),
    ("wave_shape_stereo_am", True, {"startStereoModPhaseR": 0.0}, "stereo_mod_phase_r_rad", [0.0, 0.0]),
    ("wave_shape_stereo_am", True, {}, "carrier_freq_hz", [200.0, 200.0]),
    ("rhythmic_waveshaping", True, {"startModFreq": 12, "endPan": -0.5}, "mod_freq_hz", [12.0, 12.0]),
    ("rhythmic_waveshaping", True, {"startModFreq": 12, "endPan": -0.5}, "pan", [0.0, -0.5]),
]


@pytest.mark.parametrize("function, transition, params, key, expected", PLANS)
def test_plan_values(function, transition, params, key, expected):
    assert plan(function, transition, **params)[key] == expected


@pytest.mark.parametrize("function", ["stereo_am_independent", "wave_shape_stereo_am", "rhythmic_waveshaping"])
def test_a_transition_with_plain_keys_is_the_base_voice(function):
    params = {"amp": 0.4, "carrierFreq": 150}
    assert plan(function, True, **params) == plan(function, False, **params)


def track(voice: dict, rate: int = 48000) -> dict:
    return {"global": {"sample_rate": rate},
            "progression": [{"duration": 5, "description": "Hi", "voices": [voice]}]}


def V(function: str, transition: bool = False, **params) -> dict:
    return {"synth_function_name": function, "is_transition": transition, "params": params}


LOC = "progression[0].voices[0].params"
ERRORS = [
    (V("stereo_am_independent", modDepthL=1.5),
     f'{LOC}.modDepthL: expected a number from 0 to 1, got 1.5 (step "Hi", voice stereo_am_independent)'),
    (V("stereo_am_independent", modFreqR=-4),
     f'{LOC}.modFreqR: expected a number ≥ 0, got -4 (step "Hi", voice stereo_am_independent)'),
    (V("stereo_am_independent", True, carrierFreq=23999, endStereoWidthHz=4),
     f"{LOC}.carrierFreq: expected carrierFreq + endStereoWidthHz/2 below 24000 Hz (half the sample rate of "
     '48000 Hz), got 23999 + 4/2 = 24001 Hz (step "Hi", voice stereo_am_independent_transition)'),
    (V("wave_shape_stereo_am", shapeAmount=-1),
     f'{LOC}.shapeAmount: expected a number from 0 to 100, got -1 (step "Hi", voice wave_shape_stereo_am)'),
    (V("wave_shape_stereo_am", carrierFreq="200"),
     f'{LOC}.carrierFreq: expected a number ≥ 0, got "200" (step "Hi", voice wave_shape_stereo_am)'),
    (V("wave_shape_stereo_am", carrierFreq=30000),
     f"{LOC}.carrierFreq: expected carrierFreq below 24000 Hz (half the sample rate of 48000 Hz), "
     'got 30000 = 30000 Hz (step "Hi", voice wave_shape_stereo_am)'),
    (V("rhythmic_waveshaping", True, endPan=1.5),
     f'{LOC}.endPan: expected a number from -1 to 1, got 1.5 (step "Hi", voice rhythmic_waveshaping_transition)'),
    (V("rhythmic_waveshaping", modDepth=True),
     f'{LOC}.modDepth: expected a number from 0 to 1, got true (step "Hi", voice rhythmic_waveshaping)'),
    (V("rhythmic_waveshaping", flangeEnable=True),
     f'{LOC}.flangeEnable: the flanger is not supported yet (step "Hi", voice rhythmic_waveshaping)'),
]


@pytest.mark.parametrize("voice, line", ERRORS)
def test_load_errors(voice, line):
    with pytest.raises(TrackError) as info:
        load_track(track(voice))
    assert str(info.value) == f"1 error in the track\n{line}"
