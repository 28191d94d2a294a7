"""The SQL store on each backend: SQLite always; PostgreSQL when ENTRAINER_TEST_DATABASE_URL
names a database the test may wipe (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/entrainer_test).
The code path is the same; only the URL differs (docs/service.md, PostgreSQL)."""

from __future__ import annotations

import os
from datetime import timezone

import pytest

from entrainer.service.store import Base, Store, token_hash

PG = os.environ.get("ENTRAINER_TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not PG, reason="set ENTRAINER_TEST_DATABASE_URL to a PostgreSQL database to test it"))]


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}" if request.param == "sqlite" else PG
    s = Store(url)
    Base.metadata.drop_all(s.engine)
    Base.metadata.create_all(s.engine)
    yield s
    s.close()


def test_tracks_round_trip(store):
    body = '{"progression": [{"duration": 1, "voices": []}], "x": "é ✓"}'
    a = store.add("First", body, 1.0, 1, notes="n", token="secret")
    b = store.add("Example", body, 2.0, 1, builtin=True)
    assert [t.title for t in store.list()] == ["Example", "First"]          # examples first
    got = store.get(a)
    assert got.body == body and got.duration_s == 1.0 and got.updated_at.tzinfo == timezone.utc
    assert store.owner_hash(a) == (False, token_hash("secret")) and store.owner_hash(b) == (True, None)
    assert store.replace(a, "Renamed", body, 3.0, 2, "")
    assert store.get(a).title == "Renamed" and store.get(a).steps == 2
    assert store.delete(a) and store.get(a) is None and not store.delete(a)
    assert store.owner_hash(a) is None


def test_meta(store):
    assert store.meta("seeded") is None
    store.set_meta("seeded", "1")
    store.set_meta("seeded", "2")
    assert store.meta("seeded") == "2"
