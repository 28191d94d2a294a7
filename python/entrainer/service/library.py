"""The track library: stored tracks checked on the way in, cached when loaded, seeded once.

On first start the bundled example tracks (`examples/*.json`) are stored as read-only tracks
and their `.noise` presets are copied into the library folder, the only folder references
may point to. A track sent by a client gets an edit token; changing or deleting it needs
that token.
"""

from __future__ import annotations

import secrets
import shutil
import threading
from collections import OrderedDict

from ..errors import show
from .config import Settings
from .problems import E_FORBIDDEN, ApiError, not_found
from .store import Store, TrackInfo, token_hash
from .trackload import CheckedTrack, check_track

_SEEDED = "seeded"
_CACHE = 32


class Library:
    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings
        self._cache: OrderedDict[tuple[int, str], CheckedTrack] = OrderedDict()
        self._lock = threading.Lock()

    # --- first start --------------------------------------------------------------------

    def seed(self) -> list[int]:
        """Stores the bundled examples once (a database that was seeded before is left alone)."""
        lib = self.settings.library_dir
        lib.mkdir(parents=True, exist_ok=True)
        seed_dir = self.settings.seed_dir
        if seed_dir is None or not seed_dir.is_dir():
            return []
        # Presets on every start (a database may be shared by servers with their own data dirs);
        # tracks once per database.
        for preset in sorted(seed_dir.glob("*.noise")):
            target = lib / preset.name
            if not target.exists():
                shutil.copyfile(preset, target)
        if self.store.meta(_SEEDED):
            return []
        added = []
        for path in sorted(seed_dir.glob("*.json")):
            checked = check_track(path.read_bytes(), self.settings, name=path.stem)
            added.append(self._add(checked, token=None, builtin=True))
        self.store.set_meta(_SEEDED, "1")
        return added

    # --- reading ------------------------------------------------------------------------

    def info(self, track_id: int) -> TrackInfo:
        info = self.store.get(track_id)
        if info is None:
            raise not_found("track", track_id)
        return info

    def checked(self, track_id: int) -> tuple[TrackInfo, CheckedTrack]:
        """The stored track, loaded and planned (cached by id and modification time)."""
        info = self.info(track_id)
        key = (track_id, info.updated_at.isoformat())
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return info, hit
        checked = check_track(info.body, self.settings, name=info.title)
        with self._lock:
            self._cache[key] = checked
            while len(self._cache) > _CACHE:
                self._cache.popitem(last=False)
        return info, checked

    # --- writing ------------------------------------------------------------------------

    def _add(self, checked: CheckedTrack, token: str | None, builtin: bool = False) -> int:
        return self.store.add(checked.title, checked.text, checked.summary["duration_s"],
                              len(checked.summary["steps"]), checked.track.metadata.notes[:2000],
                              token=token, builtin=builtin)

    def create(self, body: bytes, name: str | None = None) -> tuple[int, str, CheckedTrack]:
        checked = check_track(body, self.settings, name=name)
        token = secrets.token_urlsafe(32)
        return self._add(checked, token), token, checked

    def _authorise(self, track_id: int, token: str) -> None:
        owner = self.store.owner_hash(track_id)
        if owner is None:
            raise not_found("track", track_id)
        builtin, digest = owner
        if builtin:
            raise ApiError.one(403, E_FORBIDDEN, "track",
                               f"track {track_id} is a bundled example and cannot be changed; "
                               "send a copy with POST /api/tracks instead")
        if digest is None or not secrets.compare_digest(digest, token_hash(token)):
            raise ApiError.one(403, E_FORBIDDEN, "Authorization",
                               f"this token does not allow changing track {show(track_id)}")

    def replace(self, track_id: int, token: str, body: bytes, name: str | None = None) -> CheckedTrack:
        self._authorise(track_id, token)
        checked = check_track(body, self.settings, name=name)
        self.store.replace(track_id, checked.title, checked.text, checked.summary["duration_s"],
                           len(checked.summary["steps"]), checked.track.metadata.notes[:2000])
        return checked

    def delete(self, track_id: int, token: str) -> None:
        self._authorise(track_id, token)
        self.store.delete(track_id)
