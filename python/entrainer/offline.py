"""Offline rendering: a loaded track to a NumPy array, an iterator of blocks, or a file.

Python prepares the plan and the options; the Rust engine renders every sample, with the
GIL released. Files are written block by block to a temporary file in the target folder and
renamed over the target at the end, so memory stays flat and no half-written file remains.
While the engine renders a block, a second thread encodes and writes the one before.
"""

from __future__ import annotations

import json
import os
import queue
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from . import _engine, hrtf
from .errors import EntrainerError, num, show

Progress = Callable[[str, int, int], None]
LevelMode = Literal["track", "range", "provisional"]

#: Frames per block handed to Python when streaming (about 1.5 s at 44.1 kHz).
DEFAULT_BLOCK = 1 << 16


class RenderError(EntrainerError):
    """A render could not be set up or written (bad option, unknown format, I/O failure)."""


def _load(track: Any):
    from .loader import load_track

    if hasattr(track, "steps") and hasattr(track, "sample_rate_hz"):
        return track
    return load_track(track)


def _frames(seconds: float, sample_rate: int) -> int:
    return _engine.frames(seconds, sample_rate)


@dataclass(frozen=True)
class LevelPlan:
    """Step gains g_i and the final gain G (`render.md` §10)."""

    step_gains: tuple[float, ...]
    final_gain: float


class Render:
    """A prepared render of one track at one sample rate: timeline, levels and a cursor.

    Build it with :func:`prepare`. ``start_frame``/``end_frame`` bound the range to render.
    """

    def __init__(self, renderer: _engine.Renderer, track, start_frame: int, end_frame: int):
        self.engine = renderer
        self.track = track
        self.start_frame = start_frame
        self.end_frame = end_frame

    @property
    def sample_rate(self) -> int:
        return self.engine.sample_rate

    @property
    def frames(self) -> int:
        return self.end_frame - self.start_frame

    @property
    def levels(self) -> LevelPlan:
        gains, final = self.engine.levels
        return LevelPlan(tuple(gains), final)

    def blocks(self, block_frames: int = DEFAULT_BLOCK, progress: Progress | None = None) -> Iterator[np.ndarray]:
        """Yields float32 arrays of shape (n, 2) covering the range, in order."""
        yield from self._blocks(self.engine.render, block_frames, progress)

    def pcm_blocks(
        self, bits: int, block_frames: int = DEFAULT_BLOCK, progress: Progress | None = None, dither: bool = False
    ) -> Iterator[np.ndarray]:
        """Like :meth:`blocks`, quantised in the engine (int16, or int32 holding 24 bits), with
        TPDF dither (seeded by the render seed) when ``dither``."""
        yield from self._blocks(lambda n: self.engine.render_pcm(n, bits, dither), block_frames, progress)

    def _blocks(self, render: Callable[[int], np.ndarray], block_frames: int,
                progress: Progress | None) -> Iterator[np.ndarray]:
        if block_frames < 1:
            raise RenderError(f"block_frames: expected an integer ≥ 1, got {block_frames}")
        self.engine.seek(self.start_frame)
        done = 0
        while done < self.frames:
            n = min(block_frames, self.frames - done)
            yield render(n)
            done += n
            if progress:
                progress("render", done, self.frames)


