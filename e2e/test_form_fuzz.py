"""Every form, fed hostile input: no 5xx, no reflected <script>, no partial writes.

    CITHUB_BIN=<binary> python3 -m pytest -q -s e2e/test_form_fuzz.py     (about 25 s)

The first administrator comes from the shared `admin` fixture (created once, in the
browser); everything after that is plain HTTP (http.client), no browser. The
administrator signs in, creates a class through the real form in Wood County CIT (a
program no other browser test touches, since its fields end up holding fuzz values) and
two people register (each confirming the address by the mailed link; a third does not yet). Then every HTML form found on these pages is submitted with random
and malicious values from a fixed seed (FUZZ_SEED):

  public, as a visitor without an account:
           /login, /crisis, /search, /verify, the class page (its registration form), the
           page of a mailed link that confirms a registration ("Confirm my place")
  admin:   /admin/users, /programs/<id>/classes/new, /courses/new, /programs/<id>/scenarios,
           /classes/<id>/completion, /classes/<id>/roster, the program's edit page

Fields are read with html.parser (inputs, selects, textareas, checkboxes). Each form is
sent with a plausible value in every field, then with one field, every field or a random
mix of fields replaced by: a 100 KB string (and once 300 KB, over the 256 KB body limit),
NUL bytes, invalid UTF-8 (raw bytes, percent-encoded), <script> tags, attribute
break-outs, SQL fragments, huge and negative numbers, the dates 0000-01-01 and
9999-12-31, empty values, missing fields, repeated fields and an unexpected field. The
CSRF pair (`cithub_csrf` cookie + `_csrf` field) is valid, so the handlers themselves are
reached; one request per form without the field checks that the 403 writes nothing.
GET forms (/search, /verify) get the same values in the query string.

For every submission:
  * the status is below 500;
  * the answer (and, after a redirect, the page it leads to) has no unescaped marker from
    the fuzz values (`<script>alert(`, `<img src=x onerror=`);
  * a refused submission (any 4xx, including a re-rendered 422) leaves the row count of
    every table of the SQLite file as it was, except IGNORED_TABLES, which grow on a
    refusal by design (each is listed with its reason).
At the end the lists and every page they link to are read again, for stored markers.

Output (-s): one line per page with the forms and the statuses they answered, then any
"FINDING:" (fails the test: the request that triggered it, what went wrong, the server's
log lines) and "NOTE:" (odd but not one of the three rules, e.g. a Location header with
raw UTF-8, or SwiftNIO closing the connection on a 100 KB URL instead of answering 414).
"""

from __future__ import annotations

import collections
import datetime as dt
import http.client
import http.cookies
import itertools
import random
import re
import sqlite3
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from test_classes import confirm_link

FUZZ_SEED = 20261126
CSRF = "z" * 43  # the double-submit pair: this value as cookie and as field
RANDOM_MIXES = 5  # random combinations per form, on top of the systematic ones
MAX_LOGIN_POSTS = 10  # failed sign-ins count toward the per-address throttle (30 in 15 min)
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

# Tables that legitimately grow when a submission is refused.
IGNORED_TABLES = {
    "audit_events": "refused sign-ins and throttled attempts are audited on purpose",
    "sign_in_failures": "a wrong password is recorded for the throttle: that row is the refusal",
    "_fluent_sessions": "a visit may start a session; sessions are not business data",
}

# Forms that are not fuzzed, and why.
SKIPPED_ACTIONS = {
    "/logout": "ends the session the rest of the test uses",
}
# Fields whose "plausible" value stays empty: a real choice would do something
# irreversible to data other tests use (merge a second program into the fuzzed one).
NO_PLAUSIBLE_CHOICE = {"duplicate"}

# Values that must never come back unescaped.
SCRIPT = b"<script>alert('cithub-fuzz')</script>"
MARKERS = (b"<script>alert(", b"<img src=x onerror=")

