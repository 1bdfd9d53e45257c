#!/bin/sh
# Prints the command that runs uv, installing uv from PyPI first when it is missing.
# Used by the Makefile: UV := $(shell deploy/local/uv.sh)
set -eu
UV_VERSION=0.13.9
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOLS="$ROOT/.stack/tools"

if command -v uv >/dev/null 2>&1; then
  echo uv
  exit 0
fi
if [ -x "$TOOLS/uv/bin/uv" ]; then
  echo "$TOOLS/uv/bin/uv"
  exit 0
fi
PY=$(command -v python3 || command -v python || true)
if [ -z "$PY" ]; then
  echo "error: python3 not found on PATH: install Python 3.11+ (apt-get install python3 python3-venv)" >&2
  exit 2
fi
echo "uv not found: installing uv==$UV_VERSION from PyPI into .stack/tools/uv" >&2
mkdir -p "$TOOLS"
if "$PY" -m venv "$TOOLS/uv" >&2 && "$TOOLS/uv/bin/python" -m pip install --quiet "uv==$UV_VERSION" >&2; then
  echo "$TOOLS/uv/bin/uv"
  exit 0
fi
rm -rf "$TOOLS/uv"
# No venv module (e.g. Debian without python3-venv): a user install instead.
"$PY" -m pip install --quiet --user "uv==$UV_VERSION" >&2 \
  || "$PY" -m pip install --quiet --user --break-system-packages "uv==$UV_VERSION" >&2
echo "$PY -m uv"
