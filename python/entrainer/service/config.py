"""Service settings: where data lives, the database URL, streaming parameters and the limits.

Every limit of `format.md` §8 is here with its default, plus the quotas the spec leaves to the
service (sessions per client, concurrent streams). `entrainer serve --limit NAME=VALUE` and
`Settings.with_limits()` override them by name.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds checked before anything is rendered or played (`format.md` §8)."""

    request_bytes: int = 8 * MiB
    json_depth: int = 64
    steps: int = 1000
    voices_per_step: int = 100
    voices_total: int = 5000
    params_keys: int = 500
    string_chars: int = 4096
    timeline_s: float = 21600.0
    crossfade_s: float = 600.0
    clips: int = 32
    data_url_bytes: int = 20_000_000
    data_url_total_bytes: int = 64_000_000
    envelope_points: int = 10_000
    noise_sweeps: int = 10
    noise_notches: int = 10
    subliminal_files: int = 16
    # Quotas of this service (format.md §8 leaves them to the configuration).
    sessions_per_client: int = 4
    sessions_total: int = 200
    streams_total: int = 200
    control_per_s: float = 20.0        # control requests per session and second, on average

    def replace(self, **changes) -> "Limits":
        return dataclasses.replace(self, **changes)


#: Sample rates a stored track may have (format.md §8). Live streams use 44 100 or 48 000 Hz.
TRACK_RATES = (44100, 48000, 88200, 96000)


def live_rate(track_rate_hz: int) -> int:
    """The rate a session renders at: 44 100 Hz for the 44.1 kHz family, else 48 000 Hz."""
    return 44100 if track_rate_hz % 44100 == 0 else 48000


def default_data_dir() -> Path:
    env = os.environ.get("ENTRAINER_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "entrainer"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    #: SQLAlchemy URL; None means the SQLite file `entrainer.db` in `data_dir`.
    database_url: str | None = None
    #: Example tracks (and the `.noise` presets they use) copied in on first start.
    seed_dir: Path | None = REPO / "examples"
    web_dir: Path = REPO / "web"
    limits: Limits = field(default_factory=Limits)
    #: How far a live stream may run ahead of real time; the browser buffers the rest.
    lead_s: float = 2.0
    #: Audio rendered and encoded per step of a live stream (after a 0.1 s first chunk). Larger
    #: chunks cost less per second of audio; 0.5 s keeps 100+ listeners of F12 on two cores.
    chunk_s: float = 0.5
    status_hz: float = 5.0
    mp3_kbps: int = 128
    #: LAME's quality switch (0 best … 9 fastest): 7 keeps 100+ listeners within two cores
    #: and is transparent for the pure tones and noise these tracks contain.
    mp3_quality: int = 7
    opus_kbps: int = 128
    #: Measure each stored track's level plan in the background (one thread), so that sessions
    #: play at the export loudness instead of the quieter provisional plan.
    measure_levels: bool = True
    #: Sessions with no listener and no request for this long are stopped.
    session_idle_s: float = 900.0
    render_threads: int = max(2, os.cpu_count() or 2)

    @property
    def library_dir(self) -> Path:
        """The library folder: the only place references in stored tracks may point to."""
        return Path(self.data_dir) / "library"

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{Path(self.data_dir) / 'entrainer.db'}"

    def with_limits(self, **changes) -> "Settings":
        return dataclasses.replace(self, limits=self.limits.replace(**changes))


def parse_limit(text: str, limits: Limits) -> Limits:
    """`NAME=VALUE` (a field of Limits) to a new Limits; ValueError with a located message."""
    name, sep, value = text.partition("=")
    fields = {f.name: f for f in dataclasses.fields(Limits)}
    if not sep or name not in fields:
        raise ValueError(f"--limit: expected NAME=VALUE with NAME one of {', '.join(fields)}, got {text!r}")
    kind = type(getattr(limits, name))
    try:
        parsed = kind(value)
    except ValueError:
        raise ValueError(f"--limit {name}: expected {'an integer' if kind is int else 'a number'}, got {value!r}") from None
    if parsed <= 0:
        raise ValueError(f"--limit {name}: expected a value > 0, got {value}")
    return limits.replace(**{name: parsed})
