#!/usr/bin/env bash
# How fast CIT Hub serves its public pages, next to nginx serving the same bytes.
#
#   bench/pages.sh [PATH...]        (default: /; / is always measured, and last)
#
# Builds the release server, starts it on 127.0.0.1:8181 with a fresh data
# directory, saves each page, has nginx (its own config, 2 workers, no access
# log) serve those bytes on 127.0.0.1:8182 and bare Vapor serve them on
# 127.0.0.1:8183 (`cithub bench-reference`: the same binary's Vapor with no middleware,
# no database, no logging), and loads all three in turn with
# `wrk -t2 -c64 -d6s --latency`. Then it reads the server's peak RSS, and
# times a separate start from exec to the first 200 from /healthz.
#
# The Vapor reference is the framework's own ceiling on this machine, measured in the
# same run: CIT Hub cannot be faster than it, and `of_vapor` says how close it comes.
#
# Prints one line per measurement and, last, exactly:
#   pages: app_rps=<n> static_rps=<n> ratio=<app/static> p99_ms=<app p99 for /> vapor_rps=<n> vapor_ratio=<vapor/static> of_vapor=<app/vapor>
#
# Numbers, not pass/fail (docs/decisions.md says why public pages are cached).
# Environment: BENCH_CITHUB_BIN=<binary> skips the build and uses that binary;
# BENCH_DURATION (default 6s) and BENCH_WARMUP (default 2s) set wrk's -d.
# Only 127.0.0.1 is ever contacted.
set -euo pipefail

cd "$(dirname "$0")/.."

APP_PORT=8181
STATIC_PORT=8182
REF_PORT=8183
HOST=127.0.0.1
DURATION="${BENCH_DURATION:-6s}"
WARMUP="${BENCH_WARMUP:-2s}"
WRK_ARGS=(-t2 -c64)
HEALTH_TIMEOUT_S=120

for tool in wrk nginx curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "bench/pages.sh: $tool is missing; run scripts/install-test-deps.sh" >&2
    exit 1
  fi
done

PATHS=("$@")
[ "${#PATHS[@]}" -eq 0 ] && PATHS=("/")
# "/" is always measured, and measured last, so the summary line is about it.
ORDERED=()
for p in "${PATHS[@]}"; do
  [ "$p" = "/" ] || ORDERED+=("$p")
done
ORDERED+=("/")

WORK="$(mktemp -d /tmp/cithub-bench.XXXXXX)"
APP_PID=""
NGINX_PID=""
REF_PID=""

stop_pid() {
  local pid="$1"
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  stop_pid "$APP_PID"
  stop_pid "$NGINX_PID"
  stop_pid "$REF_PID"
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

now_ms() {
  echo $(( $(date +%s%N) / 1000000 ))
}

healthz_code() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$HOST:$APP_PORT/healthz" || true
}

# start_app DATA_DIR LOG: starts the server in the background, sets APP_PID.
start_app() {
  CITHUB_DATA_DIR="$1" \
  CITHUB_PUBLIC_URL="http://$HOST:$APP_PORT" \
  CITHUB_LOG_LEVEL=warning \
    "$BIN" serve --hostname "$HOST" --port "$APP_PORT" </dev/null >"$2" 2>&1 &
  APP_PID=$!
}

wait_healthy() {
  local deadline=$(( $(date +%s) + HEALTH_TIMEOUT_S ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if ! kill -0 "$APP_PID" 2>/dev/null; then
      echo "bench/pages.sh: the server exited at start; its log:" >&2
      cat "$1" >&2
      exit 1
    fi
    [ "$(healthz_code)" = "200" ] && return 0
    sleep 0.01
  done
  echo "bench/pages.sh: /healthz did not answer 200 within $HEALTH_TIMEOUT_S s; log:" >&2
  tail -n 40 "$1" >&2
  exit 1
}

# to_ms VALUE: wrk's latency (e.g. 812.00us, 4.12ms, 1.02s, 1.5m) in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    else if (u != "ms") { print "nan"; exit }
    printf "%.2f", n }'
}

