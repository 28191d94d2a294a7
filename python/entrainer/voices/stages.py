"""Parameter rows shared by several voices: the pan stage, the voice seed, and the "later"
post-stages (flanger, spatial, glitch bursts) that are type-checked but not rendered yet.

voices.md §2.7 (pan), §0.5 (seed), §2.13 (flanger), §2.14 (spatial), §2.15 (glitch).
A later stage is inert while switched off; switched on, loading fails with E_UNSUPPORTED
(voices.md §0.4), so nothing a file asks for is silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from .params import BOOL, ENUM, INT_ENUM, INTEGER, LIST, MATCH, NUMBER, STATIC, Param, Resolved

# The pan stage. `pan` is not in the plan: it is the default of both range limits, at each
# end of a transition. A reversed range is swapped end by end (the plan keeps min ≤ max).
PAN = (
    Param("pan", None, NUMBER, 0.0, -1, 1),
    Param("panRangeMin", "pan_min", NUMBER, 0.0, -1, 1, default_from="pan"),
    Param("panRangeMax", "pan_max", NUMBER, 0.0, -1, 1, default_from="pan"),
    Param("panType", "pan_type", ENUM, "linear", ramp=MATCH, choices=("linear", "inward", "outward")),
    Param("panFreq", "pan_freq_hz", NUMBER, 0.0, lo=0, unit="Hz"),
    Param("panPhase", "pan_phase_rad", NUMBER, 0.0, unit="rad"),
)
PAN_SWAPS = (("pan_min", "pan_max"),)

# The voice's own seed replaces the derived one (voices.md §0.5). The plan carries it at
# the voice level (`seed`), not among the params.
SEED = (Param("seed", None, INTEGER, None, lo=0, hi=2**63 - 1, ramp=STATIC),)


@dataclass(frozen=True)
class LaterStage:
    """A post-stage whose keys are accepted but which cannot be switched on yet."""

    name: str
    section: str
    rows: tuple[Param, ...]
    switch: tuple[str, ...]          # the keys that turn it on
    all_positive: bool = False       # True: on when every switch key is > 0 (glitch)

    def switched_on(self, resolved: dict[str, Resolved]) -> str | None:
        """The key that switches the stage on (at either end of a transition), or None."""
        if self.all_positive:
            if all(max(resolved[k].start, resolved[k].end) > 0 for k in self.switch):
                return resolved[self.switch[0]].start_key
            return None
        for k in self.switch:
            r = resolved[k]
            if r.start or r.end:
                return r.start_key if r.start else r.end_key
        return None


def _n(key: str) -> Param:
    # Later keys are only type-checked: their ranges matter once the stage exists, and the
    # real files carry inert values outside them (glitchFocusExp 0).
    return Param(key, None, NUMBER, 0.0)


FLANGER = LaterStage("flanger", "§2.13", (
    Param("flangeEnable", None, BOOL, False),
    *map(_n, ("flangeDelayMs", "flangeDepthMs", "flangeRateHz")),
    Param("flangeShape", None, ENUM, "sine", choices=("sine", "triangle")),
    *map(_n, ("flangeFeedback", "flangeMix", "flangeLoopLpfHz", "flangeLoopHpfHz")),
    Param("flangeStereoMode", None, INT_ENUM, 0, choices=(0, 1, 2, 3)),
    _n("flangeSpreadDeg"),
    Param("flangeDelayLaw", None, INT_ENUM, 0, choices=(0, 1, 2)),
    Param("flangeInterp", None, INT_ENUM, 0, choices=(0, 1)),
    *map(_n, ("flangeMinDelayMs", "flangeMaxDelayMs", "flangeDezipperDelayMs",
              "flangeDezipperDepthMs", "flangeDezipperRateMs", "flangeDezipperFeedbackMs",
              "flangeDezipperWetMs", "flangeDezipperFilterMs")),
    Param("flangeLoudnessMode", None, INT_ENUM, 1, choices=(0, 1)),
    *map(_n, ("flangeLoudnessTcMs", "flangeLoudnessMinGain", "flangeLoudnessMaxGain")),
), switch=("flangeEnable",))

SPATIAL = LaterStage("spatial post-stage", "§2.14", (
    Param("spatialEnable", None, BOOL, False),
    Param("spatialTrajectory", None, LIST, None, ramp=STATIC),
    Param("spatialDecoder", None, ENUM, "itd_head", choices=("itd_head", "foa_cardioid")),
    Param("spatialUseIld", None, INT_ENUM, 1, choices=(0, 1)),
    Param("spatialUseItdIld", None, INT_ENUM, 1, choices=(0, 1)),   # older spelling
    *map(_n, ("spatialEarAngleDeg", "spatialHeadRadiusM", "spatialItdScale", "spatialIldMaxDb",
              "spatialIldXoverHz", "spatialRefDistanceM", "spatialRolloff",
              "spatialMinDistanceM", "spatialHfRollDbPerM", "spatialDezipperThetaMs",
              "spatialDezipperDistMs", "spatialMaxDegPerS", "spatialMaxDelayStepSamples")),
    Param("spatialInterp", None, INT_ENUM, 1, choices=(0, 1)),
), switch=("spatialEnable",))

GLITCH = LaterStage("glitch-burst stage", "§2.15", tuple(map(_n, (
    "glitchInterval", "glitchDur", "glitchNoiseLevel", "glitchFocusWidth", "glitchFocusExp",
))), switch=("glitchInterval", "glitchDur", "glitchNoiseLevel"), all_positive=True)
