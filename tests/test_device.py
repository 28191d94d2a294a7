"""The real audio path: cpal → ALSA → a user-space PulseAudio with a null sink
(docs/real-time.md). Audio must arrive, and 20 s of play with the other core busy must show
no underrun and no gap in what the sink received."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("pulseaudio") is None or shutil.which("parec") is None,
                                reason="PulseAudio is not installed (scripts/setup.sh installs it)")

PLAY_S = 20.0


@pytest.fixture(scope="module")
def pulse():
    """A private PulseAudio with a null sink `probe`; ALSA's default device routed to it."""
    runtime = Path(tempfile.mkdtemp(prefix="entrainer-pulse-"))
    runtime.chmod(0o700)
    asoundrc = runtime / "asoundrc"
    asoundrc.write_text("pcm.!default { type pulse }\nctl.!default { type pulse }\n")
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), PULSE_RUNTIME_PATH=str(runtime / "pulse"),
               ALSA_CONFIG_PATH=f"/usr/share/alsa/alsa.conf:{asoundrc}")
    subprocess.run(["pulseaudio", "-n", "--daemonize=yes", "--exit-idle-time=-1", "--disallow-exit",
                    "--realtime=yes", "--high-priority=yes",
                    "-L", "module-native-protocol-unix", "-L", "module-null-sink sink_name=probe",
                    f"--log-target=file:{runtime}/pa.log"], env=env, check=True, timeout=30)
    for _ in range(100):
        sinks = subprocess.run(["pactl", "list", "short", "sinks"], env=env, capture_output=True, text=True)
        if "probe" in sinks.stdout:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"PulseAudio did not come up: {(runtime / 'pa.log').read_text()[-2000:]}")
    yield env
    pid_file = runtime / "pulse" / "pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)
        except (ProcessLookupError, ValueError):
            pass
    shutil.rmtree(runtime, ignore_errors=True)


TONE = {"global": {"sample_rate": 44100, "crossfade_duration": 0.0, "output_filename": "x.wav"},
        "progression": [{"duration": 60.0, "voices": [{"synth_function_name": "binaural_beat",
                         "params": {"ampL": 0.5, "ampR": 0.5, "baseFreq": 440.0, "beatFreq": 0.0}}]}]}

# The first seconds include the sound server's stream set-up; the 20 s measured start after 2 s.
WARMUP_S = 2.0
PLAYER = """
import json, sys, time
from entrainer.stream import Stream
track = json.loads(sys.argv[1]); secs = float(sys.argv[2]); warm = float(sys.argv[3])
with Stream(track, output="default", block_size=256, levels="provisional") as s:
    time.sleep(warm)
    a = s.status()
    t0 = time.monotonic()
    time.sleep(secs)
    b = s.status()
    wall = time.monotonic() - t0
print(json.dumps({"advance_s": b.position_s - a.position_s, "wall_s": wall, "underruns": b.underruns - a.underruns,
                  "max_load": b.max_load, "blocks": b.blocks}))
"""


def test_audio_reaches_the_sound_server_without_underruns(pulse, tmp_path):
    capture = tmp_path / "capture.raw"
    sink = open(capture, "wb")
    # the recorder is our instrument: it must not be the one starved by the busy core
    rec = subprocess.Popen(["chrt", "-f", "10", "parec", "-d", "probe.monitor", "--raw", "--format=s16le", "--rate=44100",
                            "--channels=2"], env=pulse, stdout=sink)
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])  # keep the other core busy
    try:
        time.sleep(0.5)
        # Played the way audio software runs: with real-time scheduling for the whole process,
        # so the sound server's client thread inside it (libpulse) is not starved either.
        run = subprocess.run(["chrt", "-f", "10", sys.executable, "-c", PLAYER, json.dumps(TONE), str(PLAY_S), str(WARMUP_S)], env=pulse,
                             capture_output=True, text=True, timeout=PLAY_S + 60, cwd=ROOT)
        assert run.returncode == 0, run.stderr[-3000:]
        status = json.loads(run.stdout.strip().splitlines()[-1])
        time.sleep(0.5)
    finally:
        hog.kill()
        hog.wait(timeout=10)
        rec.terminate()
        rec.wait(timeout=10)
        sink.close()
    assert status["underruns"] == 0, status  # no callback overran its period
    # The device consumed audio over the measured 20 s (a sound server that itself lags behind on
    # a loaded machine plays slower without any underrun: gaps are checked below, on what arrived).
    assert status["advance_s"] >= 0.85 * status["wall_s"], status
    x = np.fromfile(capture, dtype=np.int16).reshape(-1, 2).astype(np.float64) / 32768
    loud = np.flatnonzero(np.abs(x[:, 0]) > 0.01)
    assert loud.size > 0, "no audio arrived at the sink"
    played = x[loud[0]:loud[-1]]
    assert played.shape[0] / 44100 >= PLAY_S
    # the tone's level (0.25 peak after normalisation to the provisional plan) is steady: any gap
    # (an underrun) would show as a window with far less energy
    win = 441
    rms = np.sqrt(np.mean(played[: played.shape[0] // win * win, 0].reshape(-1, win) ** 2, axis=1))
    assert rms.min() > 0.5 * np.median(rms), f"a gap in the received audio (min window RMS {rms.min():.4f})"
    f = np.abs(np.fft.rfft(played[:44100, 0] * np.hanning(44100)))
    assert abs(np.argmax(f) - 440) <= 1  # it is our 440 Hz tone
