"""The voice listing (`entrainer voices`): every registry entry and its parameter table as
plain rows of text, read from the same `Param` rows that drive validation and the plan.

>>> [row["function"] for row in overview()][:2]
['binaural_beat', 'isochronic_tone']
>>> find("noise_transition").name
'noise_swept_notch'
"""

from __future__ import annotations

from ..errors import num
from ..fields import number_expectation
from .family import Family
from .params import (BOOL, EITHER, ENUM, HOLD, INT_ENUM, INTEGER, LIST, MATCH, NUMBER, PATH,
                     PATHS, RAMP, START, STATIC, Param)
from .registry import FAMILIES, lookup

_KINDS = {NUMBER: "number", INTEGER: "integer", BOOL: "bool", ENUM: "enum", INT_ENUM: "int-enum",
          LIST: "list", PATH: "path", PATHS: "paths"}


def find(name: str) -> Family | None:
    """The family of a name as a file may write it (aliases and `_transition` included)."""
    found = lookup(name)
    return found.family


def default_text(row: Param) -> str:
    """The default as a user would write it: `0.5`, `"sine"`, `false`, `= amp`, `–`."""
    if row.default_from:
        return f"= {row.default_from}"
    d = row.default
    if d is None:
        return "–"
    if isinstance(d, bool):
        return "true" if d else "false"
    if isinstance(d, str):
        return f'"{d}"'
    if isinstance(d, (int, float)):
        return num(d)
    return str(d)


def _bound(x: float) -> str:
    return "2^63 − 1" if x == 2**63 - 1 else num(x)


def range_text(row: Param) -> str:
    if row.kind in (NUMBER, INTEGER):
        if row.lo is None and row.hi is None:
            return "any"
        if row.lo is not None and row.hi is not None:
            return f"{_bound(row.lo)} … {_bound(row.hi)}"
        return number_expectation(row.lo, row.hi).split(" ", 2)[-1]      # "≥ 0"
    if row.kind in (ENUM, INT_ENUM):
        return ", ".join(map(str, row.choices))
    if row.kind == PATHS:
        return 'array, or "a;b"'
    return ""


def transition_text(row: Param, family: Family) -> str:
    """How the transition variant reads the row (voices.md §2.4)."""
    if not family.has_transition or row.ramp == STATIC:
        return "static"
    start = " or ".join(row.start_names)
    if row.ramp == RAMP:
        return f"{start} → {row.end_names[0]}"
    if row.ramp == START:
        return f"{start} (start value only)"
    if row.ramp == HOLD:
        return f"{start} (not ramped)"
    if row.ramp == EITHER:
        return f"on if {start} or {row.end_names[0]} is on"
    if row.ramp == MATCH:
        return f"{start} = {row.end_names[0]} (must match)"
    return row.ramp


def parameters(family: Family) -> list[dict[str, str]]:
    """One row per parameter of the family's table, in table order."""
    return [{
        "key": row.key,
        "type": _KINDS.get(row.kind, row.kind),
        "default": default_text(row),
        "unit": row.unit,
        "range": range_text(row),
        "transition": transition_text(row, family),
        "plan": row.plan or "",
    } for row in family.rows]


def later_stages(family: Family) -> list[dict[str, str]]:
    """The post-stages whose keys the voice accepts but cannot switch on yet (voices.md §0.4)."""
    return [{"stage": s.name, "section": s.section, "keys": str(len(s.rows)),
             "switch": ", ".join(s.switch)} for s in family.later]


def overview() -> list[dict[str, str]]:
    """One row per registry entry: names, status and every parameter with its default."""
    rows = []
    for f in FAMILIES:
        params = " · ".join(f"{r['key']} {r['default']}{' ' + r['unit'] if r['unit'] and r['default'] != '–' else ''}"
                           for r in parameters(f))
        rows.append({
            "function": f.name,
            "transition": f"{f.name}_transition" if f.has_transition else "–",
            "aliases": ", ".join(f.aliases),
            "section": f.section,
            "status": f.status,
            "summary": f.summary,
            "parameters": params or "–",
        })
    return rows