def prepare(
    track: Any,
    *,
    start: float = 0.0,
    duration: float | None = None,
    sample_rate: int | None = None,
    seed: int = 0,
    target_level: float | None = 0.25,
    step_ceiling: float | None = 1.0,
    levels: LevelMode | LevelPlan = "track",
    progress: Progress | None = None,
    cache: bool = True,
) -> Render:
    """Loads (if needed), validates at the render rate, plans and analyses levels.

    With ``cache`` (the default) a measured level plan is kept on disk (see levelcache.py), so
    rendering the same track again skips the analysis pass.
    """
    from .audio import clip_buffers, voice_buffers
    from .plan import build_plan

    track = _load(track)
    sr = int(sample_rate if sample_rate is not None else track.sample_rate_hz)
    # Every option is checked before the plan is built and the engine set up.
    if not 8000 <= sr <= 192000:
        raise RenderError(f"sample_rate: expected an integer from 8000 to 192000, got {sr}")
    if not (isinstance(seed, int) and 0 <= seed < 2**64):
        raise RenderError(f"seed: expected an integer from 0 to 2^64 − 1, got {show(seed)}")
    if target_level is not None and not (0 < target_level <= 1):
        raise RenderError(f"target_level: expected a number in (0, 1], got {num(target_level)}")
    if step_ceiling is not None and not step_ceiling > 0:
        raise RenderError(f"step_ceiling: expected a number > 0, got {num(step_ceiling)}")
    if start < 0 or start != start:
        raise RenderError(f"start: expected a time ≥ 0 s, got {num(start)}")
    if duration is not None and (duration < 0 or duration != duration):
        raise RenderError(f"duration: expected a time ≥ 0 s, got {num(duration)}")
    if not isinstance(levels, LevelPlan) and levels not in ("track", "range", "provisional"):
        raise RenderError(f'levels: expected "track", "range", "provisional" or a LevelPlan, got {show(levels)}')
    plan = build_plan(track, sample_rate=sr)
    clips = clip_buffers(track, sr) if track.clips else None
    voice_audio = voice_buffers(track, sr)
    tables = hrtf.engine_tables((v for s in plan["steps"] for v in s["voices"]), sr)
    engine = _engine.Renderer(json.dumps(plan), sr, seed, step_ceiling, target_level, clips, voice_audio, tables)
    total = engine.total_frames
    a = min(_frames(start, sr), total)
    b = total if duration is None else min(total, a + _frames(duration, sr))

    report = (lambda done, all_: progress("analyse", done, all_)) if progress else None
    if isinstance(levels, LevelPlan):
        engine.set_levels(list(levels.step_gains), levels.final_gain)
    elif levels == "provisional":
        engine.set_levels(*engine.provisional_levels())
    elif levels == "track":
        _measured_gains(engine, plan, sr, seed, step_ceiling, target_level, report, cache, clips, voice_audio)
    else:  # "range"
        gains = _measured_gains(engine, plan, sr, seed, step_ceiling, target_level, report, cache, clips, voice_audio)
        peak = engine.measure_range_peak(a, b, report)
        final = target_level / peak if (target_level is not None and peak > 1e-9) else 1.0
        engine.set_levels(gains, final)
    return Render(engine, track, a, b)


def _measured_gains(engine, plan, sr, seed, step_ceiling, target_level, report, cache, clips=None,
                    voice_audio=None) -> list[float]:
    """Measures the track's level plan (or reads it from the cache) and sets it on the engine."""
    from . import levelcache

    # The key covers the decoded clip and subliminal audio too: a changed file is measured again.
    audio = [*(clips or []), *(voice_audio or [])]
    k = levelcache.key(plan, sr, seed, step_ceiling, target_level, audio) if cache else None
    hit = levelcache.load(k) if k else None
    if hit is not None and len(hit[0]) == len(engine.step_lengths):
        engine.set_levels(*hit)
        return hit[0]
    gains, final, _, _ = engine.measure_levels(report)
    if k:
        levelcache.store(k, gains, final)
    return gains


def render(
    track: Any,
    start: float = 0.0,
    duration: float | None = None,
    sample_rate: int | None = None,
    **options: Any,
) -> np.ndarray:
    """Renders a track (path, dict, JSON text or loaded Track) to float32 of shape (frames, 2)."""
    r = prepare(track, start=start, duration=duration, sample_rate=sample_rate, **options)
    if r.frames == 0:
        return np.zeros((0, 2), dtype=np.float32)
    r.engine.seek(r.start_frame)
    return r.engine.render(r.frames)


def iter_blocks(
    track: Any,
    block_frames: int = DEFAULT_BLOCK,
    start: float = 0.0,
    duration: float | None = None,
    sample_rate: int | None = None,
    **options: Any,
) -> Iterator[np.ndarray]:
    """Renders a track as consecutive float32 blocks of shape (≤ block_frames, 2)."""
    r = prepare(track, start=start, duration=duration, sample_rate=sample_rate, **options)
    yield from r.blocks(block_frames)


