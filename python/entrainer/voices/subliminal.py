"""`subliminal_encode` (voices.md §3.14): the parameter table and the audio file references.

The voice has no transition variant: a transition request plays this base voice (the loader
warns), so every row is read from its plain key only.
"""

from __future__ import annotations

from ..errors import join
from .family import Family, FrequencyLimit
from .params import ENUM, NUMBER, PATH, PATHS, STATIC, Param
from .stages import FLANGER, SEED


def audio_refs(params: dict, location: str) -> list[tuple[str, str]]:
    """(location, reference) of every file the voice plays, in order.

    `audio_paths` (an array, or one string split at ";" with the parts trimmed and empty parts
    dropped) takes precedence over `audio_path` when it names at least one file. Values of the
    wrong type are skipped here: the table reports them.
    """
    many = params.get("audio_paths")
    if isinstance(many, list) and all(isinstance(x, str) for x in many):
        refs = [(join(join(location, "audio_paths"), i), x) for i, x in enumerate(many) if x.strip()]
    elif isinstance(many, str):
        refs = [(join(location, "audio_paths"), x.strip()) for x in many.split(";") if x.strip()]
    else:
        refs = []
    one = params.get("audio_path")
    if not refs and isinstance(one, str) and one:
        refs = [(join(location, "audio_path"), one)]
    return refs


SUBLIMINAL = Family(
    name="subliminal_encode",
    section="§3.14",
    summary="audio files shifted into the near-ultrasonic band (DSB AM), in sequence or stacked",
    rows=(
        Param("audio_path", None, PATH, None, ramp=STATIC),
        Param("audio_paths", None, PATHS, None, ramp=STATIC),
        Param("mode", "mode", ENUM, "sequence", ramp=STATIC, choices=("sequence", "stack")),
        Param("carrierFreq", "carrier_freq_hz", NUMBER, 17500.0, 15000, 20000, ramp=STATIC, unit="Hz"),
        Param("amp", "amp", NUMBER, 0.5, 0, 1, ramp=STATIC),
        *SEED,
    ),
    limits=(FrequencyLimit(((("carrierFreq",), 1.0),)),),
    later=(FLANGER,),
    has_transition=False,
    file_refs=audio_refs,
)
