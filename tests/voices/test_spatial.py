"""The spatial voices' tables (voices.md §3.10, §3.11): plan values with their legacy
transition spellings, load errors with their whole message, the frequency limits, and the
KEMAR data path (entrainer.hrtf: safe unpickling, pinned contents, missing package)."""

from __future__ import annotations

import bz2
import json
import pickle

import numpy as np
import pytest

from entrainer import _engine, hrtf
from entrainer.errors import Report
from entrainer.loader import load_track
from entrainer.voices.nyquist import check_track
from entrainer.voices.params import Where, plan_values, resolve
from entrainer.voices.registry import get

SAM, MONO = "spatial_angle_modulation", "spatial_angle_modulation_monaural_beat"


def plan(function: str, transition: bool = False, **params) -> dict:
    family = get(function)
    report = Report()
    resolved = resolve(family.rows, params, transition, Where("params"), report)
    assert report.errors == []
    return plan_values(family.rows, resolved, family.swaps)


PLAN_CASES = [
    # (function, transition, params, expected plan values)
    (SAM, False, {}, dict(amp=[0.7, 0.7], carrier_freq_hz=[440.0, 440.0], path_freq_hz=[4.0, 4.0],
                          path_shape="circle", path_radius=[1.0, 1.0], arc_start_deg=[0.0, 0.0],
                          arc_end_deg=[360.0, 360.0], hrtf_model="kemar")),
    # plain keys are the fallback of every start value; end values default to the start
    (SAM, True, {"carrierFreq": 300, "endCarrierFreq": 500, "startBeatFreq": 1, "pathShape": " Square",
                 "endPathShape": "arc", "hrtfModel": "SPHERE", "startAmp": 0.2},
     dict(carrier_freq_hz=[300.0, 500.0], path_freq_hz=[1.0, 1.0], path_shape="square", hrtf_model="sphere",
          amp=[0.2, 0.2])),
    # the legacy frame settings are accepted and ignored
    (SAM, False, {"frame_dur_ms": 46.4, "overlap_factor": 8}, dict(carrier_freq_hz=[440.0, 440.0])),
    # spatialBeatFreq defaults to beatFreq, at each end
    (MONO, True, {"beatFreq": 6, "endBeatFreq": 8}, dict(beat_freq_hz=[6.0, 8.0], spatial_freq_hz=[6.0, 8.0])),
    (MONO, False, {"beatFreq": 6, "spatialBeatFreq": 0.25}, dict(spatial_freq_hz=[0.25, 0.25])),
    # the plain ampOsc… keys feed the source AM; the core AM has its own keys
    (MONO, False, {"ampOscDepth": 0.5, "ampOscFreq": 2, "ampOscPhaseOffset": 1, "monaural_ampOscDepth": 1.5},
     dict(sam_am_depth=[0.5, 0.5], sam_am_freq_hz=[2.0, 2.0], sam_am_phase_rad=[1.0, 1.0], am_depth=[1.5, 1.5])),
    (MONO, False, {"ampOscDepth": 0.5, "sam_ampOscDepth": 0.25}, dict(sam_am_depth=[0.25, 0.25])),
    # transition: start_sam_… ← sam_… ← ampOsc…
    (MONO, True, {"ampOscFreq": 2, "end_sam_ampOscFreq": 3, "sam_ampOscDepth": 0.4, "start_sam_ampOscDepth": 0.6},
     dict(sam_am_freq_hz=[2.0, 3.0], sam_am_depth=[0.6, 0.6])),
    # legacy _monaural spellings first, then the uniform ones, then the plain keys
    (MONO, True, {"startAmpOscDepth_monaural": 0.3, "endAmpOscDepth_monaural": 0.9, "monaural_ampOscFreq": 2,
                  "end_monaural_ampOscFreq": 4, "startPhaseOscFreq_monaural": 0.5, "phaseOscRange": 1,
                  "endPhaseOscRange_monaural": 2},
     dict(am_depth=[0.3, 0.9], am_freq_hz=[2.0, 4.0], wobble_freq_hz=[0.5, 0.5], wobble_range_rad=[1.0, 2.0])),
    (MONO, True, {"startStartPhaseL_monaural": 0.3, "startPhaseL": 0.1, "startPhaseR": 0.7,
                  "endStartPhaseU_monaural": 3},
     dict(start_phase_lower_rad=0.3, start_phase_upper_rad=0.7)),
    (MONO, True, {"start_amp_lower_L": 0.1, "end_amp_lower_L": 0.9, "startSpatialPhaseOffset": 1,
                  "endSpatialPhaseOffset": 2, "rotationDirection": "CCW", "startPathRadius": -1},
     dict(amp_lower_l=[0.1, 0.9], spatial_phase_rad=[1.0, 2.0], rotation="ccw", path_radius=[-1.0, -1.0])),
]