# --- files -------------------------------------------------------------------------------

_FORMATS = {".wav": "wav", ".flac": "flac", ".mp3": "mp3"}
_SUBTYPES = {("wav", "16"): "PCM_16", ("wav", "24"): "PCM_24", ("wav", "float"): "FLOAT", ("flac", "16"): "PCM_16", ("flac", "24"): "PCM_24"}


@dataclass(frozen=True)
class FileResult:
    path: Path
    format: str
    frames: int
    sample_rate: int
    clipped: int
    levels: LevelPlan

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


#: MP3 (`render.md` §11): constant 320 kbit/s, which MPEG-1 Layer III offers at these rates only.
MP3_RATES = (32000, 44100, 48000)
MP3_BIT_RATE = 320_000


def mp3_available() -> bool:
    """MP3 export is built in when PyAV's FFmpeg has the LAME encoder (the `mp3` extra)."""
    try:
        import av

        av.codec.Codec("libmp3lame", "w")
    except Exception:  # ImportError, or an FFmpeg build without LAME
        return False
    return True


def output_format(path: str | os.PathLike, explicit: str | None = None, fallback_name: str | None = None) -> str:
    """Chooses the format: explicit option, else the path's extension, else `output_filename`'s, else WAV."""
    if explicit:
        fmt = explicit.lower().lstrip(".")
        if fmt not in ("wav", "flac", "mp3"):
            raise RenderError(f'format: expected "wav", "flac" or "mp3", got "{explicit}"')
    else:
        ext = Path(path).suffix.lower()
        fmt = _FORMATS.get(ext)
        if fmt is None and ext:
            raise RenderError(f'output: expected a .wav, .flac or .mp3 name, got "{Path(path).name}"')
        if fmt is None and fallback_name:
            fmt = _FORMATS.get(Path(fallback_name).suffix.lower())
        fmt = fmt or "wav"
    if fmt == "mp3" and not mp3_available():
        raise RenderError("format: MP3 output is not built into this installation (it needs PyAV with "
                          "libmp3lame: pip install av); use .wav or .flac")
    return fmt


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Blocks rendered ahead of the writer thread (each 65 536 frames by default: 0.5 MB as int16).
WRITE_AHEAD = 4


def _write_blocks(blocks: Iterator[np.ndarray], write: Callable[[np.ndarray], None], threaded: bool) -> None:
    """Hands each block to ``write`` in order. With ``threaded``, ``write`` runs on a second
    thread while this one renders the next blocks (the engine and the encoders release the GIL,
    so encoding and writing overlap rendering); the bytes are the same either way. An error on
    either side stops both and is raised here, after the writer thread has ended."""
    if not threaded:
        for block in blocks:
            write(block)
        return
    pending: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=WRITE_AHEAD)
    failed: list[BaseException] = []
    stop = threading.Event()

    def writer() -> None:
        try:
            while (block := pending.get()) is not None and not stop.is_set():
                write(block)
        except BaseException as e:  # handed to the rendering thread, which raises it
            failed.append(e)

    def put(item: np.ndarray | None) -> None:
        # The writer ends early only by failing, which it records: wait for room, or raise that.
        while True:
            if failed:
                raise failed[0]
            try:
                pending.put(item, timeout=0.05)
                return
            except queue.Full:
                pass

    thread = threading.Thread(target=writer, name="entrainer-writer", daemon=True)
    thread.start()
    try:
        for block in blocks:
            put(block)
        put(None)
        thread.join()
    except BaseException:
        stop.set()
        while thread.is_alive():  # make room for the end mark, whatever the writer is doing
            try:
                pending.put_nowait(None)
            except queue.Full:
                try:
                    pending.get_nowait()
                except queue.Empty:
                    pass
            thread.join(timeout=0.05)
        raise
    if failed:
        raise failed[0]