FUZZ_VALUES: list[tuple[str, bytes]] = [
    ("overlong-100KB", b"A" * 100_000),
    ("nul-bytes", b"abc\x00def\x00"),
    ("invalid-utf8", b"\xff\xfe\xc3\x28\xa0\xa1 \xe2\x28\xa1"),
    ("script-tag", SCRIPT),
    ("attribute-breakout", b"\"'><script>alert(1)</script><img src=x onerror=alert(2)>"),
    ("sql-fragment", b"' OR 1=1 --"),
    ("sql-drop", b"'); DROP TABLE users; --"),
    ("huge-float", b"1e308"),
    ("huge-int", b"99999999999999999999"),
    ("negative", b"-1"),
    ("negative-huge", b"-99999999999999999999"),
    ("date-min", b"0000-01-01"),
    ("date-max", b"9999-12-31"),
    ("empty", b""),
    ("whitespace", b" \t\r\n "),
    ("unicode", "Zoë \u202eevil\u202c \U0001F642 \u0000".encode()),
]
MISSING = None  # a field left out of the body


# --- HTML forms --------------------------------------------------------------------------

@dataclass
class FormField:
    name: str
    kind: str  # input type, "select" or "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = True


@dataclass
class Form:
    page: str
    method: str
    action: str
    fields: list[FormField] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.method} {re.sub(UUID, '<id>', self.action)}"


class FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.forms = page, []
        self.form: Form | None = None
        self.select: FormField | None = None
        self.textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.form = Form(self.page, a.get("method", "get").lower(), a.get("action") or self.page)
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            self.form.fields.append(FormField(a["name"], kind, a.get("value", "on" if kind == "checkbox" else ""),
                                              checked=kind not in ("checkbox", "radio") or "checked" in a))
        elif tag == "button" and a.get("name"):
            self.form.fields.append(FormField(a["name"], "button", a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self.select = FormField(a["name"], "select")
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self.select.options.append(a.get("value", ""))
            if "selected" in a:
                self.select.value = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self.textarea = FormField(a["name"], "textarea")
            self.form.fields.append(self.textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data


def forms_on(page: str, html: str) -> list[Form]:
    parser = FormParser(page)
    parser.feed(html)
    return parser.forms


# --- HTTP with a cookie jar ----------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def location(self) -> str:
        return self.headers.get("Location") or ""


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {"cithub_csrf": CSRF}

    def request(self, method: str, path: str, body: bytes | None = None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Accept": "text/html", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        for raw in r.msg.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if name == "cithub_csrf":
                    continue  # keep ours: the pair only has to match
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(r.status, r.msg, data)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, pairs: list[tuple[str, bytes]]) -> Response:
        return self.request("POST", path, encode(pairs))


def encode(pairs: list[tuple[str, bytes]]) -> bytes:
    """Form encoding of raw bytes: invalid UTF-8 and NULs arrive percent-encoded, as is."""
    return "&".join(f"{urllib.parse.quote(k, safe='')}={urllib.parse.quote_from_bytes(v, safe='')}" for k, v in pairs).encode()


def csrf_pair() -> tuple[str, bytes]:
    return ("_csrf", CSRF.encode())


# --- The database ------------------------------------------------------------------------

def table_counts(db_path) -> dict[str, int]:
    con = sqlite3.connect(str(db_path), timeout=30)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables if t not in IGNORED_TABLES}
    finally:
        con.close()


# --- Plausible values, so that one hostile field meets otherwise valid ones ---------------

def plausible(f: FormField, n: int) -> str:
    name = f.name.lower()
    if name in NO_PLAUSIBLE_CHOICE:
        return ""
    if f.kind == "select":
        real = [o for o in f.options if o]
        return f.value or (real[0] if real else "")
    if f.kind in ("hidden", "checkbox", "radio", "button"):
        return f.value
    if f.kind == "email" or "email" in name:
        return f"fuzz{n}@example.org"  # a new address each time: most forms refuse one twice
    if name == "code":
        return f"FUZZ-{n}"  # course codes are unique
    if name == "agency_limits":
        return "Fuzz Agency: 2"
    if f.kind == "password" or "password" in name:
        return "Saffron-kettle-42-orbit-lantern"
    if f.kind == "date" or name in ("closes", "date", "day"):
        return (dt.date.today() + dt.timedelta(days=60)).isoformat()
    if "zip" in name:
        return "53703"
    if "phone" in name:
        return "(608) 555-0100"
    if f.kind == "number" or name in ("capacity", "hours", "minutes", "score"):
        return f.value or "8"
    if name == "agenda":
        start = dt.date.today() + dt.timedelta(days=90 + n % 200)
        return "\n".join(f"{start + dt.timedelta(days=i)} {b}" for i in range(5)
                         for b in ("08:00-12:00 Overview #mental-illness-overview", "12:00-12:30 Lunch", "12:30-16:30 Role-plays #role-plays"))
    if f.value:
        return f.value
    return f"Fuzz value {n}"


@dataclass
class Submission:
    label: str
    pairs: list[tuple[str, bytes]]

    def describe(self) -> str:
        shown = []
        for k, v in self.pairs:
            if k == "_csrf":
                continue
            text = repr(v[:60]) + (f"...({len(v)} bytes)" if len(v) > 60 else "")
            shown.append(f"{k}={text}")
        return f"[{self.label}] " + ", ".join(shown)


SERIAL = itertools.count(1)


def submissions(form: Form, rng: random.Random) -> list[Submission]:
    # One entry per name (radio buttons share one, the checked one's value); every
    # checkbox is ticked in the plausible base.
    fields: list[FormField] = []
    for f in form.fields:
        if f.name == "_csrf":
            continue
        if f.name not in {g.name for g in fields}:
            fields.append(f)
        elif f.checked:
            fields = [f if g.name == f.name else g for g in fields]
    if not fields:
        # A button-only form (cancel a place, remove a partner, mark verified): sent as it
        # is, and with unexpected extra fields that the handler must ignore.
        out = [Submission("as-is", [csrf_pair()])]
        for label, value in rng.sample(FUZZ_VALUES, 4):
            out.append(Submission(f"extra:{label}", [csrf_pair(), ("unexpected", value)]))
        return out
    editable = [f for f in fields if f.kind not in ("hidden", "button")] or fields

    def build(label: str, values: dict[str, bytes | None], twice: bool = False) -> Submission:
        n = next(SERIAL)
        pairs = [csrf_pair()]
        for f in fields:
            v = values.get(f.name, plausible(f, n).encode())
            if v is not MISSING:
                pairs += [(f.name, v)] * (2 if twice else 1)
        return Submission(label, pairs)

    out = [build("plausible", {})]
    for label, value in FUZZ_VALUES:
        # Every editable field at once (the 100 KB string in at most two, to stay below
        # the 256 KB body limit and reach the handler).
        targets = editable if len(value) < 10_000 else rng.sample(editable, min(2, len(editable)))
        out.append(build(f"all:{label}", {f.name: value for f in targets}))
        # One field alone, the others plausible.
        one = rng.choice(editable)
        out.append(build(f"{one.name}:{label}", {one.name: value}))
    out.append(build("all-missing", {f.name: MISSING for f in fields}))
    out.append(Submission("unexpected-field", build("plausible", {}).pairs + [("unexpected", SCRIPT)]))
    # A body over the server's 256 KB limit: refused (403, 413), never a 500.
    out.append(build(f"{editable[0].name}:over-body-limit-300KB", {editable[0].name: b"B" * 300_000}))
    one = rng.choice(fields)
    out.append(build(f"{one.name}:missing", {one.name: MISSING}))
    out.append(build("every-field-twice", {}, twice=True))
    for i in range(RANDOM_MIXES):
        mix: dict[str, bytes | None] = {}
        for f in fields:
            roll = rng.random()
            if roll < 0.4:
                continue
            mix[f.name] = MISSING if roll < 0.5 else rng.choice([v for _, v in FUZZ_VALUES if len(v) < 10_000])
        out.append(build(f"random-mix-{i}", mix))
    return out


# --- The run -----------------------------------------------------------------------------

@dataclass
class Site:
    admin: Client  # signed in as the administrator
    visitor: Client  # no account: the public forms
    server: object
    db_path: object
    pages: dict[str, str]
    fuzzed: set[str] = field(default_factory=set)
    log_offset: int = 0

    def log_since(self) -> list[str]:
        text = self.server.log_path.read_text(errors="replace")
        new, self.log_offset = text[self.log_offset:], len(text)
        return [l for l in new.splitlines() if l.strip()]


def sign_in(client: Client) -> None:
    r = client.post("/login", [csrf_pair(), ("email", ADMIN_EMAIL.encode()), ("password", ADMIN_PASSWORD.encode())])
    assert r.status == 303 and "cithub_session" in client.cookies, f"sign-in failed: {r.status}"


def signed_in(client: Client) -> bool:
    return client.get("/account").status == 200


def first_program(client: Client, county: str) -> str:
    html = client.get(f"/counties/{county}").body.decode(errors="replace")
    m = re.search(r"/programs/(" + UUID + ")", html)
    assert m, f"no program linked from /counties/{county}"
    return m.group(1)


def registration(n: int) -> list[tuple[str, bytes]]:
    return [csrf_pair(), ("name", f"Fuzz Person {n}".encode()), ("email", f"fuzz-person{n}@example.org".encode()),
            ("phone", b"(608) 555-0100"), ("organization", b"Fuzz Agency"), ("audience", b"sworn_law_enforcement")]


@pytest.fixture(scope="module")
def site(server, admin) -> Site:
    t0 = time.monotonic()
    client, visitor = Client(server.port), Client(server.port)
    sign_in(client)
    # Everything the administrator fuzzes belongs to Wood County CIT, a program no other
    # browser test uses: its fields, classes and scenarios end up holding fuzz values.
    program = first_program(client, "55141")
    # The class, created through the real form.
    new_class = f"/programs/{program}/classes/new"
    page = client.get(new_class)
    assert page.status == 200, f"GET {new_class}: {page.status}"
    (form,) = [f for f in forms_on(new_class, page.body.decode()) if f.action == new_class]
    values = {f.name: plausible(f, 1) for f in form.fields if f.name != "_csrf"}
    values.update({"course": "CIT", "title": "CIT Academy (form fuzz, fictional)", "venue_name": "Fuzz venue",
                   "venue_address": "1 Fuzz St", "venue_zip": "53703", "capacity": "30", "default_agency_limit": "",
                   "agency_limits": "", "closes": "", "trainers": ""})
    # The agenda, one row per block: five days of two 4-hour blocks (40 hours).
    for key in [k for k in values if re.match(r"(day|start|end|title|topic)_\d+$", k)]:
        values[key] = ""
    start = dt.date.today() + dt.timedelta(days=90)
    for i in range(5):
        for j, (begin, end, title, topic) in enumerate([("08:00", "12:00", "Overview", "mental-illness-overview"),
                                                        ("12:30", "16:30", "Role-plays", "role-plays")]):
            row = 2 * i + j + 1
            values.update({f"day_{row}": (start + dt.timedelta(days=i)).isoformat(), f"start_{row}": begin,
                           f"end_{row}": end, f"title_{row}": title, f"topic_{row}": topic})
    values["rows"] = str(max(10, int(values.get("rows") or 0)))
    values.pop("action", None)  # the form's "Add more rows" button, not "Create class"
    r = client.post(new_class, [csrf_pair()] + [(k, v.encode()) for k, v in values.items()])
    assert r.status == 303, f"class not created: {r.status} {r.body[:500]!r}"
    class_id = re.search(UUID, r.location).group(0)
    for n in range(3):  # two people on the roster, so its cancel and excuse forms appear
        r = visitor.post(f"/classes/{class_id}/register", registration(n))
        assert r.status == 200, f"registration {n}: {r.status}"
    # Each confirms the address by the mailed link's button; the third link stays unused,
    # for its page's form to be fuzzed.
    links = [confirm_link(server, f"fuzz-person{n}@example.org") for n in range(3)]
    for n in range(2):
        r = visitor.post(links[n], [csrf_pair()])
        assert r.status == 303, f"confirmation {n}: {r.status}"
    pages = {
        "login": "/login", "crisis": "/crisis", "search": "/search", "verify": "/verify",
        "class-page": f"/classes/{class_id}", "confirm-page": links[2],
        "admin-users": "/admin/users", "new-class": new_class, "new-course": "/courses/new",
        "scenarios": f"/programs/{program}/scenarios", "roster": f"/classes/{class_id}/roster",
        "completion": f"/classes/{class_id}/completion", "program-edit": f"/programs/{program}/edit",
    }
    s = Site(client, visitor, server, server.data_dir / "cithub.sqlite", pages)
    s.log_since()
    print(f"\nset-up in {time.monotonic() - t0:.1f} s; ignored tables: " + "; ".join(f"{t} ({why})" for t, why in IGNORED_TABLES.items()))
    return s


def check_markers(what: str, body: bytes) -> str | None:
    for marker in MARKERS:
        if marker in body:
            i = body.index(marker)
            return f"unescaped {marker.decode()!r} in {what}: ...{body[max(0, i - 80):i + 60]!r}..."
    return None


def changed_tables(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple]:
    return {t: (before.get(t), after.get(t)) for t in sorted(set(before) | set(after)) if before.get(t) != after.get(t)}


def fuzz_form(site: Site, client: Client, form: Form, findings: list[str], stats: collections.Counter) -> None:
    rng = random.Random(FUZZ_SEED + zlib.crc32(form.key.encode()))
    subs = submissions(form, rng)
    if form.action == "/login":
        subs = subs[:MAX_LOGIN_POSTS]
    if form.method == "post":
        # Without the CSRF field: refused before any handler runs, nothing written.
        before = table_counts(site.db_path)
        r = client.post(form.action, [(k, v) for k, v in subs[0].pairs if k != "_csrf"])
        after = table_counts(site.db_path)
        if r.status != 403 or after != before:
            findings.append(f"FINDING: POST {form.action} without _csrf answered {r.status} (expected 403); rows changed: {changed_tables(before, after)}")
    for sub in subs:
        request = f"{form.method.upper()} {form.action} {sub.describe()}"
        before = table_counts(site.db_path)
        try:
            if form.method == "post":
                r = client.post(form.action, sub.pairs)
            else:
                r = client.get(form.action.split("?")[0] + "?" + encode(sub.pairs).decode())
        except (OSError, http.client.HTTPException) as error:
            if form.method == "get" and len(encode(sub.pairs)) > 64_000:
                # SwiftNIO's HTTP parser refuses a request line over 80 KB by closing the
                # connection (no 414): a framework limit that browsers rarely reach.
                findings.append(f"NOTE: connection closed without an answer (no 414) for a {len(encode(sub.pairs)) // 1000} KB URL: {request}")
            else:
                findings.append(f"FINDING: no answer ({error!r}) to {request}\n    server log: {site.log_since()[-6:]}")
            continue
        after = table_counts(site.db_path)
        log = site.log_since()
        stats[r.status] += 1
        if r.status >= 500:
            findings.append(f"FINDING: {r.status} for {request}\n    server log: {log[-6:]}")
        problem = check_markers(f"the answer to {request}", r.body)
        if problem:
            findings.append(f"FINDING: {problem}")
        if "over-body-limit" in sub.label and r.status == 403:
            findings.append(f"NOTE: a body over 256 KB is answered 403 \"This form has expired\" (the CSRF check cannot read it), not 413: {form.method.upper()} {form.action}")
        if 400 <= r.status < 500 and after != before:
            findings.append(f"FINDING: partial write: {r.status} for {request}, yet rows changed: {changed_tables(before, after)}")
        if r.status in (301, 302, 303, 307) and r.location.startswith("/"):
            location = r.location
            if not location.isascii():
                # http.client reads header bytes as Latin-1: these are raw UTF-8 bytes.
                findings.append(f"NOTE: Location header with raw non-ASCII bytes (not percent-encoded) {location.encode('latin-1')!r} for {request}")
                location = urllib.parse.quote(location.encode("latin-1"), safe="/?=&%:;,+-._~")
            if location.startswith("/login") and client is site.admin and not signed_in(client):
                findings.append(f"NOTE: {request} signed the administrator out; signing in again")
                sign_in(client)
            target = client.get(location)
            if target.status >= 500:
                findings.append(f"FINDING: {target.status} for GET {location} after {request}\n    server log: {site.log_since()[-6:]}")
            problem = check_markers(f"GET {location} after {request}", target.body)
            if problem:
                findings.append(f"FINDING: {problem}")


def fuzz_page(site: Site, client: Client, page_name: str) -> None:
    path = site.pages[page_name]
    r = client.get(path)
    assert r.status == 200, f"GET {path}: {r.status}"
    found = [f for f in forms_on(path, r.body.decode(errors="replace")) if f.action not in SKIPPED_ACTIONS]
    assert found, f"no form found on {path}"
    forms = []
    for f in found:  # a form on several pages (or rows), once
        if f.key not in site.fuzzed:
            site.fuzzed.add(f.key)
            forms.append(f)
    if not forms:
        print(f"\n{page_name}: its forms ({', '.join(f.key for f in found)}) were fuzzed on an earlier page")
        return
    t0 = time.monotonic()
    findings: list[str] = []
    stats: collections.Counter = collections.Counter()
    for form in forms:
        fuzz_form(site, client, form, findings, stats)
    print(f"\n{page_name}: {len(forms)} forms ({', '.join(f.key for f in forms)}); "
          f"answers {dict(sorted(stats.items()))} in {time.monotonic() - t0:.1f} s")
    for line in findings:
        print(line)
    real = [f for f in findings if f.startswith("FINDING")]
    assert not real, f"{len(real)} findings on {path}:\n" + "\n".join(real[:20])


@pytest.mark.parametrize("page_name", ["login", "crisis", "search", "verify", "class-page", "confirm-page"])
def test_public_forms(site: Site, page_name: str) -> None:
    fuzz_page(site, site.visitor, page_name)


# The completion page before the roster: the roster's cancel forms end the registrations
# the excuse form needs.
@pytest.mark.parametrize("page_name", ["admin-users", "new-class", "new-course", "scenarios", "completion", "roster", "program-edit"])
def test_admin_forms(site: Site, page_name: str) -> None:
    if not signed_in(site.admin):
        sign_in(site.admin)
    fuzz_page(site, site.admin, page_name)


def test_no_stored_markers(site: Site) -> None:
    """Whatever the fuzz stored is shown escaped wherever it is listed: the pages above,
    the lists, and every page they link to (one level, HTML only)."""
    problems: list[str] = []
    start = list(site.pages.values()) + ["/classes", "/courses", "/admin/users", "/admin/audit", "/admin/outbox",
                                         "/training/records", "/teaching", "/my/training"]
    seen: set[str] = set()
    queue = [(p, True) for p in start]
    while queue and len(seen) < 400:
        path, follow = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        r = site.admin.get(path)
        if r.status >= 500:
            problems.append(f"FINDING: {r.status} for GET {path}\n    server log: {site.log_since()[-6:]}")
        if "text/html" not in (r.headers.get("Content-Type") or ""):
            continue
        problem = check_markers(f"GET {path}", r.body)
        if problem:
            problems.append(f"FINDING: stored and shown {problem}")
        if follow:
            for href in re.findall(rb'href="(/[^"#]*)"', r.body):
                link = href.decode(errors="replace").replace("&amp;", "&")
                if not link.startswith(("/assets/", "/logout")) and not link.endswith((".csv", ".ics", ".json", ".geojson", ".pdf")):
                    queue.append((link, False))
    print(f"\nstored values: {len(seen)} pages read")
    assert not problems, "\n".join(problems)
