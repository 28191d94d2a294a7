"""File references (format.md §6): relative, absolute, escaping, schemes and data: URLs,
seen directly through `refs.resolve` and through clips in a loaded track."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from entrainer.errors import Report, TrackError
from entrainer.loader import load_track
from entrainer.refs import RefContext, canonical_roots, resolve


def _wav() -> bytes:
    """A tiny valid WAV file (clips are checked to be audio at load time)."""
    import io

    import numpy as np
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.zeros(8, dtype=np.float32), 8000, format="WAV")
    return buf.getvalue()


@pytest.fixture()
def tree(tmp_path):
    """tracks/ (the track's folder) with a clip, lib/ (a library root), and files outside."""
    (tmp_path / "tracks" / "sub").mkdir(parents=True)
    (tmp_path / "tracks" / "sub" / "a.wav").write_bytes(_wav())
    (tmp_path / "tracks" / "here.wav").write_bytes(_wav())
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "bell.wav").write_bytes(_wav())
    (tmp_path / "lib-evil").mkdir()
    (tmp_path / "lib-evil" / "x.wav").write_bytes(_wav())
    (tmp_path / "secret.wav").write_bytes(_wav())
    (tmp_path / "tracks" / "folder.wav").mkdir()
    os.symlink(tmp_path / "secret.wav", tmp_path / "tracks" / "link.wav")
    return tmp_path


def _resolve(tree, ref, *, library=True, folder=True, data=False, data_ok=True):
    roots = [tree / "tracks"] if folder else []
    roots += [tree / "lib"] if library else []
    ctx = RefContext(tree / "tracks" if folder else None, canonical_roots(roots), data)
    report = Report()
    target = resolve(ref, "overlay_clips[0].file_path", ctx, report, data_ok=data_ok)
    return target, [str(d) for d in report.errors], [str(w) for w in report.warnings]


LOC = "overlay_clips[0].file_path"
CASES = [
    # (reference, options, resolved path relative to the tree, errors, warnings)
    ("", {}, None, [], []),
    ("sub/a.wav", {}, "tracks/sub/a.wav", [], []),
    ("sub\\a.wav", {}, "tracks/sub/a.wav", [], []),
    ("./sub/../here.wav", {}, "tracks/here.wav", [], []),
    ("../lib/bell.wav", {}, "lib/bell.wav", [], []),
    ("../lib/bell.wav", {"library": False}, None,
     [f'{LOC}: "../lib/bell.wav" resolves outside the allowed folders'], []),
    ("../../etc/passwd", {}, None, [f'{LOC}: "../../etc/passwd" resolves outside the allowed folders'], []),
    ("..\\secret.wav", {}, None, [f'{LOC}: "..\\\\secret.wav" resolves outside the allowed folders'], []),
    ("../lib-evil/x.wav", {}, None, [f'{LOC}: "../lib-evil/x.wav" resolves outside the allowed folders'], []),
    ("link.wav", {}, None, [f'{LOC}: "link.wav" resolves outside the allowed folders'], []),
    ("missing.wav", {}, None, [f'{LOC}: file "missing.wav" not found next to the track'], []),
    ("folder.wav", {}, None, [f'{LOC}: file "folder.wav" not found next to the track'], []),
    ("C:\\Users\\me\\Music\\here.wav", {}, "tracks/here.wav", [],
     [f'{LOC}: "C:\\\\Users\\\\me\\\\Music\\\\here.wav" is an absolute path; using "here.wav" found next to the track']),
    ("/home/me/bell.wav", {}, "lib/bell.wav", [],
     [f'{LOC}: "/home/me/bell.wav" is an absolute path; using "bell.wav" found in the library folder "lib"']),
    ("//server/share/bell.wav", {"folder": False}, "lib/bell.wav", [],
     [f'{LOC}: "//server/share/bell.wav" is an absolute path; using "bell.wav" found in the library folder "lib"']),
    ("D:/music/none.wav", {}, None, [f'{LOC}: file "none.wav" not found next to the track or in the library'], []),
    ("D:/music/none.wav", {"library": False}, None, [f'{LOC}: file "none.wav" not found next to the track'], []),
    ("/etc/passwd", {}, None, [f'{LOC}: file "passwd" not found next to the track or in the library'], []),
    ("sub/a.wav", {"folder": False}, None,
     [f"{LOC}: a relative reference needs a base folder; none was given"], []),
    ("C:/x/a.wav", {"folder": False, "library": False}, None,
     [f"{LOC}: an absolute reference is looked up by its file name, which needs a base folder; none was given"], []),
    ("https://example.org/a.wav", {}, None,
     [f'{LOC}: expected a file path or a data: URL, got "https://example.org/a.wav"'], []),
    ("file:///etc/passwd", {"data_ok": False}, None, [f'{LOC}: expected a file path, got "file:///etc/passwd"'], []),
    ("data:audio/wav;base64,UklGRg==", {}, None,
     [f'{LOC}: expected a file path, got "data:audio/wav;base64,UklGRg==" (data: URLs are not allowed here)'], []),
    ("data:audio/wav,RIFF", {"data": True}, None,
     [f'{LOC}: expected a data:<media type>;base64,<payload> URL, got "data:audio/wav,RIFF"'], []),
    ("data:audio/wav;base64,U!lGRg==", {"data": True}, None,
     [f"{LOC}: the base64 payload of the data: URL is invalid"], []),
]


