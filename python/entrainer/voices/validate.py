"""Checking one voice's `params` against its family (voices.md §0.4).

Three checks, all reported as located errors: the table rows (types, ranges, start/end
rules), the "later" post-stages (type-checked, E_UNSUPPORTED when switched on), and the
maximum instantaneous frequency at the file's sample rate.
"""

from __future__ import annotations

import json

from ..errors import E_UNSUPPORTED, Report, join
from .family import Family
from .nyquist import check_voice
from .params import Resolved, Where, resolve


def suffix(step_description: str, function: str | None = None) -> str:
    """` (step "Settle", voice binaural_beat)`: names the step and the voice (format.md §7.1).

    A step without a description is left out: the location already gives its index.
    """
    parts = []
    if step_description:
        parts.append(f"step {json.dumps(step_description, ensure_ascii=False)}")
    if function:
        parts.append(f"voice {function}")
    return f" ({', '.join(parts)})" if parts else ""


def where_of(step, voice) -> Where:
    """The Where of a voice of a loaded track (model objects)."""
    return Where(voice.params_location or join(voice.location, "params"),
                 suffix(step.description, voice.display_name))


def check_params(family: Family, params: dict, transition: bool, where: Where,
                 sample_rate: int | None, report: Report) -> dict[str, Resolved]:
    """Validate `params`; return the resolved table (defaults where a value was bad).

    Errors are reported in the order of the keys in the file, not of the table.
    """
    found = Report(report.source, limit=None)
    resolved = resolve(family.rows, params, transition, where, found)
    for stage in family.later:
        values = resolve(stage.rows, params, transition, where, found)
        key = stage.switched_on(values)
        if key is not None:
            found.error(E_UNSUPPORTED, join(where.location, key),
                        f"the {stage.name} is not supported yet{where.suffix}")
    if family.extra is not None:
        family.extra(params, resolved, transition, where, sample_rate, found)
    if sample_rate is not None:
        for diagnostic in check_voice(family, resolved, sample_rate, where):
            found.add(diagnostic)
    order = {key: i for i, key in enumerate(params)}
    prefix = where.location + "."

    def position(d) -> int:
        key = d.location[len(prefix):] if d.location.startswith(prefix) else None
        return order.get(key, len(order))

    for diagnostic in sorted(found.errors, key=position):
        report.add(diagnostic)
    for diagnostic in found.warnings:
        report.add(diagnostic)
    return resolved
