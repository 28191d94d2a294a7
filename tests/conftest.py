"""Shared fixtures: small hand-written tracks, the real-file corpus, and a render helper."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Level plans measured by tests go to a throw-away cache, never the user's.
os.environ.setdefault("ENTRAINER_CACHE_DIR", tempfile.mkdtemp(prefix="entrainer-test-cache-"))

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ORIGINAL = SHARED / "tracks" / "original"


def voice(function: str = "binaural_beat", transition: bool = False, envelope=None, **params) -> dict:
    """A voice entry as the legacy editor writes it."""
    return {"synth_function_name": function, "is_transition": transition, "params": params,
            "volume_envelope": envelope, "description": ""}


def step(duration: float, *voices: dict, description: str = "", **extra) -> dict:
    return {"duration": duration, "description": description, "voices": list(voices), **extra}


def track(*steps: dict, sample_rate: int = 48000, crossfade: float = 0.0, curve: str = "linear", **extra) -> dict:
    """A v2-layout track dict."""
    return {"global": {"sample_rate": sample_rate, "crossfade_duration": crossfade, "crossfade_curve": curve,
                       "output_filename": "out.wav"},
            "progression": list(steps), **extra}


@pytest.fixture(scope="session")
def original_files() -> list[Path]:
    files = sorted(ORIGINAL.glob("*.json"))
    if not files:
        pytest.skip("../shared/tracks/original is not beside the repository")
    return files
