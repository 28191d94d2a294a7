"""Benchmark: real-time playback of a real track (issue #4 figures).

    python bench/bench_realtime.py            # F12.json, 256-frame blocks
    python bench/bench_realtime.py --tiny     # a few blocks, used by the tests so it cannot rot

Prints: callback time per block (median, p99, max) against the block period; how many
streams of the track one core sustains; and control latency from a `set_gain` call to the
audio thread ramping. Figures to read, never assertions.

Streams per core, three ways:
- from one stream's mean callback time (caches warm: an upper bound);
- from rounds of N streams' callbacks on one thread (the caches shared by N streams' state);
- checked in real time: N streams served by one SCHED_FIFO thread pinned to one core, one
  callback each per 5.8 ms period, as an audio server serves its clients; a round finishing
  more than a period late is an underrun. Also N independent paced `null` streams (a thread
  each) pinned to one core, where the scheduler's wake-ups add their own cost.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRACK = ROOT.parent / "shared" / "tracks" / "original" / "F12.json"

STREAMS_CHILD = """
import json, sys, time
from entrainer.stream import Stream
import entrainer
track, n, secs, block = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
# Spread the streams over the track (every one inside it, each at its own position).
r = entrainer.prepare(track, levels="provisional")
length = r.frames / r.sample_rate
span = max(1.0, length - secs - 10.0)
streams = [Stream(track, output="null", block_size=block, levels="provisional", start_at=(60.0 * i + 7.3 * i * i) % span).start() for i in range(n)]
# Steady state: every stream has started (and prepared its first step) before counting.
time.sleep(2.0)
before = [s.status() for s in streams]
time.sleep(secs)
st = [s.status() for s in streams]
for s in streams:
    s.stop()
print(json.dumps({"underruns": sum(x.underruns - b.underruns for x, b in zip(st, before)),
                  "start_underruns": sum(b.underruns for b in before),
                  "max_load": max(x.max_load for x in st)}))
