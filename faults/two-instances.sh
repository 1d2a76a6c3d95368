#!/usr/bin/env bash
# Two CIT Hub instances on one PostgreSQL: shared sessions, one seat count, each mail once.
#
#   faults/two-instances.sh
#
# As root, next to the PostgreSQL 15 cluster that .ci/run starts (it is never restarted
# here). FAULTS_CITHUB_BIN=<binary> skips the build. DATABASE_URL names the server and role
# (default postgres://cithub:cithub@127.0.0.1:5432/cithub_test; only its user, password,
# host and port are used). FAULTS_PORT_A (8191), FAULTS_PORT_B (8192), FAULTS_PEOPLE (200),
# FAULTS_THREADS (8), FAULTS_CAPACITY (30), FAULTS_MAIL_TIMEOUT (90 s), FAULTS_START_GAP
# (0: seconds between starting A and starting B), FAULTS_MIGRATE_FIRST=1 (run `cithub
# migrate` before starting either, as a deployment with a separate migration step does) and
# FAULTS_KEEP=1 (keep the work folder) change the run; CITHUB_DB_POOL is passed on to both.
#
# Creates a fresh database cithub_two_<pid> owned by the URL's role (psql as the postgres
# user) and starts aiosmtpd writing a Maildir. Starts instances A and B at the same moment
# (or FAULTS_START_GAP apart; release build) on that database, each with SMTP_URL pointing at aiosmtpd and its mail
# delivery loop on (CITHUB_MAIL_LOOP=on), so both migrate an empty database at once and
# both loops claim from one outbox. An instance that exits during that start is started
# again, alone, once the other is up (as a supervisor would), and reported as a FINDING;
# so is reference data loaded twice (programs or ZIP rows duplicated by the two
# start-ups). The first administrator is created on A through the
# set-up link one of them printed (A's if it printed one, else B's: the link is a row in
# the shared database). Then sessions cross over: signed in on A, the same `cithub_session`
# cookie must open /account (200, not a redirect) on B, and signed in on B it must open
# /account on A. A CIT class with FAULTS_CAPACITY seats is created through the real form
# on B, and FAULTS_PEOPLE people register through the public form, alternately on A and
# B, from FAULTS_THREADS threads started together (each email once). Public pages are
# cached by each instance: /classes is read on A before the class is created on B, and
# on both after the storm and after one more registration on B (so the class has
# FAULTS_PEOPLE + 1 registrations); a page on A that does not show B's writes is a FINDING.
#
# Afterwards, from PostgreSQL: confirmed = the class's registrations with status
# confirmed, mails_expected = rows in outbox_messages. The script waits (up to
# FAULTS_MAIL_TIMEOUT) until every outbox row is sent, then counts what aiosmtpd received:
# mails_sent = files in the Maildir. A message received twice (same Message-ID, which the
# server makes from the outbox row's id, or same recipient and subject) is a duplicate.
# Also checked and printed as FINDING lines: a registration POST not answered 303, an
# instance that did not start, an outbox row failed or still pending, received mail that
# does not match the outbox, a person whose mail subject does not match their status, a
# stale /classes page.
# Both instances and aiosmtpd are stopped and the database is dropped at the end.
#
# Last line: two-instances: confirmed=<n> capacity=<n> mails_sent=<n> mails_expected=<n> cross_session=ok
#   confirmed       confirmed registrations in the class (must equal capacity)
#   capacity        the class's seats
#   mails_sent      messages aiosmtpd received (must equal mails_expected)
#   mails_expected  messages the application put in its outbox
#   cross_session   "ok" when each instance's session opened /account on the other, else "failed"
# Exits non-zero when confirmed != capacity, mails_sent != mails_expected, a message was
# received twice, cross_session failed, or the run could not get that far.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${FAULTS_CITHUB_BIN:-}" ]; then BIN="$FAULTS_CITHUB_BIN"; else
  swift build -c release --product cithub --scratch-path .build-release >&2
  BIN="$(swift build -c release --scratch-path .build-release --show-bin-path)/cithub"
