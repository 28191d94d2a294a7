"""Reading the structured parameters of the swept-notch engine (voices.md §2.11): sweeps,
per-sweep Q and cascade overrides, static notches and amplitude envelopes.

Both the noise voices (voices.md §3.12, §3.13) and `.noise` presets (format.md §5.1) use
these readers, so a sweep is validated the same way wherever it is written. Every value is
checked where it stands in the file (`sweeps[1].start_q`, `filter_sweeps[0][1]`). A sweep
comes out in the plan's form (docs/plan.md): `{"min_hz": [start, end], "max_hz": […],
"q": […], "cascade": […]}`, with a reversed min/max pair swapped at each end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import E_PARAM, W_SLOW_WARMUP, Report, join, num, show
from ..fields import is_number, number_expectation

MAX_SWEEPS = 10
MAX_STATIC = 10
DEFAULT_SWEEP = {"min_hz": [1000.0, 1000.0], "max_hz": [10000.0, 10000.0], "q": [25.0, 25.0],
                 "cascade": [10, 10]}
Q_RANGE = (0.1, 1000.0)
CASCADE_RANGE = (1, 50)
# A notch decays at about π·f₀/Q per second; below 0.2 Hz the seek warm-up would need more
# than its 60 s cap (voices.md §2.9.5).
SLOW_NOTCH_HZ = 0.2


@dataclass
class Check:
    """Reports bad values at their location; `report` None checks silently."""

    report: Report | None
    suffix: str = ""
    type_code: str = E_PARAM
    range_code: str = E_PARAM
    sample_rate: int | None = None
    failed: bool = False

    def bad(self, location: str, expectation: str, value: Any, range_error: bool = False,
            missing: bool = False) -> None:
        self.failed = True
        if self.report is not None:
            code = self.range_code if range_error else self.type_code
            got = "nothing" if missing else show(value)
            self.report.error(code, location, f"expected {expectation}, got {got}{self.suffix}")

    def number(self, location: str, value: Any, lo: float | None = None, hi: float | None = None,
               integer: bool = False) -> float | None:
        expect = number_expectation(lo, hi, integer)
        if not is_number(value) or (integer and value != int(value)):
            self.bad(location, expect, value)
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.bad(location, expect, value, range_error=True)
            return None
        return int(value) if integer else float(value)

    def freq(self, location: str, value: Any) -> float | None:
        """A notch frequency: > 0 and below 0.49·sr (when the rate is known)."""
        if not is_number(value):
            self.bad(location, "a frequency > 0 Hz", value)
            return None
        if value <= 0:
            self.bad(location, "a frequency > 0 Hz", value, range_error=True)
            return None
        if self.sample_rate is not None and value >= 0.49 * self.sample_rate:
            self.bad(location, f"a frequency below {num(0.49 * self.sample_rate)} Hz (0.49 × the "
                               f"sample rate of {self.sample_rate} Hz)", value, range_error=True)
            return None
        return float(value)

    def q(self, location: str, value: Any) -> float | None:
        return self.number(location, value, *Q_RANGE)

    def cascade(self, location: str, value: Any) -> int | None:
        return self.number(location, value, *CASCADE_RANGE, integer=True)

    def warn(self, code: str, location: str, text: str) -> None:
        if self.report is not None:
            self.report.warn(code, location, text + self.suffix)


def _first(obj: dict, names: tuple[str, ...]) -> tuple[str | None, Any]:
    for n in names:
        if obj.get(n) is not None:
            return n, obj[n]
    return None, None


def _pair(check: Check, obj: dict, location: str, start_names: tuple[str, ...],
          end_names: tuple[str, ...], default: Any, kind: str) -> list:
    """[start, end] of one field of a sweep object: start ← names, end ← end names ← start."""
    reader = {"freq": check.freq, "q": check.q, "cascade": check.cascade}[kind]
    values = []
    for names in (start_names, end_names):
        key, raw = _first(obj, names)
        v = reader(join(location, key), raw) if key is not None else None
        values.append(v)
    start = values[0] if values[0] is not None else default
    end = values[1] if values[1] is not None else start
    return [start, end]


def sweep_object(check: Check, obj: dict, location: str, transition: bool,
                 names: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]) -> dict:
    """A sweep given as an object; `names` maps each field to its (start, end) key lists."""
    out = {}
    for field, kind, default in (("min_hz", "freq", 1000.0), ("max_hz", "freq", 10000.0),
                                 ("q", "q", 25.0), ("cascade", "cascade", 10)):
        start_names, end_names = names[field]
        out[field] = _pair(check, obj, location, start_names, end_names if transition else (), default, kind)
    return _ordered(out)


def sweep_list(check: Check, item: list, location: str, transition: bool) -> dict:
    """[min, max, q, cascade] (2 to 4 items), or in a transition the 8-item form
    [start_min, start_max, end_min, end_max, start_q, end_q, start_casc, end_casc]."""
    kinds = ("freq", "freq", "q", "cascade")
    defaults = (1000.0, 10000.0, 25.0, 10)
    readers = {"freq": check.freq, "q": check.q, "cascade": check.cascade}
    if len(item) == 8:
        order = ((0, 2), (1, 3), (4, 5), (6, 7))
        out = {}
        for field, kind, (i, j) in zip(("min_hz", "max_hz", "q", "cascade"), kinds, order):
            start = readers[kind](join(location, i), item[i])
            end = readers[kind](join(location, j), item[j]) if transition else start
            out[field] = [start, end if end is not None else start]
        return _ordered(out)
    if not 2 <= len(item) <= 4:
        check.bad(location, "[min, max, q, cascade] (2 to 4 numbers)"
                            + (" or the 8-number transition form" if transition else ""), item)
        return dict(DEFAULT_SWEEP)
    out = {}
    for i, (field, kind, default) in enumerate(zip(("min_hz", "max_hz", "q", "cascade"), kinds, defaults)):
        v = readers[kind](join(location, i), item[i]) if i < len(item) else None
        v = default if v is None else v
        out[field] = [v, v]
    return _ordered(out)


def _ordered(sweep: dict) -> dict:
    """Missing values take the defaults; a reversed min/max pair is swapped at each end."""
    for field, default in (("min_hz", 1000.0), ("max_hz", 10000.0), ("q", 25.0), ("cascade", 10)):
        sweep[field] = [default if v is None else v for v in sweep[field]]
    lo, hi = sweep["min_hz"], sweep["max_hz"]
    sweep["min_hz"] = [min(lo[0], hi[0]), min(lo[1], hi[1])]
    sweep["max_hz"] = [max(lo[0], hi[0]), max(lo[1], hi[1])]
    sweep["min_hz"] = [float(v) for v in sweep["min_hz"]]
    sweep["max_hz"] = [float(v) for v in sweep["max_hz"]]
    sweep["q"] = [float(v) for v in sweep["q"]]
    sweep["cascade"] = [int(v) for v in sweep["cascade"]]
    return sweep


def check_count(check: Check, location: str, items: list, limit: int, what: str) -> list:
    if len(items) > limit:
        check.bad(location, f"at most {limit} {what}", len(items), range_error=True)
        return items[:limit]
    return items


def per_sweep(check: Check, location: str, raw: Any, count: int, kind: str) -> list | None:
    """A number (or integer) for every sweep, or a list with one value or one per sweep."""
    reader = check.q if kind == "q" else check.cascade
    noun = "a number" if kind == "q" else "an integer"
    if isinstance(raw, list):
        if len(raw) not in (1, count):
            check.bad(location, f"{noun} or a list of 1 or {count} values (one per sweep)", raw)
            return None
        values = [reader(join(location, i), v) for i, v in enumerate(raw)]
        if any(v is None for v in values):
            return None
        return values * count if len(values) == 1 else values
    v = reader(location, raw)
    return None if v is None else [v] * count


def apply_overrides(sweeps: list[dict], field: str, starts: list | None, ends: list | None) -> None:
    for i, s in enumerate(sweeps):
        start = starts[i] if starts is not None else s[field][0]
        end = ends[i] if ends is not None else (start if starts is not None else s[field][1])
        s[field] = [float(start), float(end)] if field == "q" else [int(start), int(end)]


def slow_notch_warnings(check: Check, location: str, sweeps: list[dict], statics: list[list]) -> None:
    """voices.md §2.9.5: a notch with f₀/Q below 0.2 Hz needs more warm-up than the 60 s cap."""
    for i, s in enumerate(sweeps):
        ratio = min(min(s["min_hz"]), min(s["max_hz"])) / max(s["q"])
        if ratio < SLOW_NOTCH_HZ:
            check.warn(W_SLOW_WARMUP, join(location, i),
                       f"a notch at {num(min(s['min_hz']))} Hz with Q {num(max(s['q']))} decays so "
                       f"slowly that a seek may differ from a continuous render by more than 1e-6")
    for f, q, _ in statics:
        if f / q < SLOW_NOTCH_HZ:
            check.warn(W_SLOW_WARMUP, location,
                       f"a static notch at {num(f)} Hz with Q {num(q)} decays so slowly that a "
                       f"seek may differ from a continuous render by more than 1e-6")


def static_notches(check: Check, location: str, raw: Any) -> list[list]:
    """Items {freq/frequency/hz, q/quality, cascade/count} or [freq, q, cascade]: [[f, q, c]]."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.bad(location, "an array of static notches", raw)
        return []
    out = []
    for i, item in enumerate(check_count(check, location, raw, MAX_STATIC, "static notches")):
        where = join(location, i)
        if isinstance(item, dict):
            fk, f = _first(item, ("freq", "frequency", "hz"))
            qk, q = _first(item, ("q", "quality"))
            ck, c = _first(item, ("cascade", "count"))
            if fk is None:
                check.bad(join(where, "freq"), "a frequency > 0 Hz", None, missing=True)
                continue
            f = check.freq(join(where, fk), f)
            q = 25.0 if qk is None else check.q(join(where, qk), q)
            c = 1 if ck is None else check.cascade(join(where, ck), c)
        elif isinstance(item, list) and 1 <= len(item) <= 3:
            f = check.freq(join(where, 0), item[0])
            q = check.q(join(where, 1), item[1]) if len(item) > 1 else 25.0
            c = check.cascade(join(where, 2), item[2]) if len(item) > 2 else 1
        else:
            check.bad(where, "a static notch {\"freq\", \"q\", \"cascade\"} or [freq, q, cascade]", item)
            continue
        if f is not None and q is not None and c is not None:
            out.append([f, q, c])
    return out


def amp_envelope(check: Check, location: str, raw: Any) -> list[list[float]]:
    """Points [t, a] or {time/t/x, amp/value/y}, times ≥ 0 and non-decreasing, amps ≥ 0."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.bad(location, "an array of [time, amp] points", raw)
        return []
    points: list[list[float]] = []
    for i, item in enumerate(raw):
        where = join(location, i)
        if isinstance(item, dict):
            tk, t = _first(item, ("time", "t", "x"))
            ak, a = _first(item, ("amp", "value", "y"))
            t_loc, a_loc = join(where, tk or "time"), join(where, ak or "amp")
        elif isinstance(item, list) and len(item) == 2:
            (t, a), t_loc, a_loc = item, join(where, 0), join(where, 1)
        else:
            check.bad(where, "a [time, amp] point", item)
            continue
        raw_t = t
        t = check.number(t_loc, t, lo=0)
        a = check.number(a_loc, a, lo=0)
        if t is None or a is None:
            continue
        if points and t < points[-1][0]:
            check.bad(t_loc, f"a time ≥ {num(points[-1][0])} (the previous point)", raw_t, range_error=True)
            continue
        points.append([t, a])
    return points
