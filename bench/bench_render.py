"""Benchmark: offline render speed and memory of a real track, Rust engine vs NumPy reference.

    python bench/bench_render.py                  # F12.json (62 min, 15 voices), full render
    python bench/bench_render.py --tiny           # a few seconds, used by the tests so it cannot rot

Prints two tables: the full render (seconds, times real time, peak memory; the fastest and the
median of --repeat runs, first with the level plan measured, then from the cache) and, for every voice
of the track, the engine and the NumPy reference rendering the same frames, after checking
that they agree (SNR ≥ 90 dB). Timings are figures to read, never assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRACK = ROOT.parent / "shared" / "tracks" / "original" / "F12.json"


def full_render_child(track: str, duration: float | None, out: str | None) -> None:
    """Runs in a subprocess so that its peak memory is the render's alone."""
    import entrainer

    t0 = time.perf_counter()
    if out:
        res = entrainer.render_to_file(track, out, duration=duration)
        frames = res.frames
        sr = res.sample_rate
        t_analyse = float("nan")
    else:
        r = entrainer.prepare(track, duration=duration)
        t_analyse = time.perf_counter() - t0
        frames = 0
        for block in r.blocks():
            frames += block.shape[0]
        sr = r.sample_rate
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"frames": frames, "sr": sr, "seconds": seconds, "analyse_s": t_analyse, "peak_mb": peak_mb}))


def run_full(track: Path, duration: float | None, out: str | None, cache_dir: str) -> dict:
    cmd = [sys.executable, __file__, "--child", str(track)]
    if duration is not None:
        cmd += ["--duration", str(duration)]
    if out:
        cmd += ["--out", out]
    env = dict(os.environ, ENTRAINER_CACHE_DIR=cache_dir)
    res = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(res.stdout.strip().splitlines()[-1])


def snr_db(reference: np.ndarray, test: np.ndarray) -> float:
    noise = np.sum((reference - test) ** 2)
    signal = np.sum(reference**2)
    return float("inf") if noise == 0 else 10 * np.log10(signal / noise)


def per_voice(track: Path, excerpt_s: float) -> list[dict]:
    import entrainer
    from entrainer import _engine, hrtf
    from entrainer.plan import build_plan
    from entrainer.reference import render_voice as numpy_voice

    t = entrainer.load_track(track)
    sr = t.sample_rate_hz
    plan = build_plan(t, sample_rate=sr)
    rows = []
    for s_idx, st in enumerate(plan["steps"]):
        n = _engine.frames(st["duration_s"], sr)
        count = min(n, _engine.frames(excerpt_s, sr))
        for v in st["voices"]:
            text = json.dumps(v)
            tables = hrtf.engine_tables([v], sr)
            _engine.render_voice(text, sr, n, 0, min(count, 4410), hrtf=tables)  # warm-up
            t0 = time.perf_counter()
            rust = _engine.render_voice(text, sr, n, 0, count, hrtf=tables)
            t_rust = time.perf_counter() - t0
            t0 = time.perf_counter()
            ref = numpy_voice(v, sr, n, 0, count)
            t_ref = time.perf_counter() - t0
            rows.append({"step": s_idx, "voice": v["source_index"], "function": v["function"] + (" (ramp)" if v.get("ramp") else ""),
                         "frames": count, "rust_s": t_rust, "numpy_s": t_ref, "snr_db": snr_db(ref, rust),
                         "rt_rust": count / sr / t_rust, "rt_numpy": count / sr / t_ref})
    return rows