def render_to_file(
    track: Any,
    path: str | os.PathLike,
    *,
    format: str | None = None,
    bits: str = "16",
    dither: bool = False,
    block_frames: int = DEFAULT_BLOCK,
    progress: Progress | None = None,
    writer_thread: bool = True,
    **options: Any,
) -> FileResult:
    """Renders a track into a WAV, FLAC or MP3 file, block by block, atomically (temp file +
    rename). ``dither`` adds TPDF dither before quantising to 16 or 24 bits (`render.md` §11);
    MP3 is 320 kbit/s constant, plain stereo, from 16-bit samples. With ``writer_thread`` (the
    default) the file is encoded and written on a second thread while the engine renders; the
    bytes are the same without it."""
    import soundfile as sf

    track = _load(track)
    path = Path(path)
    bits = str(bits)                # 16 and "16" alike; the checks below compare strings
    fmt = output_format(path, format, getattr(track, "output_filename", None))
    subtype = "MP3" if fmt == "mp3" and bits == "16" else _SUBTYPES.get((fmt, bits))
    if subtype is None:
        choices = {"wav": "16, 24 or float", "flac": "16 or 24", "mp3": "16"}[fmt]
        raise RenderError(f"bits: expected {choices} for {fmt.upper()}, got {bits}")
    if subtype == "FLOAT" and dither:
        raise RenderError("dither: float WAV is not quantised; dither applies to 16 and 24 bits")
    if fmt == "mp3":
        rate = options.get("sample_rate") or track.sample_rate_hz
        if rate not in MP3_RATES:
            raise RenderError(f"sample_rate: MP3 at 320 kbit/s needs 32000, 44100 or 48000 Hz, got {rate}; "
                              "choose one of those, or write WAV or FLAC")
    # Checked before the level analysis, which can take seconds on a long track.
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise RenderError(f"output: folder {json.dumps(str(folder), ensure_ascii=False)} does not exist")
    r = prepare(track, progress=progress, **options)
    # RF64 when the data would not fit a RIFF header (4 GiB).
    bytes_per_frame = 2 * (2 if bits == "16" else 3 if bits == "24" else 4)
    container = "RF64" if fmt == "wav" and r.frames * bytes_per_frame > 0xFFFF_FFFF - 1024 else fmt.upper()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    os.close(fd)
    title = getattr(getattr(track, "metadata", None), "title", "")
    try:
        if fmt == "mp3":
            _write_mp3(tmp, r, title, block_frames, progress, dither, writer_thread)
        else:
            extra = {"compression_level": 5 / 8} if fmt == "flac" else {}
            with sf.SoundFile(tmp, "w", samplerate=r.sample_rate, channels=2, format=container, subtype=subtype, **extra) as f:
                if title:
                    f.title = title
                if subtype == "FLOAT":
                    blocks = r.blocks(block_frames, progress)
                else:
                    blocks = r.pcm_blocks(16 if bits == "16" else 24, block_frames, progress, dither)
                _write_blocks(blocks, f.write, writer_thread)
        # mkstemp creates the file private (0600); give it the mode a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return FileResult(path, fmt, r.frames, r.sample_rate, r.engine.clipped, r.levels)


def _write_mp3(path: str, r: Render, title: str, block_frames: int, progress: Progress | None, dither: bool,
               writer_thread: bool) -> None:
    """MP3 through PyAV's libmp3lame: constant 320 kbit/s, plain stereo (`joint_stereo` off, so
    the ears are coded apart), from the engine's 16-bit samples; the title in an ID3 tag."""
    import av

    with av.open(path, "w", format="mp3") as out:
        if title:
            out.metadata["title"] = title
        stream = out.add_stream("libmp3lame", rate=r.sample_rate, layout="stereo", options={"joint_stereo": "0"})
        stream.codec_context.bit_rate = MP3_BIT_RATE

        def encode(block: np.ndarray) -> None:
            frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="stereo")
            frame.sample_rate = r.sample_rate
            for packet in stream.encode(frame):
                out.mux(packet)

        _write_blocks(r.pcm_blocks(16, block_frames, progress, dither), encode, writer_thread)
        for packet in stream.encode(None):
            out.mux(packet)
