"""Diagnostics and the exception family: located messages in the form of format.md §7.1.

Every problem found in a track is a `Diagnostic` (code, location, text). Warnings travel
with the loaded model; errors are collected by a `Report` and raised together as one
`TrackError` whose message is a count line followed by one line per error.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

# Error codes (format.md §7.2) plus E_UNSUPPORTED for features that are specified but not
# built yet (voices.md §0.4 "later", and the "should" voices of this release).
E_JSON = "E_JSON"
E_ENCODING = "E_ENCODING"
E_DUPLICATE_KEY = "E_DUPLICATE_KEY"
E_NOT_A_TRACK = "E_NOT_A_TRACK"
E_TYPE = "E_TYPE"
E_RANGE = "E_RANGE"
E_REQUIRED = "E_REQUIRED"
E_UNKNOWN_FUNCTION = "E_UNKNOWN_FUNCTION"
E_UNKNOWN_CURVE = "E_UNKNOWN_CURVE"
E_UNKNOWN_ENVELOPE = "E_UNKNOWN_ENVELOPE"
E_PARAM = "E_PARAM"
E_ORDER = "E_ORDER"
E_EMPTY = "E_EMPTY"
E_REF_NO_BASE = "E_REF_NO_BASE"
E_REF_SCHEME = "E_REF_SCHEME"
E_REF_OUTSIDE = "E_REF_OUTSIDE"
E_REF_NOT_FOUND = "E_REF_NOT_FOUND"
E_REF_UNREADABLE = "E_REF_UNREADABLE"
E_AUDIO = "E_AUDIO"
E_FORMAT = "E_FORMAT"
E_LIMIT = "E_LIMIT"
E_UNSUPPORTED = "E_UNSUPPORTED"

# Warning codes (format.md §7.3).
W_ALIAS_CONFLICT = "W_ALIAS_CONFLICT"
W_STEP_SKIPPED = "W_STEP_SKIPPED"
W_START_MISMATCH = "W_START_MISMATCH"
W_TRANSITION_FLAG = "W_TRANSITION_FLAG"
W_NO_TRANSITION_VARIANT = "W_NO_TRANSITION_VARIANT"
W_NEGATIVE_OFFSET = "W_NEGATIVE_OFFSET"
W_OFFSET_BEYOND_STEP = "W_OFFSET_BEYOND_STEP"
W_ZERO_TRANSITION = "W_ZERO_TRANSITION"
W_CROSSFADE_CLAMPED = "W_CROSSFADE_CLAMPED"
W_NOISE_SILENT = "W_NOISE_SILENT"
W_NOISE_AFTER_END = "W_NOISE_AFTER_END"
W_OUTPUT_NAME = "W_OUTPUT_NAME"
W_REF_RELOCATED = "W_REF_RELOCATED"
W_IGNORED_KEY = "W_IGNORED_KEY"
# voices.md §2.9.5: a notch too slow for the 60 s seek warm-up (no code in format.md §7.3 yet).
W_SLOW_WARMUP = "W_SLOW_WARMUP"

ROOT = "(root)"
MAX_ERRORS = 50
_CUT = 60


@dataclass(frozen=True)
class Diagnostic:
    """One error or warning: `str()` gives the user-facing line `<location>: <text>`."""

    code: str
    location: str
    text: str

    def __str__(self) -> str:
        return f"{self.location}: {self.text}"

    @property
    def is_error(self) -> bool:
        return self.code.startswith("E_")


# The base class lives in the native module so that the engine's own errors
# (entrainer._engine.EngineError) belong to the same family as the loader's.
from ._engine import EngineError, EntrainerError  # noqa: E402

__all_errors__ = ("EntrainerError", "EngineError", "TrackError")


class TrackError(EntrainerError):
    """A track (or a render request) is invalid. `.diagnostics` lists every error found.

    The message is `"<N> error(s) in <source>"` on the first line, then one
    `<location>: <text>` line per error in file order (format.md §7.1).
    """

    def __init__(self, diagnostics: list[Diagnostic], source: str = "the track",
                 warnings: list[Diagnostic] | None = None, truncated: bool = False):
        self.diagnostics = list(diagnostics)
        self.source = source
        self.warnings = list(warnings or [])
        self.truncated = truncated
        super().__init__(self._message())

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.diagnostics]

    def _message(self) -> str:
        n = len(self.diagnostics)
        head = f"{n} error{'' if n == 1 else 's'} in {self.source}"
        if self.truncated:
            head += f" (stopped after {MAX_ERRORS}; there may be more)"
        return "\n".join([head, *(str(d) for d in self.diagnostics)])


class ReportFull(Exception):
    """Raised inside a Report when MAX_ERRORS errors are collected, to stop reading early."""


class Report:
    """Collects diagnostics while a track is read; `raise_if_errors()` fails once with all."""

    def __init__(self, source: str = "the track", limit: int | None = MAX_ERRORS):
        self.source = source
        self.limit = limit               # None: a scratch report whose errors are re-added
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []

    def error(self, code: str, location: str, text: str) -> None:
        self.errors.append(Diagnostic(code, location, text))
        if self.limit is not None and len(self.errors) >= self.limit:
            raise ReportFull()

    def warn(self, code: str, location: str, text: str) -> None:
        self.warnings.append(Diagnostic(code, location, text))

    def add(self, diagnostic: Diagnostic) -> None:
        if diagnostic.is_error:
            self.error(diagnostic.code, diagnostic.location, diagnostic.text)
        else:
            self.warnings.append(diagnostic)

    def failure(self) -> TrackError:
        return TrackError(self.errors, self.source, self.warnings,
                          truncated=len(self.errors) >= MAX_ERRORS)

    def raise_if_errors(self) -> None:
        if self.errors:
            raise self.failure()


def collecting(report: Report, fn, *args, **kwargs):
    """Run `fn`; when it stops because the report is full, raise the TrackError at once."""
    try:
        return fn(*args, **kwargs)
    except ReportFull:
        raise report.failure() from None


def show(value: object) -> str:
    """A file value as JSON for messages, cut to 60 characters with `…` (format.md §7.1)."""
    if isinstance(value, float) and not math.isfinite(value):
        text = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=True)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= _CUT else text[: _CUT - 1] + "…"


def num(x: float) -> str:
    """A computed number for messages: `200` rather than `200.0`, at most 10 digits."""
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int):
        return str(x)
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.10g}"


def join(location: str, key: str | int) -> str:
    """Extend a location path with a key or an index, as written in the file."""
    if isinstance(key, int):
        return f"{'' if location == ROOT else location}[{key}]"
    return key if location == ROOT else f"{location}.{key}"
