"""The FastAPI application factory: store, library, sessions, render threads, routes, web page.

`create_app(settings)` builds everything lazily in the lifespan, so an app object can be made
without touching the disk (tests, OpenAPI export). Sessions live in this process: run a single
uvicorn worker (docs/service.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from .. import __version__
from . import api_live, api_sessions, api_tracks, problems
from .audio import RenderLoad
from .bodylimit import BodyLimit
from .config import Settings
from .context import Service
from .levels import LevelMeasurer
from .library import Library
from .scheduler import DeadlinePool
from .sessions import Sessions
from .store import Store

log = logging.getLogger("entrainer.service")

#: How often idle sessions are looked for.
_REAP_S = 10.0
#: A connection that sent nothing for this long (and is not paused) is counted as gone.
_STALE_S = 60.0


async def _reaper(svc: Service) -> None:
    every = min(_REAP_S, svc.settings.session_idle_s / 2)
    while True:
        await asyncio.sleep(every)
        now = time.monotonic()
        for s in svc.sessions.all():
            if getattr(s, "listening", False) and not s.paused and now - s.last_active > _STALE_S:
                s.detach(s.generation)
        for s in svc.sessions.idle(now):
            log.info("stopping idle session %s", s.id)
            await asyncio.to_thread(svc.sessions.remove, s)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = Store(settings.url)
        library = Library(store, settings)
        levels = LevelMeasurer(settings.measure_levels)
        pool = DeadlinePool(settings.render_threads)
        svc = Service(settings, store, library, Sessions(settings), pool, levels, RenderLoad(settings.lead_s, pool))
        app.state.service = svc
        await asyncio.to_thread(library.seed)
        levels.start()
        for info in store.list():          # measure what is not measured yet (cached on disk)
            with contextlib.suppress(Exception):
                _, checked = library.checked(info.id)
                levels.submit(checked.plan, checked.sample_rate)
        reaper = asyncio.create_task(_reaper(svc))
        try:
            yield
        finally:
            reaper.cancel()
            await asyncio.to_thread(svc.sessions.stop_all)
            svc.render_pool.shutdown()
            levels.stop()
            store.close()

    app = FastAPI(title="Entrainer", version=__version__, lifespan=lifespan,
                  description="Brainwave-entrainment tracks rendered live for each listener. "
                              "Errors answer with located lines: see docs/service.md.")
    problems.install(app)
    app.add_middleware(BodyLimit, limits=settings.limits)

    @app.get("/api/health", tags=["service"], summary="Liveness and a few counters")
    def health() -> dict:
        svc: Service = app.state.service
        sessions = svc.sessions.all()
        return {"status": "ok", "version": __version__,
                "database": svc.store.engine.dialect.name,
                "sessions": len(sessions),
                "streams": sum(1 for s in sessions if getattr(s, "listening", False)),
                "levels_pending": svc.levels.pending,
                "buffered_s": round(svc.load.margin_s, 2), "saturated": svc.load.saturated,
                "render_queue": svc.render_pool.queued, "render_utilisation": round(svc.load.utilisation, 3)}

    app.include_router(api_tracks.router)
    app.include_router(api_sessions.router)
    app.include_router(api_live.router)

    web = settings.web_dir
    if web.is_dir():
        @app.get("/", include_in_schema=False)
        def index() -> FileResponse:
            return FileResponse(web / "index.html", headers={"Cache-Control": "no-cache"})

        app.mount("/", StaticFiles(directory=web), name="web")
    return app
