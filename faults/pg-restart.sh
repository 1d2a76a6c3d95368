#!/usr/bin/env bash
# PostgreSQL restarts under load: does CIT Hub come back by itself, and is anything lost?
#
#   faults/pg-restart.sh
#
# As root, next to the PostgreSQL 15 cluster that .ci/run starts. FAULTS_CITHUB_BIN=<binary>
# skips the build. DATABASE_URL names the server and role (default
# postgres://cithub:cithub@127.0.0.1:5432/cithub_test; only its user, password, host and
# port are used). FAULTS_PG_RESTART is the restart command (default `pg_ctlcluster 15 main
# restart`); FAULTS_THREADS (4), FAULTS_PORT (8188), FAULTS_RECOVERY_TIMEOUT (60 s) and
# FAULTS_KEEP=1 (keep the work folder) change the run.
#
# Creates a fresh database cithub_faults_<pid> owned by the URL's role (psql as the
# postgres user), starts the server on it (release build), creates the first
# administrator and a 1000-seat CIT class through the real forms, then runs a steady load:
# FAULTS_THREADS threads registering (each email once), one thread polling /healthz and one
# reading /classes. After 5 s of load PostgreSQL is restarted; the server is NOT restarted.
# The load goes on until /healthz answers 200 and a registration is acknowledged (303)
# again, both sent after the restart command returned, then 3 s more. Afterwards every
# acknowledged email must be in `registrations`. The database is dropped at the end.
# Requests slower than 5 s are printed as FINDING lines. The server runs with a 10 s request
# deadline (FAULTS_REQUEST_TIMEOUT): a request whose query PostgreSQL lost is answered 503
# then (counted in errors_during); one with no answer at all holds its load thread for the
# client's 45 s timeout and is reported as hung.
#
# Last line: pg-restart: errors_during=<n> recovered_s=<n> lost=<n>
#   errors_during  requests that failed (5xx or no answer) between the restart and recovery
#   recovered_s    seconds from the restart command until /healthz 200 and a 303 registration
#                  again (it includes PostgreSQL's own restart time, printed above it);
#                  "none" when the server did not recover within FAULTS_RECOVERY_TIMEOUT
#   lost           acknowledged registrations missing from the database (must be 0)
# Exits non-zero when the server did not recover without a restart, or lost > 0.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${FAULTS_CITHUB_BIN:-}" ]; then BIN="$FAULTS_CITHUB_BIN"; else
  swift build -c release --product cithub --scratch-path .build-release >&2
  BIN="$(swift build -c release --scratch-path .build-release --show-bin-path)/cithub"
fi
BASE_URL="${DATABASE_URL:-postgres://cithub:cithub@127.0.0.1:5432/cithub_test}"
DB_NAME="cithub_faults_$$"
read -r PG_USER PG_HOST PG_PORT < <(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p.username, p.hostname, p.port or 5432)' "$BASE_URL")
RUN_URL="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$BASE_URL" "$DB_NAME")"
WORK="$(mktemp -d /tmp/cithub-pgrestart.XXXXXX)"
echo "work folder: $WORK (server.log; kept when the run fails or FAULTS_KEEP=1)"

