"""What the registry knows about one synth function: its table, limits and post-stages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .params import Param
from .stages import LaterStage

IMPLEMENTED = "implemented"
NOT_YET = "not supported yet"     # a "should" voice of voices.md §1.1: known, not built


@dataclass(frozen=True)
class FrequencyLimit:
    """The maximum instantaneous frequency of one oscillator, as a sum of weighted terms.

    Each term is `weight · max(values of keys)`; the first key of the first term is the
    carrier the error is reported on. binaural_beat's limit
    `baseFreq + beatFreq/2 + max(freqOscRangeL, freqOscRangeR)/2` is
    `((("baseFreq",), 1), (("beatFreq",), 0.5), (("freqOscRangeL", "freqOscRangeR"), 0.5))`.
    """

    terms: tuple[tuple[tuple[str, ...], float], ...]
    factor: str | None = None        # a static key multiplying the sum (a harmonic's ratio)
    when: str | None = None          # the limit applies only if this key is on (or ≠ 0) at an end

    @property
    def carrier(self) -> str:
        return self.terms[0][0][0]


@dataclass(frozen=True)
class Family:
    """One registry base name (the `_transition` twin shares it, voices.md §1.1)."""

    name: str
    section: str                                 # voices.md section
    summary: str
    status: str = IMPLEMENTED
    rows: tuple[Param, ...] = ()
    limits: tuple[FrequencyLimit, ...] = ()
    swaps: tuple[tuple[str, str], ...] = ()      # plan keys kept ordered (min, max) per end
    later: tuple[LaterStage, ...] = ()
    has_transition: bool = True
    aliases: tuple[str, ...] = ()                # other base names for the same function
    # Parameters a flat row cannot describe (lists of sweeps, envelopes): called as
    # extra(params, resolved, transition, where, sample_rate, report) after the rows, it checks
    # them (report None: silently) and returns their plan values.
    extra: Callable[..., dict[str, Any]] | None = None
    curve_keys: tuple[str, ...] = ("transition_curve",)   # the ramp's curve key and aliases
    # Parameters that are file references: (params, params location) → [(location, reference)],
    # in play order. The loader resolves them (format.md §4.4.5) into `Voice.audio`.
    file_refs: Callable[[dict, str], list[tuple[str, str]]] | None = None

    @property
    def implemented(self) -> bool:
        return self.status == IMPLEMENTED
