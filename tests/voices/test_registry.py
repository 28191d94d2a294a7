"""The synth function registry (voices.md §1.1, §3.15) and the tables it holds, checked
against the plan contract (docs/plan.md)."""

from __future__ import annotations

import pytest

from entrainer.voices import FAMILIES, known_names, lookup
from entrainer.voices.params import Where, end_name, resolve, start_name

LOOKUPS = [
    # name as written → (base, transition by name, family, status or rejection)
    ("binaural_beat", ("binaural_beat", False, "binaural_beat", "implemented")),
    ("binaural_beat_transition", ("binaural_beat", True, "binaural_beat", "implemented")),
    ("isochronic_tone_transition", ("isochronic_tone", True, "isochronic_tone", "implemented")),
    ("monaural_beat_stereo_amps", ("monaural_beat_stereo_amps", False, "monaural_beat_stereo_amps", "implemented")),
    ("qam_beat", ("qam_beat", False, "qam_beat", "implemented")),
    ("noise", ("noise", False, "noise_swept_notch", "implemented")),
    ("noise_transition", ("noise", True, "noise_swept_notch", "implemented")),
    ("generate_swept_notch_pink_sound_transition",
     ("generate_swept_notch_pink_sound", True, "generate_swept_notch_pink_sound", "implemented")),
    ("subliminal_encode", ("subliminal_encode", False, "subliminal_encode", "implemented")),
    ("basic_am", ("basic_am", False, None, "was removed from the legacy renderer and has no specification")),
    ("flanged_voice_transition",
     ("flanged_voice", True, None, "was removed from the legacy renderer and has no specification")),
    ("calculate_transition_alpha",
     ("calculate_transition_alpha", False, None,
      "is a helper that a legacy version registered as a voice by accident")),
    ("Binaural_Beat", ("Binaural_Beat", False, None, None)),       # case-sensitive
    ("binaural_beat ", ("binaural_beat ", False, None, None)),     # never trimmed
    ("_transition", ("", True, None, None)),
]


@pytest.mark.parametrize("name, expected", LOOKUPS)
def test_lookup(name, expected):
    found = lookup(name)
    status = found.family.status if found.family else found.rejected
    assert (found.base, found.transition_by_name, found.family and found.family.name, status) == expected


def test_every_voice_of_voices_md_is_known_once():
    assert known_names() == [
        "binaural_beat", "dual_pulse_binaural", "generate_swept_notch_pink_sound",
        "hybrid_qam_monaural_beat", "isochronic_tone", "monaural_beat_stereo_amps", "noise",
        "noise_generator", "noise_swept_notch", "qam_beat", "rhythmic_waveshaping",
        "spatial_angle_modulation", "spatial_angle_modulation_monaural_beat",
        "stereo_am_independent", "subliminal_encode", "wave_shape_stereo_am"]
    assert [f.name for f in FAMILIES if f.implemented] == [
        "binaural_beat", "isochronic_tone", "monaural_beat_stereo_amps",
        "stereo_am_independent", "wave_shape_stereo_am", "rhythmic_waveshaping", "qam_beat",
        "hybrid_qam_monaural_beat", "dual_pulse_binaural",
        "spatial_angle_modulation", "spatial_angle_modulation_monaural_beat", "noise_generator",
        "noise_swept_notch", "generate_swept_notch_pink_sound", "subliminal_encode"]
    assert [f.name for f in FAMILIES if not f.has_transition] == ["subliminal_encode"]


PAN = ["pan_min", "pan_max", "pan_type", "pan_freq_hz", "pan_phase_rad"]
EARS = lambda *names: [n.format(ear=e) for n in names for e in "lr"]   # noqa: E731
NOTCH = ["colour", "lfo_shape", "lfo_freq_hz", "lfo_offset_r_deg", "intra_offset_deg", "sweeps",
         "static_notches", "prefilters"]
