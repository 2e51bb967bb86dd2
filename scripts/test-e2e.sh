#!/usr/bin/env bash
# Browser end-to-end tests of the built playground (dist/): Playwright (playwright-core from
# node_modules) drives Debian's /usr/bin/chromium headless; tests are node:test files in
# tests/e2e/. The static server is /usr/bin/python3's http.server on a free localhost port,
# started here and killed (the real PID, not a pyenv shim) on every exit path.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
[ -f dist/index.html ] || { echo "dist/ is empty: run 'make playground' first" >&2; exit 1; }
[ -d node_modules/playwright-core ] || { echo "node_modules lacks playwright-core: run 'make setup'" >&2; exit 1; }

PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
LOG="$REPO/target/e2e-server.log"
mkdir -p target/e2e
/usr/bin/python3 -m http.server "$PORT" --bind 127.0.0.1 --directory dist >"$LOG" 2>&1 &
SERVER_PID=$!
cleanup() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

for _ in $(seq 1 100); do
  if /usr/bin/python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/index.html', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "static server died:"; cat "$LOG"; exit 1; }
  sleep 0.1
done

export WHYROUTE_E2E_URL="http://127.0.0.1:$PORT/"
export WHYROUTE_E2E_OUT="$REPO/target/e2e"
echo "e2e: serving dist/ at $WHYROUTE_E2E_URL (pid $SERVER_PID); screenshots in target/e2e/"
node --test --test-concurrency=1 tests/e2e/
