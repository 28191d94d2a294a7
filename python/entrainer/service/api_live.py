"""The live routes of a session: its audio stream and its WebSocket.

Both take the token as a query parameter (`?token=`), since an `<audio>` element and the
browser's WebSocket cannot send headers. The WebSocket pushes the status several times a second
and accepts the same controls as the REST routes, as JSON messages.
"""

from __future__ import annotations

import asyncio
import json
import time

from fastapi import APIRouter, Depends, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from ..errors import E_FORMAT, show
from .audio import live_audio
from .context import Service, service
from .encoders import FORMATS, make_encoder
from .problems import E_LIMIT, E_REQUEST, ApiError, as_json
from .sessions import Session

router = APIRouter(prefix="/api/sessions", tags=["live"])

#: WebSocket connections per session (a page, a phone, a remote: a few are plenty).
WS_PER_SESSION = 4


@router.get("/{sid}/audio", summary="The session's live audio (for an <audio> element)",
            response_class=StreamingResponse,
            responses={200: {"content": {"audio/mpeg": {}, "audio/ogg": {}, "audio/wav": {}}}})
async def audio(sid: str, request: Request, format: str = Query("mp3", description="mp3, opus or wav"),
                token: str | None = Query(None, description="The session token"),
                at: float | None = Query(None, ge=0, description="Start here (s); default: where the "
                                                               "listener was, or the last seek"),
                svc: Service = Depends(service)):
    session = svc.sessions.get(sid, token)
    if format not in FORMATS:
        raise ApiError.one(422, E_FORMAT, "format",
                           f'expected "mp3", "opus" or "wav", got {show(format)}')
    start = session.check_position(at, "at") if at is not None else session.start_position()
    svc.sessions.open_stream(session, svc.load.saturated)
    try:
        encoder = make_encoder(format, session.sample_rate, mp3_kbps=svc.settings.mp3_kbps,
                               mp3_quality=svc.settings.mp3_quality, opus_kbps=svc.settings.opus_kbps)
        generation = await svc.render_pool.run(time.monotonic(), session.attach, start)
    except BaseException:
        session.listening = False
        raise
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
               "X-Entrainer-Start": f"{start / session.sample_rate:.3f}", "Accept-Ranges": "none"}
    return StreamingResponse(live_audio(session, generation, encoder, svc.settings, svc.render_pool, svc.load),
                             media_type=encoder.media_type, headers=headers)


def _control(session: Session, message: dict, svc: Service) -> None:
    kind = message.get("type")
    session.allow_control()
    if kind == "pause":
        session.pause()
    elif kind == "resume":
        session.resume()
    elif kind == "seek":
        session.seek(_number(message, "position_s"))
    elif kind == "gain":
        g = _number(message, "gain")
        if not 0 <= g <= 1:
            raise ApiError.one(422, E_REQUEST, "gain.gain", f"expected a number from 0 to 1, got {show(message.get('gain'))}")
        session.set_gain(g)
    elif kind == "stop":
        svc.sessions.remove(session)
    else:
        raise ApiError.one(422, E_REQUEST, "type",
                           f'expected "pause", "resume", "seek", "gain" or "stop", got {show(kind)}')


def _number(message: dict, key: str) -> float:
    v = message.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ApiError.one(422, E_REQUEST, f"{message.get('type')}.{key}",
                           f"expected a number, got {'nothing' if v is None else show(v)}")
    return float(v)


@router.websocket("/{sid}/ws")
async def session_socket(websocket: WebSocket, sid: str, token: str | None = None):
    svc: Service = websocket.app.state.service
    try:
        session = svc.sessions.get(sid, token)
        if session.sockets >= WS_PER_SESSION:
            raise ApiError.one(429, E_LIMIT, "(session)",
                               f"expected at most {WS_PER_SESSION} WebSocket connections per session, "
                               f"got {session.sockets + 1}")
    except ApiError as e:
        # Answer the handshake with the same status and body as the REST routes.
        await websocket.send_denial_response(JSONResponse(e.body(), status_code=e.status))
        return
    await websocket.accept()
    session.sockets += 1
    period = 1.0 / svc.settings.status_hz

    async def push():
        try:
            while True:
                await websocket.send_json(session.status())
                if session.stopped:
                    await websocket.close(code=1000, reason="session stopped")
                    return
                await asyncio.sleep(period)
        except (WebSocketDisconnect, RuntimeError, OSError):
            return                      # the client went away; the receiving side notices too

    pusher = asyncio.create_task(push())
    try:
        while True:
            text = await websocket.receive_text()
            session.touch()
            try:
                message = json.loads(text)
                if not isinstance(message, dict):
                    raise ApiError.one(422, E_REQUEST, "(message)",
                                       f'expected an object like {{"type": "pause"}}, got {show(message)}')
                await run_in_threadpool(_control, session, message, svc)
                await websocket.send_json({"type": "ack", "request": message.get("type"),
                                           "at": time.time(), "status": session.status()})
            except json.JSONDecodeError as e:
                await websocket.send_json({"type": "error", "message": f"(message): invalid JSON: {e.msg}",
                                           "errors": [{"code": "E_JSON", "location": "(message)",
                                                       "text": f"invalid JSON: {e.msg}"}]})
            except ApiError as e:
                await websocket.send_json({"type": "error", "status": e.status, "message": e.message,
                                           "errors": [as_json(d) for d in e.diagnostics]})
    except (WebSocketDisconnect, RuntimeError):
        pass                            # closed by the client, or by us after a stop
    finally:
        session.sockets -= 1
        pusher.cancel()