@pytest.mark.parametrize("function, transition, params, expected", PLAN_CASES)
def test_plan_values(function, transition, params, expected):
    values = plan(function, transition, **params)
    assert {k: values[k] for k in expected} == expected


ERRORS = [
    # (function, transition, params, error lines)
    (SAM, False, {"carrierFreq": 0}, ["params.carrierFreq: expected a number > 0, got 0"]),
    (SAM, True, {"endCarrierFreq": -1}, ["params.endCarrierFreq: expected a number > 0, got -1"]),
    (SAM, False, {"amp": 1.5}, ["params.amp: expected a number from 0 to 1, got 1.5"]),
    (SAM, False, {"beatFreq": -0.25}, ["params.beatFreq: expected a number ≥ 0, got -0.25"]),
    (SAM, False, {"pathShape": "triangle"},
     ['params.pathShape: expected one of "circle", "square", "linear", "arc", "diamond", "oscillating_arc", '
      'got "triangle"']),
    (SAM, False, {"hrtfModel": "cipic"}, ['params.hrtfModel: expected one of "kemar", "sphere", got "cipic"']),
    (SAM, False, {"pathRadius": "far"}, ['params.pathRadius: expected a number, got "far"']),
    (SAM, False, {"arcEndDeg": float("nan")}, ["params.arcEndDeg: expected a number, got NaN"]),
    (MONO, False, {"rotationDirection": "left"}, ['params.rotationDirection: expected one of "cw", "ccw", got "left"']),
    (MONO, False, {"ampOscDepth": 2.5}, ["params.ampOscDepth: expected a number from 0 to 2, got 2.5"]),
    (MONO, True, {"endAmpOscDepth_monaural": 3}, ["params.endAmpOscDepth_monaural: expected a number from 0 to 2, got 3"]),
    (MONO, False, {"spatialBeatFreq": -1}, ["params.spatialBeatFreq: expected a number ≥ 0, got -1"]),
    (MONO, False, {"amp_upper_R": 11}, ["params.amp_upper_R: expected a number from 0 to 10, got 11"]),
    # keys of post-stages that are switched off are inert; a flanger switched on is "later"
    (SAM, False, {"flangeEnable": False, "flangeMix": 0.3}, []),
]


@pytest.mark.parametrize("function, transition, params, lines", ERRORS)
def test_load_errors(function, transition, params, lines):
    report = Report()
    resolve(get(function).rows, params, transition, Where("params"), report)
    assert [str(d) for d in report.errors] == lines


def track(rate: int, *voices: dict) -> dict:
    return {"global": {"sample_rate": rate}, "progression": [{"duration": 5, "description": "Hi", "voices": list(voices)}]}


def V(function: str, transition: bool = False, **params) -> dict:
    return {"synth_function_name": function, "is_transition": transition, "params": params}


LOC = "progression[0].voices[0].params"
NYQUIST = [
    (V(SAM, carrierFreq=15999), 32000, []),
    (V(SAM, carrierFreq=16000), 32000,
     [f"{LOC}.carrierFreq: expected carrierFreq below 16000 Hz (half the sample rate of 32000 Hz), got 16000 = "
      "16000 Hz (step \"Hi\", voice spatial_angle_modulation)"]),
    (V(SAM, True, startCarrierFreq=100, endCarrierFreq=20000), 32000,
     [f"{LOC}.endCarrierFreq: expected endCarrierFreq below 16000 Hz (half the sample rate of 32000 Hz), got "
      "20000 = 20000 Hz (step \"Hi\", voice spatial_angle_modulation_transition)"]),
    (V(MONO, baseFreq=15998, beatFreq=4), 32000,
     [f"{LOC}.baseFreq: expected baseFreq + beatFreq/2 below 16000 Hz (half the sample rate of 32000 Hz), got "
      "15998 + 4/2 = 16000 Hz (step \"Hi\", voice spatial_angle_modulation_monaural_beat)"]),
]


@pytest.mark.parametrize("voice, rate, lines", NYQUIST)
def test_frequency_limits(voice, rate, lines):
    loaded = load_track(track(48000, voice))
    assert [str(d) for d in check_track(loaded, rate)] == lines


def test_engine_refuses_kemar_without_its_responses():
    v = {"source_index": 0, "function": SAM, "seed": None, "params": {"hrtf_model": "kemar"}}
    with pytest.raises(_engine.EngineError) as e:
        _engine.render_voice(json.dumps(v), 48000, 480, 0, 10)
    assert str(e.value) == ('steps[0].voices[0].params.hrtf_model: "kemar" needs the KEMAR responses, '
                            "which were not given to the engine")


