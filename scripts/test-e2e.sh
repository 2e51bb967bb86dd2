#!/usr/bin/env bash
# Browser end-to-end tests of the built playground (dist/): Playwright (playwright-core from
# node_modules) drives Debian's /usr/bin/chromium headless; tests are node:test files in
# tests/e2e/. The static server is /usr/bin/python3's http.server on a free localhost port,
# started here and killed (the real PID, not a pyenv shim) on every exit path.
# A second server serves the repository root, for pages that import the npm package from
# pkg/ (examples/docs-embed.html → ../pkg/embed.js): WHYROUTE_E2E_ROOT_URL.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
[ -f dist/index.html ] || { echo "dist/ is empty: run 'make playground' first" >&2; exit 1; }
[ -d node_modules/playwright-core ] || { echo "node_modules lacks playwright-core: run 'make setup'" >&2; exit 1; }

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
PORT=$(free_port)
ROOT_PORT=$(free_port)
LOG="$REPO/target/e2e-server.log"
ROOT_LOG="$REPO/target/e2e-root-server.log"
mkdir -p target/e2e
/usr/bin/python3 -m http.server "$PORT" --bind 127.0.0.1 --directory dist >"$LOG" 2>&1 &
SERVER_PID=$!
/usr/bin/python3 -m http.server "$ROOT_PORT" --bind 127.0.0.1 --directory "$REPO" >"$ROOT_LOG" 2>&1 &
ROOT_SERVER_PID=$!
cleanup() {
  kill "$SERVER_PID" "$ROOT_SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" "$ROOT_SERVER_PID" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

wait_for() { # PID URL LOG
  for _ in $(seq 1 100); do
    if /usr/bin/python3 -c "import urllib.request,sys; urllib.request.urlopen('$2', timeout=1)" 2>/dev/null; then
      return 0
    fi
    kill -0 "$1" 2>/dev/null || { echo "static server died:"; cat "$3"; exit 1; }
    sleep 0.1
  done
}
wait_for "$SERVER_PID" "http://127.0.0.1:$PORT/index.html" "$LOG"
wait_for "$ROOT_SERVER_PID" "http://127.0.0.1:$ROOT_PORT/Cargo.toml" "$ROOT_LOG"

export WHYROUTE_E2E_URL="http://127.0.0.1:$PORT/"
export WHYROUTE_E2E_ROOT_URL="http://127.0.0.1:$ROOT_PORT/"
export WHYROUTE_E2E_OUT="$REPO/target/e2e"
echo "e2e: serving dist/ at $WHYROUTE_E2E_URL (pid $SERVER_PID), the repository at $WHYROUTE_E2E_ROOT_URL (pid $ROOT_SERVER_PID); screenshots in target/e2e/"
node --test --test-concurrency=1 tests/e2e/
