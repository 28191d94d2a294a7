"""The maximum-instantaneous-frequency check (voices.md §0.4), per voice and per track.

Every oscillator must stay below sr/2 over the whole step. The limit of each family is a
sum of `weight · max(…)` terms of parameters that move linearly with the ramp progress α,
so it is convex in α and its worst case is at one end of the ramp: checking the start and
the end values is exact. The check depends on the sample rate, and a render may use
another rate than the file's, so `check_track()` can be re-run for any rate.
"""

from __future__ import annotations

from ..errors import E_PARAM, Diagnostic, Report, join, num
from .family import Family, FrequencyLimit
from .params import Resolved, Where


def _term(keys: list[str], weight: float) -> str:
    text = keys[0] if len(keys) == 1 else f"max({', '.join(keys)})"
    return text if weight == 1 else f"{text}/{num(1 / weight)}"


def _check_limit(limit: FrequencyLimit, resolved: dict[str, Resolved], sample_rate: int,
                 where: Where) -> Diagnostic | None:
    nyquist = sample_rate / 2
    worst = None
    for at_end in (False, True):
        names, values, total = [], [], 0.0
        for keys, weight in limit.terms:
            rs = [resolved[k] for k in keys]
            names.append(_term([r.end_key if at_end else r.start_key for r in rs], weight))
            vals = [float(r.end if at_end else r.start) for r in rs]
            values.append(_term([num(v) for v in vals], weight))
            total += weight * max(vals)
        if total >= nyquist and (worst is None or total > worst[0]):
            carrier = resolved[limit.carrier]
            worst = (total, names, values, carrier.end_key if at_end else carrier.start_key)
    if worst is None:
        return None
    total, names, values, key = worst
    return Diagnostic(
        E_PARAM, join(where.location, key),
        f"expected {' + '.join(names)} below {num(nyquist)} Hz (half the sample rate of "
        f"{sample_rate} Hz), got {' + '.join(values)} = {num(total)} Hz{where.suffix}",
    )


def check_voice(family: Family, resolved: dict[str, Resolved], sample_rate: int,
                where: Where) -> list[Diagnostic]:
    """Diagnostics for every limit of `family` that the resolved values break."""
    found = (_check_limit(limit, resolved, sample_rate, where) for limit in family.limits)
    return [d for d in found if d is not None]


def check_track(track, sample_rate: int) -> list[Diagnostic]:
    """Re-run the check for every voice of a loaded track at `sample_rate`."""
    from .params import resolve
    from .registry import BY_NAME
    from .validate import where_of

    out: list[Diagnostic] = []
    for step in track.steps:
        for voice in step.voices:
            family = BY_NAME.get(voice.function)
            if family is None or not family.implemented:
                continue
            where = where_of(step, voice)
            resolved = resolve(family.rows, voice.params, voice.transition, where, None)
            out.extend(check_voice(family, resolved, sample_rate, where))
            if family.extra is not None:
                # rate-dependent limits of structured parameters (notch frequencies < 0.49·sr)
                found = Report("the render plan", limit=None)
                family.extra(voice.params, resolved, voice.transition, where, sample_rate, found)
                out.extend(found.errors)
    return out
