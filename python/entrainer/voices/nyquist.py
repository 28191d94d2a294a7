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
    switch = resolved[limit.when] if limit.when is not None else None
    if switch is not None and not (switch.start or switch.end):
        return None
    worst = None
    for at_end in (False, True):
        names, values, total = [], [], 0.0
        for keys, weight in limit.terms:
            rs = [resolved[k] for k in keys]
            names.append(_term([r.end_key if at_end else r.start_key for r in rs], weight))
            vals = [float(r.end if at_end else r.start) for r in rs]
            values.append(_term([num(v) for v in vals], weight))
            total += weight * max(vals)
        name, value = " + ".join(names), " + ".join(values)
        if limit.factor is not None:
            # A static factor times the sum: `harmonicRatio × baseFreqL`.
            f = resolved[limit.factor]
            wrap = (lambda x: f"({x})") if len(names) > 1 else (lambda x: x)
            name, value = f"{f.start_key} × {wrap(name)}", f"{num(float(f.start))} × {wrap(value)}"
            total *= float(f.start)
        if total >= nyquist and (worst is None or total > worst[0]):
            carrier = resolved[limit.carrier]
            worst = (total, name, value, carrier.end_key if at_end else carrier.start_key)
    if worst is None:
        return None
    total, name, value, key = worst
    return Diagnostic(
        E_PARAM, join(where.location, key),
        f"expected {name} below {num(nyquist)} Hz (half the sample rate of "
        f"{sample_rate} Hz), got {value} = {num(total)} Hz{where.suffix}",
    )


def check_voice(family: Family, resolved: dict[str, Resolved], sample_rate: int,
                where: Where) -> list[Diagnostic]:
    """Diagnostics for the limits of `family` that the resolved values break, at most one per
    key (several limits can share a carrier: the first one broken is reported)."""
    out: dict[str, Diagnostic] = {}
    for limit in family.limits:
        d = _check_limit(limit, resolved, sample_rate, where)
        if d is not None and d.location not in out:
            out[d.location] = d
    return list(out.values())


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
