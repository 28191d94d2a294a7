"""`entrainer voices` and the data-URL switch as a user runs them: exit codes and what is printed."""

from __future__ import annotations

import pytest
from rich.console import Console
from typer.testing import CliRunner

from entrainer import cli
from entrainer.voices import FAMILIES, known_names, listing


@pytest.fixture()
def run(monkeypatch):
    """Runs the CLI with wide consoles, so that table cells are not folded."""
    def invoke(*args: str):
        monkeypatch.setattr(cli, "out", Console(width=400, force_terminal=False, color_system=None))
        monkeypatch.setattr(cli, "err", Console(width=400, stderr=True, force_terminal=False, color_system=None))
        return CliRunner().invoke(cli.app, list(args))
    return invoke


def test_voices_lists_every_voice_with_its_parameters_and_defaults(run):
    result = run("voices")
    assert result.exit_code == 0
    for family in FAMILIES:
        assert family.name in result.stdout
        for row in listing.parameters(family):
            assert f"{row['key']} {row['default']}" in result.stdout
    assert "not supported yet" not in result.stdout.split("post-stages")[0]   # every voice is built
    assert "(aliases: noise)" in result.stdout and "generate_swept_notch_pink_sound" in result.stdout


@pytest.mark.parametrize("name", ["binaural_beat", "isochronic_tone_transition", "subliminal_encode"])
def test_voices_name_prints_the_full_table(run, name):
    result = run("voices", name)
    assert result.exit_code == 0
    family = listing.find(name)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{family.name} ({family.section}): {family.summary}")
    for row in listing.parameters(family):
        line = next(line for line in lines if line.startswith(f"│ {row['key']} "))
        cells = [c.strip() for c in line.strip("│").split("│")]
        assert cells == [row[k] for k in ("key", "type", "default", "unit", "range", "transition", "plan")]
    for stage in listing.later_stages(family):
        assert stage["stage"] in result.stdout


def test_a_voice_without_a_transition_says_so(run):
    assert "no transition variant" in run("voices", "subliminal_encode").stdout
    assert "no transition variant" not in run("voices", "binaural_beat").stdout


def test_an_unknown_voice_is_exit_2_with_the_known_names(run):
    result = run("voices", "binaural_beats")
    assert result.exit_code == 2
    assert result.stderr == f'voices: unknown synth function "binaural_beats"; known: {", ".join(known_names())}\n'


def test_render_accepts_data_url_clips_only_when_asked(run, tmp_path):
    import base64
    import io
    import json

    import numpy as np
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.full(800, 0.5, dtype=np.float32), 8000, format="WAV", subtype="FLOAT")
    url = "data:audio/wav;base64," + base64.b64encode(buf.getvalue()).decode()
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"global": {"sample_rate": 8000}, "progression": [],
                                "overlay_clips": [{"file_path": url, "start": 0.5}]}))
    refused = run("render", str(path), "-o", str(tmp_path / "out.wav"))
    assert refused.exit_code == 2
    assert "(data: URLs are not allowed here)" in refused.stderr
    done = run("render", str(path), "-o", str(tmp_path / "out.wav"), "--data-urls")
    assert done.exit_code == 0, done.stderr
    audio, sr = sf.read(tmp_path / "out.wav")
    assert (sr, audio.shape) == (8000, (4800, 2))            # 0.5 s, then the 0.1 s clip
    assert abs(np.abs(audio).max() - 0.25) <= 1 / 32767
    summary = run("validate", str(path), "--data-urls")
    assert summary.exit_code == 0 and "(0.600 s)" in summary.stdout
