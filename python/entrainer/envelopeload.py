"""A voice's `volume_envelope` (format.md §4.5) → LinearFade, Adsr or Linen.

Missing, null and `{}` all mean "no envelope". Names (`type`, `fade_type`) are compared
exactly, as the legacy renderer did. Every time and amplitude must be ≥ 0.
"""

from __future__ import annotations

from .errors import E_REQUIRED, E_TYPE, E_UNKNOWN_ENVELOPE, Report, show
from .fields import Fields, quoted_list
from .model import Adsr, LinearFade, Linen

TYPES = ("linear_fade", "adsr", "linen")


def read_envelope(raw: object, location: str, report: Report):
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, dict):
        report.error(E_TYPE, location, f"expected an envelope object or null, got {show(raw)}")
        return None
    f = Fields(raw, location, report)
    kind = raw.get("type")
    f.used.add("type")
    if kind is None:
        report.error(E_REQUIRED, f.at("type"), f"expected one of {quoted_list(TYPES)}, got nothing")
        return None
    if kind not in TYPES or not isinstance(kind, str):
        code = E_UNKNOWN_ENVELOPE if isinstance(kind, str) else E_TYPE
        report.error(code, f.at("type"), f"expected one of {quoted_list(TYPES)}, got {show(kind)}")
        return None
    params_key, params = f.object("params")
    p = Fields(params or {}, f.at(params_key), report)
    extras = f.extras()
    if kind == "linear_fade":
        env = LinearFade(
            fade_s=p.number("fade_duration", default=0.1, lo=0),
            start_amp=p.number("start_amp", default=0.0, lo=0),
            end_amp=p.number("end_amp", default=1.0, lo=0),
            fade_type=p.choice("fade_type", choices=("in", "out"), default="in",
                               code=E_UNKNOWN_ENVELOPE),
            extras=extras)
    elif kind == "adsr":
        env = Adsr(
            attack_s=p.number("attack", default=0.01, lo=0),
            decay_s=p.number("decay", default=0.1, lo=0),
            # Clamped to 0…1 rather than refused: format.md §4.5 says so.
            sustain_level=min(1.0, p.number("sustain_level", default=0.8, lo=0)),
            release_s=p.number("release", default=0.1, lo=0),
            extras=extras)
    else:
        env = Linen(attack_s=p.number("attack", default=0.1, lo=0),
                    release_s=p.number("release", default=0.1, lo=0), extras=extras)
    env.params_extras = p.extras()
    return env
