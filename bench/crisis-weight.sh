#!/usr/bin/env bash
# What the crisis helper costs a phone on its first visit: every request Chromium makes
# for /crisis, the bytes of each response gzip-compressed (level 9, as a server would
# send them), and how many requests went to a host other than the app.
#
#   bench/crisis-weight.sh            (BENCH_CITHUB_BIN=<binary> to skip the build)
#
# Last line: crisis: gzip_bytes=<n> requests=<n> third_party=<n>   (goal: gzip_bytes <= 14336)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${BENCH_CITHUB_BIN:-}" ]; then BIN="$BENCH_CITHUB_BIN"; else
  swift build --product cithub >&2
  BIN="$(swift build --show-bin-path)/cithub"
fi
PORT=8184
WORK="$(mktemp -d /tmp/cithub-weight.XXXXXX)"
APP_PID=""
cleanup() { local rc=$?; [ -n "$APP_PID" ] && kill -TERM "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null || true; rm -rf "$WORK"; exit "$rc"; }
trap cleanup EXIT

CITHUB_DATA_DIR="$WORK/data" CITHUB_LOG_LEVEL=warning "$BIN" serve --hostname 127.0.0.1 --port "$PORT" </dev/null >"$WORK/log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz" || true)" = "200" ] && break
  sleep 0.1
done

python3 - "$PORT" <<'PY'
import gzip, sys
from urllib.parse import urlsplit
from playwright.sync_api import sync_playwright

port = sys.argv[1]
responses = []
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.on("response", lambda r: responses.append(r))
    page.goto(f"http://127.0.0.1:{port}/crisis", wait_until="networkidle")
    total = 0
    third = 0
    for r in responses:
        host = urlsplit(r.url).hostname
        if host not in ("127.0.0.1", "localhost"):
            third += 1
        try:
            body = r.body()
        except Exception:
            body = b""
        size = len(gzip.compress(body, 9))
        total += size
        print(f"{r.status} {r.request.resource_type:10} {len(body):7} bytes, {size:6} gzip  {r.url}")
    browser.close()
print(f"crisis: gzip_bytes={total} requests={len(responses)} third_party={third}")
PY
