"""Drop-in module for scripts written against the legacy renderer (see `entrainer.legacy`).

    from entrainer_legacy import load_track_from_json, generate_audio

    data = load_track_from_json("session.json")       # the track dict, or None
    ok = generate_audio(data, "session.wav")           # True, or False with the reasons on stderr
"""

from entrainer.legacy import generate_audio, load_track_from_json

__all__ = ["generate_audio", "load_track_from_json"]