fi
BASE_URL="${DATABASE_URL:-postgres://cithub:cithub@127.0.0.1:5432/cithub_test}"
DB_NAME="cithub_two_$$"
read -r PG_USER PG_HOST PG_PORT < <(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p.username, p.hostname, p.port or 5432)' "$BASE_URL")
RUN_URL="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$BASE_URL" "$DB_NAME")"
WORK="$(mktemp -d /tmp/cithub-two.XXXXXX)"
echo "work folder: $WORK (a.log, b.log, smtp.log, maildir/; kept when the run fails, has FINDING lines, or FAULTS_KEEP=1)"

# The postgres superuser over the local socket (peer authentication), as .ci/run does.
as_postgres() { (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@"); }
DB_CREATED=""
cleanup() {
  local rc=$?
  if [ -n "$DB_CREATED" ]; then
    as_postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null \
      && echo "database $DB_NAME dropped" || echo "could not drop database $DB_NAME" >&2
  fi
  if [ "${FAULTS_KEEP:-0}" != 1 ] && [ "$rc" -eq 0 ] && [ ! -e "$WORK/findings.txt" ]; then rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT

if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  echo "PostgreSQL does not answer on $PG_HOST:$PG_PORT" >&2
  exit 2
fi
as_postgres -c "CREATE DATABASE $DB_NAME OWNER $PG_USER;" >/dev/null
DB_CREATED=1
echo "database $DB_NAME created on $PG_HOST:$PG_PORT (owner $PG_USER)"

PYTHONPATH="$PWD/faults" python3 - "$BIN" "$WORK" "$RUN_URL" <<'PY'
import collections, html, http.client, os, re, subprocess, sys, threading, time
from cithub_faults import (CONNECTION_ERRORS, SMTPSink, Server, create_admin, create_class, first_admin_link, free_port, get, log,
                           psql, register, sign_in)

binary, work, db_url = sys.argv[1], sys.argv[2], sys.argv[3]
port_a, port_b = int(os.environ.get("FAULTS_PORT_A", "8191")), int(os.environ.get("FAULTS_PORT_B", "8192"))
people = int(os.environ.get("FAULTS_PEOPLE", "200"))
threads_n = int(os.environ.get("FAULTS_THREADS", "8"))
capacity = int(os.environ.get("FAULTS_CAPACITY", "30"))
mail_timeout = float(os.environ.get("FAULTS_MAIL_TIMEOUT", "90"))
start_gap = float(os.environ.get("FAULTS_START_GAP", "0"))
migrate_first = os.environ.get("FAULTS_MIGRATE_FIRST", "0") == "1"
findings: list[str] = []


def finding(msg: str) -> None:
    findings.append(msg)
    log(f"FINDING: {msg}")
    with open(os.path.join(work, "findings.txt"), "a") as f:  # keeps the work folder
        f.write(msg + "\n")


smtp = SMTPSink(free_port(), os.path.join(work, "maildir"), os.path.join(work, "smtp.log"))
smtp.start()
log(f"aiosmtpd listening at {smtp.url}, Maildir {smtp.maildir}")


def instance(name: str, port: int) -> Server:
    env = {"DATABASE_URL": db_url, "CITHUB_LOG_LEVEL": "info", "CITHUB_MAIL_LOOP": "on", "SMTP_URL": smtp.url,
           "CITHUB_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    server = Server(binary, port, env, os.path.join(work, f"{name.lower()}.log"))
    server.name = name
    return server


a, b = instance("A", port_a), instance("B", port_b)
servers = [a, b]
try:
    # --- Both at once on the empty database -------------------------------------------
    if migrate_first:
        t_m = time.monotonic()
        subprocess.run([binary, "migrate"], env={**os.environ, "DATABASE_URL": db_url, "CITHUB_LOG_LEVEL": "warning"},
                       stdout=subprocess.DEVNULL, check=True)
        log(f"`cithub migrate` done in {time.monotonic() - t_m:.1f} s")
    t0 = time.monotonic()
    a.start()
    time.sleep(start_gap)
    b.start()
    up: dict[str, float] = {}     # seconds from the first start to /healthz 200
    restarted: set[str] = set()
    how = (f"B {start_gap:g} s after A" if start_gap else "both at once") + (" after `cithub migrate`" if migrate_first else " on an empty database")

    def wait(server: Server) -> None:
        try:
            server.wait_healthy()
            up[server.name] = time.monotonic() - t0
        except RuntimeError as error:
            up[server.name] = -1
            server.error = str(error)

    waiters = [threading.Thread(target=wait, args=(s,)) for s in servers]
    for w in waiters:
        w.start()
    for w in waiters:
        w.join()
    for s in servers:
        if up[s.name] < 0:
            tail = [l for l in s.log_text().splitlines() if l.strip()][-6:]
            finding(f"instance {s.name} did not start ({how}): {s.error}; log tail: {tail}")
            log(f"starting {s.name} again, alone")
            s.start()
            up[s.name] = s.wait_healthy()
            restarted.add(s.name)
    log(f"instances up ({how}): " + ", ".join(f"{s.name} :{s.port} " + (f"{up[s.name]:.1f} s after its second start" if s.name in restarted else f"in {up[s.name]:.1f} s")
                                           for s in servers))
    # Reference data is loaded by whichever instance finds it missing: once, not twice.
    programs, program_names = map(int, psql(db_url, "SELECT count(*), count(DISTINCT name) FROM programs")[0])
    zips, zip_pairs = map(int, psql(db_url, "SELECT count(*), count(DISTINCT (zip, county_fips)) FROM zip_counties")[0])
    counties, courses = int(psql(db_url, "SELECT count(*) FROM counties")[0][0]), int(psql(db_url, "SELECT count(*) FROM courses")[0][0])
    log(f"reference data: counties={counties} courses={courses} programs={programs} (distinct names {program_names}) "
        f"zip_counties={zips} (distinct zip+county {zip_pairs})")
    if programs != program_names or zips != zip_pairs:
        finding(f"reference data loaded twice by the two start-ups: programs={programs} for {program_names} names, "
                f"zip_counties={zips} for {zip_pairs} distinct rows")

    # --- The first administrator, and sessions across instances ------------------------
    printed_by, setup_path = first_admin_link([a, b])
    log(f"set-up links printed by: {', '.join(s.name for s in servers if '/setup/' in s.log_text()) or 'none'}; using {printed_by.name}'s link on A")
    create_admin(a, setup_path)

    def account_status(server: Server, cookies: dict[str, str]) -> str:
        r = get(http.client.HTTPConnection("127.0.0.1", server.port, timeout=30), "/account", cookies)
        return str(r.status) + (f" -> {r.getheader('Location')}" if r.getheader("Location") else "")

    cross = {}
    cookies_a = sign_in(a)
    cross["A->A"], cross["A->B"] = account_status(a, cookies_a), account_status(b, cookies_a)
    cookies_b = sign_in(b)
    cross["B->B"], cross["B->A"] = account_status(b, cookies_b), account_status(a, cookies_b)
    log("GET /account with a session made on X, sent to Y (X->Y): " + ", ".join(f"{k} {v}" for k, v in cross.items()))
    cross_ok = cross["A->B"] == "200" and cross["B->A"] == "200"
    if not cross_ok:
        finding(f"a session made on one instance does not open /account on the other: {cross}")

    def classes_page(server: Server) -> str:
        return get(http.client.HTTPConnection("127.0.0.1", server.port, timeout=30), "/classes").body.decode(errors="replace")

    def seats_text(page: str) -> str:
        """What a /classes page says about the class: its seat line, or that it is not listed."""
        at = page.find(class_id)
        if at < 0:
            return "not listed"
        m = re.search(r"\d+ of \d+ seats left|Full: join the waitlist(?: \(\d+ waiting\))?", html.unescape(page[at:at + 3000]))
        return m.group(0) if m else "listed"

    title = "CIT Academy (two-instance test, fictional)"
    before = {s.name: classes_page(s) for s in servers}  # each instance renders and caches /classes
    class_id = create_class(b, cookies_b, capacity=capacity, title=title)
    log(f"class {class_id} created on B ({capacity} seats)")
    # Instances share a cache generation that each polls once a second: give it time.
    time.sleep(float(os.environ.get("FAULTS_CACHE_SYNC_S", "2.5")))
    listed = {s.name: seats_text(classes_page(s)) for s in servers}
    log(f"/classes right after the class was created on B: " + ", ".join(f"{k}: {v!r}" for k, v in listed.items()))
    if listed["A"] == "not listed":
        finding("A's /classes does not list the class created on B (A serves the page it cached before B's write)")

    # --- The registration storm ---------------------------------------------------------
    statuses = collections.Counter()  # (instance, status)
    odd: list[tuple[str, str, object]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads_n)

    def worker(t: int) -> None:
        conns: dict[int, http.client.HTTPConnection] = {}
        barrier.wait()
        for i in range(t, people, threads_n):
            server = servers[i % 2]
            email = f"two-{i}@example.org"
            try:
                conn = conns.get(server.port) or http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                conns[server.port] = conn
                status = register(conn, class_id, email, i)
            except CONNECTION_ERRORS as error:
                conns.pop(server.port, None)
                status = f"no answer ({type(error).__name__})"
            with lock:
                statuses[(server.name, status)] += 1
                if status != 303:
                    odd.append((server.name, email, status))

    workers = [threading.Thread(target=worker, args=(t,)) for t in range(threads_n)]
    t_storm = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    storm_s = time.monotonic() - t_storm
    log(f"storm: {people} registrations in {storm_s:.2f} s from {threads_n} threads; answers by instance: "
        f"{dict(sorted(((f'{n} {s}', c) for (n, s), c in statuses.items())))}")
    if odd:
        finding(f"{len(odd)} registration POSTs were not answered 303, e.g. {odd[:5]}")

    # --- What the database says ---------------------------------------------------------
    by_status = {s: int(n) for s, n in psql(db_url, f"SELECT status, count(*) FROM registrations WHERE class_id = '{class_id}' GROUP BY status")}
    confirmed = by_status.get("confirmed", 0)
    db_capacity = int(psql(db_url, f"SELECT capacity FROM class_sessions WHERE id = '{class_id}'")[0][0])
    log(f"registrations by status: {by_status}; class capacity in the database: {db_capacity}")
    if sum(by_status.values()) != people:
        finding(f"{sum(by_status.values())} registration rows for {people} people")
    seats = {s.name: seats_text(classes_page(s)) for s in servers}
    log(f"/classes after the storm: " + ", ".join(f"{k}: {v!r}" for k, v in seats.items()))
    # One more person, on B only: does A's page learn of it?
    late = register(http.client.HTTPConnection("127.0.0.1", b.port, timeout=30), class_id, "two-late@example.org", people)
    time.sleep(float(os.environ.get("FAULTS_CACHE_SYNC_S", "2.5")))
    seats = {s.name: seats_text(classes_page(s)) for s in servers}
    log(f"/classes after one more registration on B ({late}): " + ", ".join(f"{k}: {v!r}" for k, v in seats.items()))
    if seats["A"] != seats["B"]:
        finding(f"A's /classes does not show the registration made on B: {seats}")
    confirmed = int(psql(db_url, f"SELECT count(*) FROM registrations WHERE class_id = '{class_id}' AND status = 'confirmed'")[0][0])

    # --- Mail: wait until the loops have sent every outbox row --------------------------
    t_mail = time.monotonic()
    while True:
        counts = dict(psql(db_url, "SELECT status, count(*) FROM outbox_messages GROUP BY status"))
        counts = {k: int(v) for k, v in counts.items()}
        if counts.get("pending", 0) == 0 or time.monotonic() - t_mail > mail_timeout:
            break
        time.sleep(0.5)
    drain_s = time.monotonic() - t_mail
    mails_expected = sum(counts.values())
    log(f"outbox: {mails_expected} messages, by status {counts}; none pending {drain_s:.1f} s after the storm"
        if counts.get("pending", 0) == 0 else f"outbox: {mails_expected} messages, by status {counts} after {drain_s:.0f} s")
    if counts.get("pending", 0):
        finding(f"{counts['pending']} outbox messages still pending {mail_timeout:.0f} s after the storm")
    if counts.get("failed", 0):
        errs = psql(db_url, "SELECT last_error FROM outbox_messages WHERE status = 'failed' LIMIT 3")
        finding(f"{counts['failed']} outbox messages failed, e.g. {errs}")
    retried = psql(db_url, "SELECT count(*) FROM outbox_messages WHERE attempts > 1")[0][0]
    if int(retried):
        finding(f"{retried} outbox messages needed more than one attempt: {psql(db_url, 'SELECT last_error FROM outbox_messages WHERE attempts > 1 LIMIT 3')}")
    time.sleep(1.0)  # aiosmtpd writes before it answers 250; a moment for anything in flight

    # --- What aiosmtpd received ----------------------------------------------------------
    received = smtp.messages()
    mails_sent = len(received)
    by_id = collections.Counter(str(m.get("Message-ID", "")).strip() for m in received)
    by_rcpt_subject = collections.Counter((str(m.get("To", "")).strip().lower(), str(m.get("Subject", "")).strip()) for m in received)
    dup_ids = {k: n for k, n in by_id.items() if n > 1}
    dup_pairs = {k: n for k, n in by_rcpt_subject.items() if n > 1}
    duplicates = sum(n - 1 for n in dup_ids.values()) + sum(n - 1 for n in dup_pairs.values())
    if dup_ids or dup_pairs:
        finding(f"messages received more than once: by Message-ID {list(dup_ids.items())[:5]}, by recipient and subject {list(dup_pairs.items())[:5]}")
    outbox_rows = psql(db_url, "SELECT lower(id::text), lower(to_address), subject, status FROM outbox_messages")
    outbox_ids = {f"<{i}@cithub>" for i, _, _, _ in outbox_rows}
    unknown = set(by_id) - outbox_ids
    missing = outbox_ids - set(by_id)
    if unknown:
        finding(f"{len(unknown)} received messages match no outbox row, e.g. {sorted(unknown)[:3]}")
    if missing:
        finding(f"{len(missing)} outbox messages were never received, e.g. {sorted(missing)[:3]} "
                f"(statuses: {collections.Counter(st for i, _, _, st in outbox_rows if f'<{i}@cithub>' in missing)})")
    # Each person's mail says what the database says about them.
    status_of = {e: s for e, s in psql(db_url, f"SELECT lower(email), status FROM registrations WHERE class_id = '{class_id}'")}
    want_prefix = {"confirmed": "Confirmed:", "waitlisted": "Waitlist:"}
    mismatched = [(to, subj, status_of.get(to)) for (to, subj) in by_rcpt_subject
                  if to in status_of and not subj.startswith(want_prefix.get(status_of[to], "?"))]
    unmailed = sorted(set(status_of) - {to for to, _ in by_rcpt_subject})
    if mismatched:
        finding(f"{len(mismatched)} people got a subject that does not match their status, e.g. {mismatched[:3]}")
    if unmailed:
        finding(f"{len(unmailed)} registered people got no mail, e.g. {unmailed[:3]}")

    sent_by = {}
    for s in servers:
        sent_by[s.name] = sum(int(n) for n in re.findall(r"mail sent.*?count: (\d+)", s.log_text()))
    log(f"mail sent by each delivery loop (from the 'mail sent' log lines): {sent_by}")
    for s in servers:
        errors = [l for l in s.log_text().splitlines() if re.search(r"\b(error|critical)\b", l, re.I)]
        if errors:
            log(f"{s.name}'s log has {len(errors)} error lines, first: {[l[:300] for l in errors[:3]]}")
finally:
    for s in servers:
        how = s.stop()
        log(f"instance {s.name} {how}")
    log(f"aiosmtpd {smtp.stop()}")

print(f"two-instances: confirmed={confirmed} capacity={db_capacity} mails_sent={mails_sent} mails_expected={mails_expected} "
      f"cross_session={'ok' if cross_ok else 'failed'}")
sys.exit(0 if confirmed == db_capacity == capacity and mails_sent == mails_expected and duplicates == 0 and cross_ok else 1)
PY
