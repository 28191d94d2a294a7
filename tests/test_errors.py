"""Diagnostics and TrackError messages (format.md §7.1)."""

from __future__ import annotations

import pytest

from entrainer.errors import Diagnostic, EntrainerError, TrackError, join, num, show


def test_a_diagnostic_is_one_line():
    d = Diagnostic("E_RANGE", "global.sample_rate", "expected an integer from 8000 to 192000, got 0")
    assert str(d) == "global.sample_rate: expected an integer from 8000 to 192000, got 0"
    assert d.is_error and not Diagnostic("W_STEP_SKIPPED", "x", "y").is_error


def test_track_error_message_counts_then_lists():
    one = TrackError([Diagnostic("E_EMPTY", "progression", "nothing")], "t.json")
    two = TrackError([Diagnostic("E_TYPE", "a", "x"), Diagnostic("E_TYPE", "b", "y")])
    assert isinstance(one, EntrainerError)
    assert str(one) == "1 error in t.json\nprogression: nothing"
    assert str(two) == "2 errors in the track\na: x\nb: y"
    assert two.codes == ["E_TYPE", "E_TYPE"]


@pytest.mark.parametrize("value, text", [
    ("10", '"10"'), (0, "0"), (12.0, "12.0"), (True, "true"), (None, "null"), ([1, "a"], '[1, "a"]'),
    (float("nan"), "NaN"), (float("-inf"), "-Infinity"), ("é", '"é"'),
    ("x" * 100, '"' + "x" * 58 + "…"),
])
def test_values_are_shown_as_json_cut_to_60_characters(value, text):
    assert show(value) == text
    assert len(show(value)) <= 60


@pytest.mark.parametrize("value, text", [(200.0, "200"), (0.5, "0.5"), (1 / 3, "0.3333333333"), (7, "7")])
def test_computed_numbers(value, text):
    assert num(value) == text


@pytest.mark.parametrize("location, key, joined", [
    ("(root)", "global", "global"), ("(root)", 3, "[3]"), ("progression", 4, "progression[4]"),
    ("progression[4]", "voices", "progression[4].voices"),
])
def test_locations(location, key, joined):
    assert join(location, key) == joined
