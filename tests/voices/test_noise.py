"""The noise voices' parameter tables (voices.md §3.12, §3.13): what reaches the plan, and the
whole message of each load error."""

from __future__ import annotations

import pytest

from entrainer.errors import TrackError
from entrainer.loader import load_track
from entrainer.plan import build_plan


def track(name: str, transition: bool = False, sample_rate: int = 48000, **params) -> dict:
    v = {"synth_function_name": name, "is_transition": transition, "params": params}
    return {"global": {"sample_rate": sample_rate}, "progression": [{"duration": 10, "voices": [v]}]}


def plan_params(name: str, transition: bool = False, **params) -> dict:
    return build_plan(load_track(track(name, transition, **params)))["steps"][0]["voices"][0]["params"]


DEFAULT_SWEEP = {"min_hz": [1000.0, 1000.0], "max_hz": [10000.0, 10000.0], "q": [25.0, 25.0], "cascade": [10, 10]}


def test_noise_generator_defaults_and_sweep_forms():
    p = plan_params("noise_generator")
    assert p == {"colour": "pink", "lfo_shape": "sine", "lfo_freq_hz": [1 / 12, 1 / 12],
                 "lfo_offset_r_deg": [90.0, 90.0], "intra_offset_deg": [0.0, 0.0],
                 "amp_l": [0.25, 0.25], "amp_r": [0.25, 0.25], "fade_in_s": 0.0, "fade_out_s": 0.0,
                 "sweeps": [DEFAULT_SWEEP], "static_notches": [], "prefilters": True, "amp_envelope": []}
    assert plan_params("noise_generator", sweeps=[])["sweeps"] == []
    p = plan_params("noise_generator", amp=0.5, amp_right=0.1, noise_type=" Deep Brown ",
                    sweeps=[{"startMin": 4000, "max": 500, "q": 5}, [200, 300, 10, 2]],
                    cascade_count=[3, 4], static_notches=[{"hz": 50, "quality": 2, "count": 3}],
                    amp_envelope=[[0, 1], {"t": 5, "value": 0.5}])
    assert (p["colour"], p["amp_l"], p["amp_r"]) == ("deep brown", [0.5, 0.5], [0.1, 0.1])
    assert p["sweeps"] == [
        {"min_hz": [500.0, 500.0], "max_hz": [4000.0, 4000.0], "q": [5.0, 5.0], "cascade": [3, 3]},
        {"min_hz": [200.0, 200.0], "max_hz": [300.0, 300.0], "q": [10.0, 10.0], "cascade": [4, 4]}]
    assert p["static_notches"] == [[50.0, 2.0, 3]] and p["amp_envelope"] == [[0.0, 1.0], [5.0, 0.5]]


def test_noise_generator_transition_reads_start_and_end_forms():
    p = plan_params("noise_generator", True, start_lfo_freq=0.1, end_lfo_freq=0.3, end_amp=1.0,
                    sweeps=[{"start_min": 300, "end_min": 600, "start_max": 900, "end_casc": 3},
                            [100, 200, 300, 400, 5, 6, 7, 8]],
                    end_notch_q=40, curve="exponential")
    assert (p["lfo_freq_hz"], p["amp_l"]) == ([0.1, 0.3], [0.25, 1.0])
    assert p["sweeps"] == [
        {"min_hz": [300.0, 600.0], "max_hz": [900.0, 900.0], "q": [25.0, 40.0], "cascade": [10, 3]},
        {"min_hz": [100.0, 300.0], "max_hz": [200.0, 400.0], "q": [5.0, 40.0], "cascade": [7, 8]}]
    v = build_plan(load_track(track("noise_generator", True, curve="exponential")))["steps"][0]["voices"][0]
    assert v["ramp"]["curve"] == "exponential"


def test_swept_notch_keys_and_aliases():
    p = plan_params("noise", sweeps=[[500, 2000], [6000, 3000]], notch_q=[30, 40], casc=4, volume=0.5,
                    start_lfo_phase_offset_deg=180)
    assert p["sweeps"] == [
        {"min_hz": [500.0, 500.0], "max_hz": [2000.0, 2000.0], "q": [30.0, 30.0], "cascade": [4, 4]},
        {"min_hz": [3000.0, 3000.0], "max_hz": [6000.0, 6000.0], "q": [40.0, 40.0], "cascade": [4, 4]}]
    assert (p["lfo_offset_r_deg"], p["amp_l"], p["amp_r"], p["lfo_freq_hz"]) == (
        [180.0, 180.0], [0.5, 0.5], [0.5, 0.5], [0.1, 0.1])
    p = plan_params("noise_swept_notch", True, start_sweeps=[[500, 2000]], end_sweeps=[[700, 900]],
                    start_q=10, end_q=20, end_casc=2, end_lfo_phase_offset_deg=90)
    assert p["sweeps"] == [{"min_hz": [500.0, 700.0], "max_hz": [2000.0, 900.0], "q": [10.0, 20.0], "cascade": [10, 2]}]
    assert p["lfo_offset_r_deg"] == [0.0, 90.0]


