#!/usr/bin/env bash
# Hostile input for the JSON API: the OpenAPI document is checked with
# openapi-spec-validator, then Schemathesis (fixed seed) sends generated requests to
# every operation, valid and invalid, with an administrator's API token, and checks
# every answer: no 5xx, status codes, content types, headers and bodies as documented.
#
#   scripts/api-conformance.sh            (CITHUB_BIN=<binary>; default the debug build)
#
# Starts its own server on a fresh SQLite data directory and stops it afterwards.
# Exits non-zero if either check fails. Only 127.0.0.1 is contacted.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CITHUB_BIN:-$(swift build --show-bin-path)/cithub}"
PORT="${API_CHECK_PORT:-8189}"
SEED="${API_CHECK_SEED:-20261128}"
EXAMPLES="${API_CHECK_EXAMPLES:-40}"
WORK="$(mktemp -d /tmp/cithub-api.XXXXXX)"
APP_PID=""
cleanup() { local rc=$?; [ -n "$APP_PID" ] && kill -TERM "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null || true; rm -rf "$WORK"; exit "$rc"; }
trap cleanup EXIT
export CITHUB_DATA_DIR="$WORK/data" CITHUB_LOG_LEVEL=warning CITHUB_MAIL_LOOP=off CITHUB_PUBLIC_URL="http://127.0.0.1:$PORT"
# Schemathesis sends thousands of requests; the limit itself is tested in swift test.
export CITHUB_API_RATE_PER_MINUTE=10000000
"$BIN" serve --hostname 127.0.0.1 --port "$PORT" </dev/null >"$WORK/log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz" || true)" = "200" ] && break
  sleep 0.1
done

# The first administrator, through the link the server printed, then a token for it.
python3 - "$PORT" "$WORK/log" <<'PY'
import http.client, re, sys, urllib.parse
port, log = sys.argv[1], sys.argv[2]
setup = re.search(r"http://127\.0\.0\.1:\d+(/setup/[A-Za-z0-9_-]+)", open(log).read()).group(1)
csrf = "s" * 43
pw = "Quiet-lantern-orchard-1987"
body = urllib.parse.urlencode({"name": "API Check", "email": "api-check@example.org", "password": pw, "password_confirm": pw, "_csrf": csrf})
c = http.client.HTTPConnection("127.0.0.1", int(port))
c.request("POST", setup, body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"cithub_csrf={csrf}"})
r = c.getresponse(); r.read()
assert r.status == 303, f"creating the administrator: {r.status}"
PY
TOKEN="$("$BIN" api-token api-check@example.org "schemathesis" 2>>"$WORK/log" | tail -1)"

curl -s "http://127.0.0.1:$PORT/api/openapi.json" -o "$WORK/openapi.json"
python3 -c "import json,sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('openapi-spec-validator: the document is valid OpenAPI 3.1')" "$WORK/openapi.json"

set +e
schemathesis run "http://127.0.0.1:$PORT/api/openapi.json" --url "http://127.0.0.1:$PORT" \
  --checks all --exclude-checks positive_data_acceptance --seed "$SEED" --max-examples "$EXAMPLES" --workers 1 \
  -H "Authorization: Bearer $TOKEN" --no-color 2>&1 | tee "$WORK/schemathesis.txt"
RC=${PIPESTATUS[0]}
set -e
if grep -q "Something went wrong on our side" "$WORK/log"; then echo "the server logged a 5xx:"; grep -B2 "request failed" "$WORK/log" | tail -20; RC=1; fi
echo "api-conformance: schemathesis_exit=$RC seed=$SEED examples=$EXAMPLES"
exit "$RC"
