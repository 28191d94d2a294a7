"""File references (format.md §6): from a string in a file to a checked file inside a root.

Resolution never opens a path outside the allowed roots. Absolute paths (the legacy
editor stored the author's own) are never opened as given: their last component is looked
up next to the referring file, then in each root. Everything is canonicalised (`..` and
symbolic links resolved) and checked component by component, and the canonical path that
was checked is the one returned, so nothing resolves it again later.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import (E_REF_NO_BASE, E_REF_NOT_FOUND, E_REF_OUTSIDE, E_REF_SCHEME,
                     E_REF_UNREADABLE, W_REF_RELOCATED, Report, show)

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+:")    # two letters or more: not a drive
_DRIVE = re.compile(r"^[A-Za-z]:")
_DATA = re.compile(r"^data:([^;,]*)((?:;[^;,]*)*?);base64,(.*)$", re.DOTALL)


@dataclass(frozen=True)
class RefContext:
    """Where references of one file are resolved."""

    folder: Path | None                  # folder of the referring file (None: none given)
    roots: tuple[Path, ...]              # canonical allowed roots
    allow_data_urls: bool = False
    near: str = "next to the track"      # how messages name `folder`


@dataclass(frozen=True)
class Target:
    """A resolved reference: a canonical path inside a root, or the bytes of a data: URL."""

    path: Path | None = None
    data: bytes | None = None
    media_type: str | None = None


def canonical_roots(folders) -> tuple[Path, ...]:
    """Canonical forms of the allowed roots, without duplicates, in the order given."""
    out: list[Path] = []
    for folder in folders:
        p = Path(os.path.realpath(folder))
        if p not in out:
            out.append(p)
    return tuple(out)


def _inside(path: Path, roots: tuple[Path, ...]) -> bool:
    # Component by component: "/srv/lib-evil" is not inside "/srv/lib".
    return any(path.parts[: len(r.parts)] == r.parts for r in roots)


def _data_url(ref: str, location: str, report: Report) -> Target | None:
    m = _DATA.match(ref)
    if m is None:
        report.error(E_REF_UNREADABLE, location,
                     f"expected a data:<media type>;base64,<payload> URL, got {show(ref)}")
        return None
    try:
        data = base64.b64decode(m.group(3), validate=True)
    except (binascii.Error, ValueError):
        report.error(E_REF_UNREADABLE, location, "the base64 payload of the data: URL is invalid")
        return None
    return Target(data=data, media_type=m.group(1) or None)


def resolve(ref: str, location: str, ctx: RefContext, report: Report,
            data_ok: bool = False) -> Target | None:
    """Resolve `ref` (format.md §6.2). None: no reference ("") or an error was reported.

    `data_ok` says whether this key may hold a data: URL at all (clips only); the context
    says whether the caller allows them.
    """
    if ref == "":
        return None
    expected = "a file path or a data: URL" if data_ok else "a file path"
    if ref.startswith("data:"):
        if data_ok and ctx.allow_data_urls:
            return _data_url(ref, location, report)
        report.error(E_REF_SCHEME, location,
                     f"expected a file path, got {show(ref)} (data: URLs are not allowed here)")
        return None
    if _SCHEME.match(ref):
        report.error(E_REF_SCHEME, location, f"expected {expected}, got {show(ref)}")
        return None
    path = ref.replace("\\", "/")                   # the legacy editor ran mostly on Windows
    if path.startswith("/") or _DRIVE.match(path):
        return _relocate(ref, path, location, ctx, report)
    if ctx.folder is None:
        report.error(E_REF_NO_BASE, location,
                     "a relative reference needs a base folder; none was given")
        return None
    canonical = Path(os.path.realpath(ctx.folder / path))
    if not _inside(canonical, ctx.roots):
        report.error(E_REF_OUTSIDE, location, f"{show(ref)} resolves outside the allowed folders")
        return None
    if not canonical.is_file():
        report.error(E_REF_NOT_FOUND, location, f"file {show(path)} not found {ctx.near}")
        return None
    return Target(path=canonical)


def _relocate(ref: str, path: str, location: str, ctx: RefContext,
              report: Report) -> Target | None:
    """An absolute path: look for its last component next to the file, then in each root."""
    if ctx.folder is None and not ctx.roots:
        report.error(E_REF_NO_BASE, location,
                     "an absolute reference is looked up by its file name, which needs a base "
                     "folder; none was given")
        return None
    name = path.rstrip("/").rsplit("/", 1)[-1]
    places = [] if ctx.folder is None else [(Path(os.path.realpath(ctx.folder)), ctx.near)]
    places += [(root, f'in the library folder "{root.name}"') for root in ctx.roots
               if all(root != folder for folder, _ in places)]
    if name not in ("", ".", ".."):
        for folder, where in places:
            candidate = folder / name
            if not candidate.is_file():
                continue
            canonical = Path(os.path.realpath(candidate))
            if not _inside(canonical, ctx.roots):
                report.error(E_REF_OUTSIDE, location, f"{show(ref)} resolves outside the allowed folders")
                return None
            report.warn(W_REF_RELOCATED, location,
                        f'{show(ref)} is an absolute path; using "{name}" found {where}')
            return Target(path=canonical)
    in_folder = ctx.folder is not None
    searched = [ctx.near] if in_folder else []
    if len(places) > int(in_folder):
        searched.append("in the library")
    report.error(E_REF_NOT_FOUND, location, f"file {show(name)} not found {' or '.join(searched)}")
    return None


def read_bytes(target: Target, ref: str, location: str, report: Report) -> bytes | None:
    """The content of a resolved reference; E_REF_UNREADABLE when the file cannot be read."""
    if target.data is not None:
        return target.data
    try:
        return target.path.read_bytes()
    except OSError as e:
        report.error(E_REF_UNREADABLE, location, f"cannot read {show(ref)}: {e.strerror or e}")
        return None
