"""Reading params through a table (voices.md §0.4 types, §2.4 start/end rules, §2.7 pan)
and writing them as plan values."""

from __future__ import annotations

import pytest

from entrainer.errors import Report
from entrainer.voices.params import Where, plan_values, resolve
from entrainer.voices.registry import get


def plan(function: str, transition: bool = False, **params) -> dict:
    family = get(function)
    report = Report()
    resolved = resolve(family.rows, params, transition, Where("params"), report)
    assert report.errors == []
    return plan_values(family.rows, resolved, family.swaps)


def pick(values: dict, *keys: str) -> tuple:
    return tuple(values[k] for k in keys)


CASES = [
    # (function, transition, params, plan keys, expected values)
    ("binaural_beat", False, {}, ("amp_l", "base_freq_hz", "beat_freq_hz", "vib_shape", "left_high"),
     ([0.5, 0.5], [200.0, 200.0], [4.0, 4.0], "sine", False)),
    # a static voice reads only plain keys
    ("binaural_beat", False, {"baseFreq": 100, "startBaseFreq": 300, "endBaseFreq": 400}, ("base_freq_hz",),
     ([100.0, 100.0],)),
    # startX ← X ← default; endX ← start
    ("binaural_beat", True, {"baseFreq": 100, "endBaseFreq": 400, "startAmpL": 0.2, "beatFreq": 6},
     ("base_freq_hz", "amp_l", "beat_freq_hz", "amp_r"),
     ([100.0, 400.0], [0.2, 0.2], [6.0, 6.0], [0.5, 0.5])),
    # start phases: the start value only; the end key is ignored
    ("binaural_beat", True, {"startPhaseL": 1.0, "startStartPhaseR": 2.0, "endStartPhaseR": 3.0},
     ("start_phase_l_rad", "start_phase_r_rad"), (1.0, 2.0)),
    # booleans and enums: startX ← X ← default, end ignored; enums trimmed and lower-cased
    ("binaural_beat", True, {"startForceMono": 1, "endForceMono": False, "freqOscShape": " Triangle"},
     ("force_mono", "vib_shape"), (True, "triangle")),
    ("binaural_beat", False, {"leftHigh": 0}, ("left_high",), (False,)),
    # harmonicSuppression is on if either end is on
    ("isochronic_tone", True, {"startHarmonicSuppression": False, "endHarmonicSuppression": True},
     ("harmonic_suppression",), (True,)),
    ("isochronic_tone", False, {"harmonicSuppression": 1}, ("harmonic_suppression",), (True,)),
    # isochronic: amp is the default of ampL/ampR; beatFreq is the pulse rate
    ("isochronic_tone", False, {"amp": 0.3, "ampR": 0.6, "beatFreq": 9},
     ("amp_l", "amp_r", "pulse_freq_hz"), ([0.3, 0.3], [0.6, 0.6], [9.0, 9.0])),
    ("isochronic_tone", True, {"amp": 0.3, "endAmpL": 0.1}, ("amp_l",), ([0.3, 0.1],)),
    # pan: the range limits default to pan at each end, and are swapped end by end
    ("isochronic_tone", False, {"pan": 0.4}, ("pan_min", "pan_max", "pan_type"), ([0.4, 0.4], [0.4, 0.4], "linear")),
    ("isochronic_tone", False, {"panRangeMin": 1, "panRangeMax": -1}, ("pan_min", "pan_max"),
     ([-1.0, -1.0], [1.0, 1.0])),
    ("isochronic_tone", True, {"pan": 0.5, "endPan": -0.5, "panRangeMax": -1}, ("pan_min", "pan_max"),
     ([-1.0, -1.0], [0.5, -0.5])),
    ("isochronic_tone", True, {"panRangeMin": -0.2, "endPan": 0.9}, ("pan_min", "pan_max"),
     ([-0.2, -0.2], [0.0, 0.9])),
    ("isochronic_tone", True, {"startPanType": "Inward", "endPanType": "inward"}, ("pan_type",), ("inward",)),
    # monaural: snake_case transition keys and the legacy upper start-phase spelling
    ("monaural_beat_stereo_amps", True, {"start_amp_lower_L": 0.1, "end_amp_lower_L": 0.9, "amp_upper_R": 0.2},
     ("amp_lower_l", "amp_upper_r"), ([0.1, 0.9], [0.2, 0.2])),
    ("monaural_beat_stereo_amps", True, {"startPhaseR": 1.0, "startStartPhaseU": 2.0},
     ("start_phase_lower_rad", "start_phase_upper_rad"), (0.0, 2.0)),
    ("monaural_beat_stereo_amps", True, {"startPhaseR": 1.0}, ("start_phase_upper_rad",), (1.0,)),
    ("monaural_beat_stereo_amps", False, {"ampOscDepth": 2}, ("am_depth",), ([2.0, 2.0],)),
]


@pytest.mark.parametrize("function, transition, params, keys, expected", CASES)
def test_plan_values(function, transition, params, keys, expected):
    assert pick(plan(function, transition, **params), *keys) == expected


def test_integers_write_as_floats_and_every_row_is_present():
    values = plan("binaural_beat", baseFreq=300, ampL=1)
    assert values["base_freq_hz"] == [300.0, 300.0] and isinstance(values["base_freq_hz"][0], float)
    assert len(values) == 32


TYPE_ERRORS = [
    # (params, transition, error lines)
    ({"baseFreq": "200"}, False, ['params.baseFreq: expected a number ≥ 0, got "200"']),
    ({"startBaseFreq": -5, "baseFreq": 100}, True, ["params.startBaseFreq: expected a number ≥ 0, got -5"]),
    ({"endAmpL": 10.5}, True, ["params.endAmpL: expected a number from 0 to 10, got 10.5"]),
    ({"leftHigh": "False"}, False, ['params.leftHigh: expected true or false (or 0 or 1), got "False"']),
    ({"leftHigh": 2}, False, ["params.leftHigh: expected true or false (or 0 or 1), got 2"]),
    ({"freqOscShape": 1}, False, ['params.freqOscShape: expected one of "sine", "triangle", got 1']),
    ({"seed": 2.5}, False, ["params.seed: expected an integer from 0 to 9223372036854775807, got 2.5"]),
    ({"ampOscSkewL": -1.01, "panFreq": -0.1}, False,
     ["params.ampOscSkewL: expected a number from -1 to 1, got -1.01",
      "params.panFreq: expected a number ≥ 0, got -0.1"]),
    # keys of the other variant are not read, so not checked
    ({"startBaseFreq": "x"}, False, []),
    ({"endStartPhaseL": "x"}, True, []),
]


@pytest.mark.parametrize("params, transition, lines", TYPE_ERRORS)
def test_type_and_range_errors(params, transition, lines):
    report = Report()
    family = get("binaural_beat")
    resolve(family.rows, params, transition, Where("params"), report)
    assert [str(d) for d in report.errors] == lines
