"""Entrainer as a web service: a track library, live listening sessions and a browser player.

`create_app(settings)` builds the FastAPI application; `entrainer serve` runs it under uvicorn.
See docs/service.md for the API, the limits and the configuration.
"""

from __future__ import annotations

from .app import create_app
from .config import Limits, Settings

__all__ = ["Limits", "Settings", "create_app"]