"""


SERVED_CHILD = """
import json, sys
from entrainer import _engine
plan, n, secs, block, spacing = open(sys.argv[1]).read(), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rounds, underruns, max_load, mean_load = _engine.serve_paced(plan, 44100, block, n, spacing, 3.0, secs)
print(json.dumps({"rounds": rounds, "underruns": underruns, "max_load": round(max_load, 2), "mean_load": round(mean_load, 3)}))
"""


def plan_of(track: Path, sr: int) -> str:
    import entrainer
    from entrainer.plan import build_plan

    return json.dumps(build_plan(entrainer.load_track(track), sample_rate=sr))


def callback_times(track: Path, block: int, seconds: float) -> tuple[np.ndarray, int]:
    from entrainer import _engine

    sr = 44100
    plan = plan_of(track, sr)
    blocks = int(seconds * sr / block)
    ns = np.array(_engine.time_callbacks(plan, sr, block, blocks, 0), dtype=np.float64)
    return ns, sr


def control_latency(track: Path, block: int, trials: int) -> list[float]:
    """Time from set_gain() until the audio thread publishes the new gain (paced null output)."""
    from entrainer.stream import Stream

    lat = []
    with Stream(track, output="null", block_size=block, levels="provisional") as s:
        time.sleep(0.2)
        for i in range(trials):
            target = 0.5 if i % 2 == 0 else 1.0
            t0 = time.perf_counter()
            s.set_gain(target)
            while True:
                g = s._engine.status()["gain"]
                if g != (1.0 if target == 0.5 else 0.5):  # the ramp has begun
                    break
                time.sleep(0.0002)
            lat.append(time.perf_counter() - t0)
            time.sleep(0.05)
    return lat


def round_robin(track: Path, block: int, n: int, blocks: int) -> float:
    """Mean callback time (µs) of n streams called in turn on one thread."""
    from entrainer import _engine

    plan = plan_of(track, 44100)
    ns = np.array(_engine.time_callbacks(plan, 44100, block, blocks, 0, n, 44100 * 17), dtype=np.float64)
    return float(ns[min(100, len(ns) // 10):].mean() / n / 1e3)


def served_on_one_core(track: Path, n: int, secs: float, block: int) -> dict:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(plan_of(track, 44100))
    try:
        cmd = ["taskset", "-c", "0", sys.executable, "-c", SERVED_CHILD, f.name, str(n), str(secs), str(block), str(44100 * 17)]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=secs + 120, cwd=ROOT)
    finally:
        os.unlink(f.name)
    if out.returncode != 0:
        return {"error": out.stderr[-500:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def streams_on_one_core(track: Path, n: int, secs: float, block: int) -> dict:
    cmd = ["taskset", "-c", "0", sys.executable, "-c", STREAMS_CHILD, str(track), str(n), str(secs), str(block)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=secs + 120, cwd=ROOT)
    if out.returncode != 0:
        return {"error": out.stderr[-500:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("track", nargs="?", default=str(DEFAULT_TRACK))
    ap.add_argument("--block", type=int, default=256)
    ap.add_argument("--seconds", type=float, default=120.0, help="audio timed for the callback figures")
    ap.add_argument("--tiny", action="store_true")
    a = ap.parse_args()
    if a.tiny:
        a.seconds = 0.5
        if a.track == str(DEFAULT_TRACK):
            a.track = str(ROOT / "examples" / "demo.json")
    track = Path(a.track)
    ns, sr = callback_times(track, a.block, a.seconds)
    period_us = a.block / sr * 1e6
    med, p99, mx = np.median(ns) / 1e3, np.percentile(ns, 99) / 1e3, ns.max() / 1e3
    print(f"\nCallback time, {track.name}, {a.block}-frame blocks ({period_us:.0f} µs period), {len(ns)} blocks")
    print(f"  median {med:8.1f} µs  ({100 * med / period_us:5.2f} % of the period)")
    print(f"  p99    {p99:8.1f} µs  ({100 * p99 / period_us:5.2f} %)")
    print(f"  max    {mx:8.1f} µs  ({100 * mx / period_us:5.2f} %)")
    per_core = period_us / (np.mean(ns) / 1e3)
    print(f"  streams per core from the mean: {per_core:.0f}")
    if a.tiny:
        print(f"  2 streams in turn: {round_robin(track, a.block, 2, 50):.1f} µs per callback")
        return
    print("\nStreams called in turn on one thread (their state shares the caches):")
    for n in (1, 100, 200, 250):
        us = round_robin(track, a.block, n, 1500 if n > 1 else 5000)
        print(f"  {n:4d} streams: {us:6.1f} µs per callback -> {period_us / us:4.0f} streams per core")
    lat = np.array(control_latency(track, a.block, 20)) * 1e3
    print(f"\nControl latency (set_gain → audio thread ramping), null output: median {np.median(lat):.2f} ms, "
          f"max {lat.max():.2f} ms (block {1e3 * a.block / sr:.2f} ms)")
    print("\nStreams served in real time by one SCHED_FIFO thread pinned to one core, three runs of 10 s:")
    best = 0
    for n in (150, 200, 250):
        runs = [served_on_one_core(track, n, 10.0, a.block) for _ in range(3)]
        late = [r.get("underruns", -1) for r in runs]
        loads = ", ".join(f"{r.get('mean_load', float('nan')):.2f}/{r.get('max_load', float('nan')):.2f}" for r in runs)
        print(f"  {n:4d} streams: late rounds per run {late} of {runs[0].get('rounds')}; load mean/max {loads}")
        if any(x != 0 for x in late):
            break
        best = n
    print(f"  largest count tried with no underrun in any run: {best}")
    # Independent streams (each with its paced output thread and its preparer) pinned to one
    # core, spread over the track.
    print("\nIndependent paced `null` streams (a thread each) pinned to one core, 10 s each:")
    best = 0
    for n in (50, 100, 150, 200):
        res = streams_on_one_core(track, n, 10.0, a.block)
        print(f"  {n:4d} streams: {res}")
        if res.get("underruns", 1) != 0:
            break
        best = n
    print(f"  largest count tried with no underrun: {best}")


if __name__ == "__main__":
    main()
