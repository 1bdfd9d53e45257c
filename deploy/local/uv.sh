#!/bin/sh
# Prints the command that runs uv (the Makefile: UV := $(shell deploy/local/uv.sh)).
# When the shell finds no `uv`, installs the pinned uv from PyPI and copies its two
# executables into the first writable directory of PATH (~/.local/bin, where uv's own
# installer puts them, before /usr/local/bin; BESPOKE_UV_INSTALL_DIR chooses another), so
# the `uv run ...` commands the docs show work as written once `make up` has run.
set -eu
UV_VERSION=0.13.9
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOLS="$ROOT/.stack/tools"
VENV_UV="$TOOLS/uv/bin/uv"

if command -v uv >/dev/null 2>&1; then
  echo uv
  exit 0
fi

on_path() {
  case ":$PATH:" in *":$1:"*) return 0 ;; esac
  return 1
}

install_dir() {
  if [ -n "${BESPOKE_UV_INSTALL_DIR:-}" ]; then
    mkdir -p "$BESPOKE_UV_INSTALL_DIR" && echo "$BESPOKE_UV_INSTALL_DIR"
    return
  fi
  for dir in "${XDG_BIN_HOME:-${HOME:-/nonexistent}/.local/bin}" /usr/local/bin; do
    if on_path "$dir" && [ -d "$dir" ] && [ -w "$dir" ]; then
      echo "$dir"
      return
    fi
  done
}

if [ ! -x "$VENV_UV" ]; then
  PY=$(command -v python3 || command -v python || true)
  if [ -z "$PY" ]; then
    echo "error: python3 not found on PATH: install Python 3.11+ (apt-get install python3 python3-venv)" >&2
    exit 2
  fi
  echo "uv not found: installing uv==$UV_VERSION from PyPI" >&2
  mkdir -p "$TOOLS"
  if ! { "$PY" -m venv "$TOOLS/uv" >&2 && "$TOOLS/uv/bin/python" -m pip install --quiet "uv==$UV_VERSION" >&2; }; then
    rm -rf "$TOOLS/uv"
    # No venv module (e.g. Debian without python3-venv): pip's user scheme puts uv in
    # ~/.local/bin, which is where the shell looks on most systems.
    "$PY" -m pip install --quiet --user "uv==$UV_VERSION" >&2 \
      || "$PY" -m pip install --quiet --user --break-system-packages "uv==$UV_VERSION" >&2
    if command -v uv >/dev/null 2>&1; then
      echo uv
    else
      echo "note: uv is installed as '$PY -m uv'; add $("$PY" -m site --user-base)/bin to PATH to run 'uv run ...'" >&2
      echo "$PY -m uv"
    fi
    exit 0
  fi
fi

DIR=$(install_dir)
if [ -n "$DIR" ]; then
  cp "$TOOLS/uv/bin/uv" "$TOOLS/uv/bin/uvx" "$DIR/"
  echo "uv $UV_VERSION installed as $DIR/uv" >&2
  on_path "$DIR" || echo "note: $DIR is not on PATH; add it to run the 'uv run ...' commands the docs show" >&2
  echo "$DIR/uv"
else
  echo "note: no writable directory on PATH for uv; it is $VENV_UV. To run the 'uv run ...' commands the docs show, add to your shell's profile: export PATH=\"$TOOLS/uv/bin:\$PATH\" (or set BESPOKE_UV_INSTALL_DIR)" >&2
  echo "$VENV_UV"
fi
