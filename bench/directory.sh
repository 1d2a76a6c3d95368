#!/usr/bin/env bash
# The directory at national scale: every US county (3,221, from
# shared/data/us-counties.geojson) and 3,000 fictional demo programs, under load.
#
#   bench/directory.sh
#
# Builds the release server (BENCH_CITHUB_BIN=<binary> skips that), loads the
# counties under state "US" and 3,000 programs named "Demo program N
# (fictional)" into a fresh SQLite file, serves it, and runs
# `wrk -t2 -c16 --latency` against the map, a search and a county page.
# The first request of each page renders it (timed separately, with curl); the
# load then measures what visitors get, the cached page for map and county, a
# rendered result for search. Only 127.0.0.1 is contacted.
#
# Last line: directory: map_p99_ms=<n> search_p99_ms=<n> county_p99_ms=<n>
set -euo pipefail
cd "$(dirname "$0")/.."

HOST=127.0.0.1
PORT=8183
DURATION="${BENCH_DURATION:-6s}"
COUNTIES_FILE="${BENCH_COUNTIES:-../shared/data/us-counties.geojson}"
PROGRAMS="${BENCH_PROGRAMS:-3000}"

for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench/directory.sh: $tool is missing; run scripts/install-test-deps.sh" >&2; exit 1; }
done
[ -f "$COUNTIES_FILE" ] || { echo "bench/directory.sh: no $COUNTIES_FILE (set BENCH_COUNTIES)" >&2; exit 1; }

if [ -n "${BENCH_CITHUB_BIN:-}" ]; then
  BIN="$BENCH_CITHUB_BIN"
else
  swift build -c release --product cithub >&2
  BIN="$(swift build -c release --show-bin-path)/cithub"
fi

WORK="$(mktemp -d /tmp/cithub-dirbench.XXXXXX)"
APP_PID=""
cleanup() {
  local rc=$?
  if [ -n "$APP_PID" ]; then kill -TERM "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

export CITHUB_DATA_DIR="$WORK/data" CITHUB_STATE=US CITHUB_LOG_LEVEL=warning CITHUB_PUBLIC_URL="http://$HOST:$PORT"
t0=$(date +%s%N)
"$BIN" load-counties "$COUNTIES_FILE" --state US
"$BIN" demo-programs "$PROGRAMS" --state US
echo "seeded in $(( ($(date +%s%N) - t0) / 1000000 )) ms"

"$BIN" serve --hostname "$HOST" --port "$PORT" </dev/null >"$WORK/server.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$HOST:$PORT/healthz" || true)" = "200" ] && break
  kill -0 "$APP_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done

to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

measure() {  # LABEL PATH -> prints a line, sets P99
  local label="$1" path="$2" out="$WORK/wrk-$1.txt"
  local first
  first="$(curl -s -o "$WORK/$label.html" -w '%{http_code} %{time_total} %{size_download}' "http://$HOST:$PORT$path")"
  wrk -t2 -c16 -d"$DURATION" --latency "http://$HOST:$PORT$path" >"$out" 2>&1
  local rps p99 non2xx
  rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")"
  p99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"
  echo "$label $path: first request (status, s, bytes) = $first; under load rps=$rps p99_ms=$p99${non2xx:+ non2xx=$non2xx}"
  P99="$p99"
}

measure map /map; MAP=$P99
measure search "/search?q=dane"; SEARCH=$P99
measure county /counties/55025; COUNTY_P99=$P99
echo "counties=$(grep -o 'data-fips=' "$WORK/map.html" | wc -l) map_bytes=$(wc -c <"$WORK/map.html") peak_rss_mb=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' /proc/$APP_PID/status)"
echo "directory: map_p99_ms=$MAP search_p99_ms=$SEARCH county_p99_ms=$COUNTY_P99"
