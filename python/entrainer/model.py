"""The normalised track model (format.md §3.2): what both file layouts become after loading.

Names are snake_case and carry their unit. Legacy camelCase keys never appear here except
inside `Voice.params`, which keeps the file's parameter keys as written (the voice registry
interprets them). Every object keeps `extras` (unknown keys, in file order) and, where it
came from a list, `source_index`. Frame positions are not stored: they depend on the render
rate and come from the one timeline function (render.md §2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from .errors import Diagnostic


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


class Ramp(_Model):
    """Timing of a transition voice (format.md §4.4.4), already converted from `post_offset`."""

    initial_offset_s: float = 0.0
    transition_s: float | None = None          # None: until the end of the step
    curve: Literal["linear", "logarithmic", "exponential"] = "linear"


class LinearFade(_Model):
    type: Literal["linear_fade"] = "linear_fade"
    fade_s: float = 0.1
    start_amp: float = 0.0
    end_amp: float = 1.0
    fade_type: Literal["in", "out"] = "in"
    extras: dict[str, Any] = Field(default_factory=dict)          # unknown keys of the envelope
    params_extras: dict[str, Any] = Field(default_factory=dict)   # unknown keys of its params


class Adsr(_Model):
    type: Literal["adsr"] = "adsr"
    attack_s: float = 0.01
    decay_s: float = 0.1
    sustain_level: float = 0.8                 # already clamped to 0…1
    release_s: float = 0.1
    extras: dict[str, Any] = Field(default_factory=dict)
    params_extras: dict[str, Any] = Field(default_factory=dict)


class Linen(_Model):
    type: Literal["linen"] = "linen"
    attack_s: float = 0.1
    release_s: float = 0.1
    extras: dict[str, Any] = Field(default_factory=dict)
    params_extras: dict[str, Any] = Field(default_factory=dict)


Envelope = Annotated[Union[LinearFade, Adsr, Linen], Field(discriminator="type")]


class ResolvedAudio(_Model):
    """A checked audio reference: a canonical path inside an allowed root, or data: bytes."""

    path: Path | None = None
    data: bytes | None = None
    media_type: str | None = None
    # From the file's header, read at load time (format.md §4.7: 1 or 2 channels).
    channels: int | None = None
    sample_rate_hz: int | None = None
    frames: int | None = None


class Voice(_Model):
    source_index: int
    function: str                              # registry base name, never "…_transition"
    transition: bool = False
    params: dict[str, Any] = Field(default_factory=dict)   # as written, nulls and timing keys removed
    ramp: Ramp | None = None                   # present exactly when `transition` is true
    envelope: Envelope | None = None
    audio: list[ResolvedAudio] = Field(default_factory=list)   # its file references, resolved
    description: str = ""
    category: str = "binaurals"
    extras: dict[str, Any] = Field(default_factory=dict)
    location: str = ""                         # e.g. "progression[4].voices[1]", for messages
    params_location: str = ""                  # e.g. "progression[4].voices[1].params"

    @property
    def display_name(self) -> str:
        """The function as the legacy renderer would name it (`binaural_beat_transition`)."""
        return f"{self.function}_transition" if self.transition else self.function


class Step(_Model):
    source_index: int
    description: str = ""
    duration_s: float
    crossfade_out_s: float | None = None       # override for the crossfade into the next step
    crossfade_out_curve: Literal["linear", "equal_power"] | None = None
    declared_start_s: float | None = None      # informational only (format.md §4.3)
    voices: list[Voice] = Field(default_factory=list)
    extras: dict[str, Any] = Field(default_factory=dict)
    location: str = ""                         # e.g. "progression[4]"


class NoisePreset(_Model):
    """A `.noise` preset (format.md §5.1): the swept-notch engine's inputs (voices.md §2.17).

    Ramped values are (start, end), equal unless `transition` is true. Sweeps and static
    notches are in the plan's form (docs/plan.md, "Swept-notch engine").
    """

    noise_type: str = "pink"                   # a colour name of voices.md §2.10.2, lower case
    seed: int | None = None
    lfo_waveform: Literal["sine", "triangle"] = "sine"
    transition: bool = False
    lfo_freq_hz: tuple[float, float] = (1 / 12, 1 / 12)
    lfo_offset_r_deg: tuple[float, float] = (0.0, 0.0)
    intra_offset_deg: tuple[float, float] = (0.0, 0.0)
    sweeps: list[dict[str, Any]] = Field(default_factory=list)
    static_notches: list[list[float]] = Field(default_factory=list)
    initial_offset_s: float = 0.0              # transition timing in noise time
    transition_s: float | None = None
    hold_end_s: float | None = None            # the legacy post_offset, converted by the engine
    extras: dict[str, Any] = Field(default_factory=dict)   # every other preset key, kept


class BackgroundNoise(_Model):
    preset: NoisePreset
    source: str                                # the reference as written, or "inline"
    gain: float = 1.0
    pan: float = 0.0
    start_s: float = 0.0
    fade_in_s: float = 0.0
    fade_out_s: float = 0.0
    amp_envelope: list[tuple[float, float]] = Field(default_factory=list)
    extras: dict[str, Any] = Field(default_factory=dict)
    location: str = "background_noise"


class Clip(_Model):
    source_index: int
    source: str                                # the reference as written
    resolved: ResolvedAudio
    start_s: float = 0.0
    gain: float = 1.0
    pan: float = 0.0
    fade_in_s: float = 0.0
    fade_out_s: float = 0.0
    max_duration_s: float | None = None        # None: play the whole file
    description: str = ""
    category: str = "effects"
    extras: dict[str, Any] = Field(default_factory=dict)
    location: str = ""


class Metadata(_Model):
    title: str = ""
    notes: str = ""
    source_url: str = ""
    extras: dict[str, Any] = Field(default_factory=dict)


class Track(_Model):
    sample_rate_hz: int = 44100
    crossfade_s: float = 1.0
    crossfade_curve: Literal["linear", "equal_power"] = "linear"
    output_filename: str = "generated_track.wav"
    steps: list[Step] = Field(default_factory=list)
    skipped_steps: list[tuple[int, Any]] = Field(default_factory=list)
    background_noise: BackgroundNoise | None = None
    clips: list[Clip] = Field(default_factory=list)
    metadata: Metadata = Field(default_factory=Metadata)
    layout: Literal["legacy", "v2"] = "v2"
    base_dir: Path | None = None
    warnings: list[Diagnostic] = Field(default_factory=list)
    extras: dict[str, Any] = Field(default_factory=dict)          # unknown top-level keys
    global_extras: dict[str, Any] = Field(default_factory=dict)   # unknown keys of `global`
    steps_key: str = "progression"             # the step list's key as written, for messages
