"""`isochronic_tone` and its transition (voices.md §3.2): the parameter table and limits.

`beatFreq` is the pulse rate here (no interaural detuning), and `amp` is the early legacy
spelling of both per-ear gains: `ampL`/`ampR` default to it.
"""

from __future__ import annotations

from .binaural import AM, CARRIER, FORCE_MONO, START_PHASES, VIBRATO, WOBBLE
from .family import Family, FrequencyLimit
from .params import BOOL, EITHER, NUMBER, STATIC, Param
from .stages import FLANGER, PAN, PAN_SWAPS, SEED, SPATIAL

ISOCHRONIC = Family(
    name="isochronic_tone",
    section="§3.2",
    summary="one carrier in both ears, switched on and off by trapezoid pulses",
    rows=(
        Param("amp", None, NUMBER, 0.5, 0, 10, ramp=STATIC),
        Param("ampL", "amp_l", NUMBER, 0.5, 0, 10, default_from="amp"),
        Param("ampR", "amp_r", NUMBER, 0.5, 0, 10, default_from="amp"),
        CARRIER,
        Param("beatFreq", "pulse_freq_hz", NUMBER, 4.0, lo=0, unit="Hz"),
        Param("rampPercent", "ramp_fraction", NUMBER, 0.2, 0, 1),
        Param("gapPercent", "gap_fraction", NUMBER, 0.15, 0, 1),
        FORCE_MONO,
        *START_PHASES,
        *AM,
        *VIBRATO,          # always the skewed sine: this voice never read freqOscShape
        *WOBBLE,
        Param("harmonicSuppression", "harmonic_suppression", BOOL, False, ramp=EITHER),
        *PAN,
        *SEED,
    ),
    limits=(FrequencyLimit(((("baseFreq",), 1.0), (("freqOscRangeL", "freqOscRangeR"), 0.5))),),
    swaps=PAN_SWAPS,
    later=(SPATIAL, FLANGER),
)
