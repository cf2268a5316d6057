#!/usr/bin/env bash
# Create .venv with Python 3.11+ and install a pinned requirements file into it (once per change).
# Usage: scripts/bootstrap.sh requirements.txt|requirements-dev.txt
set -euo pipefail
cd "$(dirname "$0")/.."
requirements="${1:-requirements.txt}"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "factcheck needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1)." >&2
  echo "Set PYTHON=/path/to/python3.11 and run again." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $("$python" --version)..."
  "$python" -m venv .venv
fi
# Reinstall only when the pinned files change.
stamp=".venv/.installed-$(basename "$requirements" .txt)-$(cat requirements*.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing $requirements into .venv..."
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  # requirements-build.txt: mypyc for the compiled extraction (build time only, optional).
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements" \
    -r requirements-build.txt
  rm -f .venv/.installed-"$(basename "$requirements" .txt)"-*
  touch "$stamp"
fi
# The translations' .mo files are built here, never committed (msgfmt, or polib without it).
.venv/bin/python scripts/compile_messages.py
# Stage 1's hot path compiled with mypyc when a C compiler is here and the build is stale;
# without one the extraction runs as pure Python (claims/extraction/native.py).
.venv/bin/python scripts/compile_extraction.py
