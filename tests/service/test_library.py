"""The library in-process: seeding once, the SQLite store, the cache of loaded tracks."""

from __future__ import annotations

import json

import pytest

from entrainer.service.config import Settings
from entrainer.service.library import Library
from entrainer.service.problems import ApiError
from entrainer.service.store import Store

from .conftest import tone_track


@pytest.fixture
def library(tmp_path):
    settings = Settings(data_dir=tmp_path)
    store = Store(settings.url)
    yield Library(store, settings)
    store.close()


def test_seeding_happens_once_and_copies_the_presets(library, tmp_path):
    first = library.seed()
    assert first and library.seed() == []
    assert (tmp_path / "library" / "soft-pink.noise").is_file()
    assert (tmp_path / "entrainer.db").is_file()
    rows = library.store.list()
    assert [r.id for r in rows] == first and all(r.builtin for r in rows)


def test_create_replace_delete_and_the_cache(library):
    tid, token, checked = library.create(json.dumps(tone_track(10.0)).encode())
    info, again = library.checked(tid)
    assert info.title == "Test tone" and again.summary["duration_s"] == 10.0
    assert library.checked(tid)[1] is again                       # cached
    library.replace(tid, token, json.dumps(tone_track(20.0)).encode())
    assert library.checked(tid)[1].summary["duration_s"] == 20.0   # the cache follows changes
    assert library.store.get(tid).body == json.dumps(tone_track(20.0))
    with pytest.raises(ApiError) as e:
        library.delete(tid, "wrong")
    assert e.value.status == 403
    library.delete(tid, token)
    with pytest.raises(ApiError) as e:
        library.checked(tid)
    assert e.value.status == 404 and e.value.message == f"track: no track with id {tid}"


def test_the_edit_token_is_not_stored(library):
    tid, token, _ = library.create(json.dumps(tone_track(5.0)).encode())
    raw = b"".join(p.read_bytes() for p in library.settings.data_dir.glob("entrainer.db*"))
    assert token.encode() not in raw
