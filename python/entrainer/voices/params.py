"""Parameter tables as data, and the one engine that reads a voice's `params` through them.

A `Param` row is one line of a voices.md parameter table: legacy key, plan key, type,
default, range and how a transition voice reads it. `resolve()` applies voices.md §0.4
(types, ranges, null = absent) and §2.4 (`startX` ← `X` ← default, `endX` ← start) and
reports `E_PARAM` at the key it actually read. `plan_values()` turns the result into the
plan's snake_case keys (docs/plan.md). Validation, plan building and the voice listing all
use the same rows, so a parameter is described exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import E_PARAM, Report, join, num, show
from ..fields import is_number, number_expectation, quoted_list

# Value types (voices.md §0.4).
NUMBER = "number"
INTEGER = "integer"
BOOL = "bool"
ENUM = "enum"
INT_ENUM = "int-enum"
LIST = "list"
PATH = "path"        # a file reference (format.md §6), resolved by the loader
PATHS = "paths"      # a list of file references, or one string of them separated by ";"

# How a transition voice reads a row (voices.md §2.4). A static voice always reads the
# plain key only: start/end spellings on a static voice are unknown keys, ignored.
RAMP = "ramp"        # written [start, end]: start = startX ← X ← default, end = endX ← start
START = "start"      # one value, the start value (carrier start phases; the end key is ignored)
HOLD = "hold"        # booleans and enums: startX ← X ← default, the end value ignored
EITHER = "either"    # a switch that is on if the start or the end value is on
MATCH = "match"      # start and end must be equal (panType)
STATIC = "static"    # the plain key only, even in a transition

_MISSING = object()


def start_name(key: str) -> str:
    """`baseFreq` → `startBaseFreq`, `amp_lower_L` → `start_amp_lower_L` (voices.md §2.4)."""
    return f"start_{key}" if "_" in key else f"start{key[0].upper()}{key[1:]}"


def end_name(key: str) -> str:
    return f"end_{key}" if "_" in key else f"end{key[0].upper()}{key[1:]}"


@dataclass(frozen=True)
class Param:
    """One row of a voice's parameter table."""

    key: str                         # legacy key as written in files
    plan: str | None                 # plan key; None: read and checked, not written
    kind: str                        # NUMBER, INTEGER, BOOL, ENUM, INT_ENUM, LIST, PATH or PATHS
    default: Any
    lo: float | None = None          # inclusive range
    hi: float | None = None
    ramp: str = RAMP
    choices: tuple = ()              # ENUM: lower-case names; INT_ENUM: integers
    start_keys: tuple[str, ...] = () # legacy transition spellings replacing `startX`
    end_keys: tuple[str, ...] = ()   # legacy transition spellings replacing `endX`
    aliases: tuple[tuple[str, str], ...] = ()  # ENUM: (alias, canonical name) pairs
    default_from: str | None = None  # default = that earlier row's value at the same end
    unit: str = ""                   # for the listing: "Hz", "rad", "s"
    end_keys: tuple[str, ...] = ()   # legacy transition spellings replacing `endX`
    fallbacks: tuple[str, ...] = ()  # plain keys read after `key` when it is absent
    lo_open: bool = False            # the lower bound itself is not allowed (> lo)

    @property
    def start_names(self) -> tuple[str, ...]:
        return self.start_keys or (start_name(self.key),)

    @property
    def end_names(self) -> tuple[str, ...]:
        return self.end_keys or (end_name(self.key),)

    @property
    def plain_names(self) -> tuple[str, ...]:
        return (self.key, *self.fallbacks)

    def expectation(self) -> str:
        if self.kind == NUMBER and self.lo_open and self.hi is None:
            return f"a number > {num(self.lo)}"
        if self.kind == NUMBER:
            return number_expectation(self.lo, self.hi)
        if self.kind == INTEGER:
            return number_expectation(self.lo, self.hi, integer=True)
        if self.kind == BOOL:
            return "true or false (or 0 or 1)"
        if self.kind == ENUM:
            return f"one of {quoted_list(self.choices)}"
        if self.kind == INT_ENUM:
            return f"one of {', '.join(map(str, self.choices))} (or false/true for 0/1)"
        if self.kind == PATH:
            return "a file path"
        if self.kind == PATHS:
            return 'an array of file paths, or one string of paths separated by ";"'
        return "an array"

    def coerce(self, raw: Any) -> Any:
        """The checked value, or _MISSING when `raw` breaks the row's type or range."""
        kind = self.kind
        if kind in (NUMBER, INTEGER):
            if not is_number(raw) or (kind == INTEGER and raw != int(raw)):
                return _MISSING
            if (self.lo is not None and raw < self.lo) or (self.hi is not None and raw > self.hi):
                return _MISSING
            if self.lo_open and raw == self.lo:
                return _MISSING
            return int(raw) if kind == INTEGER else float(raw)
        if kind == BOOL:
            if isinstance(raw, bool):
                return raw
            return bool(raw) if is_number(raw) and raw in (0, 1) else _MISSING
        if kind == ENUM:
            name = raw.strip().lower() if isinstance(raw, str) else None
            name = dict(self.aliases).get(name, name)
            return name if name in self.choices else _MISSING
        if kind == INT_ENUM:
            if isinstance(raw, bool):
                raw = int(raw)
            if is_number(raw) and raw == int(raw) and int(raw) in self.choices:
                return int(raw)
            return _MISSING
        if kind == PATH:
            return raw if isinstance(raw, str) else _MISSING
        if kind == PATHS:
            ok = isinstance(raw, str) or (isinstance(raw, list) and all(isinstance(x, str) for x in raw))
            return raw if ok else _MISSING
        return raw if isinstance(raw, list) else _MISSING


