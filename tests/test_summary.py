"""`track_summary`: what `entrainer validate` prints, from the one timeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrainer.loader import load_track
from entrainer.plan import track_summary

ORIGINAL = Path(__file__).resolve().parents[2] / "shared" / "tracks" / "original"


def test_a_small_track():
    track = load_track({
        "global": {"crossfade_duration": 2},
        "progression": [
            {"duration": 10, "description": "A", "voices": [
                {"synth_function_name": "binaural_beat"}, {"synth_function_name": "binaural_beat"},
                {"synth_function_name": "isochronic_tone", "is_transition": True}]},
            {"duration": 0, "voices": []},
            {"duration": 5, "description": "B", "voices": [], "start": 3},
        ]})
    assert track_summary(track) == {
        "sample_rate_hz": 44100, "layout": "v2", "duration_s": 13.0,
        "steps": [
            {"index": 0, "start_s": 0.0, "duration_s": 10.0, "description": "A", "voices": 3,
             "functions": {"binaural_beat": 2, "isochronic_tone_transition": 1}},
            {"index": 2, "start_s": 8.0, "duration_s": 5.0, "description": "B", "voices": 0, "functions": {}},
        ],
        "skipped_steps": [1], "voices": 3,
        "functions": {"binaural_beat": 2, "isochronic_tone_transition": 1},
        "background_noise": None, "clips": 0,
        "warnings": [
            {"code": "W_STEP_SKIPPED", "location": "progression[1]",
             "text": "skipped: its duration is 0, so it plays nothing",
             "message": "progression[1]: skipped: its duration is 0, so it plays nothing"},
            {"code": "W_START_MISMATCH", "location": "progression[2]",
             "text": "declared start 3 s, but the step starts at 8 s (frame 352800); the declared start is ignored",
             "message": "progression[2]: declared start 3 s, but the step starts at 8 s (frame 352800); "
                        "the declared start is ignored"},
        ],
    }


@pytest.mark.parametrize("name, starts, total", [
    ("f19.json", [0, 149, 298, 447, 596, 2395], 2995),
    ("F10 F12 F15 F21.json", [0, 3597, 7194, 10791], 14391),
    ("F18.json", [0, 9], 3609),
    ("F12.json", [0, 3597], 3727),
])
def test_real_files_start_where_render_md_says(name, starts, total):
    if not (ORIGINAL / name).exists():
        pytest.skip("../shared/tracks/original is not beside the repository")
    summary = track_summary(load_track(ORIGINAL / name))
    assert ([s["start_s"] for s in summary["steps"]], summary["duration_s"]) == (starts, total)


def test_clips_that_run_past_the_programme_lengthen_the_total(tmp_path):
    import numpy as np
    import soundfile as sf

    sf.write(tmp_path / "bell.wav", np.zeros(22050, dtype=np.float32), 22050)       # 1 s at 22.05 kHz
    track = load_track({"progression": [{"duration": 3, "voices": []}],
                        "overlay_clips": [{"file_path": "bell.wav", "start": 2.5},
                                          {"file_path": "bell.wav", "start": 1, "duration": 0.5}]},
                       base_dir=tmp_path)
    summary = track_summary(track)
    assert (summary["duration_s"], summary["clips"]) == (3.5, 2)
