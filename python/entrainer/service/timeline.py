"""What the player shows: the steps on the timeline and the beat frequencies over time.

Both come from the render plan at the live rate and the engine's one timeline function, so
step starts are exactly the frames the stream uses. A voice's beat (or pulse) rate at a step
time follows its transition ramp (`render.md` §4: the same α as the engine).
"""

from __future__ import annotations

from .._engine import timeline as engine_timeline
from ..reference.ramp import alpha, frames, timing

_BEAT_KEYS = ("beat_freq_hz", "pulse_freq_hz")
#: Points per ramp in the curves sent to the page (a ramp's shape is a quadratic at most).
_RAMP_POINTS = 24


def step_starts(plan: dict, sample_rate: int) -> tuple[list[int], int]:
    """Start frame of each plan step and the end frame of the programme."""
    lengths = [frames(s["duration_s"], sample_rate) for s in plan["steps"]]
    requested = [frames(s["crossfade_out_s"], sample_rate) for s in plan["steps"]]
    starts, _, end = engine_timeline(lengths, requested)
    return list(starts), end


def _pair(voice: dict) -> tuple[float, float] | None:
    p = voice.get("params", {})
    for key in _BEAT_KEYS:
        pair = p.get(key)
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            return float(pair[0]), float(pair[1])
    return None


def _base(voice: dict) -> float | None:
    pair = voice.get("params", {}).get("base_freq_hz")
    return float(pair[0]) if isinstance(pair, (list, tuple)) and pair else None


def beats_at(plan: dict, sample_rate: int, step_index: int | None, step_time_s: float) -> list[dict]:
    """The beat of each beating voice of a step at a step-local time."""
    if step_index is None or not 0 <= step_index < len(plan["steps"]):
        return []
    step = plan["steps"][step_index]
    n = frames(step["duration_s"], sample_rate)
    out = []
    for v in step["voices"]:
        pair = _pair(v)
        if pair is None:
            continue
        a = float(alpha(timing(v.get("ramp"), sample_rate, n), max(0.0, step_time_s * sample_rate)))
        base = v.get("params", {}).get("base_freq_hz")
        base_hz = None if not base else base[0] + (base[1] - base[0]) * a
        out.append({"voice": v["source_index"], "function": v["function"],
                    "beat_hz": round(pair[0] + (pair[1] - pair[0]) * a, 4),
                    "base_hz": None if base_hz is None else round(base_hz, 3)})
    return out


def describe(plan: dict, sample_rate: int) -> dict:
    """Steps with their starts, and one beat curve per beating voice as [time_s, hz] points."""
    starts, end = step_starts(plan, sample_rate)
    steps = []
    for i, (step, start) in enumerate(zip(plan["steps"], starts)):
        n = frames(step["duration_s"], sample_rate)
        t0 = start / sample_rate
        curves = []
        for v in step["voices"]:
            pair = _pair(v)
            if pair is None:
                continue
            t = timing(v.get("ramp"), sample_rate, n)
            knots = {0, n}
            if t.kind != "hold":
                knots |= {t.a, t.b}
                if t.kind == "ramp":
                    knots |= {t.a + (t.b - t.a) * k // _RAMP_POINTS for k in range(_RAMP_POINTS)}
            points = [[round(t0 + m / sample_rate, 3),
                       round(pair[0] + (pair[1] - pair[0]) * float(alpha(t, float(m))), 4)]
                      for m in sorted(knots)]
            curves.append({"voice": v["source_index"], "function": v["function"], "points": points})
        steps.append({"index": i, "source_index": step["source_index"], "description": step["description"],
                      "start_s": t0, "duration_s": n / sample_rate, "voices": len(step["voices"]),
                      "beats": curves})
    return {"sample_rate": sample_rate, "duration_s": end / sample_rate, "steps": steps}


def step_at(starts: list[int], position: int) -> int | None:
    """The latest step that has started at `position` (the one fading in, during a crossfade)."""
    found = None
    for i, s in enumerate(starts):
        if s <= position:
            found = i
        else:
            break
    return found
