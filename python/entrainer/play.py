"""`entrainer play`: a live status line and single-key controls over a real-time stream.

Keys: space pause/resume, ←/→ seek 10 s, +/- volume, q quit. Without a terminal (stdin not a
TTY) the stream simply plays, for `--for` seconds or to the end.
"""

from __future__ import annotations

import os
import select
import sys
import termios
import time
import tty
from contextlib import contextmanager

from rich.console import Console
from rich.live import Live
from rich.text import Text

from .stream import Stream

KEYS = {" ": "pause", "q": "quit", "Q": "quit", "+": "up", "=": "up", "-": "down", "_": "down",
        "\x1b[C": "forward", "\x1b[D": "back"}


@contextmanager
def _raw_stdin():
    """Single-key input without echo; restores the terminal on exit."""
    if not sys.stdin.isatty():
        yield None
        return
    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield fd
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)


def _read_key(fd: int | None, timeout: float) -> str | None:
    if fd is None:
        time.sleep(timeout)
        return None
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return None
    data = os.read(fd, 8).decode(errors="ignore")
    return KEYS.get(data) or KEYS.get(data[:1])


def _beats(plan: dict, sample_rate: int, step_index: int | None, step_time_s: float) -> str:
    """The beat (or pulse) rates of the current step's voices at this moment, for display."""
    from .reference.ramp import alpha, frames, timing

    if step_index is None or step_index >= len(plan["steps"]):
        return ""
    rates = []
    st = plan["steps"][step_index]
    n = frames(st["duration_s"], sample_rate)
    for v in st["voices"]:
        p = v["params"]
        pair = p.get("beat_freq_hz") or p.get("pulse_freq_hz")
        if not pair:
            continue
        a = float(alpha(timing(v.get("ramp"), sample_rate, n), max(0.0, step_time_s * sample_rate)))
        rates.append(pair[0] + (pair[1] - pair[0]) * a)
    rates = sorted({round(r, 2) for r in rates if r > 0})
    return ", ".join(f"{r:g}" for r in rates[:4]) + (" Hz" if rates else "")


def _hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def play(track, *, output: str | None, sample_rate: int | None, block_size: int, start: float,
         volume: float, run_for: float | None, console: Console) -> int:
    """Plays until the end, `q`, or `run_for` seconds; returns the underrun count."""
    stream = Stream(track, sample_rate=sample_rate, block_size=block_size, output=output, start_at=start, gain=volume)
    gain = volume
    began = time.monotonic()
    with stream, _raw_stdin() as fd, Live(console=console, refresh_per_second=8, transient=False) as live:
        while True:
            s = stream.status()
            step_start = stream._engine.step_starts[s.step_index] / stream.sample_rate if s.step_index is not None else 0.0
            beats = _beats(stream._plan, stream.sample_rate, s.step_index, s.position_s - step_start)
            desc = stream.track.steps[s.step_index].description if s.step_index is not None else ""
            line = Text.assemble(
                (f"{s.state:<8}", "bold"), f" {_hms(s.position_s)} / {_hms(s.duration_s)}",
                f"  step {0 if s.step_index is None else s.step_index + 1}/{len(stream.track.steps)} {desc[:30]}",
                f"  beat {beats}" if beats else "", f"  vol {gain:.2f}",
                (f"  underruns {s.underruns}" if s.underruns else ""),
                ("  [space] pause  [←/→] seek  [+/-] volume  [q] quit" if fd is not None else ""),
            )
            live.update(line)
            if s.state in ("finished", "stopped"):
                break
            if run_for is not None and time.monotonic() - began >= run_for:
                break
            key = _read_key(fd, 0.1)
            if key == "quit":
                break
            if key == "pause":
                stream.resume() if s.state == "paused" else stream.pause()
            elif key in ("forward", "back"):
                stream.seek(max(0.0, s.position_s + (10.0 if key == "forward" else -10.0)))
            elif key in ("up", "down"):
                gain = min(1.0, max(0.0, gain + (0.05 if key == "up" else -0.05)))
                stream.set_gain(gain)
        underruns = stream.status().underruns
    return underruns
