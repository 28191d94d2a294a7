"""The render plan (docs/plan.md) built from loaded tracks, and its checks at the render rate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from entrainer.errors import TrackError
from entrainer.loader import load_track
from entrainer.model import Step, Track, Voice
from entrainer.plan import build_plan

ORIGINAL = Path(__file__).resolve().parents[2] / "shared" / "tracks" / "original"


def plan_error(track, rate=None) -> str:
    with pytest.raises(TrackError) as info:
        build_plan(track if isinstance(track, Track) else load_track(track), rate)
    return str(info.value)


def test_a_small_track_gives_exactly_the_documented_plan(tmp_path):
    (tmp_path / "soft.noise").write_text(
        '{"noise_type": "Brown", "transition": true, "start_lfo_freq": 0.1, "end_lfo_freq": 0.2, '
        '"sweeps": [{"start_min": 500, "end_min": 700, "start_max": 300}], "static_notches": [[1000, 10, 2]], '
        '"post_offset": 5, "title": "soft"}')
    track = load_track({
        "global": {"sample_rate": 48000, "crossfade_duration": 2.0, "crossfade_curve": "equal_power"},
        "progression": [
            {"duration": 30, "description": "Settle", "crossfade_duration": 4, "crossfade_curve": "linear",
             "voices": [{"synth_function_name": "monaural_beat_stereo_amps", "is_transition": True,
                         "params": {"start_amp_lower_L": 0.2, "end_amp_lower_L": 0.4, "baseFreq": 150,
                                    "startPhaseR": 1.5, "ampOscDepth": 1, "ampOscFreq": 0.5, "seed": 42,
                                    "initial_offset": 5, "post_offset": 10, "transition_curve": "logarithmic"},
                         "volume_envelope": {"type": "linen", "params": {"attack": 2}}}]},
            {"duration": 0, "voices": []},
            {"duration": 20, "voices": []},
        ],
        "background_noise": {"file_path": "soft.noise", "amp": 0.3, "fade_in": 5,
                             "amp_envelope": [[0, 1], [10, 0.5]]},
    }, base_dir=tmp_path)
    assert build_plan(track) == {
        "steps": [
            {"source_index": 0, "duration_s": 30.0, "crossfade_out_s": 4.0, "crossfade_curve": "linear",
             "description": "Settle", "voices": [{
                 "source_index": 0, "function": "monaural_beat_stereo_amps", "seed": 42,
                 "ramp": {"initial_offset_s": 5.0, "transition_s": 15.0, "curve": "logarithmic"},
                 "envelope": {"type": "linen", "attack_s": 2.0, "release_s": 0.1},
                 "params": {
                     "amp_lower_l": [0.2, 0.4], "amp_upper_l": [0.5, 0.5], "amp_lower_r": [0.5, 0.5],
                     "amp_upper_r": [0.5, 0.5], "base_freq_hz": [150.0, 150.0], "beat_freq_hz": [4.0, 4.0],
                     "start_phase_lower_rad": 0.0, "start_phase_upper_rad": 1.5,
                     "wobble_freq_hz": [0.0, 0.0], "wobble_range_rad": [0.0, 0.0],
                     "am_depth": [1.0, 1.0], "am_freq_hz": [0.5, 0.5], "am_phase_rad": [0.0, 0.0]}}]},
            {"source_index": 2, "duration_s": 20.0, "crossfade_out_s": 2.0, "crossfade_curve": "equal_power",
             "description": "", "voices": []},
        ],
        "noise": {"seed": None, "gain": 0.3, "pan": 0.0, "start_s": 0.0, "fade_in_s": 5.0,
                  "fade_out_s": 0.0, "amp_envelope": [[0.0, 1.0], [10.0, 0.5]],
                  "ramp": {"initial_offset_s": 0.0, "transition_s": None, "hold_end_s": 5.0},
                  "params": {"colour": "brown", "lfo_shape": "sine", "lfo_freq_hz": [0.1, 0.2],
                             "lfo_offset_r_deg": [0.0, 0.0], "intra_offset_deg": [0.0, 0.0],
                             # a reversed pair is swapped at each end: (500, 300) and (700, 300)
                             "sweeps": [{"min_hz": [300.0, 300.0], "max_hz": [500.0, 700.0],
                                         "q": [25.0, 25.0], "cascade": [10, 10]}],
                             "static_notches": [[1000.0, 10.0, 2]], "prefilters": True}},
        "clips": [],
    }


def test_envelopes_in_the_plan():
    voices = [{"synth_function_name": "binaural_beat", "volume_envelope": env} for env in (
        {"type": "linear_fade", "params": {"fade_duration": 3, "fade_type": "out"}},
        {"type": "adsr", "params": {"sustain_level": 0.5}},
        None)]
    plan = build_plan(load_track({"progression": [{"duration": 10, "voices": voices}]}))
    assert [v["envelope"] for v in plan["steps"][0]["voices"]] == [
        {"type": "linear_fade", "fade_s": 3.0, "start_amp": 0.0, "end_amp": 1.0, "fade_out": True},
        {"type": "adsr", "attack_s": 0.01, "decay_s": 0.1, "sustain_level": 0.5, "release_s": 0.1},
        None]


def test_the_render_rate_is_checked():
    track = {"global": {"sample_rate": 96000},
             "progression": [{"duration": 10, "voices": [{"synth_function_name": "binaural_beat",
                                                          "params": {"baseFreq": 30000}}]}]}
    assert len(build_plan(load_track(track), 96000)["steps"]) == 1
    assert plan_error(track, 44100) == (
        "1 error in the render plan\n"
        "progression[0].voices[0].params.baseFreq: expected baseFreq + beatFreq/2 + max(freqOscRangeL, "
        "freqOscRangeR)/2 below 22050 Hz (half the sample rate of 44100 Hz), got 30000 + 4/2 + max(0, 0)/2 "
        "= 30002 Hz (voice binaural_beat)")


@pytest.mark.parametrize("rate", [0, 7999, 192001, 44100.5, "44100", True])
def test_a_bad_render_rate_is_refused(rate):
    track = {"progression": [{"duration": 10, "voices": []}]}
    assert plan_error(track, rate) == (
        f"1 error in the render plan\nsample_rate: expected an integer from 8000 to 192000, got {json.dumps(rate)}")


def test_steps_shorter_than_a_frame_at_the_render_rate_are_dropped():
    track = load_track({"progression": [{"duration": 5e-5, "voices": []}, {"duration": 1, "voices": []}]})
    assert [s["source_index"] for s in build_plan(track)["steps"]] == [0, 1]          # 2 frames at 44.1 kHz
    assert [s["source_index"] for s in build_plan(track, 8000)["steps"]] == [1]       # 0 frames at 8 kHz
    only = load_track({"progression": [{"duration": 5e-5, "voices": []}]})
    assert plan_error(only, 8000) == ("1 error in the render plan\n"
                                      "progression: expected at least one step with a duration of one frame or "
                                      "more, got none")


def test_a_track_of_clips_alone_has_a_plan(tmp_path):
    import numpy as np
    import soundfile as sf

    sf.write(tmp_path / "bell.wav", np.zeros(10, dtype=np.float32), 8000)
    track = load_track({"progression": [], "clips": [{"path": "bell.wav", "start": 2}]}, base_dir=tmp_path)
    assert build_plan(track) == {"steps": [], "noise": None, "clips": [
        {"source_index": 0, "start_s": 2.0, "gain": 1.0, "pan": 0.0, "fade_in_s": 0.0, "fade_out_s": 0.0,
         "duration_s": None}]}


def test_a_hand_built_model_with_an_unsupported_voice_is_refused():
    track = Track(steps=[Step(source_index=0, duration_s=1, description="x", location="progression[0]",
                              voices=[Voice(source_index=0, function="basic_am", location="progression[0].voices[0]")])])
    assert plan_error(track) == ('1 error in the render plan\n'
                                 'progression[0].voices[0]: "basic_am" is not supported yet (step "x", voice basic_am)')


# The real files: every one gives a plan, and the plan carries the converted ramps.

@pytest.fixture(scope="module")
def corpus():
    files = sorted(ORIGINAL.glob("*.json"))
    if not files:
        pytest.skip("../shared/tracks/original is not beside the repository")
    return {f.name: load_track(f) for f in files}


@pytest.mark.parametrize("rate", [None, 48000])
def test_every_real_file_gives_a_plan(corpus, rate):
    for name, track in corpus.items():
        plan = json.loads(json.dumps(build_plan(track, rate), allow_nan=False))
        assert len(plan["steps"]) == len(track.steps), name
        assert plan["noise"] is None
        for step in plan["steps"]:
            for voice in step["voices"]:
                assert voice["function"] in ("binaural_beat", "isochronic_tone")
                assert all(not k[0].isupper() and k == k.lower() for k in voice["params"]), name


def test_f19_ramps_reach_the_plan_converted(corpus):
    plan = build_plan(corpus["f19.json"])
    step = plan["steps"][4]
    assert step["duration_s"] == 1800.0
    ramps = {(v["ramp"]["initial_offset_s"], v["ramp"]["transition_s"]) for v in step["voices"] if v["ramp"]}
    assert ramps == {(120.0, 120.0), (150.0, 90.0), (150.0, 60.0)}
    voice = step["voices"][1]
    assert (voice["ramp"]["curve"], voice["params"]["am_freq_l_hz"]) == ("exponential", [1.3333, 0.5333])


def test_real_isochronic_voices_keep_their_pan_and_suppression(corpus):
    voices = [v for t in corpus.values() for s in build_plan(t)["steps"] for v in s["voices"]
              if v["function"] == "isochronic_tone"]
    assert len(voices) == 11
    assert sum(v["params"]["harmonic_suppression"] for v in voices) == 10
    assert {(tuple(v["params"]["pan_min"]), tuple(v["params"]["pan_max"]), v["params"]["pan_type"]) for v in voices} \
        == {((-1.0, -1.0), (1.0, 1.0), "linear")}
