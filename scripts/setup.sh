#!/usr/bin/env bash
# Installs everything Entrainer needs on a fresh Debian machine with Rust and Python 3.11:
# system packages (only when missing), then the package itself (Rust engine built by maturin)
# with its test dependencies. Safe to run again; it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
# Build: ALSA headers for cpal. Tests: a user-space PulseAudio with a null sink and the ALSA
# plugin that routes cpal to it (docs/real-time.md); Debian's Chromium for the web page's
# browser test (Playwright drives it; docs/service.md).
APT_PACKAGES=(pkg-config libasound2-dev pulseaudio libasound2-plugins alsa-utils chromium)

missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing system packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "setup: Rust (cargo) is required: https://rustup.rs" >&2; exit 1; }
# The engine's loops vectorise 4-wide with AVX2 and FMA; use them when this CPU has them
# (within one build every render is bit-identical; builds with and without FMA can differ
# in the last bit, see shapes::fma).
if [ -z "${RUSTFLAGS:-}" ] && [ "$(uname -m)" = x86_64 ] && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
    export RUSTFLAGS="-C target-cpu=x86-64-v3"
fi
echo "setup: building and installing entrainer (Rust engine + Python package)"
$PY -m pip install --disable-pip-version-check -q -e '.[test]' 2>&1 | grep -v "Running pip as the 'root' user" || true
# The spatial voices read the MIT KEMAR responses from the data file of the PyPI package slab
# (entrainer/hrtf.py; not redistributed here). Only that file is used, so slab's own
# dependencies (matplotlib, sounddevice) are not needed: install it without them.
$PY -m pip install --disable-pip-version-check -q --no-deps 'slab==1.8.2' 2>&1 | grep -v "Running pip as the 'root' user" || true
$PY -c "import entrainer._engine" || { echo "setup: the native module did not build" >&2; exit 1; }
