"""The `entrainer` command: validate and render track files (typer + rich).

Every error a user can cause ends in one located message on stderr and exit status 2 (bad
input) or 1 (I/O failure), never a traceback. Ctrl-C exits with 130 and leaves no file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

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
    err.print(message, markup=False, highlight=False)
    raise typer.Exit(code)


def _print_warnings(track) -> None:
    for w in getattr(track, "warnings", []) or []:
        err.print(f"warning: {w}", markup=False, highlight=False, style="yellow")


def _load_or_exit(file: Path):
    from .loader import load_track

    try:
        track = load_track(file)
    except EntrainerError as e:
        _fail(str(e))
    _print_warnings(track)
    return track


def _hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


@app.command()
def validate(file: Path = typer.Argument(..., help="Track file (.json) to check.")) -> None:
    """Check a track file and print a one-screen summary, or every error with its location."""
    from .plan import track_summary

    track = _load_or_exit(file)
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
              f"{len(summary['steps'])} steps, {summary['voices']} voices; functions: {used}", highlight=False)


@app.command()
def render(
    file: Path = typer.Argument(..., help="Track file (.json) to render."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output .wav or .flac (default: the track's output_filename)."),
    sample_rate: Optional[int] = typer.Option(None, "--sample-rate", "-r", help="Render rate in Hz (default: the track's)."),
    start: float = typer.Option(0.0, "--start", help="Render an excerpt starting at this time (s)."),
    duration: Optional[float] = typer.Option(None, "--duration", help="Excerpt length (s); default: to the end."),
    target_level: float = typer.Option(0.25, "--target-level", help="Peak level of the export, in (0, 1]."),
    no_normalize: bool = typer.Option(False, "--no-normalize", help="Skip the final peak normalisation."),
    step_ceiling: float = typer.Option(1.0, "--step-ceiling", help="Per-step peak ceiling (0.95 = session tool)."),
    no_step_limit: bool = typer.Option(False, "--no-step-limit", help="Switch the per-step limit off."),
    levels: str = typer.Option("track", "--levels", help='"track": levels of the full render; "range": normalise the excerpt alone.'),
    bits: str = typer.Option("16", "--bits", help="16, 24, or float (WAV only)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="wav or flac (default: from the output name)."),
    seed: int = typer.Option(0, "--seed", help="Seed for noise (same seed, same samples)."),
) -> None:
    """Render a track offline to WAV or FLAC, faster than real time, with a progress bar."""
    from .offline import render_to_file

    track = _load_or_exit(file)
    if output is None:
        output = Path(Path(track.output_filename).name or "generated_track.wav")
    if levels not in ("track", "range"):
        _fail(f'--levels: expected "track" or "range", got "{levels}"')
    columns = (TextColumn("{task.description:<10}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=False, disable=not err.is_terminal and "pytest" in sys.modules) as bar:
        tasks: dict[str, int] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task({"analyse": "analysing", "render": "writing"}[phase], total=total)
            bar.update(tasks[phase], completed=done, total=total)

        try:
            result = render_to_file(
                track, output, format=fmt, bits=bits, progress=progress, sample_rate=sample_rate,
                start=start, duration=duration, seed=seed, levels=levels,
                target_level=None if no_normalize else target_level,
                step_ceiling=None if no_step_limit else step_ceiling,
            )
        except EntrainerError as e:
            bar.stop()
            _fail(str(e))
        except KeyboardInterrupt:
            bar.stop()
            _fail("cancelled: no output file was written", EXIT_CANCELLED)
        except OSError as e:
            bar.stop()
            _fail(f"output: cannot write {str(output)!r}: {e.strerror or e}", EXIT_IO)
    clipped = f", {result.clipped} samples clipped" if result.clipped else ""
    out.print(f"wrote {result.path} ({result.format.upper()}, {result.sample_rate} Hz, "
              f"{_hms(result.duration_s)}, final gain {result.levels.final_gain:.4g}{clipped})", highlight=False)


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
