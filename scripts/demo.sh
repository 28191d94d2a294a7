#!/usr/bin/env bash
# Installs everything (scripts/setup.sh), then renders the bundled demo track to demo.flac.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=${PYTHON:-python3}
$PY -m entrainer.cli validate examples/demo.json
$PY -m entrainer.cli render examples/demo.json -o demo.flac "$@"
