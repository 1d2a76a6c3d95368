#!/usr/bin/env bash
# Crash safety on SQLite: SIGKILL the server ten times during a write storm.
#
#   faults/kill9.sh      (FAULTS_CITHUB_BIN=<binary> skips the build; FAULTS_KILLS (10),
#                         FAULTS_STARTUP_KILLS (2 of them), FAULTS_THREADS (8), FAULTS_SEED
#                         (random, printed), FAULTS_PORT (8187) change the run;
#                         FAULTS_KEEP=1 keeps the work folder)
#
# Starts a fresh server on a new SQLite data folder (release build), creates the first
# administrator through the printed link and a 1000-seat CIT class through the real form
# (named "(fault test, fictional)"), then FAULTS_THREADS threads send registrations, each
# with an email address of its own. Every email whose POST got a 303 is "acknowledged":
# the server said it was stored. While the storm runs, the server is killed with SIGKILL
# at random moments FAULTS_KILLS times (two of them while it is still starting up) and
# restarted on the same data folder. The load threads ride through the connection errors:
# a request that got no answer may or may not have landed, which is fine. At the end the
# server is stopped and the database file is read directly: every acknowledged email must
# have its row in `registrations`, and `PRAGMA integrity_check` must answer "ok".
#
# Encounter reports go through the JSON API with an administrator's token, alternating
# with the registrations; a 201 is their acknowledgement, keyed by the id it returns.
#
# Last line: kill9: acknowledged=<n> present=<n> lost=<n> integrity=ok
#   acknowledged  writes answered 303; present  of those, how many are in the database;
#   lost          acknowledged but missing (must be 0);
#   integrity     "ok", or SQLite's first integrity_check message.
# Exits non-zero when lost > 0, integrity is not ok, or the server did not start (or take
# writes) again after a kill.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${FAULTS_CITHUB_BIN:-}" ]; then BIN="$FAULTS_CITHUB_BIN"; else
  swift build -c release --product cithub --scratch-path .build-release >&2
  BIN="$(swift build -c release --scratch-path .build-release --show-bin-path)/cithub"
fi
WORK="$(mktemp -d /tmp/cithub-kill9.XXXXXX)"
echo "work folder: $WORK (server.log, data/; kept when the run fails or FAULTS_KEEP=1)"
cleanup() { local rc=$?; if [ "${FAULTS_KEEP:-0}" != 1 ] && [ "$rc" -eq 0 ]; then rm -rf "$WORK"; fi; exit "$rc"; }
trap cleanup EXIT

PYTHONPATH="$PWD/faults" python3 - "$BIN" "$WORK" <<'PY'
import collections, http.client, os, random, re, sqlite3, sys, threading, time
from cithub_faults import ADMIN_EMAIL, CONNECTION_ERRORS, Server, create_admin_and_sign_in, create_class, log, register

binary, work = sys.argv[1], sys.argv[2]
kills = int(os.environ.get("FAULTS_KILLS", "10"))
threads_n = int(os.environ.get("FAULTS_THREADS", "8"))
seed = int(os.environ.get("FAULTS_SEED") or random.SystemRandom().randrange(1 << 31))
port = int(os.environ.get("FAULTS_PORT", "8187"))
rng = random.Random(seed)
db_path = os.path.join(work, "data", "cithub.sqlite")
log(f"seed={seed} kills={kills} threads={threads_n} data={work}/data")

server = Server(binary, port, {"CITHUB_DATA_DIR": os.path.join(work, "data"), "CITHUB_LOG_LEVEL": "notice",
                               "CITHUB_MAIL_LOOP": "off", "CITHUB_PUBLIC_URL": f"http://127.0.0.1:{port}"},
                os.path.join(work, "server.log"))
server.start()
log(f"server up in {server.wait_healthy():.1f} s")
cookies = create_admin_and_sign_in(server)
class_id = create_class(server, cookies, capacity=1000)
log(f"class {class_id} created (1000 seats)")


# --- Kinds of acknowledged write. Each kind sends one write and later says which of its
# acknowledged keys are in the database. -------------------------------------------------

class RegistrationWrites:
    name = "registration"

    def send(self, conn: http.client.HTTPConnection, key: str, n: int) -> int:
        return register(conn, class_id, key, n)

    def key(self, thread: int, n: int) -> str:
        return f"k9-t{thread}-{n}@example.org"

    def present(self, db: sqlite3.Connection, keys: set[str]) -> set[str]:
        return {e for (e,) in db.execute("SELECT lower(email) FROM registrations")} & keys