PLAN_KEYS = {
    "binaural_beat": [
        *EARS("amp_{ear}"), "base_freq_hz", "beat_freq_hz", "left_high", "force_mono",
        *EARS("start_phase_{ear}_rad", "am_depth_{ear}", "am_freq_{ear}_hz", "am_phase_{ear}_rad", "am_skew_{ear}",
              "vib_range_{ear}_hz", "vib_freq_{ear}_hz", "vib_skew_{ear}", "vib_phase_{ear}_rad"),
        "vib_shape", "wobble_freq_hz", "wobble_range_rad", *PAN],
    "isochronic_tone": [
        *EARS("amp_{ear}"), "base_freq_hz", "pulse_freq_hz", "ramp_fraction", "gap_fraction", "force_mono",
        *EARS("start_phase_{ear}_rad", "am_depth_{ear}", "am_freq_{ear}_hz", "am_phase_{ear}_rad", "am_skew_{ear}",
              "vib_range_{ear}_hz", "vib_freq_{ear}_hz", "vib_skew_{ear}", "vib_phase_{ear}_rad"),
        "wobble_freq_hz", "wobble_range_rad", "harmonic_suppression", *PAN],
    "monaural_beat_stereo_amps": [
        "amp_lower_l", "amp_upper_l", "amp_lower_r", "amp_upper_r", "base_freq_hz", "beat_freq_hz",
        "start_phase_lower_rad", "start_phase_upper_rad", "wobble_freq_hz", "wobble_range_rad",
        "am_depth", "am_freq_hz", "am_phase_rad"],
    # the swept-notch voices: engine keys, then the voice's gains (docs/plan.md)
    "noise_generator": [*NOTCH, *EARS("amp_{ear}"), "fade_in_s", "fade_out_s", "amp_envelope"],
    "noise_swept_notch": [*NOTCH, *EARS("amp_{ear}")],
    "generate_swept_notch_pink_sound": [*NOTCH, *EARS("amp_{ear}")],
    "stereo_am_independent": [
        "amp", "carrier_freq_hz", "stereo_width_hz", *EARS("mod_freq_{ear}_hz", "mod_depth_{ear}", "mod_phase_{ear}_rad")],
    "wave_shape_stereo_am": [
        "amp", "carrier_freq_hz", "shape_mod_freq_hz", "shape_mod_depth", "shape_amount",
        *EARS("stereo_mod_freq_{ear}_hz", "stereo_mod_depth_{ear}", "stereo_mod_phase_{ear}_rad")],
    "rhythmic_waveshaping": ["amp", "carrier_freq_hz", "mod_freq_hz", "mod_depth", "shape_amount", "pan"],
    "qam_beat": [
        *EARS("amp_{ear}", "base_freq_{ear}_hz", "am_freq_{ear}_hz", "am_depth_{ear}", "am_phase_{ear}_rad",
              "mod_shape_{ear}", "am2_freq_{ear}_hz", "am2_depth_{ear}", "am2_phase_{ear}_rad", "start_phase_{ear}_rad"),
        "cross_mod_depth", "cross_mod_delay_s", "harmonic_depth", "harmonic_ratio", "sub_harmonic_freq_hz",
        "sub_harmonic_depth", "wobble_freq_hz", "wobble_range_rad", "wobble_phase_rad", "beating_sidebands",
        "sideband_offset_hz", "sideband_depth", "attack_s", "release_s"],
    "hybrid_qam_monaural_beat": [
        *EARS("amp_{ear}"), "qam_carrier_freq_l_hz", "qam_am_freq_l_hz", "qam_am_depth_l", "qam_am_phase_l_rad",
        "qam_start_phase_l_rad", "mono_carrier_freq_r_hz", "mono_beat_freq_r_hz", "mono_am_depth_r",
        "mono_am_freq_r_hz", "mono_am_phase_r_rad", "mono_fm_range_r_hz", "mono_fm_freq_r_hz", "mono_fm_phase_r_rad",
        "mono_start_phase_tone1_rad", "mono_start_phase_tone2_rad", "mono_wobble_freq_r_hz",
        "mono_wobble_range_r_rad", "mono_wobble_phase_r_rad"],
    "subliminal_encode": ["mode", "carrier_freq_hz", "amp"],     # plus "audio_buffers" (file_refs)
    "spatial_angle_modulation": [
        "amp", "carrier_freq_hz", "path_freq_hz", "path_shape", "path_radius", "arc_start_deg",
        "arc_end_deg", "hrtf_model"],
    "spatial_angle_modulation_monaural_beat": [
        "amp_lower_l", "amp_upper_l", "amp_lower_r", "amp_upper_r", "base_freq_hz", "beat_freq_hz",
        "start_phase_lower_rad", "start_phase_upper_rad", "wobble_freq_hz", "wobble_range_rad",
        "am_depth", "am_freq_hz", "am_phase_rad", "sam_am_depth", "sam_am_freq_hz", "sam_am_phase_rad",
        "spatial_freq_hz", "spatial_phase_rad", "rotation", "path_radius", "amp", "hrtf_model"],
}
PLAN_KEYS["dual_pulse_binaural"] = [
    *PLAN_KEYS["binaural_beat"], "pulse_rate_hz",
    *EARS("pulse_rate_{ear}_hz", "ramp_fraction_{ear}", "gap_fraction_{ear}", "pulse_phase_{ear}_cycles",
          "pulse_shape_{ear}", "pulse_depth_{ear}"),
    "harmonic_suppression"]


@pytest.mark.parametrize("family", [f for f in FAMILIES if f.implemented], ids=lambda f: f.name)
def test_tables_write_exactly_the_plan_keys_of_docs_plan_md(family):
    plan = [r.plan for r in family.rows if r.plan]
    if family.extra is not None:
        resolved = resolve(family.rows, {}, False, Where("params"), None)
        plan += list(family.extra({}, resolved, False, Where("params"), None, None))
    assert sorted(plan) == sorted(PLAN_KEYS[family.name])
    keys = [r.key for r in family.rows]
    assert len(keys) == len(set(keys))
    assert all(r.default_from in keys[: keys.index(r.key)] for r in family.rows if r.default_from)


@pytest.mark.parametrize("key, start, end", [
    ("baseFreq", "startBaseFreq", "endBaseFreq"),
    ("startPhaseL", "startStartPhaseL", "endStartPhaseL"),
    ("amp_lower_L", "start_amp_lower_L", "end_amp_lower_L"),
    ("panRangeMin", "startPanRangeMin", "endPanRangeMin"),
])
def test_transition_key_names(key, start, end):
    assert (start_name(key), end_name(key)) == (start, end)
