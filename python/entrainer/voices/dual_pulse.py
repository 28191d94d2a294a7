"""`dual_pulse_binaural` and its transition (voices.md §3.9): the parameter table and limits.

Every key of `binaural_beat` (§3.1), plus a pulse train per ear. The common pulse keys
(`rampPercent`, `pulseShape`, …) are the defaults of the per-ear ones (`rampPercentL`, …) at
each end of a transition, so the plan carries the per-ear values only; the pulse rates keep
the common one too, because a per-ear rate of 0 means "the common rate, else the beat".
"""

from __future__ import annotations

from .binaural import BINAURAL
from .family import Family
from .params import BOOL, EITHER, ENUM, HOLD, NUMBER, Param
from .stages import PAN_SWAPS

SHAPES = ("trapezoid", "square", "raised_cosine")
SHAPE_ALIASES = (("pulse", "square"), ("raised-cosine", "raised_cosine"), ("cosine", "raised_cosine"),
                 ("hann", "raised_cosine"))


def _common_and_ears(key: str, plan: str, default: float, lo: float | None = None, hi: float | None = None,
                     unit: str = "", common_plan: str | None = None) -> tuple[Param, ...]:
    """The common row and its L and R rows, which default to it at each end."""
    return (
        Param(key, common_plan, NUMBER, default, lo, hi, unit=unit),
        *(Param(f"{key}{ear}", plan.format(ear=ear.lower()), NUMBER, default, lo, hi, unit=unit, default_from=key)
          for ear in "LR"),
    )


def _shape_rows() -> tuple[Param, ...]:
    shape = dict(choices=SHAPES, aliases=SHAPE_ALIASES, ramp=HOLD)
    return (
        Param("pulseShape", None, ENUM, "trapezoid", **shape),
        *(Param(f"pulseShape{ear}", f"pulse_shape_{ear.lower()}", ENUM, "trapezoid", default_from="pulseShape",
                **shape) for ear in "LR"),
    )


# The binaural rows before the pan stage, then the pulse rows, then the pan stage and the seed.
_SPLIT = next(i for i, r in enumerate(BINAURAL.rows) if r.key == "pan")

DUAL_PULSE = Family(
    name="dual_pulse_binaural",
    section="§3.9",
    summary="a binaural beat whose ears are each gated by their own pulse train",
    rows=(
        *BINAURAL.rows[:_SPLIT],
        *_common_and_ears("pulseRate", "pulse_rate_{ear}_hz", 0.0, lo=0, unit="Hz", common_plan="pulse_rate_hz"),
        *_common_and_ears("rampPercent", "ramp_fraction_{ear}", 0.2, 0, 1),
        *_common_and_ears("gapPercent", "gap_fraction_{ear}", 0.15, 0, 1),
        *_common_and_ears("pulsePhaseOffset", "pulse_phase_{ear}_cycles", 0.0, unit="cycles"),
        *_shape_rows(),
        *_common_and_ears("pulseDepth", "pulse_depth_{ear}", 1.0, 0, 1),
        Param("harmonicSuppression", "harmonic_suppression", BOOL, False, ramp=EITHER),
        *BINAURAL.rows[_SPLIT:],
    ),
    limits=BINAURAL.limits,
    swaps=PAN_SWAPS,
    later=BINAURAL.later,
)
