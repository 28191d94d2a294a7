"""Runs the service under uvicorn (the `entrainer serve` command)."""

from __future__ import annotations

import logging
import re

from .app import create_app
from .config import Settings

_TOKEN = re.compile(r"(token=)[^&\s]+")


class RedactTokens(logging.Filter):
    """Access-log lines show `token=…` instead of the secret (audio and WebSocket URLs carry it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_TOKEN.sub(r"\1…", a) if isinstance(a, str) else a for a in record.args)
        return True


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    import uvicorn

    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # One worker: sessions and their streams live in this process. Proxy headers are trusted
    # from loopback only (uvicorn's default), so per-client quotas see the real address.
    from uvicorn.config import WS_PROTOCOLS

    ws = "websockets-sansio" if "websockets-sansio" in WS_PROTOCOLS else "websockets"
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())
    logging.getLogger("uvicorn.error").addFilter(RedactTokens())
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, workers=1,
                ws=ws, timeout_graceful_shutdown=3)
