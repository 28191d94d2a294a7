"""Reading the structural keys of one JSON object: aliases, types, ranges, located errors.

`Fields` wraps one object of the file. Each accessor takes the key and its aliases in
priority order (format.md §3.1): the first one present and not null wins, and a later one
with a different value gives `W_ALIAS_CONFLICT`. Type errors are `E_TYPE`, range errors
`E_RANGE`, missing required keys `E_REQUIRED`, each saying what was expected and what was
found. Keys never read are the object's `extras`, kept in file order.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from .errors import (E_RANGE, E_REQUIRED, E_TYPE, W_ALIAS_CONFLICT, Report, join, num, show)

_MISSING = object()


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values: `true` is not `1`, but `1` equals `1.0`."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def is_number(value: Any) -> bool:
    """A finite JSON number (booleans are not numbers; NaN and inf can come from a dict)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:          # an int too large for a float
        return False


def number_expectation(lo: float | None, hi: float | None, integer: bool = False) -> str:
    """`a number ≥ 0`, `an integer from 8000 to 192000`, … (the wording of format.md §7.2)."""
    noun = "an integer" if integer else "a number"
    if lo is not None and hi is not None:
        return f"{noun} from {num(lo)} to {num(hi)}"
    if lo is not None:
        return f"{noun} ≥ {num(lo)}"
    if hi is not None:
        return f"{noun} ≤ {num(hi)}"
    return noun


def quoted_list(values: Iterable[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)


class Fields:
    """One object of the file being read; remembers which keys were consumed."""

    def __init__(self, raw: dict, location: str, report: Report):
        self.raw = raw
        self.location = location
        self.report = report
        self.used: set[str] = set()

    def at(self, key: str) -> str:
        return join(self.location, key)

    def take(self, *names: str) -> tuple[str, Any]:
        """(key used, value) for the first present, non-null name; (names[0], _MISSING) if none."""
        self.used.update(names)
        found = [(n, self.raw[n]) for n in names if self.raw.get(n) is not None]
        if not found:
            return names[0], _MISSING
        key, value = found[0]
        for other, other_value in found[1:]:
            if not json_equal(value, other_value):
                self.report.warn(W_ALIAS_CONFLICT, self.location,
                                 f'"{key}" and "{other}" hold different values; using "{key}"')
        return key, value

    def get(self, *names: str) -> Any:
        """The value of the first present, non-null name (alias rules applied), or None."""
        _, value = self.take(*names)
        return None if value is _MISSING else value

    def key_of(self, *names: str) -> str:
        """The name that `take()` would use, without reading it (for locations)."""
        return next((n for n in names if self.raw.get(n) is not None), names[0])

    def present(self, *names: str) -> bool:
        return any(self.raw.get(n) is not None for n in names)

    def extras(self) -> dict[str, Any]:
        return {k: v for k, v in self.raw.items() if k not in self.used}

    # Typed accessors. On an error they report it and return the default, so that reading
    # goes on and later errors are found too.

    def number(self, *names: str, default: Any = None, lo: float | None = None,
               hi: float | None = None, required: bool = False, integer: bool = False,
               suffix: str = "") -> Any:
        key, value = self.take(*names)
        expect = number_expectation(lo, hi, integer)
        if value is _MISSING:
            if required:
                self.report.error(E_REQUIRED, self.at(key), f"expected {expect}, got nothing{suffix}")
            return default
        if not is_number(value) or (integer and value != int(value)):
            self.report.error(E_TYPE, self.at(key), f"expected {expect}, got {show(value)}{suffix}")
            return default
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.report.error(E_RANGE, self.at(key), f"expected {expect}, got {show(value)}{suffix}")
            return default
        return int(value) if integer else float(value)

    def string(self, *names: str, default: str = "", required: bool = False,
               suffix: str = "") -> str:
        key, value = self.take(*names)
        expect = "a non-empty string" if required else "a string"
        if value is _MISSING or (required and value == ""):
            if required:
                got = "nothing" if value is _MISSING else '""'
                self.report.error(E_REQUIRED, self.at(key), f"expected {expect}, got {got}{suffix}")
            return default
        if not isinstance(value, str):
            self.report.error(E_TYPE, self.at(key), f"expected {expect}, got {show(value)}{suffix}")
            return default
        return value

    def boolean(self, *names: str, default: bool = False) -> tuple[bool, bool]:
        """(value, explicitly given)."""
        key, value = self.take(*names)
        if value is _MISSING:
            return default, False
        if not isinstance(value, bool):
            self.report.error(E_TYPE, self.at(key), f"expected true or false, got {show(value)}")
            return default, False
        return value, True

    def choice(self, *names: str, choices: tuple[str, ...], default: Any, code: str,
               hint: str = "") -> Any:
        """A structural name from a fixed list, compared exactly (format.md §4.4.3)."""
        key, value = self.take(*names)
        if value is _MISSING:
            return default
        if not isinstance(value, str) or value not in choices:
            got = show(value)
            self.report.error(code if isinstance(value, str) else E_TYPE, self.at(key),
                              f"expected one of {quoted_list(choices)}, got {got}{hint}")
            return default
        return value

    def object(self, *names: str, required: bool = False, what: str = "an object") -> tuple[str, dict | None]:
        key, value = self.take(*names)
        if value is _MISSING:
            if required:
                self.report.error(E_REQUIRED, self.at(key), f"expected {what}, got nothing")
            return key, None
        if not isinstance(value, dict):
            self.report.error(E_TYPE, self.at(key), f"expected {what}, got {show(value)}")
            return key, None
        return key, value

    def array(self, *names: str, required: bool = False, what: str = "an array") -> tuple[str, list | None]:
        key, value = self.take(*names)
        if value is _MISSING:
            if required:
                self.report.error(E_REQUIRED, self.at(key), f"expected {what}, got nothing")
            return key, None
        if not isinstance(value, list):
            self.report.error(E_TYPE, self.at(key), f"expected {what}, got {show(value)}")
            return key, None
        return key, value