@dataclass(frozen=True)
class Where:
    """Where a voice's params live in the file, and the `(step …, voice …)` message suffix."""

    location: str                    # e.g. "progression[4].voices[1].params"
    suffix: str = ""                 # e.g. ' (step "Settle", voice binaural_beat)'


@dataclass(frozen=True)
class Resolved:
    """A row's value at the start and at the end of the step, and the keys that gave them."""

    start: Any
    end: Any
    start_key: str                   # the key read, or the plain key when defaulted
    end_key: str
    explicit: bool                   # the start value came from the file

    @property
    def value(self) -> Any:
        """The single value of a row that does not ramp."""
        return self.start


def _read(row: Param, names: tuple[str, ...], params: dict, where: Where,
          report: Report | None) -> tuple[str | None, Any]:
    """(key, value) of the first name present; a bad value is reported and skipped."""
    for key in names:
        raw = params.get(key)
        if raw is None:
            continue
        value = row.coerce(raw)
        if value is _MISSING:
            if report is not None:
                report.error(E_PARAM, join(where.location, key),
                             f"expected {row.expectation()}, got {show(raw)}{where.suffix}")
            return key, _MISSING
        return key, value
    return None, _MISSING


def resolve(rows: tuple[Param, ...], params: dict, transition: bool, where: Where,
            report: Report | None) -> dict[str, Resolved]:
    """Read every row of a table from `params`; errors go to `report` (None: stay silent)."""
    out: dict[str, Resolved] = {}
    for row in rows:
        base = out.get(row.default_from) if row.default_from else None
        d_start = base.start if base else row.default
        d_end = base.end if base else row.default
        if not transition or row.ramp == STATIC:
            key, value = _read(row, row.plain_names, params, where, report)
            explicit = value is not _MISSING
            start = value if explicit else d_start
            end = value if explicit else d_end
            key = key or row.key
            out[row.key] = Resolved(start, end, key, key, explicit)
            continue
        key, value = _read(row, (*row.start_names, *row.plain_names), params, where, report)
        explicit = value is not _MISSING
        start = value if explicit else d_start
        start_key = key or row.key
        end, end_key = start, start_key
        if row.ramp in (RAMP, EITHER, MATCH):
            ekey, evalue = _read(row, row.end_names, params, where, report)
            if evalue is not _MISSING:
                end, end_key = evalue, ekey
            elif not explicit and base is not None:
                end = d_end
        if row.ramp == MATCH and end != start and report is not None:
            report.error(E_PARAM, join(where.location, end_key),
                         f'expected the same value as "{start_key}" ({show(start)}), '
                         f"got {show(end)}{where.suffix}")
        out[row.key] = Resolved(start, end, start_key, end_key, explicit)
    return out


def plan_values(rows: tuple[Param, ...], resolved: dict[str, Resolved],
                swaps: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    """The plan's `params` object: every row with a plan key, in table order."""
    out: dict[str, Any] = {}
    for row in rows:
        if row.plan is None:
            continue
        r = resolved[row.key]
        if row.ramp == RAMP and row.kind == NUMBER:
            out[row.plan] = [float(r.start), float(r.end)]
        elif row.ramp == EITHER:
            out[row.plan] = bool(r.start) or bool(r.end)
        else:
            out[row.plan] = r.start
    for low, high in swaps:
        # A reversed pair is swapped end by end (voices.md §2.7: panRangeMin/Max).
        (a0, a1), (b0, b1) = out[low], out[high]
        out[low] = [min(a0, b0), min(a1, b1)]
        out[high] = [max(a0, b0), max(a1, b1)]
    return out

