"""What every route needs: the running service's parts, the caller's address and token."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from .audio import RenderLoad
from .config import Settings
from .levels import LevelMeasurer
from .library import Library
from .problems import E_AUTH, ApiError
from .scheduler import DeadlinePool
from .sessions import Sessions
from .store import Store


@dataclass
class Service:
    settings: Settings
    store: Store
    library: Library
    sessions: Sessions
    render_pool: DeadlinePool
    levels: LevelMeasurer
    load: RenderLoad


def service(request: Request) -> Service:
    return request.app.state.service


def client_of(request: Request) -> str:
    """The caller, for per-client quotas: its address (uvicorn applies trusted proxy headers)."""
    return request.client.host if request.client else "unknown"


def bearer(request: Request, required: bool = True) -> str | None:
    """The token of `Authorization: Bearer <token>`; 401 when it is missing or malformed."""
    header = request.headers.get("authorization")
    if header is None:
        if not required:
            return None
        raise ApiError.one(401, E_AUTH, "Authorization", 'expected "Bearer <token>", got nothing',
                           headers={"WWW-Authenticate": "Bearer"})
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() == "bearer" and not token.strip():
        raise ApiError.one(401, E_AUTH, "Authorization", 'expected "Bearer <token>", got "Bearer" with no token',
                           headers={"WWW-Authenticate": "Bearer"})
    if scheme.lower() != "bearer":
        shown = scheme if len(scheme) <= 20 else scheme[:19] + "…"
        raise ApiError.one(401, E_AUTH, "Authorization", f'expected "Bearer <token>", got a "{shown}" header',
                           headers={"WWW-Authenticate": "Bearer"})
    return token.strip()
