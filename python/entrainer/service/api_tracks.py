"""REST routes of the track library: list, get, create (JSON or upload), update, delete, validate.

Track bodies are read raw and decoded by Entrainer's strict JSON reader, not by FastAPI, so
duplicate keys, `NaN` and bad UTF-8 give the same located errors as the CLI.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from .context import Service, bearer, service
from .problems import as_json
from .timeline import describe
from .trackload import CheckedTrack, check_track

router = APIRouter(prefix="/api", tags=["tracks"])

TRACK_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "description": "A track file: the legacy `global_settings`/`steps` layout or the v2 "
                                     "`global`/`progression` layout (docs/service.md)."}}}}}
UPLOAD_LIMIT_NOTE = "The whole request is bounded by the request-body limit (8 MiB by default)."


def _summary(checked: CheckedTrack) -> dict:
    s = checked.summary
    return {"title": checked.title, "duration_s": s["duration_s"], "sample_rate": s["sample_rate_hz"],
            "stream_rate": checked.sample_rate, "steps": s["steps"], "voices": s["voices"],
            "functions": s["functions"], "background_noise": s["background_noise"],
            "warnings": [as_json(w) for w in checked.track.warnings]}


@router.get("/tracks", summary="List the library")
def list_tracks(svc: Service = Depends(service)) -> dict:
    return {"tracks": [t.listing() for t in svc.library.store.list()]}


@router.post("/tracks", status_code=201, summary="Store a track sent as JSON", openapi_extra=TRACK_BODY)
async def create_track(request: Request, svc: Service = Depends(service)):
    body = await request.body()
    name = request.query_params.get("name")
    return await run_in_threadpool(_create, svc, body, name)


@router.post("/tracks/upload", status_code=201, summary="Store a track sent as a file (multipart)",
             description=UPLOAD_LIMIT_NOTE)
async def upload_track(file: UploadFile, svc: Service = Depends(service)):
    body = await file.read()
    stem = (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0] or None
    return await run_in_threadpool(_create, svc, body, stem)


def _create(svc: Service, body: bytes, name: str | None) -> JSONResponse:
    track_id, token, checked = svc.library.create(body, name)
    svc.levels.submit(checked.plan, checked.sample_rate)
    return JSONResponse({"id": track_id, "token": token, **_summary(checked)}, status_code=201)


@router.post("/tracks/validate", summary="Check a track without storing it", openapi_extra=TRACK_BODY)
async def validate_track(request: Request, svc: Service = Depends(service)) -> dict:
    body = await request.body()
    checked = await run_in_threadpool(check_track, body, svc.settings)
    return {"valid": True, **_summary(checked)}


@router.get("/tracks/{track_id}", summary="A track's summary")
def get_track(track_id: int, svc: Service = Depends(service)) -> dict:
    info, checked = svc.library.checked(track_id)
    return {**info.listing(), **_summary(checked), "title": info.title}


@router.get("/tracks/{track_id}/json", summary="A track file as it was stored")
def get_track_json(track_id: int, svc: Service = Depends(service)) -> Response:
    info = svc.library.info(track_id)
    return Response(info.body, media_type="application/json")


@router.get("/tracks/{track_id}/timeline", summary="Steps and beat frequencies over time")
def get_timeline(track_id: int, svc: Service = Depends(service)) -> dict:
    info, checked = svc.library.checked(track_id)
    return {"id": track_id, "title": info.title, **describe(checked.plan, checked.sample_rate)}


@router.put("/tracks/{track_id}", summary="Replace a track (needs its edit token)", openapi_extra=TRACK_BODY)
async def replace_track(track_id: int, request: Request, svc: Service = Depends(service)) -> dict:
    token = bearer(request)
    body = await request.body()
    checked = await run_in_threadpool(svc.library.replace, track_id, token, body, request.query_params.get("name"))
    svc.levels.submit(checked.plan, checked.sample_rate)
    return {"id": track_id, **_summary(checked)}


@router.delete("/tracks/{track_id}", status_code=204, summary="Delete a track (needs its edit token)")
def delete_track(track_id: int, request: Request, svc: Service = Depends(service)) -> Response:
    svc.library.delete(track_id, bearer(request))
    return Response(status_code=204)

