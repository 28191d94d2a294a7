"""Benchmark: N concurrent listeners pulling live streams from the service on loopback (issue #5).

    python bench/bench_service.py                    # F12.json, MP3, N = 25, 50, 100, 125, 150, …
    python bench/bench_service.py --format wav --counts 50,100 --seconds 15
    python bench/bench_service.py --tiny             # 2 listeners for 2 s: the tests run this

For each N it starts N sessions of the track (spread over the timeline), opens N audio streams
and reads them for `--seconds`. A listener falls behind real time when the audio it has
received is less than the time since its first byte (its buffer runs dry). It prints, per N:
listeners behind, listeners refused by the service's admission control (429 while it is
saturated), the smallest buffer seen, time to first byte (median and max), the server's
CPU per listener (in % of one core) and in total, the client's, and what other processes on the
machine used meanwhile (a shared machine gives less than two cores to the service). It stops at the first N with a listener
behind and reports the largest N without one. With `--stagger S`, listeners arrive S seconds
apart, as they would in real use, which lets the admission control refuse the ones beyond
capacity (counted as refused, not behind). Figures to read, never assertions. The client is
a plain asyncio socket reader that only counts bytes, so it takes little of the CPU it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRACK = ROOT.parent / "shared" / "tracks" / "original" / "F12.json"
LAUNCH = ROOT / "tests" / "service" / "launch.py"
#: Bytes per second of audio, by format (MP3 is constant bit rate).
MP3_KBPS = 128


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time spent by everything on the machine (all cores), from /proc/stat."""
    cpu = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in cpu[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Service:
    def __init__(self, data_dir: Path, max_n: int, lead_s: float, chunk_s: float):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = {"data_dir": str(data_dir), "measure_levels": False, "lead_s": lead_s, "chunk_s": chunk_s,
               "limits": {"sessions_per_client": max_n + 5, "sessions_total": max_n + 5,
                          "streams_total": max_n + 5, "request_bytes": 8 * 1024 * 1024}}
        env = dict(os.environ, ENTRAINER_CACHE_DIR=str(data_dir / "levels"))
        self.log = open(data_dir / "server.log", "w")
        self.proc = subprocess.Popen([sys.executable, str(LAUNCH), str(self.port), json.dumps(cfg)],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the service did not start; see " + str(data_dir / "server.log"))
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class Listener:
    """Reads one live stream with a raw HTTP/1.1 request and counts the audio received."""

    def __init__(self, port: int, path: str, bytes_per_s: float, header_bytes: int):
        self.port, self.path = port, path
        self.bytes_per_s, self.header_bytes = bytes_per_s, header_bytes
        self.ttfb: float | None = None
        self.min_buffer = float("inf")
        self.received = 0
        self.error: str | None = None

    async def run(self, seconds: float) -> None:
        t0 = time.monotonic()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            writer.write(f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                self.error = head.split(b"\r\n", 1)[0].decode()
                return
            first = None
            while time.monotonic() - t0 < seconds:
                try:
                    chunk = await asyncio.wait_for(reader.read(65536), timeout=max(0.05, seconds - (time.monotonic() - t0)))
                except asyncio.TimeoutError:
                    break
                if not chunk:
                    break
                now = time.monotonic()
                if first is None:
                    first = now
                    self.ttfb = now - t0
                self.received += len(chunk)
                audio_s = max(0, self.received - self.header_bytes) / self.bytes_per_s
                if now - first > 1.0:           # the buffer a player would hold now
                    self.min_buffer = min(self.min_buffer, audio_s - (now - first))
            writer.close()
        except (OSError, asyncio.IncompleteReadError) as e:
            self.error = str(e)


async def listen_all(port: int, paths: list[str], seconds: float, bytes_per_s: float, header: int,
                     stagger_s: float = 0.0) -> list[Listener]:
    listeners = [Listener(port, p, bytes_per_s, header) for p in paths]

    async def start(k: int, listener: Listener) -> None:
        await asyncio.sleep(k * stagger_s)
        await listener.run(seconds)

    await asyncio.gather(*(start(k, l) for k, l in enumerate(listeners)))
    return listeners


def run_n(svc: Service, track_id: int, duration_s: float, n: int, fmt: str, seconds: float, rate: int,
          stagger_s: float = 0.0) -> dict:
    http = httpx.Client(base_url=svc.url, timeout=30)
    sessions = []
    for i in range(n):
        start = (i * 37.0) % max(1.0, duration_s - seconds - 10)
        r = http.post("/api/sessions", json={"track_id": track_id, "position_s": start})
        r.raise_for_status()
        sessions.append(r.json())
    paths = [s["audio"][fmt] for s in sessions]
    bytes_per_s = MP3_KBPS * 1000 / 8 if fmt == "mp3" else rate * 4 if fmt == "wav" else 128_000 / 8
    header = 44 if fmt == "wav" else 0
    cpu0, wall0, busy0 = cpu_seconds(svc.proc.pid), time.monotonic(), machine_busy_seconds()
    client0 = time.process_time()
    listeners = asyncio.run(listen_all(svc.port, paths, seconds, bytes_per_s, header, stagger_s))
    wall = time.monotonic() - wall0
    server_cpu = cpu_seconds(svc.proc.pid) - cpu0
    client_cpu = time.process_time() - client0
    others = (machine_busy_seconds() - busy0 - server_cpu - client_cpu) / wall
    late = sum(1 for s in sessions if http.get(f"/api/sessions/{s['id']}",
                                              headers={"Authorization": f"Bearer {s['token']}"}).json()["late_chunks"])
    for s in sessions:
        http.post(f"/api/sessions/{s['id']}/stop", headers={"Authorization": f"Bearer {s['token']}"})
    http.close()
    ttfb = [l.ttfb for l in listeners if l.ttfb is not None]
    streamed = [l for l in listeners if l.ttfb is not None]
    refused = [l for l in listeners if l.error and " 429 " in l.error]
    behind = [l for l in listeners if l not in refused and (l.error or l.ttfb is None or l.min_buffer < 0)]
    return {"n": n, "behind": len(behind), "refused": len(refused),
            "server_late": late, "min_buffer_s": min((l.min_buffer for l in streamed), default=float("nan")),
            "ttfb_median_ms": 1000 * statistics.median(ttfb) if ttfb else float("nan"),
            "ttfb_max_ms": 1000 * max(ttfb) if ttfb else float("nan"),
            "cpu_per_listener_pct": 100 * server_cpu / wall / n, "server_cores": server_cpu / wall,
            "client_cores": client_cpu / wall, "other_cores": max(0.0, others)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--track", type=Path, default=DEFAULT_TRACK)
    ap.add_argument("--format", choices=("mp3", "wav", "opus"), default="mp3")
    ap.add_argument("--counts", default="25,50,100,125,150,175,200")
    ap.add_argument("--seconds", type=float, default=12.0, help="listening time per N")
    ap.add_argument("--lead", type=float, default=2.0, help="the service's lead over real time (s)")
    ap.add_argument("--chunk", type=float, default=0.5, help="audio rendered per step of a stream (s)")
    ap.add_argument("--stagger", type=float, default=0.0,
                    help="seconds between two listeners' arrivals (0: all at once)")
    ap.add_argument("--tiny", action="store_true", help="2 listeners for 2 s (for the tests)")
    args = ap.parse_args()
    counts = [2] if args.tiny else [int(x) for x in args.counts.split(",")]
    seconds = 2.0 if args.tiny else args.seconds
    track = args.track if args.track.is_file() or not args.tiny else ROOT / "examples" / "demo.json"
    with tempfile.TemporaryDirectory(prefix="entrainer-bench-") as tmp:
        svc = Service(Path(tmp), max(counts), args.lead, args.chunk)
        try:
            r = httpx.post(svc.url + "/api/tracks", content=track.read_bytes(), timeout=60)
            if r.status_code != 201:
                raise SystemExit(f"{track.name}: {r.json()['message']}")
            made = r.json()
            print(f"track {track.name}: {made['duration_s']:.0f} s, {made['voices']} voices, "
                  f"streamed at {made['stream_rate']} Hz as {args.format}; lead {args.lead} s, chunk {args.chunk} s; "
                  f"{os.cpu_count()} cores; {seconds:g} s per N")
            print(f"{'N':>5} {'behind':>6} {'refused':>7} {'late':>5} {'min buffer':>10} {'TTFB med':>9} {'TTFB max':>9} "
                  f"{'CPU/listener':>12} {'server':>7} {'client':>7} {'others':>7}")
            best = 0
            for n in counts:
                row = run_n(svc, made["id"], made["duration_s"], n, args.format, seconds, made["stream_rate"],
                            args.stagger)
                print(f"{n:>5} {row['behind']:>6} {row['refused']:>7} {row['server_late']:>5} {row['min_buffer_s']:>9.2f}s "
                      f"{row['ttfb_median_ms']:>7.0f}ms {row['ttfb_max_ms']:>7.0f}ms "
                      f"{row['cpu_per_listener_pct']:>11.2f}% {row['server_cores']:>6.2f}c {row['client_cores']:>6.2f}c "
                      f"{row['other_cores']:>6.2f}c",
                      flush=True)
                if row["behind"] or row["refused"]:
                    if row["refused"] and not row["behind"]:
                        print(f"at N = {n}, admission control kept {n - row['refused']} listeners, none behind")
                    break
                best = n
            print(f"largest N with no listener behind real time: {best}")
        finally:
            svc.stop()


if __name__ == "__main__":
    main()