# load URL LABEL: runs wrk, prints "<rps> <p99_ms>" and keeps wrk's output in $WORK.
load() {
  local url="$1" out="$WORK/wrk-$2.txt"
  wrk "${WRK_ARGS[@]}" -d"$DURATION" --latency "$url" >"$out" 2>&1
  local rps p99 errors
  rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")"
  p99="$(awk '$1 == "99%" {print $2}' "$out")"
  errors="$(awk '/Non-2xx or 3xx responses:/ {print $NF} /Socket errors:/ {print}' "$out")"
  if [ -z "$rps" ] || [ -z "$p99" ]; then
    echo "bench/pages.sh: could not read wrk's output for $url:" >&2
    cat "$out" >&2
    exit 1
  fi
  if [ -n "$errors" ]; then
    echo "warning: $url: $(echo "$errors" | tr '\n' ' ')" >&2
  fi
  echo "$rps $(to_ms "$p99")"
}

ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'
}

for port in "$APP_PORT" "$STATIC_PORT" "$REF_PORT"; do
  if port_in_use "$port"; then
    echo "bench/pages.sh: something already listens on $HOST:$port" >&2
    exit 1
  fi
done

# --- Build -------------------------------------------------------------------
if [ -n "${BENCH_CITHUB_BIN:-}" ]; then
  BIN="$BENCH_CITHUB_BIN"
else
  echo "building: swift build -c release --product cithub" >&2
  swift build -c release --product cithub >&2
  BIN="$(swift build -c release --show-bin-path)/cithub"
fi
echo "binary: $BIN" >&2

# --- Server and pages ----------------------------------------------------------
mkdir -p "$WORK/data" "$WORK/www" "$WORK/nginx"
start_app "$WORK/data" "$WORK/app.log"
wait_healthy "$WORK/app.log"

declare -A STATIC_NAME
MEASURED=()
i=0
for p in "${ORDERED[@]}"; do
  name="page$i.html"
  code="$(curl -s -o "$WORK/www/$name" -w '%{http_code}' --max-time 10 "http://$HOST:$APP_PORT$p")"
  if [ "$code" != "200" ]; then
    if [ "$p" = "/" ]; then
      echo "bench/pages.sh: GET / returned $code" >&2
      exit 1
    fi
    echo "app $p: skipped (GET returned $code)"
    rm -f "$WORK/www/$name"
  else
    STATIC_NAME["$p"]="$name"
    MEASURED+=("$p")
  fi
  i=$((i + 1))
done
# nginx's workers run as nobody and must read the pages.
chmod 755 "$WORK" "$WORK/www"
chmod 644 "$WORK/www/"*.html

cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $WORK/nginx/client_body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  types { text/html html; }
  default_type text/html;
  server {
    listen $HOST:$STATIC_PORT;
    root $WORK/www;
  }
}
EOF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" </dev/null >"$WORK/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
for _ in $(seq 1 100); do
  port_in_use "$STATIC_PORT" && break
  if ! kill -0 "$NGINX_PID" 2>/dev/null; then
    echo "bench/pages.sh: nginx did not start:" >&2
    cat "$WORK/nginx/stdout.log" "$WORK/nginx/error.log" >&2 2>/dev/null || true
    exit 1
  fi
  sleep 0.1
done
static_code="$(curl -s -o /dev/null -w '%{http_code}' "http://$HOST:$STATIC_PORT/${STATIC_NAME["/"]}")"
if [ "$static_code" != "200" ]; then
  echo "bench/pages.sh: nginx answered $static_code for the saved page" >&2
  cat "$WORK/nginx/error.log" >&2 || true
  exit 1
fi

