"""Plan-voice builders shared by the voice tests (`docs/plan.md` layout)."""

from __future__ import annotations

SR = 48_000


def voice(function: str, ramp: dict | None = None, **params) -> dict:
    """A plan voice. Ramped values are [start, end]; plain numbers are constant."""
    v = {"source_index": 0, "function": function, "seed": None, "params": params}
    if ramp is not None:
        v["ramp"] = ramp
    return v


def ramp(initial_offset_s: float = 0.0, transition_s: float | None = None, curve: str = "linear") -> dict:
    """A transition ramp; the defaults ramp over the whole step."""
    return {"initial_offset_s": initial_offset_s, "transition_s": transition_s, "curve": curve}


WHOLE_STEP = ramp()


def frames(seconds: float, sr: int = SR) -> int:
    return int(seconds * sr + 0.5)
