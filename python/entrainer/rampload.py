"""The transition timing keys of a voice (format.md §4.4.4, render.md §4.2) → `Ramp`.

They live inside `params` but the renderer reads them, not the voice. Older files give
`post_offset` (a hold time at the end of the step) and newer ones `transition_duration`;
both become `transition_s`, so the plan never sees `post_offset`.
"""

from __future__ import annotations

import re

from .errors import (E_UNKNOWN_CURVE, W_NEGATIVE_OFFSET, W_OFFSET_BEYOND_STEP,
                     W_ZERO_TRANSITION, Report, num, show)
from .fields import Fields
from .model import Ramp

TIMING_KEYS = ("initial_offset", "transition_duration", "post_offset", "transition_curve")
CURVES = ("linear", "logarithmic", "exponential")
_WORD = re.compile(r"[A-Za-z_ ]*")


def read_ramp(params: dict, location: str, duration_s: float | None, report: Report,
              suffix: str = "", curve_keys: tuple[str, ...] = ("transition_curve",)) -> Ramp:
    """Read the timing keys of a transition voice. `duration_s` None: not placed in a step.
    `curve_keys`: the curve key and the voice's legacy aliases for it."""
    f = Fields(params, location, report)
    initial = f.number("initial_offset", default=0.0)
    if initial < 0:
        report.warn(W_NEGATIVE_OFFSET, f.at("initial_offset"),
                    f"expected a time ≥ 0, got {show(params['initial_offset'])}; using 0{suffix}")
        initial = 0.0
    length = f.number("transition_duration", lo=0)
    post = f.number("post_offset")
    if post is not None and post < 0:
        report.warn(W_NEGATIVE_OFFSET, f.at("post_offset"),
                    f"expected a time ≥ 0, got {show(params['post_offset'])}; using 0{suffix}")
        post = 0.0
    raw_curve = next((params[k] for k in curve_keys if params.get(k) is not None), None)
    hint = ""
    if isinstance(raw_curve, str) and not _WORD.fullmatch(raw_curve):
        hint = " (curve expressions are not evaluated)"
    curve = f.choice(*curve_keys, choices=CURVES, default="linear",
                     code=E_UNKNOWN_CURVE, hint=hint)

    if length is None and post is not None and duration_s is not None:
        length = max(0.0, duration_s - initial - post)
    if duration_s is not None and initial >= duration_s:
        report.warn(W_OFFSET_BEYOND_STEP, f.at("initial_offset"),
                    f"the ramp would start at {num(initial)} s, at or after the end of the "
                    f"{num(duration_s)} s step; the voice plays its start values throughout{suffix}")
    elif length == 0:
        report.warn(W_ZERO_TRANSITION, location,
                    f"the ramp has length 0: the voice jumps from its start to its end values "
                    f"at {num(initial)} s{suffix}")
    return Ramp(initial_offset_s=initial, transition_s=length, curve=curve)