@pytest.mark.parametrize("ref, options, path, errors, warnings", CASES, ids=[c[0] or "empty" for c in CASES])
def test_reference_resolution(tree, ref, options, path, errors, warnings):
    target, found_errors, found_warnings = _resolve(tree, ref, **options)
    assert (found_errors, found_warnings) == (errors, warnings)
    expected = Path(os.path.realpath(tree / path)) if path else None
    assert (target.path if target else None) == expected


def test_data_urls_are_decoded_in_memory_when_allowed(tree):
    payload = b"RIFF\x00\x01"
    ref = "data:audio/wav;base64," + base64.b64encode(payload).decode()
    target, errors, warnings = _resolve(tree, ref, data=True)
    assert (target.path, target.data, target.media_type, errors, warnings) == (None, payload, "audio/wav", [], [])


def test_clips_resolve_against_the_track_folder(tree):
    (tree / "tracks" / "t.json").write_text(
        '{"progression": [{"duration": 5, "voices": []}],'
        ' "overlay_clips": [{"file_path": "sub\\\\a.wav", "start": 1, "amp": 0.5, "duration": 0, "title": "x"}]}')
    clip = load_track(tree / "tracks" / "t.json").clips[0]
    assert clip.resolved.path == tree.resolve() / "tracks" / "sub" / "a.wav"
    assert (clip.source, clip.start_s, clip.gain, clip.max_duration_s, clip.category, clip.extras) == (
        "sub\\a.wav", 1.0, 0.5, None, "effects", {"title": "x"})


def test_clip_paths_that_escape_are_refused(tree):
    track = {"progression": [{"duration": 5, "voices": []}],
             "clips": [{"path": "../secret.wav"}, {"file_path": "../../../../etc/passwd"}, {"file": "sub/a.wav"}]}
    with pytest.raises(TrackError) as info:
        load_track(track, base_dir=tree / "tracks")
    assert str(info.value) == "\n".join([
        "2 errors in the track",
        'clips[0].path: "../secret.wav" resolves outside the allowed folders',
        'clips[1].file_path: "../../../../etc/passwd" resolves outside the allowed folders',
    ])


def test_a_dict_track_needs_a_base_folder_for_references():
    track = {"progression": [{"duration": 5, "voices": []}], "overlay_clips": [{"file_path": "a.wav"}]}
    with pytest.raises(TrackError) as info:
        load_track(track)
    assert str(info.value) == ("1 error in the track\n"
                               "overlay_clips[0].file_path: a relative reference needs a base folder; none was given")


def test_extra_roots_are_searched_for_absolute_references(tree):
    track = {"progression": [{"duration": 5, "voices": []}], "overlay_clips": [{"file_path": "C:\\sfx\\bell.wav"}]}
    t = load_track(track, base_dir=tree / "tracks", allowed_roots=[tree / "lib"])
    assert t.clips[0].resolved.path == tree.resolve() / "lib" / "bell.wav"
    assert [w.code for w in t.warnings] == ["W_REF_RELOCATED"]
