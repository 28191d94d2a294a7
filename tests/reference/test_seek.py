"""Determinism and seeking (`voices.md` §0.5, M7): a render of frames [m, m + count) equals that
slice of a render from frame 0, and block-by-block renders equal one long render.

The engine must be bit-exact for class E and within 1e-6 for class F; the reference is held to
1e-9 for class E (it evaluates closed forms per frame, so in practice it is exact as well).
Block sweeps cover 0.25 s after the seek point: each block of a voice on the quadrature route
re-integrates from frame 0, so whole-step sweeps would be slow without proving more.
"""

from __future__ import annotations

import numpy as np
import pytest
from .cases import SR, frames, ramp, voice

STEP = frames(5.0)
SEEK = frames(3.3) + 7
RAMP = ramp(0.5, 3.0, "exponential")

PAN_INWARD = dict(pan_min=[-0.7, -1.0], pan_max=[0.5, 1.0], pan_freq_hz=[0.5, 1.5], pan_type="inward", pan_phase_rad=[0.0, 1.0])

VOICES = {
    "binaural, closed forms": voice(
        "binaural_beat",
        RAMP,
        amp_l=[0.4, 0.6],
        amp_r=0.5,
        base_freq_hz=[200.0, 260.0],
        beat_freq_hz=[4.0, 6.0],
        start_phase_l_rad=0.3,
        start_phase_r_rad=-1.2,
        am_depth_l=[0.5, 0.9],
        am_freq_l_hz=[0.5, 2.0],
        am_phase_l_rad=[0.0, 1.0],
        am_skew_l=[0.0, 0.4],
        am_depth_r=0.3,
        am_freq_r_hz=0.7,
        wobble_freq_hz=[0.2, 0.6],
        wobble_range_rad=[0.5, 1.5],
        **PAN_INWARD,
    ),
    "binaural, static vibrato": voice(
        "binaural_beat",
        RAMP,
        base_freq_hz=1000.0,
        beat_freq_hz=7.0,
        vib_range_l_hz=30.0,
        vib_freq_l_hz=0.4,
        vib_phase_l_rad=np.pi,
        vib_range_r_hz=10.0,
        vib_freq_r_hz=0.9,
        vib_skew_r=0.3,
        vib_shape="triangle",
        am_depth_r=[0.2, 0.8],
        am_freq_r_hz=[0.3, 0.1],
        pan_min=-0.4,
        pan_max=0.6,
        pan_freq_hz=0.3,
        pan_type="outward",
    ),
    "binaural, ramped vibrato (quadrature)": voice(
        "binaural_beat",
        RAMP,
        base_freq_hz=[300.0, 50.0],
        beat_freq_hz=0.0,
        vib_range_l_hz=[20.0, 120.0],
        vib_freq_l_hz=[1.0, 3.0],
        vib_skew_l=[0.0, -0.5],
        vib_range_r_hz=5.0,
        vib_freq_r_hz=2.0,
    ),
    "isochronic, pan and pulse ramp": voice(
        "isochronic_tone",
        RAMP,
        base_freq_hz=440.0,
        pulse_freq_hz=[6.0, 10.0],
        ramp_fraction=[0.2, 0.4],
        gap_fraction=[0.1, 0.3],
        vib_range_l_hz=10.0,
        vib_freq_l_hz=0.05,
        am_depth_r=0.5,
        am_freq_r_hz=0.25,
        pan_min=-1.0,
        pan_max=1.0,
        pan_freq_hz=[0.1, 0.35],
    ),
    "monaural, ramps and clip": voice(
        "monaural_beat_stereo_amps",
        RAMP,
        amp_lower_l=[0.7, 0.2],
        amp_upper_l=0.6,
        amp_lower_r=0.3,
        amp_upper_r=[0.3, 0.9],
        base_freq_hz=[150.0, 90.0],
        beat_freq_hz=[3.0, 10.0],
        start_phase_lower_rad=0.4,
        start_phase_upper_rad=2.0,
        wobble_freq_hz=0.5,
        wobble_range_rad=[0.2, 1.0],
        am_depth=[0.4, 1.5],
        am_freq_hz=[1.0, 4.0],
        am_phase_rad=[0.0, 3.0],
    ),
    "spatial, square path (kemar)": voice(
        "spatial_angle_modulation",
        RAMP,
        path_shape="square",
        carrier_freq_hz=[300.0, 900.0],
        path_freq_hz=[1.0, 3.0],
        amp=[0.2, 0.9],
        path_radius=[1.0, -1.0],
    ),
    "spatial monaural (kemar)": voice(
        "spatial_angle_modulation_monaural_beat",
        RAMP,
        base_freq_hz=[250.0, 400.0],
        beat_freq_hz=[4.0, 7.0],
        spatial_freq_hz=[0.5, 2.0],
        spatial_phase_rad=[0.0, 1.0],
        rotation="ccw",
        sam_am_depth=[0.5, 1.5],
        sam_am_freq_hz=[1.0, 3.0],
        am_depth=0.5,
        am_freq_hz=0.7,
        wobble_freq_hz=0.3,
        wobble_range_rad=0.5,
        path_radius=[1.0, -1.0],
    ),
}
SUPPRESSED = voice(
    "isochronic_tone",
    RAMP,
    base_freq_hz=[250.0, 600.0],
    pulse_freq_hz=8.0,
    harmonic_suppression=True,
    pan_min=-0.5,
    pan_max=0.5,
    pan_freq_hz=0.2,
)


@pytest.mark.parametrize("name", VOICES)
def test_seek_equals_the_tail_of_a_full_render(render, name):
    full = render(VOICES[name], SR, STEP)
    tail = render.uncached(VOICES[name], SR, STEP, SEEK)
    assert tail.shape == (STEP - SEEK, 2)
    assert np.abs(tail - full[SEEK:]).max() <= 1e-9


def test_seek_with_harmonic_suppression(render):
    full = render(SUPPRESSED, SR, STEP)
    tail = render.uncached(SUPPRESSED, SR, STEP, SEEK, 4096)
    assert np.abs(tail - full[SEEK : SEEK + 4096]).max() <= 1e-6


@pytest.mark.parametrize("name", [n for n in VOICES if "quadrature" not in n])
@pytest.mark.parametrize("block", [1, 64, 127, 4096])
def test_block_size_does_not_matter(render, name, block):
    full = render(VOICES[name], SR, STEP)
    span = 200 if block == 1 else frames(0.25)
    parts = []
    for s in range(SEEK, SEEK + span, block):
        parts.append(render.uncached(VOICES[name], SR, STEP, s, min(block, SEEK + span - s)))
    assert np.abs(np.concatenate(parts) - full[SEEK : SEEK + span]).max() <= 1e-9


def test_renders_are_repeatable(render):
    v = VOICES["binaural, closed forms"]
    assert np.array_equal(render.uncached(v, SR, STEP, 1000, 5000), render.uncached(v, SR, STEP, 1000, 5000))