# The framework's ceiling: the same binary's Vapor serving the same bytes, nothing else.
"$BIN" bench-reference "$WORK/www" --port "$REF_PORT" </dev/null >"$WORK/reference.log" 2>&1 &
REF_PID=$!
ref_code=""
for _ in $(seq 1 100); do
  ref_code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$HOST:$REF_PORT/${STATIC_NAME["/"]}" || true)"
  [ "$ref_code" = "200" ] && break
  kill -0 "$REF_PID" 2>/dev/null || break
  sleep 0.1
done
if [ "$ref_code" != "200" ]; then
  echo "bench/pages.sh: the Vapor reference (cithub bench-reference) did not answer:" >&2
  cat "$WORK/reference.log" >&2
  exit 1
fi

# --- Load ------------------------------------------------------------------------
for p in "${MEASURED[@]}"; do
  wrk "${WRK_ARGS[@]}" -d"$WARMUP" "http://$HOST:$STATIC_PORT/${STATIC_NAME[$p]}" >/dev/null 2>&1
  wrk "${WRK_ARGS[@]}" -d"$WARMUP" "http://$HOST:$REF_PORT/${STATIC_NAME[$p]}" >/dev/null 2>&1
  wrk "${WRK_ARGS[@]}" -d"$WARMUP" "http://$HOST:$APP_PORT$p" >/dev/null 2>&1
done

LAST_APP_RPS="" LAST_STATIC_RPS="" LAST_RATIO="" LAST_P99="" LAST_REF_RPS="" LAST_REF_RATIO="" LAST_OF_REF=""
i=0
for p in "${MEASURED[@]}"; do
  bytes="$(stat -c %s "$WORK/www/${STATIC_NAME[$p]}")"
  result="$(load "http://$HOST:$STATIC_PORT/${STATIC_NAME[$p]}" "static$i")"
  read -r static_rps static_p99 <<<"$result"
  echo "nginx static $p: rps=$static_rps p99_ms=$static_p99 bytes=$bytes"
  result="$(load "http://$HOST:$REF_PORT/${STATIC_NAME[$p]}" "ref$i")"
  read -r ref_rps ref_p99 <<<"$result"
  ref_r="$(ratio "$ref_rps" "$static_rps")"
  echo "vapor reference $p: rps=$ref_rps p99_ms=$ref_p99 ratio=$ref_r"
  result="$(load "http://$HOST:$APP_PORT$p" "app$i")"
  read -r app_rps app_p99 <<<"$result"
  r="$(ratio "$app_rps" "$static_rps")"
  of_ref="$(ratio "$app_rps" "$ref_rps")"
  echo "app $p: rps=$app_rps p99_ms=$app_p99 ratio=$r of_vapor=$of_ref"
  LAST_APP_RPS="$app_rps" LAST_STATIC_RPS="$static_rps" LAST_RATIO="$r" LAST_P99="$app_p99"
  LAST_REF_RPS="$ref_rps" LAST_REF_RATIO="$ref_r" LAST_OF_REF="$of_ref"
  i=$((i + 1))
done

hwm_kb="$(awk '/^VmHWM:/ {print $2}' "/proc/$APP_PID/status")"
echo "peak_rss_mb=$(awk -v k="$hwm_kb" 'BEGIN {printf "%.1f", k / 1024}')"

stop_pid "$APP_PID"
stop_pid "$NGINX_PID"
stop_pid "$REF_PID"
APP_PID="" NGINX_PID="" REF_PID=""

# --- Start-up: exec to the first 200 from /healthz, fresh data directory ----------
mkdir -p "$WORK/data-startup"
t0="$(now_ms)"
start_app "$WORK/data-startup" "$WORK/app-startup.log"
wait_healthy "$WORK/app-startup.log"
t1="$(now_ms)"
echo "startup_ms=$((t1 - t0))"
stop_pid "$APP_PID"
APP_PID=""

echo "pages: app_rps=$LAST_APP_RPS static_rps=$LAST_STATIC_RPS ratio=$LAST_RATIO p99_ms=$LAST_P99 vapor_rps=$LAST_REF_RPS vapor_ratio=$LAST_REF_RATIO of_vapor=$LAST_OF_REF"