class EncounterWrites:
    """Encounter reports through the JSON API (POST /api/v1/encounters), as a records
    system would send them, with an administrator's API token. A report has no free
    text to carry a key, so its key is the id the server answers with on 201."""
    name = "encounter-report"

    def __init__(self) -> None:
        import json as _json, subprocess
        env = dict(os.environ, **{"CITHUB_DATA_DIR": os.path.join(work, "data"), "CITHUB_LOG_LEVEL": "error"})
        self.token = subprocess.run([binary, "api-token", ADMIN_EMAIL, "kill9"], env=env, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        db = sqlite3.connect(db_path, timeout=30)
        agency, county = db.execute("SELECT id, county_fips FROM organizations WHERE kind = 'law_enforcement' AND county_fips IS NOT NULL ORDER BY name LIMIT 1").fetchone()
        db.close()
        self.body = _json.dumps({
            "occurred_on": "2026-08-14", "time_block": "16-20", "agency": str(agency).lower(), "county_fips": county, "call_source": "911",
            "cit_requested": True, "cit_dispatched": True, "cit_arrived": True, "cit_trained_on_scene": True, "disposition": "referral",
            "force_level": "none", "injury_person": False, "injury_officer": False, "injury_other": False,
            "weapon_involved": "no", "veteran": "unknown", "substance_use": "no", "repeat_contact": "unknown"})
        self._json = _json

    def key(self, thread: int, n: int) -> str:
        return ""  # known only from the answer

    def send(self, conn: http.client.HTTPConnection, key: str, n: int):
        conn.request("POST", "/api/v1/encounters", self.body, {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
        r = conn.getresponse()
        body = r.read()
        if r.status == 201:
            return 303, self._json.loads(body)["id"].lower()   # acknowledged, under the id it was stored as
        return r.status, key

    def present(self, db: sqlite3.Connection, keys: set[str]) -> set[str]:
        return {str(i).lower() for (i,) in db.execute("SELECT id FROM encounter_reports")} & keys


def encounter_report_writes():
    return EncounterWrites()


KINDS = [k for k in (RegistrationWrites(), encounter_report_writes()) if k is not None]

acknowledged = {k.name: set() for k in KINDS}
statuses = collections.Counter()
server_errors = []  # (kind, key, status) for 5xx answers: findings
lock = threading.Lock()
stop = threading.Event()


def worker(t: int) -> None:
    conn, n = None, 0
    while not stop.is_set():
        kind = KINDS[n % len(KINDS)]
        key = kind.key(t, n)
        n += 1
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            status = kind.send(conn, key, n)
            if isinstance(status, tuple):
                status, key = status
        except CONNECTION_ERRORS:
            # The server died under this request: its write may or may not have landed.
            conn.close()
            conn = None
            with lock:
                statuses["no answer"] += 1
            time.sleep(0.05)
            continue
        with lock:
            statuses[status] += 1
            if status == 303:
                acknowledged[kind.name].add(key)
            elif status >= 500:
                server_errors.append((kind.name, key, status))


workers = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(threads_n)]
t0 = time.monotonic()
for w in workers:
    w.start()

restart_s = []
# A few kills (FAULTS_STARTUP_KILLS, never the first) come while the server is still
# starting (migrations, reference data, WAL recovery), before /healthz has answered.
startup_kills = set(rng.sample(range(2, kills + 1), min(kills - 1, int(os.environ.get("FAULTS_STARTUP_KILLS", "2")))))
came_back = True
try:
    for k in range(1, kills + 1):
        if k in startup_kills:
            moment = "during start-up"
            time.sleep(rng.uniform(0.0, 0.15))
        else:
            if k > 1:
                restart_s.append(server.wait_healthy())
            moment = "under load"
            time.sleep(rng.uniform(0.5, 3.0))  # a random moment of the storm
        with lock:
            acks_before = sum(len(v) for v in acknowledged.values())
        server.kill9()
        server.start()
        log(f"kill {k}/{kills} {moment}: SIGKILL after {acks_before} acknowledged writes")
    restart_s.append(server.wait_healthy())
except RuntimeError as error:  # it did not start again: the worst outcome, reported below
    came_back = False
    log(f"FINDING: the server did not come back after a SIGKILL: {error}")

# The server must take writes again after the last crash, not only answer /healthz.
with lock:
    acks_at_last_restart = sum(len(v) for v in acknowledged.values())
time.sleep(2.0)
stop.set()
for w in workers:
    w.join(timeout=60)
elapsed = time.monotonic() - t0
with lock:
    acks_after_last_restart = sum(len(v) for v in acknowledged.values()) - acks_at_last_restart
server.stop()

db = sqlite3.connect(db_path)
integrity = "; ".join(r[0] for r in db.execute("PRAGMA integrity_check").fetchall())
total_ack = total_present = 0
for kind in KINDS:
    keys = acknowledged[kind.name]
    present = kind.present(db, keys)
    missing = sorted(keys - present)
    total_ack += len(keys)
    total_present += len(present)
    log(f"{kind.name}: acknowledged={len(keys)} present={len(present)} lost={len(missing)}" + (f" first missing: {missing[:5]}" if missing else ""))
rows = db.execute("SELECT count(*), count(DISTINCT lower(email)) FROM registrations").fetchone()
db.close()

errors_in_log = [l for l in server.log_text().splitlines() if re.search(r"\b(error|critical)\b", l, re.I)]
log(f"storm: {elapsed:.1f} s, requests by status: {dict(sorted(statuses.items(), key=str))}")
log(f"registrations table: rows={rows[0]} distinct_emails={rows[1]} (unacknowledged requests that landed anyway: {rows[0] - len(acknowledged['registration'])})")
if restart_s:
    log(f"restarts: /healthz 200 after {min(restart_s):.2f}-{max(restart_s):.2f} s (mean {sum(restart_s) / len(restart_s):.2f} s, {len(restart_s)} measured); "
        f"writes acknowledged after the last restart: {acks_after_last_restart}")
if server_errors:
    log(f"FINDING: {len(server_errors)} writes answered 5xx, e.g. {server_errors[:3]}")
if errors_in_log:
    log(f"server log has {len(errors_in_log)} error lines, first: {[l[:300] for l in errors_in_log[:3]]}")
if came_back and acks_after_last_restart == 0:
    log("FINDING: no write was acknowledged after the last restart")

lost = total_ack - total_present
ok = integrity == "ok"
print(f"kill9: acknowledged={total_ack} present={total_present} lost={lost} integrity={integrity if ok else integrity[:200]}")
sys.exit(0 if lost == 0 and ok and came_back and acks_after_last_restart > 0 else 1)
PY
