"""The track library in a SQL database through SQLAlchemy: SQLite by default, PostgreSQL by URL.

One code path for both: the same tables, the same queries, only the URL differs. A track row
keeps the JSON exactly as it was sent, a few summary columns for the library list, and, for
tracks sent by a client, the SHA-256 of the edit token that client received (the token itself
is never stored). Bundled examples are `builtin` and read-only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Boolean, DateTime, Float, Integer, String, Text, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class TrackRow(Base):
    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    token_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    duration_s: Mapped[float] = mapped_column(Float)
    steps: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MetaRow(Base):
    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class TrackInfo:
    id: int
    title: str
    builtin: bool
    duration_s: float
    steps: int
    notes: str
    updated_at: datetime
    body: str | None = None

    def listing(self) -> dict:
        return {"id": self.id, "title": self.title, "builtin": self.builtin, "duration_s": self.duration_s,
                "steps": self.steps, "notes": self.notes, "updated_at": self.updated_at.isoformat()}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _info(row: TrackRow, with_body: bool = False) -> TrackInfo:
    # SQLite gives naive datetimes back, PostgreSQL its session time zone: both become UTC.
    updated = (row.updated_at.replace(tzinfo=timezone.utc) if row.updated_at.tzinfo is None
               else row.updated_at.astimezone(timezone.utc))
    return TrackInfo(row.id, row.title, row.builtin, row.duration_s, row.steps, row.notes or "", updated,
                     row.body if with_body else None)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _):  # WAL: readers do not wait for the writer
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()
        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """Track CRUD. Every method opens and closes its own database session."""

    def __init__(self, url: str):
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    # --- meta ---------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        with self._session() as s:
            row = s.get(MetaRow, key)
            return None if row is None else row.value

    def set_meta(self, key: str, value: str) -> None:
        with self._session.begin() as s:
            row = s.get(MetaRow, key)
            if row is None:
                s.add(MetaRow(key=key, value=value))
            else:
                row.value = value

    # --- tracks -------------------------------------------------------------------------

    def list(self) -> list[TrackInfo]:
        with self._session() as s:
            rows = s.scalars(select(TrackRow).order_by(TrackRow.builtin.desc(), TrackRow.id)).all()
            return [_info(r) for r in rows]

    def get(self, track_id: int) -> TrackInfo | None:
        with self._session() as s:
            row = s.get(TrackRow, track_id)
            return None if row is None else _info(row, with_body=True)

    def add(self, title: str, body: str, duration_s: float, steps: int, notes: str = "",
            token: str | None = None, builtin: bool = False) -> int:
        now = _now()
        row = TrackRow(title=title, body=body, builtin=builtin, duration_s=duration_s, steps=steps,
                       notes=notes, token_sha256=None if token is None else token_hash(token),
                       created_at=now, updated_at=now)
        with self._session.begin() as s:
            s.add(row)
            s.flush()
            return row.id

    def replace(self, track_id: int, title: str, body: str, duration_s: float, steps: int, notes: str) -> bool:
        with self._session.begin() as s:
            row = s.get(TrackRow, track_id)
            if row is None:
                return False
            row.title, row.body, row.duration_s, row.steps, row.notes = title, body, duration_s, steps, notes
            row.updated_at = _now()
            return True

    def delete(self, track_id: int) -> bool:
        with self._session.begin() as s:
            row = s.get(TrackRow, track_id)
            if row is None:
                return False
            s.delete(row)
            return True

    def owner_hash(self, track_id: int) -> tuple[bool, str | None] | None:
        """(builtin, token hash) of a track, or None when there is no such track."""
        with self._session() as s:
            row = s.get(TrackRow, track_id)
            return None if row is None else (row.builtin, row.token_sha256)
