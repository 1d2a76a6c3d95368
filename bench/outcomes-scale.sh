#!/usr/bin/env bash
# How the outcome dashboard holds up as encounter reports pile up.
#
#   bench/outcomes-scale.sh [N...]      (default: 10000 100000 1000000)
#
# For each N: a fresh database (an SQLite file; or, when DATABASE_URL names a
# PostgreSQL server, a fresh database on it), the reference data, then N fictional
# encounter reports from `cithub demo-encounters N` (100 fictional agencies, five years,
# every report marked demo). Then, in the same run:
#   dashboard_ms  median over 15 requests of the county-by-quarter view
#                 (GET /outcomes?format=csv&view=county-quarter, the public view, with
#                 suppression) through HTTP from the release server;
#   raw_sql_ms    the fastest of 5 runs of the hand-written SQL that computes the same
#                 numbers straight from the reports:
#                 SELECT county_fips, quarter, count(*) FROM encounter_reports GROUP BY 1, 2
#                 (python's sqlite3 on the same file; psql's EXPLAIN ANALYZE execution
#                 time on PostgreSQL).
# The dashboard reads the rollups kept with every report, so it does not scan the reports.
#
# One line per N; the last line is exactly:
#   outcomes: rows=<N> dashboard_ms=<n> raw_sql_ms=<n> ratio=<dashboard/raw>
# Environment: BENCH_CITHUB_BIN=<binary> skips the build. Only 127.0.0.1 is contacted.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=("$@")
[ "${#SIZES[@]}" -eq 0 ] && SIZES=(10000 100000 1000000)
PORT=8187
if [ -n "${BENCH_CITHUB_BIN:-}" ]; then BIN="$BENCH_CITHUB_BIN"; else
  swift build -c release --product cithub --scratch-path .build-release >&2
  BIN="$(swift build -c release --scratch-path .build-release --show-bin-path)/cithub"
fi
WORK="$(mktemp -d /tmp/cithub-outcomes.XXXXXX)"
APP_PID=""
PG_DB=""
cleanup() {
  local rc=$?
  [ -n "$APP_PID" ] && kill -TERM "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null || true
  if [ -n "$PG_DB" ]; then psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

start_server() {
  "$BIN" serve --hostname 127.0.0.1 --port "$PORT" </dev/null >>"$WORK/log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz" || true)" = "200" ] && return 0
    sleep 0.1
  done
  echo "server did not start; log:" >&2; tail -40 "$WORK/log" >&2; exit 1
}
stop_server() { kill -TERM "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null || true; APP_PID=""; }

export CITHUB_LOG_LEVEL=warning CITHUB_MAIL_LOOP=off CITHUB_PUBLIC_URL="http://127.0.0.1:$PORT"
ENGINE=sqlite
if [ -n "${DATABASE_URL:-}" ]; then
  ENGINE=postgresql
  PG_ADMIN_URL="$DATABASE_URL"
fi

LAST=""
for N in "${SIZES[@]}"; do
  export CITHUB_DATA_DIR="$WORK/data-$N"
  if [ "$ENGINE" = postgresql ]; then
    [ -n "$PG_DB" ] && psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null
    PG_DB="cithub_outcomes_$$_$N"
    psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $PG_DB" >/dev/null
    export DATABASE_URL="${PG_ADMIN_URL%/*}/$PG_DB"
  fi
  start_server   # migrates and loads the counties
  stop_server
  GEN=$("$BIN" demo-encounters "$N" --seed 7 2>>"$WORK/log" | tail -1)
  echo "generated: $GEN" >&2
  start_server
  RESULT=$(python3 - "$PORT" "$ENGINE" "${CITHUB_DATA_DIR}/cithub.sqlite" "${DATABASE_URL:-}" <<'PY'
import http.client, statistics, subprocess, sqlite3, sys, time, re
port, engine, db_path, pg_url = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
path = "/outcomes?format=csv&view=county-quarter"
conn = http.client.HTTPConnection("127.0.0.1", int(port))
def get():
    conn.request("GET", path)
    r = conn.getresponse(); body = r.read()
    assert r.status == 200, r.status
    return body
get()  # warm-up
times = []
for _ in range(15):
    t = time.perf_counter(); get(); times.append((time.perf_counter() - t) * 1000)
dashboard = statistics.median(times)
sql = "SELECT county_fips, quarter, count(*) FROM encounter_reports GROUP BY county_fips, quarter"
raw = []
if engine == "sqlite":
    db = sqlite3.connect(db_path)
    for _ in range(5):
        t = time.perf_counter(); rows = db.execute(sql).fetchall(); raw.append((time.perf_counter() - t) * 1000)
else:
    for _ in range(5):
        out = subprocess.run(["psql", pg_url, "-Atc", "EXPLAIN ANALYZE " + sql], capture_output=True, text=True, check=True).stdout
        raw.append(float(re.search(r"Execution Time: ([0-9.]+) ms", out).group(1)))
best = min(raw)
print(f"{dashboard:.1f} {best:.1f}")
PY
)
  stop_server
  DASH=${RESULT% *}; RAW=${RESULT#* }
  RATIO=$(python3 -c "print(f'{$DASH/$RAW:.2f}' if $RAW > 0 else 'inf')")
  LAST="outcomes: rows=$N dashboard_ms=$DASH raw_sql_ms=$RAW ratio=$RATIO"
  echo "$LAST engine=$ENGINE"
done
echo "$LAST"
