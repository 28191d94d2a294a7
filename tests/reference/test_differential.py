"""M8 (`voices.md` §0.6): the Rust engine matches the NumPy reference within 2e-7 absolute for
class E voices (a few f32 rounding steps) and 1e-6 for class F.

Runs when ENTRAINER_RENDERERS includes "engine" (the default). Tolerances are those of
voices.md §0.6 M8: 2e-7 absolute for class E voices, 1e-6 for class F.
"""

from __future__ import annotations

import numpy as np
import pytest

from entrainer.reference import render_voice

from .cases import SR, WHOLE_STEP, frames, ramp, voice
from .conftest import SELECTED, engine_render
from .test_seek import FILTERED, SUPPRESSED, VOICES

pytestmark = pytest.mark.skipif("engine" not in SELECTED, reason='set ENTRAINER_RENDERERS to include "engine"')

STEP = frames(5.0)
CLASS_E, CLASS_F = 2e-7, 1e-6


CASES = [
    pytest.param(voice("binaural_beat"), CLASS_E, id="binaural defaults"),
    pytest.param(voice("isochronic_tone"), CLASS_E, id="isochronic defaults"),
    pytest.param(voice("monaural_beat_stereo_amps"), CLASS_E, id="monaural defaults"),
    pytest.param(voice("stereo_am_independent"), CLASS_E, id="stereo AM defaults"),
    pytest.param(voice("wave_shape_stereo_am"), CLASS_E, id="wave shape defaults"),
    pytest.param(voice("rhythmic_waveshaping"), CLASS_E, id="rhythmic defaults"),
    pytest.param(voice("dual_pulse_binaural"), CLASS_E, id="dual pulse defaults"),
    pytest.param(
        voice("dual_pulse_binaural", pulse_rate_l_hz=3.0, pulse_rate_r_hz=5.0, pulse_shape_l="square",
              pulse_shape_r="raised_cosine", pulse_depth_r=0.7, pulse_phase_r_cycles=0.5, ramp_fraction_l=0.0,
              pulse_phase_l_cycles=0.123457),  # square edges off the sample grid (docs/spec-decisions-am.md)
        CLASS_E,
        id="dual pulse, shapes per ear",
    ),
    *(pytest.param(v, CLASS_E, id=name) for name, v in VOICES.items() if "quadrature" not in name),
    pytest.param(
        VOICES["binaural, ramped vibrato (quadrature)"],
        CLASS_E,
        id="binaural, ramped vibrato (quadrature)",
    ),
    pytest.param(
        voice("binaural_beat", ramp(1.0101, 0.0), base_freq_hz=[200.0, 300.0]),
        CLASS_E,
        id="jump in the base frequency",
    ),
    pytest.param(voice("binaural_beat", ramp(0.0101, 1.0), base_freq_hz=[200.0, 300.0]), CLASS_E, id="ramp corners"),
    pytest.param(
        voice("binaural_beat", ramp(0.0, 1.0), base_freq_hz=[1.0, 300.0]),
        CLASS_E,
        id="left ear ramps out of the 0 Hz clamp",
    ),
    pytest.param(
        voice("binaural_beat", WHOLE_STEP, base_freq_hz=[2.0, 0.0], beat_freq_hz=0.0, vib_range_l_hz=2.0, vib_freq_l_hz=1.0),
        CLASS_E,
        id="vibrato into the clamp",
    ),
    pytest.param(
        voice("binaural_beat", ramp(0.0, 4.0), base_freq_hz=[300.0, 310.0], beat_freq_hz=0.0, vib_range_l_hz=530.0, vib_freq_l_hz=0.4, vib_shape="triangle"),
        CLASS_E,
        id="triangle vibrato on a ramped carrier",
    ),
    pytest.param(
        voice("binaural_beat", pan_min=-0.8, pan_max=1.0, pan_freq_hz=2.0, pan_type="inward", pan_phase_rad=-np.pi / 2),
        CLASS_E,
        id="inward pan with a negative phase",
    ),
    pytest.param(voice("isochronic_tone", base_freq_hz=250.0, harmonic_suppression=True), CLASS_F, id="static suppression"),
    pytest.param(voice("qam_beat"), CLASS_F, id="qam defaults"),
    pytest.param(voice("hybrid_qam_monaural_beat"), CLASS_F, id="hybrid defaults"),
    pytest.param(
        voice("qam_beat", mod_shape_l=0.5, am2_depth_r=0.3, am2_freq_r_hz=0.7, cross_mod_depth=0.5, cross_mod_delay_s=0.1,
              harmonic_depth=0.5, harmonic_ratio=1.5, sub_harmonic_freq_hz=0.5, sub_harmonic_depth=0.3, wobble_freq_hz=0.3,
              wobble_range_rad=1.0, wobble_phase_rad=0.4, beating_sidebands=True, attack_s=0.5, release_s=0.7),
        CLASS_F,
        id="qam, every modulator (static)",
    ),
    *(pytest.param(v, CLASS_F, id=name) for name, v in FILTERED.items()),
    pytest.param(
        SUPPRESSED,
        CLASS_F,
        id="suppression following a ramp",
    ),
    pytest.param(voice("spatial_angle_modulation"), CLASS_E, id="spatial defaults"),
    pytest.param(voice("spatial_angle_modulation_monaural_beat"), CLASS_E, id="spatial monaural defaults"),
    pytest.param(
        voice("spatial_angle_modulation", path_shape="linear", path_freq_hz=3.0), CLASS_E, id="spatial, linear path jumps"
    ),
    pytest.param(
        voice("spatial_angle_modulation", WHOLE_STEP, path_shape="oscillating_arc", arc_start_deg=[-30.0, 10.0],
              arc_end_deg=[200.0, 90.0], path_freq_hz=[0.5, 2.0]),
        CLASS_E,
        id="spatial, ramped oscillating arc",
    ),
    pytest.param(
        voice("spatial_angle_modulation", ramp(0.5, 3.0), hrtf_model="sphere", path_shape="diamond",
              carrier_freq_hz=[500.0, 3000.0], path_freq_hz=[0.5, 2.0]),
        CLASS_F,
        id="spatial, sphere model",
    ),
    pytest.param(
        voice("spatial_angle_modulation_monaural_beat", hrtf_model="sphere", spatial_freq_hz=1.0, sam_am_depth=0.8,
              sam_am_freq_hz=3.0),
        CLASS_F,
        id="spatial monaural, sphere model",
    ),
]


@pytest.mark.parametrize(("v", "tol"), CASES)
def test_engine_matches_the_reference(v, tol):
    ref = render_voice(v, SR, STEP)
    eng = engine_render(v, SR, STEP)
    assert eng.shape == ref.shape
    assert np.abs(eng - ref).max() <= tol
