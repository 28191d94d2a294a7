"""The QAM voices (voices.md §3.7–§3.8): parameter tables and limits.

`qam_beat` and `hybrid_qam_monaural_beat`, both band-limited by the causal post-filter of
§2.9.2. Keys marked static in the spec are read from the plain key only, even in a
transition. The hybrid's tone start phases keep the legacy camelCase transition spelling
(`startMonoStartPhaseR_Tone1`) although the key holds an underscore.
"""

from __future__ import annotations

from .binaural import AMPS, WOBBLE
from .family import Family, FrequencyLimit
from .params import BOOL, NUMBER, START, STATIC, Param
from .stages import FLANGER, SEED


def _ears(key: str, plan: str, default, lo: float | None = None, hi: float | None = None,
          unit: str = "") -> tuple[Param, Param]:
    """The L and R rows of a per-ear parameter; `default` is one value or an (L, R) pair."""
    defaults = default if isinstance(default, tuple) else (default, default)
    return tuple(Param(f"{key}{ear}", plan.format(ear=ear.lower()), NUMBER, d, lo, hi, unit=unit)
                 for ear, d in zip("LR", defaults))


def _carrier_limits(ear: str) -> tuple[FrequencyLimit, ...]:
    base = ((f"baseFreq{ear}",), 1.0)
    return (
        FrequencyLimit((base, (("sidebandOffset",), 1.0)), when="beatingSidebands"),
        FrequencyLimit((base,)),
        FrequencyLimit((base,), factor="harmonicRatio", when="harmonicDepth"),
    )


QAM = Family(
    name="qam_beat",
    section="§3.7",
    summary="a carrier per ear with bipolar AM, coupling, harmonic and sidebands, band-limited",
    rows=(
        *AMPS,
        *_ears("baseFreq", "base_freq_{ear}_hz", (200.0, 204.0), lo=0, unit="Hz"),
        *_ears("qamAmFreq", "am_freq_{ear}_hz", 4.0, lo=0, unit="Hz"),
        *_ears("qamAmDepth", "am_depth_{ear}", 0.5, 0, 1),
        *_ears("qamAmPhaseOffset", "am_phase_{ear}_rad", 0.0, unit="rad"),
        *_ears("modShape", "mod_shape_{ear}", 1.0, 0.05, 20),
        *_ears("qamAm2Freq", "am2_freq_{ear}_hz", 0.0, lo=0, unit="Hz"),
        *_ears("qamAm2Depth", "am2_depth_{ear}", 0.0, 0, 1),
        *_ears("qamAm2PhaseOffset", "am2_phase_{ear}_rad", 0.0, unit="rad"),
        Param("crossModDepth", "cross_mod_depth", NUMBER, 0.0, 0, 1),
        Param("crossModDelay", "cross_mod_delay_s", NUMBER, 0.0, 0, 10, ramp=STATIC, unit="s"),
        Param("harmonicDepth", "harmonic_depth", NUMBER, 0.0, 0, 1),
        Param("harmonicRatio", "harmonic_ratio", NUMBER, 2.0, 0.1, 16, ramp=STATIC),
        Param("subHarmonicFreq", "sub_harmonic_freq_hz", NUMBER, 0.0, lo=0, unit="Hz"),
        Param("subHarmonicDepth", "sub_harmonic_depth", NUMBER, 0.0, 0, 1),
        Param("startPhaseL", "start_phase_l_rad", NUMBER, 0.0, ramp=START, unit="rad"),
        Param("startPhaseR", "start_phase_r_rad", NUMBER, 0.0, ramp=START, unit="rad"),
        *WOBBLE,
        Param("phaseOscPhaseOffset", "wobble_phase_rad", NUMBER, 0.0, ramp=STATIC, unit="rad"),
        Param("beatingSidebands", "beating_sidebands", BOOL, False, ramp=STATIC),
        Param("sidebandOffset", "sideband_offset_hz", NUMBER, 1.0, lo=0, ramp=STATIC, unit="Hz"),
        Param("sidebandDepth", "sideband_depth", NUMBER, 0.1, 0, 1, ramp=STATIC),
        Param("attackTime", "attack_s", NUMBER, 0.0, lo=0, ramp=STATIC, unit="s"),
        Param("releaseTime", "release_s", NUMBER, 0.0, lo=0, ramp=STATIC, unit="s"),
        *SEED,
    ),
    limits=(*_carrier_limits("L"), *_carrier_limits("R")),
    later=(FLANGER,),
)

HYBRID = Family(
    name="hybrid_qam_monaural_beat",
    section="§3.8",
    summary="a QAM tone in the left ear, a monaural beat in the right, band-limited",
    rows=(
        *AMPS,
        Param("qamCarrierFreqL", "qam_carrier_freq_l_hz", NUMBER, 100.0, lo=0, unit="Hz"),
        Param("qamAmFreqL", "qam_am_freq_l_hz", NUMBER, 4.0, lo=0, unit="Hz"),
        Param("qamAmDepthL", "qam_am_depth_l", NUMBER, 0.5, 0, 1),
        Param("qamAmPhaseOffsetL", "qam_am_phase_l_rad", NUMBER, 0.0, unit="rad"),
        Param("qamStartPhaseL", "qam_start_phase_l_rad", NUMBER, 0.0, ramp=START, unit="rad"),
        Param("monoCarrierFreqR", "mono_carrier_freq_r_hz", NUMBER, 100.0, lo=0, unit="Hz"),
        Param("monoBeatFreqInChannelR", "mono_beat_freq_r_hz", NUMBER, 4.0, lo=0, unit="Hz"),
        Param("monoAmDepthR", "mono_am_depth_r", NUMBER, 0.0, 0, 1),
        Param("monoAmFreqR", "mono_am_freq_r_hz", NUMBER, 0.0, lo=0, unit="Hz"),
        Param("monoAmPhaseOffsetR", "mono_am_phase_r_rad", NUMBER, 0.0, unit="rad"),
        Param("monoFmRangeR", "mono_fm_range_r_hz", NUMBER, 0.0, lo=0, unit="Hz"),
        Param("monoFmFreqR", "mono_fm_freq_r_hz", NUMBER, 0.0, lo=0, unit="Hz"),
        Param("monoFmPhaseOffsetR", "mono_fm_phase_r_rad", NUMBER, 0.0, unit="rad"),
        Param("monoStartPhaseR_Tone1", "mono_start_phase_tone1_rad", NUMBER, 0.0, ramp=START, unit="rad",
              start_keys=("startMonoStartPhaseR_Tone1",)),
        Param("monoStartPhaseR_Tone2", "mono_start_phase_tone2_rad", NUMBER, 0.0, ramp=START, unit="rad",
              start_keys=("startMonoStartPhaseR_Tone2",)),
        Param("monoPhaseOscFreqR", "mono_wobble_freq_r_hz", NUMBER, 0.0, lo=0, unit="Hz"),
        Param("monoPhaseOscRangeR", "mono_wobble_range_r_rad", NUMBER, 0.0, lo=0, unit="rad"),
        Param("monoPhaseOscPhaseOffsetR", "mono_wobble_phase_r_rad", NUMBER, 0.0, unit="rad"),
        *SEED,
    ),
    limits=(
        FrequencyLimit(((("qamCarrierFreqL",), 1.0),)),
        FrequencyLimit(((("monoCarrierFreqR",), 1.0), (("monoFmRangeR",), 0.5),
                        (("monoBeatFreqInChannelR",), 0.5))),
    ),
    later=(FLANGER,),
)
