"""`binaural_beat` and its transition (voices.md §3.1): the parameter table and limits.

The per-ear amplitude, AM, vibrato and phase-wobble rows are shared with the isochronic
tone, which reads them "as §3.1"; they are defined here and imported there.
"""

from __future__ import annotations

from .family import Family, FrequencyLimit
from .params import BOOL, ENUM, HOLD, NUMBER, START, Param
from .stages import FLANGER, GLITCH, PAN, PAN_SWAPS, SEED, SPATIAL


def _ears(key: str, plan: str, default: float, lo: float | None = None,
          hi: float | None = None, unit: str = "") -> tuple[Param, Param]:
    """The L and R rows of a per-ear parameter (`ampOscDepthL`/`ampOscDepthR`)."""
    return tuple(Param(f"{key}{ear}", plan.format(ear=ear.lower()), NUMBER, default, lo, hi, unit=unit)
                 for ear in "LR")


AMPS = _ears("amp", "amp_{ear}", 0.5, 0, 10)
CARRIER = Param("baseFreq", "base_freq_hz", NUMBER, 200.0, lo=0, unit="Hz")
START_PHASES = (
    Param("startPhaseL", "start_phase_l_rad", NUMBER, 0.0, ramp=START, unit="rad"),
    Param("startPhaseR", "start_phase_r_rad", NUMBER, 0.0, ramp=START, unit="rad"),
)
AM = (
    *_ears("ampOscDepth", "am_depth_{ear}", 0.0, 0, 1),
    *_ears("ampOscFreq", "am_freq_{ear}_hz", 0.0, 0, unit="Hz"),
    *_ears("ampOscPhaseOffset", "am_phase_{ear}_rad", 0.0, unit="rad"),
    *_ears("ampOscSkew", "am_skew_{ear}", 0.0, -1, 1),
)
VIBRATO = (
    *_ears("freqOscRange", "vib_range_{ear}_hz", 0.0, 0, unit="Hz"),
    *_ears("freqOscFreq", "vib_freq_{ear}_hz", 0.0, 0, unit="Hz"),
    *_ears("freqOscSkew", "vib_skew_{ear}", 0.0, -1, 1),
    *_ears("freqOscPhaseOffset", "vib_phase_{ear}_rad", 0.0, unit="rad"),
)
WOBBLE = (
    Param("phaseOscFreq", "wobble_freq_hz", NUMBER, 0.0, lo=0, unit="Hz"),
    Param("phaseOscRange", "wobble_range_rad", NUMBER, 0.0, lo=0, unit="rad"),
)
FORCE_MONO = Param("forceMono", "force_mono", BOOL, False, ramp=HOLD)

BINAURAL = Family(
    name="binaural_beat",
    section="§3.1",
    summary="two pure tones, one per ear, whose frequencies differ by the beat",
    rows=(
        *AMPS,
        CARRIER,
        Param("beatFreq", "beat_freq_hz", NUMBER, 4.0, lo=0, unit="Hz"),
        Param("leftHigh", "left_high", BOOL, False, ramp=HOLD),
        FORCE_MONO,
        *START_PHASES,
        *AM,
        *VIBRATO,
        Param("freqOscShape", "vib_shape", ENUM, "sine", ramp=HOLD, choices=("sine", "triangle")),
        *WOBBLE,
        *PAN,
        *SEED,
    ),
    limits=(FrequencyLimit(((("baseFreq",), 1.0), (("beatFreq",), 0.5),
                            (("freqOscRangeL", "freqOscRangeR"), 0.5))),),
    swaps=PAN_SWAPS,
    later=(GLITCH, SPATIAL, FLANGER),
)
