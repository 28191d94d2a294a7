"""`spatial_angle_modulation` and `spatial_angle_modulation_monaural_beat` with their
transitions (voices.md §3.10, §3.11): parameter tables and limits.

Both render a mono source through head-related responses (voices.md §2.12): the MIT KEMAR
set (`hrtfModel: "kemar"`, the default, read from the installed `slab` package by
`entrainer.hrtf`) or the spherical-head model (`"sphere"`, no data). The legacy frame
settings `frame_dur_ms` and `overlap_factor` are unknown keys here, so they are ignored.

The monaural core of §3.11 keeps the plan keys of `monaural_beat_stereo_amps`; its legacy
transition spellings (`startStartPhaseL_monaural`, `startAmpOscDepth_monaural`, …) are read
first, then the uniform ones. The plain `ampOsc…` keys feed the source AM (legacy naming).
"""

from __future__ import annotations

from .family import Family, FrequencyLimit
from .params import ENUM, HOLD, NUMBER, START, Param
from .stages import FLANGER, SEED

HRTF_MODELS = ("kemar", "sphere")
PATH_SHAPES = ("circle", "square", "linear", "arc", "diamond", "oscillating_arc")

HRTF_MODEL = Param("hrtfModel", "hrtf_model", ENUM, "kemar", ramp=HOLD, choices=HRTF_MODELS)
LEVEL = Param("amp", "amp", NUMBER, 0.7, 0, 1)
RADIUS = Param("pathRadius", "path_radius", NUMBER, 1.0)

SAM = Family(
    name="spatial_angle_modulation",
    section="§3.10",
    summary="a pure tone travelling around the head along a path (HRTF)",
    rows=(
        LEVEL,
        Param("carrierFreq", "carrier_freq_hz", NUMBER, 440.0, lo=0, lo_open=True, unit="Hz"),
        Param("beatFreq", "path_freq_hz", NUMBER, 4.0, lo=0, unit="Hz"),
        Param("pathShape", "path_shape", ENUM, "circle", ramp=HOLD, choices=PATH_SHAPES),
        RADIUS,
        Param("arcStartDeg", "arc_start_deg", NUMBER, 0.0, unit="deg"),
        Param("arcEndDeg", "arc_end_deg", NUMBER, 360.0, unit="deg"),
        HRTF_MODEL,
        *SEED,
    ),
    limits=(
        FrequencyLimit(((("carrierFreq",), 1.0),)),
        FrequencyLimit(((("beatFreq",), 1.0),)),
    ),
    later=(FLANGER,),
)


def _core(key: str, plan: str, default: float, lo: float | None = None, hi: float | None = None,
          unit: str = "", legacy: str | None = None, fallback: str | None = None) -> Param:
    """A row of the monaural core with its legacy `…_monaural` transition spellings."""
    starts = ends = ()
    if legacy:
        starts = (f"start{legacy}_monaural", f"start{key[0].upper()}{key[1:]}" if "_" not in key else f"start_{key}")
        ends = (f"end{legacy}_monaural", f"end{key[0].upper()}{key[1:]}" if "_" not in key else f"end_{key}")
    return Param(key, plan, NUMBER, default, lo, hi, unit=unit, start_keys=starts, end_keys=ends)


SAM_MONAURAL = Family(
    name="spatial_angle_modulation_monaural_beat",
    section="§3.11",
    summary="a monaural beat, collapsed to mono, carried around the head (HRTF)",
    rows=(
        Param("amp_lower_L", "amp_lower_l", NUMBER, 0.5, 0, 10),
        Param("amp_upper_L", "amp_upper_l", NUMBER, 0.5, 0, 10),
        Param("amp_lower_R", "amp_lower_r", NUMBER, 0.5, 0, 10),
        Param("amp_upper_R", "amp_upper_r", NUMBER, 0.5, 0, 10),
        Param("baseFreq", "base_freq_hz", NUMBER, 200.0, lo=0, unit="Hz"),
        Param("beatFreq", "beat_freq_hz", NUMBER, 4.0, lo=0, unit="Hz"),
        Param("startPhaseL", "start_phase_lower_rad", NUMBER, 0.0, ramp=START, unit="rad",
              start_keys=("startStartPhaseL_monaural", "startStartPhaseL")),
        Param("startPhaseR", "start_phase_upper_rad", NUMBER, 0.0, ramp=START, unit="rad",
              start_keys=("startStartPhaseU_monaural", "startStartPhaseU", "startStartPhaseR")),
        _core("phaseOscFreq", "wobble_freq_hz", 0.0, lo=0, unit="Hz", legacy="PhaseOscFreq"),
        _core("phaseOscRange", "wobble_range_rad", 0.0, lo=0, unit="rad", legacy="PhaseOscRange"),
        _core("monaural_ampOscDepth", "am_depth", 0.0, 0, 2, legacy="AmpOscDepth"),
        _core("monaural_ampOscFreq", "am_freq_hz", 0.0, lo=0, unit="Hz", legacy="AmpOscFreq"),
        _core("monaural_ampOscPhaseOffset", "am_phase_rad", 0.0, unit="rad", legacy="AmpOscPhaseOffset"),
        Param("sam_ampOscDepth", "sam_am_depth", NUMBER, 0.0, 0, 2, fallbacks=("ampOscDepth",)),
        Param("sam_ampOscFreq", "sam_am_freq_hz", NUMBER, 0.0, lo=0, unit="Hz", fallbacks=("ampOscFreq",)),
        Param("sam_ampOscPhaseOffset", "sam_am_phase_rad", NUMBER, 0.0, unit="rad",
              fallbacks=("ampOscPhaseOffset",)),
        Param("spatialBeatFreq", "spatial_freq_hz", NUMBER, 4.0, lo=0, unit="Hz", default_from="beatFreq"),
        Param("spatialPhaseOffset", "spatial_phase_rad", NUMBER, 0.0, unit="rad"),
        Param("rotationDirection", "rotation", ENUM, "cw", ramp=HOLD, choices=("cw", "ccw")),
        RADIUS,
        LEVEL,
        HRTF_MODEL,
        *SEED,
    ),
    limits=(
        FrequencyLimit(((("baseFreq",), 1.0), (("beatFreq",), 0.5))),
        FrequencyLimit(((("spatialBeatFreq",), 1.0),)),
    ),
    later=(FLANGER,),
)
