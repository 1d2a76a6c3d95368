#!/usr/bin/env bash
# 500 people register at once for a 30-seat class (SQLite file, release build).
#
#   bench/registration-storm.sh      (BENCH_CITHUB_BIN=<binary> skips the build;
#                                     STORM_N, STORM_SEATS, STORM_CONCURRENCY change the sizes)
#
# Starts a fresh server, creates the first administrator through the printed link and
# a 40-hour CIT class through the real form (it is named "(storm test, fictional)"), then
# sends the registrations from STORM_CONCURRENCY threads, each over its own connection,
# then, the same way, presses "Confirm my place" on every link the forms mailed (read from
# the outbox: the mail loop is off). Afterwards it reads the database: how many confirmed
# and waitlisted, none lost (every confirmation answered 303 has its place), no email twice.
# The latencies and rate are those of the forms; the confirmations' are printed on their own.
# Only 127.0.0.1 is contacted.
#
# Last line: storm: confirmed=<n> waitlisted=<n> lost=<n> duplicates=<n> p99_ms=<n> rps=<n>
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${BENCH_CITHUB_BIN:-}" ]; then BIN="$BENCH_CITHUB_BIN"; else
  swift build -c release --product cithub >&2
  BIN="$(swift build -c release --show-bin-path)/cithub"
fi
PORT=8185
WORK="$(mktemp -d /tmp/cithub-storm.XXXXXX)"
APP_PID=""
cleanup() { local rc=$?; [ -n "$APP_PID" ] && kill -TERM "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null || true; rm -rf "$WORK"; exit "$rc"; }
trap cleanup EXIT

CITHUB_DATA_DIR="$WORK/data" CITHUB_LOG_LEVEL=warning CITHUB_MAIL_LOOP=off CITHUB_PUBLIC_URL="http://127.0.0.1:$PORT" \
  "$BIN" serve --hostname 127.0.0.1 --port "$PORT" </dev/null >"$WORK/log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz" || true)" = "200" ] && break
  sleep 0.1
done

python3 - "$PORT" "$WORK/log" "$WORK/data/cithub.sqlite" "${STORM_N:-500}" "${STORM_SEATS:-30}" "${STORM_CONCURRENCY:-64}" <<'PY'
import datetime as dt, http.client, re, sqlite3, sys, threading, time, urllib.parse

port, log, db, n, seats, concurrency = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
base = f"http://127.0.0.1:{port}"
CSRF = "s" * 43

def post(conn, path, fields, cookies):
    body = urllib.parse.urlencode({**fields, "_csrf": CSRF})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(f"{k}={v}" for k, v in {**cookies, "cithub_csrf": CSRF}.items())}
    conn.request("POST", path, body, headers)
    r = conn.getresponse(); r.read()
    return r

# The first administrator, through the link the server printed.
setup = re.search(re.escape(base) + r"(/setup/[A-Za-z0-9_-]+)", open(log).read()).group(1)
c = http.client.HTTPConnection("127.0.0.1", int(port))
pw = "quiet-lantern-Orchard-1987"
r = post(c, setup, {"name": "Storm Admin", "email": "storm-admin@example.org", "password": pw, "password_confirm": pw}, {})
assert r.status == 303, r.status
r = post(c, "/login", {"email": "storm-admin@example.org", "password": pw}, {})
session = re.search(r"cithub_session=([^;]+)", r.getheader("Set-Cookie")).group(1)
program = sqlite3.connect(db).execute("SELECT id FROM programs ORDER BY name LIMIT 1").fetchone()[0]
program = program if isinstance(program, str) else str(__import__("uuid").UUID(bytes=program))
start = dt.date.today() + dt.timedelta(days=30)
agenda = "\n".join(f"{start + dt.timedelta(days=i)} {a}" for i in range(5) for a in ("08:00-12:00 Overview #mental-illness-overview", "12:00-12:30 Lunch", "12:30-16:30 Role-plays #role-plays"))
r = post(c, f"/programs/{program}/classes/new", {"course": "CIT", "title": "CIT Academy (storm test, fictional)", "venue_name": "Test venue", "venue_address": "1 Test St",
         "venue_zip": "53703", "capacity": str(seats), "agenda": agenda}, {"cithub_session": session})
assert r.status == 303, f"class not created: {r.status}"
class_id = r.getheader("Location").rsplit("/", 1)[1]

def storm(jobs, send):
    """Runs send(conn, job) for every job from `concurrency` threads; statuses, latencies, seconds."""
    latencies, statuses, lock = [], [], threading.Lock()
    queue = list(jobs)
    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", int(port))
        while True:
            with lock:
                if not queue: return
                job = queue.pop()
            t0 = time.perf_counter()
            r = send(conn, job)
            with lock:
                latencies.append((time.perf_counter() - t0) * 1000); statuses.append(r.status)
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads: t.start()
    for t in threads: t.join()
    return statuses, sorted(latencies), time.perf_counter() - t0

# The forms: each answers "check your email" (200) and mails a link.
statuses, latencies, elapsed = storm(range(n), lambda conn, i: post(conn, f"/classes/{class_id}/register", {"name": f"Storm Person {i}", "email": f"storm{i}@example.org",
                                     "phone": "(608) 555-0100", "organization": f"Agency {i % 40}", "audience": "sworn_law_enforcement"}, {}))
# The confirmations, from the links in the outbox.
links = [m.group(1) for (body,) in sqlite3.connect(db).execute("SELECT body_text FROM outbox_messages WHERE subject LIKE 'Confirm your place%'")
         for m in [re.search(re.escape(base) + r"(/registrations/confirm/[A-Za-z0-9_-]+)", body)] if m]
confirm_statuses, confirm_latencies, confirm_elapsed = storm(links, lambda conn, link: post(conn, link, {}, {}))

rows = sqlite3.connect(db).execute("SELECT email, status FROM registrations").fetchall()
confirmed = sum(1 for _, s in rows if s == "confirmed")
waitlisted = sum(1 for _, s in rows if s == "waitlisted")
acknowledged = confirm_statuses.count(303)
lost = max(0, acknowledged - (confirmed + waitlisted))
duplicates = len(rows) - len({e for e, _ in rows})
p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
confirm_p99 = confirm_latencies[min(len(confirm_latencies) - 1, int(len(confirm_latencies) * 0.99))] if confirm_latencies else 0
print(f"forms={len(statuses)} answered(200)={statuses.count(200)} other_statuses={sorted(set(statuses) - {200})} elapsed_s={elapsed:.2f} seats={seats}")
print(f"confirmations={len(confirm_statuses)} placed(303)={acknowledged} other_statuses={sorted(set(confirm_statuses) - {303})} elapsed_s={confirm_elapsed:.2f} p99_ms={confirm_p99:.1f}")
print(f"storm: confirmed={confirmed} waitlisted={waitlisted} lost={lost} duplicates={duplicates} p99_ms={p99:.1f} rps={len(statuses) / elapsed:.0f}")
PY
