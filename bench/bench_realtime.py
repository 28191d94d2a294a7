"""Benchmark: real-time playback of a real track (issue #4 figures).

    python bench/bench_realtime.py            # F12.json, 256-frame blocks
    python bench/bench_realtime.py --tiny     # a few blocks, used by the tests so it cannot rot

Prints: callback time per block (median, p99, max) against the block period; how many
streams of the track one core sustains (computed from the mean, then checked by running that
many paced `null` streams pinned to one core and counting underruns); and control latency from
a `set_gain`/`seek` call to the first changed block. Figures to read, never assertions.
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
track, n, secs, block = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
streams = [Stream(track, output="null", block_size=block, levels="provisional", start_at=60.0 * i).start() for i in range(n)]
time.sleep(secs)
st = [s.status() for s in streams]
for s in streams:
    s.stop()
print(json.dumps({"underruns": sum(x.underruns for x in st), "max_load": max(x.max_load for x in st)}))
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
        return
    lat = np.array(control_latency(track, a.block, 20)) * 1e3
    print(f"\nControl latency (set_gain → audio thread ramping), null output: median {np.median(lat):.2f} ms, "
          f"max {lat.max():.2f} ms (block {1e3 * a.block / sr:.2f} ms)")
    n = max(1, int(per_core * 0.8))
    res = streams_on_one_core(track, n, 10.0, a.block)
    print(f"\n{n} concurrent paced streams pinned to one core for 10 s: {res}")


if __name__ == "__main__":
    main()
