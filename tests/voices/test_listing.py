"""The voice listing (`entrainer voices`) is read from the registry's tables: every family,
every row, with defaults, ranges and transition keys as a user writes them."""

from __future__ import annotations

import doctest

import pytest

from entrainer.voices import FAMILIES, listing
from entrainer.voices.registry import get


def test_the_docstring_examples_run():
    assert doctest.testmod(listing).failed == 0


def test_every_registry_entry_is_listed_once_in_order():
    rows = listing.overview()
    assert [r["function"] for r in rows] == [f.name for f in FAMILIES]
    by_name = {r["function"]: r for r in rows}
    assert by_name["subliminal_encode"]["transition"] == "–"
    assert by_name["binaural_beat"]["transition"] == "binaural_beat_transition"
    assert by_name["noise_swept_notch"]["aliases"] == "noise"
    assert by_name["subliminal_encode"]["parameters"] == (
        'audio_path – · audio_paths – · mode "sequence" · carrierFreq 17500 Hz · amp 0.5 · seed –')


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_every_row_of_every_table_is_listed(family):
    rows = listing.parameters(family)
    assert [r["key"] for r in rows] == [p.key for p in family.rows]
    assert [r["plan"] for r in rows] == [p.plan or "" for p in family.rows]


ROWS = [
    # (function, key) → (type, default, unit, range, transition, plan key)
    ("binaural_beat", "baseFreq", ("number", "200", "Hz", "≥ 0", "startBaseFreq → endBaseFreq", "base_freq_hz")),
    ("binaural_beat", "startPhaseL", ("number", "0", "rad", "any", "startStartPhaseL (start value only)",
                                      "start_phase_l_rad")),
    ("binaural_beat", "freqOscShape", ("enum", '"sine"', "", "sine, triangle", "startFreqOscShape (not ramped)",
                                       "vib_shape")),
    ("binaural_beat", "panType", ("enum", '"linear"', "", "linear, inward, outward",
                                  "startPanType = endPanType (must match)", "pan_type")),
    ("binaural_beat", "seed", ("integer", "–", "", "0 … 2^63 − 1", "static", "")),
    ("isochronic_tone", "ampL", ("number", "= amp", "", "0 … 10", "startAmpL → endAmpL", "amp_l")),
    ("isochronic_tone", "harmonicSuppression", ("bool", "false", "", "",
                                                "on if startHarmonicSuppression or endHarmonicSuppression is on",
                                                "harmonic_suppression")),
    ("monaural_beat_stereo_amps", "startPhaseR",
     ("number", "0", "rad", "any", "startStartPhaseU or startStartPhaseR (start value only)", "start_phase_upper_rad")),
    ("monaural_beat_stereo_amps", "amp_lower_L",
     ("number", "0.5", "", "0 … 10", "start_amp_lower_L → end_amp_lower_L", "amp_lower_l")),
    ("subliminal_encode", "carrierFreq", ("number", "17500", "Hz", "15000 … 20000", "static", "carrier_freq_hz")),
    ("subliminal_encode", "audio_paths", ("paths", "–", "", 'array, or "a;b"', "static", "")),
]


@pytest.mark.parametrize(("function", "key", "expected"), ROWS, ids=[f"{r[0]}.{r[1]}" for r in ROWS])
def test_rows_read_as_written_in_voices_md(function, key, expected):
    row = next(r for r in listing.parameters(get(function)) if r["key"] == key)
    assert (row["type"], row["default"], row["unit"], row["range"], row["transition"], row["plan"]) == expected


@pytest.mark.parametrize(("name", "family"), [
    ("binaural_beat", "binaural_beat"), ("binaural_beat_transition", "binaural_beat"),
    ("noise", "noise_swept_notch"), ("generate_swept_notch_pink_sound_transition", "generate_swept_notch_pink_sound"),
    ("basic_am", None), ("Binaural_Beat", None), ("", None),
])
def test_find_accepts_what_a_file_may_write(name, family):
    found = listing.find(name)
    assert (found.name if found else None) == family


def test_later_stages_are_listed():
    assert listing.later_stages(get("binaural_beat")) == [
        {"stage": "glitch-burst stage", "section": "§2.15", "keys": "5",
         "switch": "glitchInterval, glitchDur, glitchNoiseLevel"},
        {"stage": "spatial post-stage", "section": "§2.14", "keys": "19", "switch": "spatialEnable"},
        {"stage": "flanger", "section": "§2.13", "keys": "25", "switch": "flangeEnable"},
    ]