def test_engine_checks_the_shape_of_the_responses():
    v = {"source_index": 0, "function": SAM, "seed": None, "params": {}}
    with pytest.raises(_engine.EngineError, match=r"hrtf: expected 72 × 2 responses of 4 taps, got 8 values"):
        _engine.render_voice(json.dumps(v), 48000, 480, 0, 10, hrtf=(np.zeros((1, 2, 4)), np.zeros(1024)))


# --- the KEMAR data ------------------------------------------------------------------------------


def test_kemar_responses_match_the_spec_description():
    s = hrtf.kemar(44_100)
    assert s.irs.shape == (72, 2, 512)
    # mirror symmetry: left at azimuth a equals right at 360° − a
    assert np.array_equal(s.irs[:, 0], s.irs[(-np.arange(72)) % 72, 1])
    # at +90° (left in the data's convention) the left ear is louder and earlier
    left, right = s.irs[18]
    assert M_db(np.sum(left**2) / np.sum(right**2)) == pytest.approx(11.8, abs=0.5)
    assert 27 <= np.argmax(np.abs(right)) - np.argmax(np.abs(left)) <= 32


def M_db(power_ratio: float) -> float:
    return float(10 * np.log10(power_ratio))


@pytest.mark.parametrize("rate, taps, tol", [(48_000, 558, 0.005), (96_000, 1115, 0.005), (32_000, 372 + 16, 0.01)])
def test_resampled_responses_keep_their_frequency_response(rate, taps, tol):
    """Within `tol` of the loudest response at each frequency, from 50 Hz to 0.4·min(sr, 44.1 kHz) (resampling
    down cuts the band, and its taper and trimmed ringing cost about 0.6 % at 32 kHz)."""
    base, other = hrtf.kemar(44_100), hrtf.kemar(rate)
    assert other.taps == taps
    for f in np.geomspace(50.0, 0.4 * min(rate, 44_100), 23):
        h0 = np.abs(base.irs.reshape(144, -1) @ np.exp(-2j * np.pi * f * np.arange(base.taps) / 44_100))
        h1 = np.abs(other.irs.reshape(144, -1) @ np.exp(-2j * np.pi * f * np.arange(other.taps) / rate))
        assert np.abs(h1 - h0).max() <= tol * h0.max(), f


def test_level_table_normalises_the_loudest_direction():
    s = hrtf.kemar(48_000)
    f = hrtf.level_frequencies(48_000)[300]
    h = s.irs.reshape(144, -1) @ np.exp(-2j * np.pi * f * np.arange(s.taps) / 48_000)
    assert np.abs(h).max() * hrtf.level_gain(s.level, 48_000, f) == pytest.approx(1.0, abs=1e-12)
    assert hrtf.level_gain(s.level, 48_000, 1.0) == s.level[0]           # held below 10 Hz
    assert hrtf.level_gain(s.level, 48_000, 30_000.0) == s.level[-1]


def test_the_unpickler_refuses_anything_but_arrays_and_slab_containers(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.bz2"
    path.write_bytes(bz2.compress(pickle.dumps(Evil())))
    with pytest.raises(pickle.UnpicklingError, match="refused to load builtins.print"):
        hrtf.read_elevation0(path)


def test_other_responses_are_rejected_by_their_checksum(monkeypatch):
    monkeypatch.setattr(hrtf, "PAYLOAD_SHA256", "0" * 64)
    with pytest.raises(hrtf.HrtfUnavailable, match="differ from the expected ones"):
        hrtf.read_elevation0(hrtf.data_file())


def test_missing_slab_gives_an_instruction(monkeypatch):
    def missing(name):
        raise hrtf.importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(hrtf.importlib.metadata, "distribution", missing)
    with pytest.raises(hrtf.HrtfUnavailable) as e:
        hrtf.data_file()
    assert str(e.value) == ('hrtfModel "kemar" needs the MIT KEMAR responses, which Entrainer reads from the '
                            'PyPI package slab: install it with "pip install slab", or set hrtfModel to "sphere"')


def test_rendering_a_kemar_voice_without_slab_says_what_to_install(monkeypatch):
    import entrainer

    def missing(name):
        raise hrtf.importlib.metadata.PackageNotFoundError(name)

    t = track(48000, V(SAM, amp=0.5), V(SAM, hrtfModel="sphere"))
    monkeypatch.setattr(hrtf.importlib.metadata, "distribution", missing)
    hrtf.kemar.cache_clear()
    hrtf._elevation0.cache_clear()
    try:
        with pytest.raises(hrtf.HrtfUnavailable, match='install it with "pip install slab"'):
            entrainer.render(t, duration=0.1)
        # the sphere model needs no data
        sphere_only = track(48000, V(SAM, hrtfModel="sphere"))
        assert entrainer.render(sphere_only, duration=0.1).shape == (4800, 2)
    finally:
        hrtf.kemar.cache_clear()
        hrtf._elevation0.cache_clear()
