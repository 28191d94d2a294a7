"""Runs the service under uvicorn (the `entrainer serve` command)."""

from __future__ import annotations

import logging

from .app import create_app
from .config import Settings


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    import uvicorn

    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # One worker: sessions and their streams live in this process. Proxy headers are trusted
    # from loopback only (uvicorn's default), so per-client quotas see the real address.
    from uvicorn.config import WS_PROTOCOLS

    ws = "websockets-sansio" if "websockets-sansio" in WS_PROTOCOLS else "websockets"
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, workers=1,
                ws=ws, timeout_graceful_shutdown=3)