def test_pink_sound_keeps_the_file_writer_names():
    p = plan_params("generate_swept_notch_pink_sound", filter_sweeps=[[300, 900]], notch_q=12, cascade_count=[2],
                    filename="x.wav", duration_seconds=30, sample_rate=22050)
    assert p["sweeps"] == [{"min_hz": [300.0, 300.0], "max_hz": [900.0, 900.0], "q": [12.0, 12.0], "cascade": [2, 2]}]
    assert (p["lfo_offset_r_deg"], p["lfo_freq_hz"], p["amp_l"]) == ([90.0, 90.0], [1 / 12, 1 / 12], [1.0, 1.0])


LOC = "progression[0].voices[0].params"
ERRORS = [
    (track("noise_generator", noise_type="teal"),
     [f'{LOC}.noise_type: expected one of "white", "pink", "brown", "red", "deep brown", "blue", "purple", '
      '"violet", "green", got "teal" (voice noise_generator)']),
    (track("noise_generator", sweeps=[{"min": 0, "max": 30000, "q": 0.01, "cascade": 51}, "x"]),
     [f"{LOC}.sweeps[0].min: expected a frequency > 0 Hz, got 0 (voice noise_generator)",
      f"{LOC}.sweeps[0].max: expected a frequency below 23520 Hz (0.49 × the sample rate of 48000 Hz), "
      "got 30000 (voice noise_generator)",
      f"{LOC}.sweeps[0].q: expected a number from 0.1 to 1000, got 0.01 (voice noise_generator)",
      f"{LOC}.sweeps[0].cascade: expected an integer from 1 to 50, got 51 (voice noise_generator)",
      f'{LOC}.sweeps[1]: expected a sweep object or [min, max, q, cascade], got "x" (voice noise_generator)']),
    (track("noise_generator", sweeps=[[1, 2]] * 11),
     [f"{LOC}.sweeps: expected at most 10 sweeps, got 11 (voice noise_generator)"]),
    (track("noise_generator", sweeps=[[100, 200], [300, 400]], notch_q=[1, 2, 3], amp_left=11),
     [f"{LOC}.notch_q: expected a number or a list of 1 or 2 values (one per sweep), got [1, 2, 3] "
      "(voice noise_generator)",
      f"{LOC}.amp_left: expected a number from 0 to 10, got 11 (voice noise_generator)"]),
    (track("noise_generator", amp_envelope=[[0, 1], [5, 0.5], [3, 1]], fade_in=-1),
     [f"{LOC}.fade_in: expected a number ≥ 0, got -1 (voice noise_generator)",
      f"{LOC}.amp_envelope[2][0]: expected a time ≥ 5 (the previous point), got 3 (voice noise_generator)"]),
    (track("noise_generator", input_audio_path="rain.wav", spatialEnable=True),
     [f"{LOC}.input_audio_path: processing an audio file instead of noise is not supported yet "
      "(voice noise_generator)",
      f"{LOC}.spatialEnable: the spatial post-stage is not supported yet (voice noise_generator)"]),
    (track("noise_swept_notch", stereo_phase_invert=True, channels=1),
     [f"{LOC}.stereo_phase_invert: the stereo phase inversion is not supported yet (voice noise_swept_notch)",
      f"{LOC}.channels: expected 2 (the voice is stereo), got 1 (voice noise_swept_notch)"]),
    (track("noise", True, start_sweeps=[[100, 200]], end_sweeps=[[100, 200], [300, 400]], volume=20),
     [f"{LOC}.end_sweeps: expected 1 sweep ranges (as many as the start values), got [[100, 200], [300, 400]] "
      "(voice noise_swept_notch_transition)",
      f"{LOC}.volume: expected a number from 0 to 10, got 20 (voice noise_swept_notch_transition)"]),
    (track("generate_swept_notch_pink_sound", filter_sweeps=[[100, 30000]], sample_rate=44100),
     [f"{LOC}.filter_sweeps[0][1]: expected a frequency below 21609 Hz (0.49 × the sample rate of 44100 Hz), "
      "got 30000 (voice generate_swept_notch_pink_sound)"]),
]


@pytest.mark.parametrize("raw, lines", ERRORS, ids=range(len(ERRORS)))
def test_load_errors(raw, lines):
    with pytest.raises(TrackError) as info:
        load_track(raw)
    count = f"{len(lines)} error{'' if len(lines) == 1 else 's'} in the track"
    assert str(info.value) == "\n".join([count, *lines])


def test_render_rate_rechecks_notch_frequencies():
    t = load_track(track("noise_generator", sweeps=[[1000, 20000]]))
    with pytest.raises(TrackError) as info:
        build_plan(t, 32000)
    assert str(info.value).splitlines()[1] == (
        f"{LOC}.sweeps[0][1]: expected a frequency below 15680 Hz (0.49 × the sample rate of 32000 Hz), "
        "got 20000 (voice noise_generator)")


def test_a_slow_notch_is_a_warning():
    t = load_track(track("noise", sweeps=[[10, 100]], notch_q=100))
    assert [str(w) for w in t.warnings] == [
        f"{LOC}.sweeps[0]: a notch at 10 Hz with Q 100 decays so slowly that a seek may differ from a "
        "continuous render by more than 1e-6 (voice noise_swept_notch)"]