def every_voice(seconds: float, sr: int = 44100) -> list[dict]:
    """Every voice of the registry at its defaults (and as a transition with every default
    ramped over the step): engine vs NumPy reference on the same frames, after checking them."""
    from entrainer import _engine, hrtf
    from entrainer.reference import render_voice as numpy_voice
    from entrainer.voices.registry import FAMILIES

    rows = []
    n = int(seconds * sr)
    for f in FAMILIES:
        if f.name == "subliminal_encode":  # needs audio files; measured in tests/voices
            continue
        v = {"source_index": 0, "function": f.name, "params": {}}
        tables = hrtf.engine_tables([v], sr)
        text = json.dumps(v)
        _engine.render_voice(text, sr, n, 0, min(n, 4410), hrtf=tables)  # warm-up
        t0 = time.perf_counter()
        rust = np.asarray(_engine.render_voice(text, sr, n, 0, n, hrtf=tables))
        t_rust = time.perf_counter() - t0
        t0 = time.perf_counter()
        ref = numpy_voice(v, sr, n, 0, n)
        t_ref = time.perf_counter() - t0
        rows.append({"function": f.name, "snr_db": snr_db(ref, rust), "rt_rust": seconds / t_rust,
                     "rt_numpy": seconds / t_ref})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("track", nargs="?", default=str(DEFAULT_TRACK))
    ap.add_argument("--tiny", action="store_true", help="a few seconds of audio: checks that the script runs")
    ap.add_argument("--excerpt", type=float, default=20.0, help="seconds per voice in the per-voice table")
    ap.add_argument("--duration", type=float, default=None, help="render only this much of the track")
    ap.add_argument("--out", default=None, help="also encode to this file (FLAC/WAV) in the full render")
    ap.add_argument("--repeat", type=int, default=3, help="full renders of each kind (fastest and median shown)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        full_render_child(a.track, a.duration, a.out)
        return
    if a.tiny:
        a.excerpt, a.duration, a.repeat = 1.0, 2.0, 1
        if a.track == str(DEFAULT_TRACK):
            a.track = str(ROOT / "examples" / "demo.json")
    track = Path(a.track)

    # First render: the level plan is measured (an empty plan cache). Second: the same track
    # again, its plan read from the cache the first one wrote (render.md §10.3). Each pair runs
    # `--repeat` times with a fresh cache, alternating, because a shared or virtual machine's
    # speed drifts: the table shows the fastest run and the median of each kind.
    import statistics
    import tempfile

    kinds = ("plan measured", "plan from the cache")
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for _ in range(a.repeat):
        with tempfile.TemporaryDirectory() as cache:
            for k in kinds:
                runs[k].append(run_full(track, a.duration, a.out, cache))
    full = runs[kinds[0]][0]
    audio_s = full["frames"] / full["sr"]
    print(f"\nFull render of {track.name}: {audio_s:.0f} s of audio at {full['sr']} Hz, one core, "
          f"{a.repeat} run(s) of each")
    print(f"  {'':<20} {'fastest s':>10} {'x real time':>12} {'median s':>9} {'x real time':>12} "
          f"{'analysis s':>11} {'peak MB':>9}")
    for k in kinds:
        best = min(runs[k], key=lambda r: r["seconds"])
        med = statistics.median(r["seconds"] for r in runs[k])
        peak = max(r["peak_mb"] for r in runs[k])
        print(f"  {k:<20} {best['seconds']:10.2f} {audio_s / best['seconds']:12.0f} {med:9.2f} "
              f"{audio_s / med:12.0f} {best['analyse_s']:11.2f} {peak:9.0f}")
    if a.repeat > 1:
        for k in kinds:
            print(f"  {k} runs (s): " + ", ".join(f"{r['seconds']:.2f}" for r in runs[k]))

    rows = per_voice(track, a.excerpt)
    print(f"\nPer voice, {a.excerpt:g} s each, one core (engine vs NumPy reference)")
    print(f"  {'step':>4} {'voice':>5} {'function':<28} {'SNR dB':>7} {'rust xRT':>9} {'numpy xRT':>10} {'ratio':>7}")
    for r in rows:
        print(f"  {r['step']:4d} {r['voice']:5d} {r['function']:<28} {min(r['snr_db'], 999):7.1f} "
              f"{r['rt_rust']:9.0f} {r['rt_numpy']:10.1f} {r['numpy_s'] / r['rust_s']:7.1f}")
    tot_rust = sum(r["rust_s"] for r in rows)
    tot_np = sum(r["numpy_s"] for r in rows)
    print(f"  all voices: engine {tot_rust:.3f} s, NumPy {tot_np:.3f} s, ratio {tot_np / tot_rust:.1f}x")
    voices = every_voice(a.excerpt)
    print(f"\nEvery voice at its defaults, {a.excerpt:g} s at 44.1 kHz, one core")
    print(f"  {'function':<42} {'SNR dB':>7} {'rust xRT':>9} {'numpy xRT':>10} {'ratio':>7}")
    for r in voices:
        print(f"  {r['function']:<42} {min(r['snr_db'], 999):7.1f} {r['rt_rust']:9.0f} {r['rt_numpy']:10.1f} "
              f"{r['rt_rust'] / r['rt_numpy']:7.1f}")
    rows += voices
    worst = min(r["snr_db"] for r in rows)
    if worst < 90:
        print(f"  DISAGREEMENT: worst SNR {worst:.1f} dB < 90 dB")
        sys.exit(1)


if __name__ == "__main__":
    main()
