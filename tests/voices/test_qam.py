"""The parameter tables of the QAM voices (voices.md §3.7–§3.8): static keys, the hybrid's
legacy start-phase spelling, the frequency limits with their conditions, and the whole
load-error messages for bad input."""

from __future__ import annotations

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
    ("qam_beat", False, {}, "base_freq_r_hz", [204.0, 204.0]),
    ("qam_beat", True, {"startQamAmDepthL": 0.2, "endQamAmDepthL": 0.9}, "am_depth_l", [0.2, 0.9]),
    ("qam_beat", True, {"startModShapeR": 2, "endModShapeR": 3}, "mod_shape_r", [2.0, 3.0]),
    ("qam_beat", True, {"startPhaseL": 1.0, "startStartPhaseL": 2.0, "endStartPhaseL": 3.0}, "start_phase_l_rad", 2.0),
    # static keys: the plain key only, even in a transition
    ("qam_beat", True, {"harmonicRatio": 3, "startHarmonicRatio": 5}, "harmonic_ratio", 3.0),
    ("qam_beat", True, {"crossModDelay": 0.2, "endCrossModDelay": 0.5}, "cross_mod_delay_s", 0.2),
    ("qam_beat", False, {"beatingSidebands": 1}, "beating_sidebands", True),
    ("qam_beat", False, {}, "sideband_depth", 0.1),
    ("hybrid_qam_monaural_beat", True, {"startMonoStartPhaseR_Tone1": 0.5, "monoStartPhaseR_Tone2": 0.7},
     "mono_start_phase_tone1_rad", 0.5),
    ("hybrid_qam_monaural_beat", True, {"monoStartPhaseR_Tone2": 0.7}, "mono_start_phase_tone2_rad", 0.7),
    ("hybrid_qam_monaural_beat", True, {"startMonoBeatFreqInChannelR": 2, "endMonoBeatFreqInChannelR": 6},
     "mono_beat_freq_r_hz", [2.0, 6.0]),
    ("hybrid_qam_monaural_beat", True, {"startQamStartPhaseL": 1.5}, "qam_start_phase_l_rad", 1.5),
]


@pytest.mark.parametrize("function, transition, params, key, expected", PLANS)
def test_plan_values(function, transition, params, key, expected):
    assert plan(function, transition, **params)[key] == expected


def track(voice: dict, rate: int = 48000) -> dict:
    return {"global": {"sample_rate": rate},
            "progression": [{"duration": 5, "description": "Hi", "voices": [voice]}]}


def V(function: str, transition: bool = False, **params) -> dict:
    return {"synth_function_name": function, "is_transition": transition, "params": params}


LOC = "progression[0].voices[0].params"
Q = '(step "Hi", voice qam_beat)'
H = '(step "Hi", voice hybrid_qam_monaural_beat)'
HALF = "below 24000 Hz (half the sample rate of 48000 Hz)"
ERRORS = [
    (V("qam_beat", modShapeL=0), [f"{LOC}.modShapeL: expected a number from 0.05 to 20, got 0 {Q}"]),
    (V("qam_beat", crossModDelay=-1), [f"{LOC}.crossModDelay: expected a number from 0 to 10, got -1 {Q}"]),
    (V("qam_beat", beatingSidebands="false"),
     [f'{LOC}.beatingSidebands: expected true or false (or 0 or 1), got "false" {Q}']),
    (V("qam_beat", harmonicRatio=20), [f"{LOC}.harmonicRatio: expected a number from 0.1 to 16, got 20 {Q}"]),
    (V("qam_beat", qamAmDepthR=1.5), [f"{LOC}.qamAmDepthR: expected a number from 0 to 1, got 1.5 {Q}"]),
    (V("qam_beat", attackTime=-0.1), [f"{LOC}.attackTime: expected a number ≥ 0, got -0.1 {Q}"]),
    (V("qam_beat", flangeEnable=True), [f"{LOC}.flangeEnable: the flanger is not supported yet {Q}"]),
    # frequency limits: the harmonic only with a harmonic depth, the sideband offset only when on
    (V("qam_beat", baseFreqL=15000, harmonicDepth=0.5),
     [f"{LOC}.baseFreqL: expected harmonicRatio × baseFreqL {HALF}, got 2 × 15000 = 30000 Hz {Q}"]),
    (V("qam_beat", baseFreqL=15000), []),
    (V("qam_beat", baseFreqR=23999.5, beatingSidebands=True),
     [f"{LOC}.baseFreqR: expected baseFreqR + sidebandOffset {HALF}, got 23999.5 + 1 = 24000.5 Hz {Q}"]),
    (V("qam_beat", baseFreqR=23999.5), []),
    (V("qam_beat", baseFreqL=30000, harmonicDepth=0.1),       # one message per carrier key
     [f"{LOC}.baseFreqL: expected baseFreqL {HALF}, got 30000 = 30000 Hz {Q}"]),
    (V("hybrid_qam_monaural_beat", monoCarrierFreqR=23990, monoFmRangeR=10, monoBeatFreqInChannelR=12),
     [f"{LOC}.monoCarrierFreqR: expected monoCarrierFreqR + monoFmRangeR/2 + monoBeatFreqInChannelR/2 {HALF}, "
      f"got 23990 + 10/2 + 12/2 = 24001 Hz {H}"]),
    (V("hybrid_qam_monaural_beat", monoAmDepthR=-0.5),
     [f"{LOC}.monoAmDepthR: expected a number from 0 to 1, got -0.5 {H}"]),
]


@pytest.mark.parametrize("voice, lines", ERRORS)
def test_load_errors(voice, lines):
    if not lines:
        load_track(track(voice))
        return
    with pytest.raises(TrackError) as info:
        load_track(track(voice))
    count = f"{len(lines)} error{'' if len(lines) == 1 else 's'} in the track"
    assert str(info.value) == "\n".join([count, *lines])
