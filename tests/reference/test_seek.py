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
from .conftest import SELECTED, engine_render

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
    "stereo AM, ramps through the 0 Hz clamp": voice(
        "stereo_am_independent",
        RAMP,
        amp=[0.2, 0.5],
        carrier_freq_hz=[300.0, 0.5],
        stereo_width_hz=[0.2, 3.0],
        mod_freq_l_hz=[1.0, 5.0],
        mod_depth_r=[0.2, 1.0],
        mod_phase_l_rad=[0.0, 2.0],
        mod_freq_r_hz=0.0,
        mod_phase_r_rad=1.0,
    ),
    "wave shape, ramped drive and rates": voice(
        "wave_shape_stereo_am",
        RAMP,
        amp=[0.15, 0.3],
        carrier_freq_hz=[200.0, 330.0],
        shape_amount=[0.0, 30.0],
        shape_mod_freq_hz=[4.0, 0.0],
        shape_mod_depth=[0.8, 0.3],
        stereo_mod_freq_l_hz=[4.1, 7.0],
        stereo_mod_phase_r_rad=[0.0, 3.0],
    ),
    "rhythmic, ramped pan and drive": voice(
        "rhythmic_waveshaping",
        RAMP,
        amp=[0.25, 0.1],
        carrier_freq_hz=[200.0, 90.0],
        mod_freq_hz=[1.0, 9.0],
        mod_depth=[1.0, 0.4],
        shape_amount=[5.0, 0.00005],
        pan=[-1.0, 0.7],
    ),
    "dual pulse, rates and shapes glide": voice(
        "dual_pulse_binaural",
        RAMP,
        base_freq_hz=[200.0, 400.0],
        beat_freq_hz=[4.0, 8.0],
        pulse_rate_hz=[0.0, 6.0],
        pulse_rate_r_hz=[3.0, 0.0],
        ramp_fraction_l=[0.2, 0.5],
        gap_fraction_r=[0.1, 0.4],
        pulse_phase_l_cycles=[0.0, 1.3],
        pulse_depth_l=[1.0, 0.5],
        pulse_shape_r="raised_cosine",
        am_depth_l=0.5,
        am_freq_l_hz=[0.5, 1.0],
        pan_min=-1.0,
        pan_max=1.0,
        pan_freq_hz=0.3,
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


# Class F voices other than the isochronic suppression (post-filters, suppression on other voices).
FILTERED = {
    "qam, every modulator": voice(
        "qam_beat",
        RAMP,
        amp_l=[0.5, 0.2],
        base_freq_l_hz=[200.0, 300.0],
        base_freq_r_hz=[204.0, 50.0],
        am_freq_l_hz=[4.0, 0.0],
        am_depth_r=[0.5, 1.0],
        mod_shape_r=[0.5, 0.8],
        am_phase_l_rad=[0.0, 2.0],
        am2_depth_l=0.3,
        am2_freq_l_hz=[0.7, 1.5],
        cross_mod_depth=[0.2, 0.8],
        cross_mod_delay_s=0.05,
        harmonic_depth=[0.0, 0.6],
        harmonic_ratio=1.5,
        sub_harmonic_freq_hz=[1.0, 2.0],
        sub_harmonic_depth=[0.2, 0.5],
        wobble_freq_hz=[0.2, 1.0],
        wobble_range_rad=[0.5, 1.5],
        wobble_phase_rad=0.4,
        beating_sidebands=True,
        attack_s=0.5,
        release_s=0.7,
        start_phase_l_rad=0.3,
    ),
    "hybrid, centre vibrato into the clamp": voice(
        "hybrid_qam_monaural_beat",
        RAMP,
        qam_carrier_freq_l_hz=[100.0, 150.0],
        qam_am_freq_l_hz=[4.0, 1.0],
        mono_carrier_freq_r_hz=[100.0, 3.0],
        mono_beat_freq_r_hz=[4.0, 8.0],
        mono_am_depth_r=[0.3, 0.9],
        mono_am_freq_r_hz=[1.0, 2.0],
        mono_fm_range_r_hz=[4.0, 20.0],
        mono_fm_freq_r_hz=[0.5, 2.0],
        mono_fm_phase_r_rad=[0.0, 1.0],
        mono_wobble_freq_r_hz=0.5,
        mono_wobble_range_r_rad=[0.5, 2.0],
        mono_wobble_phase_r_rad=[0.0, 1.0],
        mono_start_phase_tone1_rad=0.2,
        mono_start_phase_tone2_rad=1.2,
    ),
    "dual pulse, suppression following a ramp": voice(
        "dual_pulse_binaural",
        RAMP,
        base_freq_hz=[250.0, 600.0],
        pulse_rate_l_hz=5.0,
        pulse_shape_l="square",
        pulse_phase_l_cycles=0.123457,  # keeps the square's edges off the sample grid
        pulse_phase_r_cycles=0.25,
        harmonic_suppression=True,
        pan_min=-0.5,
        pan_max=0.5,
        pan_freq_hz=0.2,
    ),
}


@pytest.mark.skipif("engine" not in SELECTED, reason='set ENTRAINER_RENDERERS to include "engine"')
@pytest.mark.parametrize("name", FILTERED)
def test_seek_into_a_filtered_voice(name):
    """Engine only: the reference renders every request from frame 0, so it has no seek to test."""
    full = engine_render(FILTERED[name], SR, STEP)
    tail = engine_render(FILTERED[name], SR, STEP, SEEK, 4096)
    assert np.abs(tail - full[SEEK : SEEK + 4096]).max() <= 1e-6


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
