"""`monaural_beat_stereo_amps` and its transition (voices.md §3.3): table and limits.

The legacy files spell the transition keys of the per-tone levels in snake_case
(`start_amp_lower_L`), and the upper tone's start phase as `startStartPhaseU`.
"""

from __future__ import annotations

from .family import Family, FrequencyLimit
from .params import NUMBER, START, Param
from .stages import FLANGER, SEED

MONAURAL = Family(
    name="monaural_beat_stereo_amps",
    section="§3.3",
    summary="two tones mixed into each ear with separate levels (a monaural beat)",
    rows=(
        Param("amp_lower_L", "amp_lower_l", NUMBER, 0.5, 0, 10),
        Param("amp_upper_L", "amp_upper_l", NUMBER, 0.5, 0, 10),
        Param("amp_lower_R", "amp_lower_r", NUMBER, 0.5, 0, 10),
        Param("amp_upper_R", "amp_upper_r", NUMBER, 0.5, 0, 10),
        Param("baseFreq", "base_freq_hz", NUMBER, 200.0, lo=0, unit="Hz"),
        Param("beatFreq", "beat_freq_hz", NUMBER, 4.0, lo=0, unit="Hz"),
        Param("startPhaseL", "start_phase_lower_rad", NUMBER, 0.0, ramp=START, unit="rad"),
        # The legacy spelling first, then the uniform one, then the plain key.
        Param("startPhaseR", "start_phase_upper_rad", NUMBER, 0.0, ramp=START, unit="rad",
              start_keys=("startStartPhaseU", "startStartPhaseR")),
        Param("phaseOscFreq", "wobble_freq_hz", NUMBER, 0.0, lo=0, unit="Hz"),
        Param("phaseOscRange", "wobble_range_rad", NUMBER, 0.0, lo=0, unit="rad"),
        Param("ampOscDepth", "am_depth", NUMBER, 0.0, 0, 2),
        Param("ampOscFreq", "am_freq_hz", NUMBER, 0.0, lo=0, unit="Hz"),
        Param("ampOscPhaseOffset", "am_phase_rad", NUMBER, 0.0, unit="rad"),
        *SEED,
    ),
    limits=(FrequencyLimit(((("baseFreq",), 1.0), (("beatFreq",), 0.5))),),
    later=(FLANGER,),
)
