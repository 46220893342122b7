#!/usr/bin/env bash
# Install the Debian packages the test suite needs, if they are missing.
# Idempotent: does nothing when everything is present.
set -euo pipefail
# libpango, libpangoft2, libharfbuzz-subset0: WeasyPrint (PDF export); fonts-liberation: the PDF's fonts;
# redis-server: the shared sign-in throttle store (tests/test_throttle_store.py starts its own on a free port)
packages=(python3-venv make postgresql redis-server chromium chromium-driver libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "missing packages ${missing[*]} and no apt-get to install them" >&2
    exit 1
  fi
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