# The postgres superuser over the local socket (peer authentication), as .ci/run does.
as_postgres() { (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@"); }
DB_CREATED=""
cleanup() {
  local rc=$?
  if [ -z "$DB_CREATED" ]; then rm -rf "$WORK"; exit "$rc"; fi
  # PostgreSQL may still be coming back from a restart: wait for it before dropping.
  for _ in $(seq 1 60); do pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break; sleep 1; done
  as_postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null \
    || echo "could not drop database $DB_NAME" >&2
  if [ "${FAULTS_KEEP:-0}" != 1 ] && [ "$rc" -eq 0 ]; then rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT

if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  echo "PostgreSQL does not answer on $PG_HOST:$PG_PORT (start it: pg_ctlcluster 15 main start)" >&2
  exit 2
fi
as_postgres -c "CREATE DATABASE $DB_NAME OWNER $PG_USER;" >/dev/null
DB_CREATED=1
echo "database $DB_NAME created on $PG_HOST:$PG_PORT (owner $PG_USER)"

PYTHONPATH="$PWD/faults" python3 - "$BIN" "$WORK" "$RUN_URL" <<'PY'
import collections, http.client, os, re, shlex, subprocess, sys, threading, time
from cithub_faults import CONNECTION_ERRORS, Server, create_admin_and_sign_in, create_class, get, log, register

binary, work, db_url = sys.argv[1], sys.argv[2], sys.argv[3]
threads_n = int(os.environ.get("FAULTS_THREADS", "4"))
port = int(os.environ.get("FAULTS_PORT", "8188"))
restart_cmd = shlex.split(os.environ.get("FAULTS_PG_RESTART", "pg_ctlcluster 15 main restart"))
recovery_timeout = float(os.environ.get("FAULTS_RECOVERY_TIMEOUT", "60"))
# The server's request deadline: a request whose query was lost in the restart is answered
# 503 after this long (the default, 30 s, would make the run long).
request_timeout = os.environ.get("FAULTS_REQUEST_TIMEOUT", "10")

server = Server(binary, port, {"DATABASE_URL": db_url, "CITHUB_LOG_LEVEL": "notice", "CITHUB_MAIL_LOOP": "off",
                               "CITHUB_PUBLIC_URL": f"http://127.0.0.1:{port}", "CITHUB_REQUEST_TIMEOUT": request_timeout},
                os.path.join(work, "server.log"))
server.start()
try:
    log(f"server up on PostgreSQL in {server.wait_healthy():.1f} s")
    cookies = create_admin_and_sign_in(server)
    class_id = create_class(server, cookies, capacity=1000)
    log(f"class {class_id} created (1000 seats)")

    # Every request: (kind, start, end, outcome); outcome is the status or "no answer".
    records, lock, stop = [], threading.Lock(), threading.Event()
    acknowledged = set()

    def run(kind: str, send, pause: float) -> None:
        conn, n = None, 0
        while not stop.is_set():
            n += 1
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=45)
            t0 = time.monotonic()
            try:
                outcome, key = send(conn, n)
            except CONNECTION_ERRORS:
                conn.close()
                conn, outcome, key = None, "no answer", None
            with lock:
                records.append((kind, t0, time.monotonic(), outcome))
                if outcome == 303 and key:
                    acknowledged.add(key)
            time.sleep(pause)

    def registration_sender(t: int):
        def send(conn, n):
            email = f"pg-t{t}-{n}@example.org"
            return register(conn, class_id, email, n), email
        return send

    threads = [threading.Thread(target=run, args=("registration", registration_sender(t), 0.02), daemon=True) for t in range(threads_n)]
    threads.append(threading.Thread(target=run, args=("healthz", lambda c, n: (get(c, "/healthz").status, None), 0.05), daemon=True))
    threads.append(threading.Thread(target=run, args=("classes", lambda c, n: (get(c, "/classes").status, None), 0.1), daemon=True))
    for t in threads:
        t.start()
    time.sleep(5)

    log(f"restarting PostgreSQL: {' '.join(restart_cmd)}")
    t_restart = time.monotonic()
    done = subprocess.run(restart_cmd, capture_output=True, text=True)
    t_pg_back = time.monotonic()
    if done.returncode != 0:
        log(f"the restart command failed ({done.returncode}): {done.stderr.strip()}")
        sys.exit(2)
    log(f"PostgreSQL restarted in {t_pg_back - t_restart:.2f} s")

    def first_ok(kind: str, status: int):
        with lock:
            ends = [end for k, start, end, o in records if k == kind and o == status and start >= t_pg_back]
        return min(ends) if ends else None

    health_back = reg_back = None
    while time.monotonic() - t_pg_back < recovery_timeout:
        health_back, reg_back = first_ok("healthz", 200), first_ok("registration", 303)
        if health_back and reg_back:
            break
        time.sleep(0.1)
    recovered = health_back is not None and reg_back is not None
    t_recovered = max(health_back, reg_back) if recovered else time.monotonic()
    time.sleep(3)
    stop.set()
    for t in threads:
        t.join(timeout=60)

    def failed(o) -> bool:
        return o == "no answer" or (isinstance(o, int) and o >= 500)

    during = [r for r in records if failed(r[3]) and r[2] >= t_restart and r[1] <= t_recovered]
    outside = [r for r in records if failed(r[3]) and not (r[2] >= t_restart and r[1] <= t_recovered)]
    by_kind = collections.Counter((k, o) for k, _, _, o in during)
    slowest = max((end - start for k, start, end, o in records if end >= t_restart and start <= t_recovered), default=0)
    total = collections.Counter((k, o) for k, _, _, o in records)

    out = subprocess.run(["psql", "-X", "-tA", db_url, "-c", "SELECT lower(email) FROM registrations"], capture_output=True, text=True, check=True)
    present = set(out.stdout.split())
    lost = sorted(acknowledged - present)

    log(f"requests by kind and outcome: {dict(sorted(total.items(), key=str))}")
    log(f"failed during the outage: {dict(sorted(by_kind.items(), key=str))}; slowest request in the window {slowest:.2f} s")
    slow = sorted((start - t_restart, end - start, k, o) for k, start, end, o in records if end - start > 5)
    for offset, took, k, o in slow[:10]:
        log(f"FINDING: a {k} request sent {offset:+.2f} s from the restart " +
            (f"got no answer within the client's {took:.0f} s timeout (hung)" if o == "no answer" and took >= 44 else f"took {took:.2f} s and ended with {o!r}"))
    deadline = float(request_timeout)
    at_deadline = [r for r in records if r[3] == 503 and r[2] - r[1] >= deadline - 0.5]
    hung = [r for r in records if r[3] == "no answer" and r[2] - r[1] >= 44]
    log(f"requests answered 503 at the server's {deadline:.0f} s deadline (their query was lost in the restart): {len(at_deadline)}; "
        f"requests that got no answer at all: {len(hung)}")
    if outside:
        log(f"FINDING: {len(outside)} requests failed outside the outage, e.g. {[(k, o) for k, _, _, o in outside[:5]]}")
    if recovered:
        log(f"/healthz 200 again {health_back - t_restart:.2f} s and a registration acknowledged again {reg_back - t_restart:.2f} s "
            f"after the restart command (PostgreSQL itself took {t_pg_back - t_restart:.2f} s)")
    else:
        log(f"FINDING: the server did NOT recover within {recovery_timeout:.0f} s of PostgreSQL being back, without a restart "
            f"(/healthz 200 again: {'yes' if health_back else 'no'}; registration 303 again: {'yes' if reg_back else 'no'})")
    errors_in_log = [l for l in server.log_text().splitlines() if re.search(r"\b(error|critical)\b", l, re.I)]
    if errors_in_log:
        log(f"server log has {len(errors_in_log)} error lines, first: {[l[:300] for l in errors_in_log[:3]]}")
    log(f"acknowledged={len(acknowledged)} present={len(acknowledged & present)}" + (f" first missing: {lost[:5]}" if lost else ""))
    stopped = server.stop()
    log(f"server {stopped}" if "SIGTERM in" in stopped else f"FINDING: server {stopped}")
    print(f"pg-restart: errors_during={len(during)} recovered_s={f'{t_recovered - t_restart:.2f}' if recovered else 'none'} lost={len(lost)}")
    sys.exit(0 if recovered and not lost else 1)
finally:
    server.stop()
PY
