"""Starts the service for the tests: `python launch.py PORT SETTINGS_JSON` (a real uvicorn server)."""

import json
import sys
from pathlib import Path

from entrainer.service.config import Limits, Settings
from entrainer.service.server import serve

port, cfg = int(sys.argv[1]), json.loads(sys.argv[2])
limits = Limits(**cfg.pop("limits", {}))
settings = Settings(data_dir=Path(cfg.pop("data_dir")), limits=limits, **cfg)
serve(settings, host="127.0.0.1", port=port, log_level="warning")
