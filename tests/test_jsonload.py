"""Strict JSON decoding (format.md §1, §7.2): each bad input with its whole message."""

from __future__ import annotations

import pytest

from entrainer.errors import TrackError
from entrainer.jsonload import loads

# (input, expected code, expected message line)
BAD = [
    ("", "E_JSON", "(root): invalid JSON at line 1, column 1: the text is empty"),
    ("  \n ", "E_JSON", "(root): invalid JSON at line 1, column 1: the text is empty"),
    ('{"progression": [', "E_JSON",
     "(root): invalid JSON at line 1, column 18: the text ends too early (is it truncated?)"),
    ('{"a": "abc', "E_JSON",
     "(root): invalid JSON at line 1, column 7: the text ends too early (is it truncated?)"),
    ('{"a": 1,\n "b": NaN}', "E_JSON",
     "(root): invalid JSON at line 2, column 7: NaN is not JSON (numbers must be finite)"),
    ('[1, -Infinity]', "E_JSON",
     "(root): invalid JSON at line 1, column 5: -Infinity is not JSON (numbers must be finite)"),
    ('{"NaN": "NaN", "x": Infinity}', "E_JSON",
     "(root): invalid JSON at line 1, column 21: Infinity is not JSON (numbers must be finite)"),
    ('{"a": 1e400}', "E_JSON",
     "(root): invalid JSON at line 1, column 7: the number 1e400 is too large (numbers must be finite)"),
    ('{"a": 1,}', "E_JSON",
     "(root): invalid JSON at line 1, column 9: expected a key in double quotes, got '}' "
     "(trailing commas are not allowed)"),
    ("[1, 2,]", "E_JSON",
     "(root): invalid JSON at line 1, column 7: expected a value, got ']' (trailing commas are not allowed)"),
    ('{"a": 1 "b": 2}', "E_JSON", "(root): invalid JSON at line 1, column 9: expected ',' or '}'"),
    ("[1 2]", "E_JSON", "(root): invalid JSON at line 1, column 4: expected ',' or ']'"),
    ('{"a" 1}', "E_JSON", "(root): invalid JSON at line 1, column 6: expected ':'"),
    ("{'a': 1}", "E_JSON",
     "(root): invalid JSON at line 1, column 2: strings and keys need double quotes, not single quotes"),
    ('// note\n{}', "E_JSON", "(root): invalid JSON at line 1, column 1: comments are not allowed in JSON"),
    ('{"a": 1} {}', "E_JSON",
     "(root): invalid JSON at line 1, column 10: expected the end of the text after the top-level value"),
    ('{"a": tru}', "E_JSON", "(root): invalid JSON at line 1, column 7: expected a value"),
    (b'{"a": "caf\xe9"}', "E_ENCODING", "(root): expected UTF-8 text, got an invalid byte at offset 10"),
    (b'\xef\xbb\xbf{"a": "\xff"}', "E_ENCODING", "(root): expected UTF-8 text, got an invalid byte at offset 10"),
    (b'\xff\xfe{\x00}\x00', "E_ENCODING", "(root): expected UTF-8 text, got an invalid byte at offset 0"),
    ('{"a": 1, "a": 2}', "E_DUPLICATE_KEY", '(root): duplicate key "a"'),
    ('{"progression": [{"voices": [{}, {}, {}, {"params": {"beatFreq": 1, "x": 0, "beatFreq": 2}}]}]}',
     "E_DUPLICATE_KEY", 'progression[0].voices[3].params: duplicate key "beatFreq"'),
]


@pytest.mark.parametrize("text, code, line", BAD, ids=[repr(c[0])[:40] for c in BAD])
def test_bad_json_is_one_located_error(text, code, line):
    with pytest.raises(TrackError) as info:
        loads(text, source="t.json")
    assert str(info.value) == f"1 error in t.json\n{line}"
    assert info.value.codes == [code]


def test_every_duplicate_is_reported_in_file_order():
    with pytest.raises(TrackError) as info:
        loads('{"a": {"x": 1, "x": 2}, "b": [{"z": 1, "z": 1}], "c": {"y": 0, "y": 1}}')
    assert str(info.value) == "\n".join([
        "3 errors in the track",
        'a: duplicate key "x"',
        'b[0]: duplicate key "z"',
        'c: duplicate key "y"',
    ])


GOOD = [
    ('{"a": [1, 2.5, -3e2, true, null, "NaN"]}', {"a": [1, 2.5, -300.0, True, None, "NaN"]}),
    (b'\xef\xbb\xbf{"caf\xc3\xa9": 1}', {"café": 1}),
    ("\ufeff[]", []),
    ('{"big": 123456789012345678901234567890}', {"big": 123456789012345678901234567890}),
]


@pytest.mark.parametrize("text, value", GOOD)
def test_strict_json_still_reads_valid_text(text, value):
    assert loads(text) == value
