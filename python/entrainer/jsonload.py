"""Strict JSON decoding (format.md §1): UTF-8, no NaN/Infinity, no duplicate keys.

Python's `json` module accepts `NaN`, `Infinity` and `1e400` (which becomes inf), and keeps
the last of two equal keys. This module uses it for speed and adds the missing checks, with
messages that give the line and column (`E_JSON`), the byte offset (`E_ENCODING`) or the
path of the object (`E_DUPLICATE_KEY`).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from .errors import (E_DUPLICATE_KEY, E_ENCODING, E_JSON, ROOT, Diagnostic, TrackError, join)

_BOM = b"\xef\xbb\xbf"

# Tokens that matter when looking for a non-finite number: strings are skipped whole so
# that "NaN" inside a string is not reported.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|-?Infinity|NaN|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?')
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"?|[{}\[\]]')


class _NonFinite(Exception):
    """Raised from the decoder hooks; the position is found afterwards by scanning."""


def _reject_constant(_name: str) -> float:
    raise _NonFinite()


def _finite_float(text: str) -> float:
    x = float(text)
    if not math.isfinite(x):
        raise _NonFinite()
    return x


def decode_text(data: bytes | str) -> str:
    """Bytes to text: UTF-8 only, a leading byte-order mark dropped (format.md §1)."""
    if isinstance(data, str):
        return data[1:] if data.startswith("\ufeff") else data
    skip = len(_BOM) if data.startswith(_BOM) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as e:
        raise TrackError([Diagnostic(
            E_ENCODING, ROOT, f"expected UTF-8 text, got an invalid byte at offset {e.start + skip}",
        )]) from None


def loads(data: bytes | str, source: str = "the track") -> object:
    """Decode strict JSON text; raise TrackError (E_ENCODING, E_JSON or E_DUPLICATE_KEY)."""
    try:
        text = decode_text(data)
    except TrackError as e:
        raise TrackError(e.diagnostics, source) from None
    # id of each object that held a key twice → (the object, its repeated keys). The object
    # is kept so that its id cannot be reused by another object while decoding goes on.
    duplicates: dict[int, tuple[dict, list[str]]] = {}

    def pairs_hook(pairs: list[tuple[str, object]]) -> dict:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            dups: list[str] = []
            for key, _ in pairs:
                if key in seen and key not in dups:
                    dups.append(key)
                seen.add(key)
            duplicates[id(obj)] = (obj, dups)
        return obj

    try:
        value = json.loads(text, object_pairs_hook=pairs_hook,
                           parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as e:
        raise TrackError([_syntax_error(text, e)], source) from None
    except _NonFinite:
        raise TrackError([_non_finite_error(text)], source) from None
    except (ValueError, RecursionError) as e:
        # Integers longer than Python's digit limit, or absurd nesting.
        raise TrackError([Diagnostic(E_JSON, ROOT, f"invalid JSON: {e}")], source) from None
    if duplicates:
        found = list(_find_duplicates(value, ROOT, duplicates))
        raise TrackError(found, source)
    return value


def load_path(path: Path, source: str | None = None) -> object:
    """Read and decode a JSON file (OSError is left to the caller, who knows the context)."""
    return loads(Path(path).read_bytes(), source or str(path))


def _find_duplicates(value: object, location: str, duplicates: dict[int, tuple[dict, list[str]]]):
    """Walk the decoded tree in file order, naming each object that held a key twice.

    An object that a later duplicate replaced is not in the tree any more, so repeats
    inside it go unreported; the duplicate that replaced it is reported.
    """
    if isinstance(value, dict):
        for key in duplicates.get(id(value), (None, ()))[1]:
            yield Diagnostic(E_DUPLICATE_KEY, location, f'duplicate key {json.dumps(key, ensure_ascii=False)}')
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                yield from _find_duplicates(item, join(location, key), duplicates)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)):
                yield from _find_duplicates(item, join(location, i), duplicates)


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _at(text: str, pos: int, detail: str) -> Diagnostic:
    line, col = _line_col(text, pos)
    return Diagnostic(E_JSON, ROOT, f"invalid JSON at line {line}, column {col}: {detail}")


def _non_finite_error(text: str) -> Diagnostic:
    for m in _TOKENS.finditer(text):
        token = m.group()
        if token.startswith('"'):
            continue
        if token in ("NaN", "Infinity", "-Infinity"):
            return _at(text, m.start(), f"{token} is not JSON (numbers must be finite)")
        if not math.isfinite(float(token)):
            return _at(text, m.start(), f"the number {token} is too large (numbers must be finite)")
    return Diagnostic(E_JSON, ROOT, "invalid JSON: a number is not finite")


def _container(text: str, pos: int) -> str | None:
    """The innermost open bracket before `pos` ('{' or '['), skipping strings."""
    stack: list[str] = []
    for m in _STRUCTURE.finditer(text, 0, pos):
        token = m.group()
        if token in "{[":
            stack.append(token)
        elif token in "}]" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _syntax_error(text: str, e: json.JSONDecodeError) -> Diagnostic:
    """Turn Python's decoder message into the house wording, with a hint for common slips."""
    pos = e.pos
    if not text.strip():
        return _at(text, 0, "the text is empty")
    rest = text[pos:].lstrip()
    if not rest or e.msg.startswith("Unterminated string"):
        return _at(text, pos, "the text ends too early (is it truncated?)")
    here = text[pos]
    if here == "/" or here == "#":
        return _at(text, pos, "comments are not allowed in JSON")
    if here == "'":
        return _at(text, pos, "strings and keys need double quotes, not single quotes")
    msg = e.msg
    if msg == "Expecting value":
        if here in "]}":
            return _at(text, pos, f"expected a value, got '{here}' (trailing commas are not allowed)")
        return _at(text, pos, "expected a value")
    if msg.startswith("Expecting property name"):
        if here == "}":
            return _at(text, pos, "expected a key in double quotes, got '}' (trailing commas are not allowed)")
        return _at(text, pos, "expected a key in double quotes")
    if msg == "Expecting ',' delimiter":
        close = "}" if _container(text, pos) == "{" else "]"
        return _at(text, pos, f"expected ',' or '{close}'")
    if msg == "Expecting ':' delimiter":
        return _at(text, pos, "expected ':'")
    if msg == "Extra data":
        return _at(text, pos, "expected the end of the text after the top-level value")
    if msg.startswith("Invalid control character"):
        return _at(text, pos, "control characters must be escaped inside strings")
    if msg.startswith("Invalid"):
        return _at(text, pos, "invalid escape sequence in a string")
    return _at(text, pos, msg[0].lower() + msg[1:])
