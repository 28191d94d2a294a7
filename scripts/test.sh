#!/usr/bin/env bash
# Installs everything (scripts/setup.sh), then runs the whole test suite: the Rust engine's
# own tests, then pytest (Python API, CLI, NumPy reference, differential tests, tiny benchmark).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=${PYTHON:-python3}
echo "== cargo test (engine)"
cargo test --workspace --exclude entrainer-py --quiet
echo "== pytest"
$PY -m pytest "$@"
