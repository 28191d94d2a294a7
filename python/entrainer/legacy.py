"""Drop-in replacement for the legacy renderer's script API: change only the import.

Scripts written against the legacy renderer did::

    data = load_track_from_json("session.json")
    if data:
        ok = generate_audio(data, "session.wav", target_level=0.25)

and keep working with ``from entrainer_legacy import load_track_from_json, generate_audio``
(or ``from entrainer.legacy import ...``). The two functions keep the legacy contract:

- ``load_track_from_json(path)`` returns the track as a plain ``dict`` (the JSON as written,
  either layout), or ``None`` when the file cannot be used. It prints why to stderr.
- ``generate_audio(track_data, output_filename=None, target_level=0.25)`` renders the whole
  track to ``output_filename`` (default: the track's own ``output_filename``) with its peak at
  ``target_level`` (``None``: no normalisation) and returns ``True``, or prints why to stderr
  and returns ``False``. It never raises for a bad track or an unwritable file.

What changes is the sound, as Entrainer's spec says (``render.md`` §15): voices that the
legacy renderer silenced play, files are checked before anything is rendered, and the
messages name the step, the voice and the key. The track's references (clips, noise presets,
subliminal files) resolve against the folder of the file that ``load_track_from_json`` read;
for a ``dict`` built by the script, against the current folder, as the legacy renderer's
plain ``open()`` calls did.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["generate_audio", "load_track_from_json"]


class TrackData(dict):
    """The track dict returned by `load_track_from_json`; it remembers the file's folder."""

    base_dir: Path | None = None


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _warnings(track) -> None:
    for w in getattr(track, "warnings", []) or []:
        _say(f"warning: {w}")


def load_track_from_json(filepath: str | os.PathLike) -> dict | None:
    """The track file as a dict, or None (with the reasons on stderr) if it is not a usable track."""
    from .errors import EntrainerError
    from .jsonload import loads
    from .loader import load_track

    path = Path(filepath)
    try:
        track = load_track(path)                   # every check, messages naming the file
        raw = loads(path.read_bytes(), str(filepath))
    except EntrainerError as e:
        _say(str(e))
        return None
    except OSError as e:
        _say(f"Error: cannot read {str(filepath)!r}: {e.strerror or e}")
        return None
    _warnings(track)
    data = TrackData(raw)
    data.base_dir = path.parent
    return data


def generate_audio(track_data: Any, output_filename: str | os.PathLike | None = None,
                   target_level: float | None = 0.25) -> bool:
    """Render the whole track to `output_filename` at peak `target_level`; True on success."""
    from .errors import EntrainerError
    from .loader import load_track
    from .offline import render_to_file

    if not track_data:
        _say("Error: cannot generate audio, the track data is missing")
        return False
    base_dir = getattr(track_data, "base_dir", None) or Path.cwd()
    try:
        track = load_track(dict(track_data), base_dir=base_dir)
        _warnings(track)
        output = Path(output_filename) if output_filename else Path(track.output_filename)
        result = render_to_file(track, output, target_level=target_level)
    except EntrainerError as e:
        _say(str(e))
        return False
    except OSError as e:
        _say(f"Error: cannot write {str(output_filename)!r}: {e.strerror or e}")
        return False
    clipped = f", {result.clipped} samples clipped" if result.clipped else ""
    print(f"Audio written to {result.path} ({result.format.upper()}, {result.sample_rate} Hz, "
          f"{result.duration_s:.1f} s{clipped})")
    return True
