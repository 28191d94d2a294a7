"""The synth function registry (voices.md §1.1): every legacy name and what it maps to.

One table drives validation, plan building and the voice listing. Names are matched
exactly as written (format.md §4.4.1). A trailing `_transition` selects the transition
twin of the base name. The "should" voices are known, so their names are not unknown, but
they are not built yet: loading a track that uses one fails with E_UNSUPPORTED.
"""

from __future__ import annotations

from dataclasses import dataclass

from .am_shaping import RHYTHMIC, STEREO_AM, WAVE_SHAPE
from .binaural import BINAURAL
from .dual_pulse import DUAL_PULSE
from .family import NOT_YET, Family
from .isochronic import ISOCHRONIC
from .monaural import MONAURAL
from .noise import NOISE_GENERATOR, NOISE_SWEPT_NOTCH, SWEPT_NOTCH_PINK_SOUND
from .qam import HYBRID, QAM
from .subliminal import SUBLIMINAL
from .spatial import SAM, SAM_MONAURAL

_SUFFIX = "_transition"


def _later(name: str, section: str, summary: str, **kw) -> Family:
    return Family(name=name, section=section, summary=summary, status=NOT_YET, **kw)


FAMILIES: tuple[Family, ...] = (
    BINAURAL,
    ISOCHRONIC,
    MONAURAL,
    STEREO_AM,
    WAVE_SHAPE,
    RHYTHMIC,
    QAM,
    HYBRID,
    DUAL_PULSE,
    SAM,
    SAM_MONAURAL,
    NOISE_GENERATOR,
    NOISE_SWEPT_NOTCH,
    SWEPT_NOTCH_PINK_SOUND,
    SUBLIMINAL,
)

# Names that earlier editor versions offered and later removed, and a helper registered
# by accident (voices.md §3.15). Their algorithms are not specified anywhere.
REMOVED = frozenset({"basic_am", "fsam_filter_bank", "additive_phase_mod", "noise_am",
                     "flanged_voice", "rhythmic_granular_rate"})
ACCIDENTAL = frozenset({"calculate_transition_alpha"})

BY_NAME: dict[str, Family] = {n: f for f in FAMILIES for n in (f.name, *f.aliases)}


def known_names() -> list[str]:
    """Every accepted base name (aliases included), sorted, as listed in error messages."""
    return sorted(BY_NAME)


def get(name: str) -> Family:
    """The family of a registry base name (KeyError if unknown)."""
    return BY_NAME[name]


@dataclass(frozen=True)
class Lookup:
    """What a `synth_function_name` as written resolves to."""

    name: str                      # as written
    base: str                      # without a trailing "_transition"
    transition_by_name: bool       # the name itself ends with "_transition"
    family: Family | None          # None: unknown or rejected
    rejected: str | None = None    # why a known-bad name is refused


def lookup(name: str) -> Lookup:
    by_name = name.endswith(_SUFFIX)
    base = name[: -len(_SUFFIX)] if by_name else name
    if name in ACCIDENTAL or base in ACCIDENTAL:
        return Lookup(name, base, by_name, None,
                      "is a helper that a legacy version registered as a voice by accident")
    if base in REMOVED:
        return Lookup(name, base, by_name, None,
                      "was removed from the legacy renderer and has no specification")
    return Lookup(name, base, by_name, BY_NAME.get(base))
