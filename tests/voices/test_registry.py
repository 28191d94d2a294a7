"""The synth function registry (voices.md §1.1, §3.15) and the tables it holds, checked
against the plan contract (docs/plan.md)."""

from __future__ import annotations

import pytest

from entrainer.voices import FAMILIES, known_names, lookup
from entrainer.voices.params import end_name, start_name

LOOKUPS = [
    # name as written → (base, transition by name, family, status or rejection)
    ("binaural_beat", ("binaural_beat", False, "binaural_beat", "implemented")),
    ("binaural_beat_transition", ("binaural_beat", True, "binaural_beat", "implemented")),
    ("isochronic_tone_transition", ("isochronic_tone", True, "isochronic_tone", "implemented")),
    ("monaural_beat_stereo_amps", ("monaural_beat_stereo_amps", False, "monaural_beat_stereo_amps", "implemented")),
    ("qam_beat", ("qam_beat", False, "qam_beat", "not supported yet")),
    ("noise", ("noise", False, "noise_swept_notch", "not supported yet")),
    ("noise_transition", ("noise", True, "noise_swept_notch", "not supported yet")),
    ("generate_swept_notch_pink_sound_transition",
     ("generate_swept_notch_pink_sound", True, "noise_swept_notch", "not supported yet")),
    ("subliminal_encode", ("subliminal_encode", False, "subliminal_encode", "not supported yet")),
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
        "spatial_angle_modulation", "spatial_angle_modulation_monaural_beat"]
    assert [f.name for f in FAMILIES if not f.has_transition] == ["subliminal_encode"]


PAN = ["pan_min", "pan_max", "pan_type", "pan_freq_hz", "pan_phase_rad"]
EARS = lambda *names: [n.format(ear=e) for n in names for e in "lr"]   # noqa: E731
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
    "spatial_angle_modulation": [
        "amp", "carrier_freq_hz", "path_freq_hz", "path_shape", "path_radius", "arc_start_deg",
        "arc_end_deg", "hrtf_model"],
    "spatial_angle_modulation_monaural_beat": [
        "amp_lower_l", "amp_upper_l", "amp_lower_r", "amp_upper_r", "base_freq_hz", "beat_freq_hz",
        "start_phase_lower_rad", "start_phase_upper_rad", "wobble_freq_hz", "wobble_range_rad",
        "am_depth", "am_freq_hz", "am_phase_rad", "sam_am_depth", "sam_am_freq_hz", "sam_am_phase_rad",
        "spatial_freq_hz", "spatial_phase_rad", "rotation", "path_radius", "amp", "hrtf_model"],
}


@pytest.mark.parametrize("family", [f for f in FAMILIES if f.implemented], ids=lambda f: f.name)
def test_tables_write_exactly_the_plan_keys_of_docs_plan_md(family):
    assert sorted(r.plan for r in family.rows if r.plan) == sorted(PLAN_KEYS[family.name])
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
