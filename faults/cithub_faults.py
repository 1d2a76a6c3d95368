"""Helpers shared by faults/kill9.sh, faults/pg-restart.sh and faults/two-instances.sh.

A CIT Hub server as a child process (start, SIGKILL, stop, wait for /healthz), the
first administrator from the printed setup link, sign-in, a class created through the
real form, one registration POST, an aiosmtpd SMTP server writing a Maildir, and psql.
Every form POST carries the CSRF double-submit pair: the `cithub_csrf` cookie and the
same value in the `_csrf` field. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

CSRF = "f" * 43  # any value of 32+ characters works: the cookie and the field must match
ADMIN_EMAIL = "faults-admin@example.org"
ADMIN_PASSWORD = "quiet-lantern-Orchard-1987"
UUID_RE = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

# What counts as "the connection failed" for a load thread (the server was killed,
# PostgreSQL went away under it, ...).
CONNECTION_ERRORS = (OSError, http.client.HTTPException)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Server:
    """One `cithub serve` child process; restarted with the same data and log file."""

    def __init__(self, binary: str, port: int, env: dict[str, str], log_path: str):
        self.binary, self.port, self.env, self.log_path = binary, port, env, log_path
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with open(self.log_path, "ab") as f:
            f.write(f"\n===== faults: start #{self.starts} at {time.strftime('%H:%M:%S')} =====\n".encode())
            f.flush()
            self.process = subprocess.Popen(
                [self.binary, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)],
                env={**os.environ, **self.env}, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)

    def kill9(self) -> None:
        assert self.process is not None
        with open(self.log_path, "ab") as f:
            f.write(f"\n===== faults: SIGKILL at {time.strftime('%H:%M:%S')} =====\n".encode())
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, grace: float = 15.0) -> str:
        """SIGTERM, then SIGKILL after `grace` seconds; says how the process ended."""
        if self.process is None or self.process.poll() is not None:
            return "not running"
        t0 = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
            return f"stopped by SIGTERM in {time.monotonic() - t0:.1f} s"
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return f"did not stop within {grace:.0f} s of SIGTERM; killed"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def healthz(self, timeout: float = 2.0) -> int | None:
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            c.request("GET", "/healthz")
            r = c.getresponse()
            r.read()
            c.close()
            return r.status
        except CONNECTION_ERRORS:
            return None

    def wait_healthy(self, timeout: float = 180.0) -> float:
        """Seconds until /healthz answered 200; raises if the process died or time ran out."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode} before /healthz answered; see {self.log_path}")
            if self.healthz() == 200:
                return time.monotonic() - t0
            time.sleep(0.05)
        raise RuntimeError(f"/healthz did not answer 200 within {timeout} s; see {self.log_path}")

    def log_text(self) -> str:
        with open(self.log_path, errors="replace") as f:
            return f.read()


def post(conn: http.client.HTTPConnection, path: str, fields: dict[str, str], cookies: dict[str, str] | None = None) -> http.client.HTTPResponse:
    body = urllib.parse.urlencode({**fields, "_csrf": CSRF})
    jar = {**(cookies or {}), "cithub_csrf": CSRF}
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
    conn.request("POST", path, body, headers)
    r = conn.getresponse()
    r.body = r.read()
    return r


def get(conn: http.client.HTTPConnection, path: str, cookies: dict[str, str] | None = None) -> http.client.HTTPResponse:
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    r.body = r.read()
    return r


def first_admin_link(servers: list[Server], timeout: float = 15.0) -> tuple[Server, str]:
    """The first-administrator link printed by one of `servers` (the first of them that
    printed one, in the order given): (the server that printed it, the link's path)."""
    deadline = time.monotonic() + timeout
    while True:
        for server in servers:
            m = re.search(re.escape(server.base) + r"(/setup/[A-Za-z0-9_-]+)", server.log_text())
            if m:
                return server, m.group(1)
        if time.monotonic() > deadline:
            raise RuntimeError("no first-administrator link in the server log" + ("s" if len(servers) > 1 else ""))
        time.sleep(0.1)


