#!/usr/bin/env bash
# `make serve`: serves the built playground (dist/) on http://127.0.0.1:8080/ until Ctrl-C.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
[ -f dist/index.html ] || { echo "dist/ is empty: run 'make playground' first" >&2; exit 1; }
echo "whyroute playground: http://127.0.0.1:8080/"
# Precompressed files (build-playground.sh writes .br and .gz beside each) are served when the
# browser accepts them, as a static host would. /usr/bin/python3, not the pyenv shim on PATH:
# exec makes Ctrl-C and kill reach the server itself.
exec /usr/bin/python3 scripts/serve.py --port 8080 --bind 127.0.0.1 --directory dist
