"""REST routes of listening sessions: create, status, pause, resume, seek, gain, update, stop.

Creating a session answers its id and a secret token; every other route needs
`Authorization: Bearer <token>`. Controls are rate-limited per session (429).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ..jsonload import loads
from . import limits
from .context import Service, bearer, client_of, service
from .problems import E_REQUEST, ApiError
from .sessions import Session
from .trackload import check_document

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateSession(_Body):
    track_id: int = Field(description="A track of the library")
    position_s: float = Field(0.0, ge=0, description="Where to start")
    gain: float = Field(1.0, ge=0, le=1)


class Seek(_Body):
    position_s: float = Field(ge=0, description="Timeline position in seconds")


class Gain(_Body):
    gain: float = Field(ge=0, le=1, description="Linear gain, ramped over 20 ms")


class Update(_Body):
    track_id: int | None = Field(None, description="Play this stored track from the same position")
    track: dict[str, Any] | None = Field(None, description="…or this track, sent inline (checked like POST /api/tracks)")


def _links(session: Session) -> dict:
    base = f"/api/sessions/{session.id}"
    return {"audio": {fmt: f"{base}/audio?format={fmt}&token={session.token}" for fmt in ("mp3", "opus", "wav")},
            "ws": f"{base}/ws?token={session.token}"}


def _session(request: Request, sid: str, svc: Service) -> Session:
    return svc.sessions.get(sid, bearer(request))


@router.post("", status_code=201, summary="Start a listening session for a track")
def create_session(body: CreateSession, request: Request, svc: Service = Depends(service)) -> JSONResponse:
    info, checked = svc.library.checked(body.track_id)
    session = svc.sessions.create(client_of(request), info.id, info.title, checked)
    try:
        if body.position_s:
            session.seek(body.position_s)
        if body.gain != 1.0:
            session.set_gain(body.gain)
    except ApiError:
        svc.sessions.remove(session)
        raise
    return JSONResponse({"id": session.id, "token": session.token, "track_id": info.id,
                         "sample_rate": session.sample_rate, "duration_s": session.end_frames / session.sample_rate,
                         **_links(session)}, status_code=201)


@router.get("/{sid}", summary="A session's status")
def get_session(sid: str, request: Request, svc: Service = Depends(service)) -> dict:
    return _session(request, sid, svc).status()


@router.post("/{sid}/pause", summary="Pause (20 ms fade; the position is kept)")
def pause(sid: str, request: Request, svc: Service = Depends(service)) -> dict:
    s = _session(request, sid, svc)
    s.allow_control()
    s.pause()
    return s.status()


@router.post("/{sid}/resume", summary="Resume (20 ms fade-in)")
def resume(sid: str, request: Request, svc: Service = Depends(service)) -> dict:
    s = _session(request, sid, svc)
    s.allow_control()
    s.resume()
    return s.status()


@router.post("/{sid}/seek", summary="Jump to a position (10 ms fades)")
def seek(sid: str, body: Seek, request: Request, svc: Service = Depends(service)) -> dict:
    s = _session(request, sid, svc)
    s.allow_control()
    s.seek(body.position_s)
    return s.status()


@router.post("/{sid}/gain", summary="Set the volume (20 ms ramp)")
def gain(sid: str, body: Gain, request: Request, svc: Service = Depends(service)) -> dict:
    s = _session(request, sid, svc)
    s.allow_control()
    s.set_gain(body.gain)
    return s.status()


@router.post("/{sid}/update", summary="Replace the track while playing (50 ms crossfade, same position)")
async def update(sid: str, request: Request, svc: Service = Depends(service)) -> dict:
    s = _session(request, sid, svc)
    s.allow_control()
    raw = await request.body()
    return await run_in_threadpool(_update, s, raw, svc)


def _update(s: Session, raw: bytes, svc: Service) -> dict:
    from ..errors import TrackError, show

    limits.check_depth(raw, svc.settings.limits)
    try:
        doc = loads(raw, "the request")
    except TrackError as e:
        raise ApiError.from_track(e) from None
    try:
        body = Update.model_validate(doc)
    except Exception:
        keys = list(doc) if isinstance(doc, dict) else doc
        raise ApiError.one(422, E_REQUEST, "(body)",
                           f'expected {{"track_id": <id>}} or {{"track": <track object>}}, got {show(keys)}') from None
    if (body.track_id is None) == (body.track is None):
        raise ApiError.one(422, E_REQUEST, "(body)",
                           'expected exactly one of "track_id" and "track", got '
                           + ("both" if body.track is not None else "neither"))
    if body.track_id is not None:
        info, checked = svc.library.checked(body.track_id)
        track_id, title = info.id, info.title
    else:
        checked = check_document(body.track, "", svc.settings, name="Edited track")
        track_id, title = s.track_id, checked.title
    s.update(track_id, title, checked)
    return s.status()


@router.post("/{sid}/stop", summary="Stop and forget the session")
def stop(sid: str, request: Request, svc: Service = Depends(service)) -> dict:
    s = _session(request, sid, svc)
    svc.sessions.remove(s)
    return s.status()