def create_admin(server: Server, setup_path: str) -> None:
    """The first administrator through a set-up link's form, posted to `server`."""
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    r = post(c, setup_path, {"name": "Faults Admin", "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "password_confirm": ADMIN_PASSWORD})
    assert r.status == 303, f"setup: {r.status}"


def sign_in(server: Server) -> dict[str, str]:
    """Signs the administrator in on `server`; returns the session cookie."""
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    r = post(c, "/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert r.status == 303, f"sign-in: {r.status}"
    session = re.search(r"cithub_session=([^;]+)", r.getheader("Set-Cookie") or "").group(1)
    return {"cithub_session": session}


def create_admin_and_sign_in(server: Server) -> dict[str, str]:
    """The first administrator through the link the server printed; returns the session cookie."""
    _, path = first_admin_link([server], timeout=0)
    create_admin(server, path)
    return sign_in(server)


def agenda(start: dt.date) -> str:
    """A valid 40-hour CIT agenda: 5 days of 8 teaching hours."""
    return "\n".join(f"{start + dt.timedelta(days=i)} {a}" for i in range(5)
                     for a in ("08:00-12:00 Overview #mental-illness-overview", "12:00-12:30 Lunch", "12:30-16:30 Role-plays #role-plays"))


def create_class(server: Server, cookies: dict[str, str], capacity: int = 1000, title: str = "CIT Academy (fault test, fictional)") -> str:
    """A CIT class through the real form, in the first program of Dane County; returns its id."""
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    page = get(c, "/counties/55025").body.decode(errors="replace")
    m = re.search(r"/programs/(" + UUID_RE + r")", page)
    if not m:
        raise RuntimeError("no program linked from /counties/55025")
    program = m.group(1).lower()
    start = dt.date.today() + dt.timedelta(days=30)
    r = post(c, f"/programs/{program}/classes/new",
             {"course": "CIT", "title": title, "venue_name": "Test venue", "venue_address": "1 Test St", "venue_zip": "53703",
              "capacity": str(capacity), "agenda": agenda(start)}, cookies)
    assert r.status == 303, f"class not created: {r.status} {r.body[:300]!r}"
    return r.getheader("Location").rsplit("/", 1)[1]


def register(conn: http.client.HTTPConnection, class_id: str, email: str, n: int) -> int:
    """One registration through the public form; returns the status (303 = acknowledged)."""
    r = post(conn, f"/classes/{class_id}/register",
             {"name": f"Fault Person {n}", "email": email, "phone": "(608) 555-0100",
              "organization": f"Agency {n % 50}", "audience": "sworn_law_enforcement"})
    return r.status


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPSink:
    """aiosmtpd writing every message it receives to a Maildir, as e2e/conftest.py runs it."""

    def __init__(self, port: int, maildir: str, log_path: str):
        self.port, self.maildir, self.log_path = port, maildir, log_path
        self.url = f"smtp://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10.0) -> None:
        with open(self.log_path, "ab") as f:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}", "-c", "aiosmtpd.handlers.Mailbox", self.maildir],
                stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"aiosmtpd exited with {self.process.returncode}; see {self.log_path}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"aiosmtpd did not listen on 127.0.0.1:{self.port} within {timeout} s")

    def stop(self, grace: float = 3.0) -> str:
        """SIGTERM, then SIGKILL (aiosmtpd -n does not always end on SIGTERM)."""
        if self.process is None or self.process.poll() is not None:
            return "not running"
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
            return "stopped by SIGTERM"
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return f"killed (no exit within {grace:.0f} s of SIGTERM)"

    def files(self) -> list[str]:
        out = []
        for sub in ("new", "cur"):
            folder = os.path.join(self.maildir, sub)
            if os.path.isdir(folder):
                out += [os.path.join(folder, n) for n in sorted(os.listdir(folder))]
        return out

    def messages(self) -> list[email.message.EmailMessage]:
        """Every received message, parsed (headers: Message-ID, To, Subject, ...)."""
        parsed = []
        for path in self.files():
            with open(path, "rb") as f:
                parsed.append(email.message_from_binary_file(f, policy=email.policy.default))
        return parsed


def psql(db_url: str, sql: str) -> list[list[str]]:
    """Rows of a query, read with psql (unaligned, tab-separated)."""
    out = subprocess.run(["psql", "-X", "-q", "-tA", "-F", "\t", "-v", "ON_ERROR_STOP=1", db_url, "-c", sql],
                         capture_output=True, text=True, check=True)
    return [line.split("\t") for line in out.stdout.splitlines() if line]
