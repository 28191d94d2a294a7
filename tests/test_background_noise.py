"""Background noise driven by a `.noise` preset (voices.md §2.17, render.md §8): the rendered
track equals gain × the reference swept-notch engine in noise time, for a transitioning preset
with a sweep and a static notch, and a seek inside the noise matches within 1e-6 (class F)."""

from __future__ import annotations

import numpy as np

import entrainer
from entrainer.loader import load_track
from entrainer.plan import build_plan
from entrainer.reference import noise, ramp, rng

SR = 16_000
RAW = dict(target_level=None, step_ceiling=None)
PRESET = {"noise_type": "brown", "transition": True, "start_lfo_freq": 0.5, "end_lfo_freq": 2.0,
          "start_lfo_phase_offset_deg": 45, "start_intra_phase_offset_deg": 0, "end_intra_phase_offset_deg": 90,
          "sweeps": [{"start_min": 500, "end_min": 800, "start_max": 3000, "start_q": 20, "end_casc": 4}],
          "static_notches": [[1000, 10, 1]], "initial_offset": 0.5, "post_offset": 0.5}
TRACK = {"global": {"sample_rate": SR},
         "progression": [{"duration": 3.0, "voices": []}],
         "background_noise": {"params": PRESET, "amp": 0.5, "start_time": 0.25}}


def test_background_noise_is_the_engine_in_noise_time():
    out = entrainer.render(TRACK, **RAW)
    s0 = round(0.25 * SR)
    span = out.shape[0] - s0
    assert not out[:s0].any()
    plan = build_plan(load_track(TRACK))["noise"]
    # post_offset is a hold at the end of the span: the ramp runs from 0.5 s to span − 0.5 s
    t = ramp.timing({"initial_offset_s": 0.5, "transition_s": span / SR - 1.0, "curve": "linear"}, SR, span)
    expected = 0.5 * noise.engine(plan["params"], SR, t, span, rng.derived(0, "background_noise"))
    assert np.abs(out[s0:] - expected).max() <= 1e-6            # float32 output
    assert not np.array_equal(out[s0:, 0], out[s0:, 1])       # the right ear is offset by 45°


def test_seeking_inside_the_noise():
    full = entrainer.render(TRACK, **RAW)
    a = round(2.1 * SR) + 3
    tail = entrainer.render(TRACK, start=a / SR, duration=0.2, **RAW)
    assert np.abs(tail - full[a : a + tail.shape[0]]).max() <= 1e-6
