"""The `entrainer` command: validate and render track files, list the voices (typer + rich).

Every error a user can cause ends in one located message on stderr and exit status 2 (bad
input) or 1 (I/O failure), never a traceback. Ctrl-C exits with 130 and leaves no file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from .errors import EntrainerError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Render brainwave-entrainment track files (legacy JSON) with Entrainer's Rust engine.",
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

EXIT_INPUT = 2
EXIT_IO = 1
EXIT_CANCELLED = 130


def _fail(message: str, code: int = EXIT_INPUT) -> None:
    # soft_wrap: rich would otherwise cut a long located message at the console width
    # (80 columns when stderr is a pipe), which breaks it for scripts and for grep.
    err.print(message, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _print_warnings(track) -> None:
    for w in getattr(track, "warnings", []) or []:
        err.print(f"warning: {w}", markup=False, highlight=False, soft_wrap=True, style="yellow")


DATA_URLS_HELP = "Accept clips embedded as data: URLs (written by the legacy real-time web page)."


def _load_or_exit(file: Path, data_urls: bool = False):
    from .loader import load_track

    try:
        track = load_track(file, allow_data_urls=data_urls)
    except EntrainerError as e:
        _fail(str(e))
    _print_warnings(track)
    return track


def _hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@app.command()
def validate(
    file: Path = typer.Argument(..., help="Track file (.json) to check."),
    data_urls: bool = typer.Option(False, "--data-urls", help=DATA_URLS_HELP),
) -> None:
    """Check a track file and print a one-screen summary, or every error with its location."""
    from .plan import build_plan, track_summary

    track = _load_or_exit(file, data_urls)
    try:
        # The plan refuses what loads but cannot render yet (overlay clips): report it here too.
        build_plan(track)
    except EntrainerError as e:
        _fail(str(e))
    summary = track_summary(track)
    table = Table(title=f"{file.name}: valid", title_justify="left")
    for col in ("#", "start", "duration", "description", "voices"):
        table.add_column(col, overflow="fold")
    for row in summary["steps"]:
        voices = ", ".join(f"{n}× {f}" for f, n in row["functions"].items()) or "silence"
        table.add_row(str(row["index"]), _hms(row["start_s"]), _hms(row["duration_s"]), row["description"], voices)
    out.print(table)
    used = ", ".join(f"{f} ({n})" for f, n in summary["functions"].items()) or "none"
    out.print(f"total {_hms(summary['duration_s'])} ({summary['duration_s']:.3f} s), "
              f"{_count(len(summary['steps']), 'step')}, {_count(summary['voices'], 'voice')}; functions: {used}",
              highlight=False, soft_wrap=True)


@app.command()
def render(
    file: Path = typer.Argument(..., help="Track file (.json) to render."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output .wav, .flac or .mp3 (default: the track's output_filename)."),
    sample_rate: Optional[int] = typer.Option(None, "--sample-rate", "-r", help="Render rate in Hz (default: the track's)."),
    start: float = typer.Option(0.0, "--start", help="Render an excerpt starting at this time (s)."),
    duration: Optional[float] = typer.Option(None, "--duration", help="Excerpt length (s); default: to the end."),
    target_level: float = typer.Option(0.25, "--target-level", help="Peak level of the export, in (0, 1]."),
    no_normalize: bool = typer.Option(False, "--no-normalize", help="Skip the final peak normalisation."),
    step_ceiling: float = typer.Option(1.0, "--step-ceiling", help="Per-step peak ceiling (0.95 = session tool)."),
    no_step_limit: bool = typer.Option(False, "--no-step-limit", help="Switch the per-step limit off."),
    levels: str = typer.Option("track", "--levels", help='"track": levels of the full render; "range": normalise the excerpt alone.'),
    bits: str = typer.Option("16", "--bits", help="16, 24, or float (WAV only); MP3 is coded from 16 bits."),
    dither: bool = typer.Option(False, "--dither", help="Add TPDF dither (±1 LSB, seeded by --seed) before quantising."),
    fmt: Optional[str] = typer.Option(None, "--format", help="wav, flac or mp3 (default: from the output name)."),
    seed: int = typer.Option(0, "--seed", help="Seed for noise (same seed, same samples)."),
    data_urls: bool = typer.Option(False, "--data-urls", help=DATA_URLS_HELP),
    one_thread: bool = typer.Option(False, "--one-thread", help="Encode and write on the rendering thread (default: a second thread, overlapping the render)."),
) -> None:
    """Render a track offline to WAV, FLAC or MP3, faster than real time, with a progress bar."""
    from .offline import render_to_file

    track = _load_or_exit(file, data_urls)
    if output is None:
        output = Path(Path(track.output_filename).name or "generated_track.wav")
    if levels not in ("track", "range"):
        _fail(f'--levels: expected "track" or "range", got "{levels}"')
    columns = (TextColumn("{task.description:<10}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    # No bar when stderr is not a terminal: a log or a pipe gets only the messages.
    with Progress(*columns, console=err, transient=False, disable=not err.is_terminal) as bar:
        tasks: dict[str, int] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task({"analyse": "analysing", "render": "writing"}[phase], total=total)
            bar.update(tasks[phase], completed=done, total=total)

        try:
            result = render_to_file(
                track, output, format=fmt, bits=bits, dither=dither, progress=progress, sample_rate=sample_rate,
                start=start, duration=duration, seed=seed, levels=levels,
                target_level=None if no_normalize else target_level,
                step_ceiling=None if no_step_limit else step_ceiling, writer_thread=not one_thread,
            )
        except EntrainerError as e:
            bar.stop()
            _fail(str(e))
        except KeyboardInterrupt:
            bar.stop()
            _fail("cancelled: no output file was written", EXIT_CANCELLED)
        except OSError as e:
            bar.stop()
            _fail(f"output: cannot write {json.dumps(str(output), ensure_ascii=False)}: {e.strerror or e}", EXIT_IO)
    clipped = f", {result.clipped} samples clipped" if result.clipped else ""
    out.print(f"wrote {result.path} ({result.format.upper()}, {result.sample_rate} Hz, "
              f"{_hms(result.duration_s)}, final gain {result.levels.final_gain:.4g}{clipped})",
              highlight=False, soft_wrap=True)


@app.command()
def play(
    file: Path = typer.Argument(..., help="Track file (.json) to play."),
    output: Optional[str] = typer.Option(None, "--output", help='default, device:NAME, null or wav:PATH (default: $ENTRAINER_OUTPUT, else the sound device).'),
    sample_rate: Optional[int] = typer.Option(None, "--sample-rate", "-r", help="Stream rate in Hz (default: the track's)."),
    block_size: int = typer.Option(256, "--block-size", help="Frames per audio block (64-256 is typical)."),
    start: float = typer.Option(0.0, "--start", help="Start at this time (s)."),
    volume: float = typer.Option(1.0, "--volume", help="Master volume, 0 to 1."),
    run_for: Optional[float] = typer.Option(None, "--for", help="Stop after this many seconds."),
) -> None:
    """Play a track in real time with a live status line (space, ←/→, +/-, q)."""
    from .play import play as run

    track = _load_or_exit(file)
    try:
        underruns = run(track, output=output, sample_rate=sample_rate, block_size=block_size, start=start,
                        volume=volume, run_for=run_for, console=err)
    except EntrainerError as e:
        _fail(str(e))
    except KeyboardInterrupt:
        _fail("stopped", EXIT_CANCELLED)
    if underruns:
        err.print(f"{underruns} underruns", style="yellow")


@app.command()
def voices(name: Optional[str] = typer.Argument(None, help="One synth function (or alias) for its full parameter table.")) -> None:
    """List every synth voice with its parameters and defaults, or one voice's full table."""
    from .voices import listing
    from .voices.registry import known_names

    if name is None:
        table = Table(title="Synth voices (voices.md §3); `entrainer voices NAME` gives one voice's full table",
                      title_justify="left", show_lines=True)
        table.add_column("voice", overflow="fold", max_width=40)
        table.add_column("transition", overflow="fold")
        table.add_column("parameters and defaults", overflow="fold", ratio=1, min_width=30)
        for row in listing.overview():
            cell = row["function"]
            if row["aliases"]:
                cell += f"\n(aliases: {row['aliases']})"
            cell += f"\n{row['summary']} ({row['section']})"
            if row["status"] != "implemented":
                cell += f"\nstatus: {row['status']}"
            table.add_row(Text(cell), "yes" if row["transition"] != "–" else "no", Text(row["parameters"]))
        out.print(table)
        return
    family = listing.find(name)
    if family is None:
        _fail(f'voices: unknown synth function "{name}"; known: {", ".join(known_names())}')
    title = f"{family.name} ({family.section}): {family.summary}"
    if family.aliases:
        title += f"\naliases: {', '.join(family.aliases)}"
    if not family.has_transition:
        title += "\nno transition variant: a transition request plays this voice static"
    if not family.implemented:
        title += f"\nstatus: {family.status}"
    out.print(Text(title))
    rows = listing.parameters(family)
    if not rows:
        out.print("its parameter table comes with the voice")
        return
    table = Table()
    for col in ("key", "type", "default", "unit", "range", "transition", "plan key"):
        table.add_column(col, overflow="fold", no_wrap=col in ("key", "plan key"))
    for row in rows:
        table.add_row(*(Text(row[k]) for k in ("key", "type", "default", "unit", "range", "transition", "plan")))
    out.print(table)
    stages = listing.later_stages(family)
    if stages:
        later = Table(title="Post-stages accepted but not supported yet (voices.md §0.4)", title_justify="left")
        for col in ("stage", "section", "keys", "switched on by"):
            later.add_column(col, overflow="fold")
        for st in stages:
            later.add_row(st["stage"], st["section"], st["keys"], st["switch"])
        out.print(later)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Database, library folder (default: ~/.local/share/entrainer)."),
    database_url: Optional[str] = typer.Option(None, "--database-url", help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db (default: SQLite in the data dir)."),
    limit: list[str] = typer.Option([], "--limit", help="Override a limit: NAME=VALUE (docs/service.md), repeatable."),
) -> None:
    """Run the web service: track library, live listening sessions and the browser player."""
    try:
        from .service.config import Settings, parse_limit
        from .service.server import serve as run
    except ImportError as e:
        _fail(f"serve: the service needs its extra dependencies ({e.name} is missing); "
              "install them with: pip install 'entrainer[service]'")
    settings = Settings() if data_dir is None else Settings(data_dir=data_dir)
    limits = settings.limits
    for text in limit:
        try:
            limits = parse_limit(text, limits)
        except ValueError as e:
            _fail(str(e))
    settings = Settings(data_dir=settings.data_dir, database_url=database_url, limits=limits)
    run(settings, host=host, port=port)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("cancelled")
        sys.exit(EXIT_CANCELLED)


if __name__ == "__main__":
    main()
