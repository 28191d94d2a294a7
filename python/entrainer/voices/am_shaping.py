"""The AM and waveshaping voices (voices.md §3.4–§3.6): parameter tables and limits.

`stereo_am_independent`, `wave_shape_stereo_am` and `rhythmic_waveshaping`. Their legacy
transitions had no plain-key fallback and fixed end defaults; Entrainer reads them with the
uniform rule of §2.4 like every other voice. The only legacy spelling is the stereo width's
(`startStereoWidthHz`/`endStereoWidthHz`), accepted before the uniform snake_case names.
"""

from __future__ import annotations

import math

from .family import Family, FrequencyLimit
from .params import NUMBER, Param
from .stages import FLANGER, SEED


def _ears(key: str, plan: str, defaults: tuple[float, float], lo: float | None = None,
          hi: float | None = None, unit: str = "") -> tuple[Param, Param]:
    """The L and R rows of a per-ear parameter, each with its own default."""
    return tuple(Param(f"{key}{ear}", plan.format(ear=ear.lower()), NUMBER, d, lo, hi, unit=unit)
                 for ear, d in zip("LR", defaults))


CARRIER_LIMIT = FrequencyLimit(((("carrierFreq",), 1.0),))

STEREO_AM = Family(
    name="stereo_am_independent",
    section="§3.4",
    summary="one carrier split slightly between the ears, with independent AM per ear",
    rows=(
        Param("amp", "amp", NUMBER, 0.25, 0, 10),
        Param("carrierFreq", "carrier_freq_hz", NUMBER, 200.0, lo=0, unit="Hz"),
        Param("stereo_width_hz", "stereo_width_hz", NUMBER, 0.2, lo=0, unit="Hz",
              start_keys=("startStereoWidthHz", "start_stereo_width_hz"),
              end_keys=("endStereoWidthHz", "end_stereo_width_hz")),
        *_ears("modFreq", "mod_freq_{ear}_hz", (4.0, 4.0), lo=0, unit="Hz"),
        *_ears("modDepth", "mod_depth_{ear}", (0.8, 0.8), 0, 1),
        *_ears("modPhase", "mod_phase_{ear}_rad", (0.0, 0.0), unit="rad"),
        *SEED,
    ),
    limits=(FrequencyLimit(((("carrierFreq",), 1.0), (("stereo_width_hz",), 0.5))),),
    later=(FLANGER,),
)

WAVE_SHAPE = Family(
    name="wave_shape_stereo_am",
    section="§3.5",
    summary="an amplitude-modulated carrier through a tanh waveshaper, then AM per ear",
    rows=(
        Param("amp", "amp", NUMBER, 0.15, 0, 10),
        Param("carrierFreq", "carrier_freq_hz", NUMBER, 200.0, lo=0, unit="Hz"),
        Param("shapeModFreq", "shape_mod_freq_hz", NUMBER, 4.0, lo=0, unit="Hz"),
        Param("shapeModDepth", "shape_mod_depth", NUMBER, 0.8, 0, 1),
        Param("shapeAmount", "shape_amount", NUMBER, 0.5, 0, 100),
        *_ears("stereoModFreq", "stereo_mod_freq_{ear}_hz", (4.1, 4.0), lo=0, unit="Hz"),
        *_ears("stereoModDepth", "stereo_mod_depth_{ear}", (0.8, 0.8), 0, 1),
        # π/2 on the right: the legacy read the R key twice, so this is the default heard.
        *_ears("stereoModPhase", "stereo_mod_phase_{ear}_rad", (0.0, math.pi / 2), unit="rad"),
        *SEED,
    ),
    limits=(CARRIER_LIMIT,),
    later=(FLANGER,),
)

RHYTHMIC = Family(
    name="rhythmic_waveshaping",
    section="§3.6",
    summary="a mono carrier with AM, tanh-waveshaped and placed with the pan law",
    rows=(
        Param("amp", "amp", NUMBER, 0.25, 0, 10),
        Param("carrierFreq", "carrier_freq_hz", NUMBER, 200.0, lo=0, unit="Hz"),
        Param("modFreq", "mod_freq_hz", NUMBER, 4.0, lo=0, unit="Hz"),
        Param("modDepth", "mod_depth", NUMBER, 1.0, 0, 1),
        Param("shapeAmount", "shape_amount", NUMBER, 5.0, 0, 100),
        Param("pan", "pan", NUMBER, 0.0, -1, 1),
        *SEED,
    ),
    limits=(CARRIER_LIMIT,),
    later=(FLANGER,),
)
