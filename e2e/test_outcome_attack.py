"""The attacker of public outcome numbers, over HTTP: the Swift attacker
(Tests/CITDomainTests/DisclosureAttackTests.swift) played against the running server.

A liaison files ~150 random reports through the API for four counties over 2025 Q1 to
2026 Q1; the reports are then dated as filed on the day they happened (time passing, the
one thing done behind the server's back). An anonymous client downloads every public CSV
for the state and each county with every quarter range, plus the published tables, and
writes each number as an equation over the unknown reports by county, quarter and outcome
(and each yes/no fact by county and quarter). For every suppressed number whose true value
is 1 to 4, linear programming finds its smallest and largest possible value: if only one
whole number fits, the number was worked out and the test fails."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
import sqlite3
import time
from itertools import product

import numpy as np
import requests
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from test_outcomes import agency_and_program, invite
from test_training import PASSWORD, accept_invitation, signed_in_page

SEED = 20250101
QUARTERS = ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"]
# Three dispositions of the Wisconsin catalog and the outcome category each counts as.
DISPOSITIONS = {"referral": "referral", "voluntary_transport": "transport", "arrest": "arrest"}
CATEGORIES = ["resolved_on_scene", "referral", "transport", "detention", "arrest", "citation", "no_action", "other"]
CATEGORY_LABELS = {"Resolved on scene": "resolved_on_scene", "Referral": "referral", "Transport": "transport",
                   "Detention": "detention", "Arrest": "arrest", "Citation": "citation", "No action": "no_action", "Other": "other"}
FLAGS = ["cit_requested", "cit_dispatched", "cit_arrived", "cit_trained_on_scene", "force_used",
         "injury_person", "injury_officer", "injury_other"]
FLAG_LABELS = {"A CIT officer was requested": "cit_requested", "A CIT officer was dispatched": "cit_dispatched",
               "A CIT officer arrived": "cit_arrived", "A CIT-trained officer was on scene": "cit_trained_on_scene",
               "Force was used": "force_used", "The person in crisis was injured": "injury_person",
               "An officer was injured": "injury_officer", "Someone else was injured": "injury_other"}
SUPPRESSED = "suppressed"


def quarter_days(key: str) -> tuple[dt.date, dt.date]:
    year, q = int(key[:4]), int(key[5])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return start, end


def random_reports(rng: random.Random, counties: list[str], agency: str) -> list[dict]:
    """Mostly small counts per county and quarter; one county busier."""
    rates = {flag: rng.choice([0.05, 0.2, 0.5, 0.8]) for flag in FLAGS}
    reports = []
    for index, county in enumerate(counties):
        busy = index == 0
        for quarter in QUARTERS:
            start, end = quarter_days(quarter)
            calls = rng.randint(3, 12) if busy else rng.randint(0, 6)
            for _ in range(calls):
                day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
                requested = rng.random() < rates["cit_requested"]
                dispatched = requested and rng.random() < rates["cit_dispatched"]
                arrived = dispatched and rng.random() < rates["cit_arrived"]
                yes = lambda flag: rng.random() < rates[flag]
                reports.append({
                    "occurred_on": day.isoformat(), "time_block": rng.choice(["00-04", "08-12", "16-20"]),
                    "agency": agency, "county_fips": county, "call_source": "911",
                    "cit_requested": requested, "cit_dispatched": dispatched, "cit_arrived": arrived,
                    "cit_trained_on_scene": yes("cit_trained_on_scene"),
                    "disposition": rng.choice(list(DISPOSITIONS)),
                    "force_level": "physical_control" if yes("force_used") else "none",
                    "injury_person": yes("injury_person"), "injury_officer": yes("injury_officer"),
                    "injury_other": yes("injury_other"),
                    "weapon_involved": "unknown", "veteran": "unknown", "substance_use": "unknown", "repeat_contact": "unknown",
                })
    return reports


def quarter_of(day: str) -> str:
    year, month = int(day[:4]), int(day[5:7])
    return f"{year}Q{(month - 1) // 3 + 1}"


def truth_table(reports: list[dict]) -> dict[str, int]:
    """Exact counts by unknown: c|county|quarter|category and f|county|quarter|flag."""
    table: dict[str, int] = {}
    for r in reports:
        county, quarter = r["county_fips"], quarter_of(r["occurred_on"])
        key = f"c|{county}|{quarter}|{DISPOSITIONS[r['disposition']]}"
        table[key] = table.get(key, 0) + 1
        facts = {**{flag: bool(r[flag]) for flag in FLAGS if flag in r}, "force_used": r["force_level"] != "none"}
        for flag in FLAGS:
            if facts.get(flag):
                key = f"f|{county}|{quarter}|{flag}"
                table[key] = table.get(key, 0) + 1
    return table


def api_token_for(browser, server, admin, email: str) -> str:
    context, page = signed_in_page(browser, server, admin.email, admin.password, {"width": 1280, "height": 900})
    try:
        page.goto("/admin/api-tokens")
        page.get_by_label("Person's email").fill(email)
        page.get_by_label("What it is for").fill("Disclosure attack test")
        page.get_by_role("button", name="Create token").click()
        token = page.locator("#new-token").inner_text().strip()
        assert token, "no token shown"
        return token
    finally:
        context.close()


def backdate(server, ) -> int:
    """Each report counts as filed at noon (Chicago) on the day it happened, in the stored format."""
    db = sqlite3.connect(server.data_dir / "cithub.sqlite", timeout=30)
    try:
        kind, sample = db.execute("SELECT typeof(created_at), created_at FROM encounter_reports LIMIT 1").fetchone()
        rows = db.execute("SELECT id, occurred_on FROM encounter_reports").fetchall()
        for report_id, day in rows:
            y, m, d = (int(p) for p in day.split("-"))
            moment = dt.datetime(y, m, d, 18, 0, tzinfo=dt.timezone.utc)  # noon in Chicago (CST)
            if kind in ("real", "integer"):
                value = moment.timestamp()
            else:
                assert "T" in sample or "-" in sample, f"created_at stored as {sample!r}"
                value = moment.strftime("%Y-%m-%dT%H:%M:%SZ") if "T" in sample else moment.strftime("%Y-%m-%d %H:%M:%S")
            db.execute("UPDATE encounter_reports SET created_at = ? WHERE id = ?", (value, report_id))
        db.commit()
        return len(rows)
    finally:
        db.close()


def county_names(server) -> dict[str, str]:
    db = sqlite3.connect(server.data_dir / "cithub.sqlite", timeout=30)
    try:
        return {name: fips for fips, name in db.execute("SELECT fips, name FROM counties WHERE state_code = 'WI'")}
    finally:
        db.close()


def read_csv(session: requests.Session, url: str) -> list[list[str]]:
    response = session.get(url, timeout=60)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return list(csv.reader(io.StringIO(response.text)))


def test_public_numbers_cannot_be_worked_out(browser, server, admin) -> None:
    started = time.monotonic()
    agency_id, agency_name, _, _, _ = agency_and_program(server, last=True)
    email = "attacker.liaison@example.org"
    context, page = signed_in_page(browser, server, admin.email, admin.password, {"width": 1280, "height": 900})
    invite(page, email, "Avery Attacker", "agency_liaison", agency=agency_name)
    context.close()
    accept_invitation(browser, server, email, "Avery Attacker")
    token = api_token_for(browser, server, admin, email)

    names = county_names(server)
    all_counties = sorted(names.values())
    rng = random.Random(SEED)
    counties = sorted(rng.sample(all_counties, 4))
    reports = random_reports(rng, counties, agency_id)
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    for report in reports:
        response = api.post(server.url("/api/v1/encounters"), json=report, timeout=30)
        assert response.status_code == 201, f"{response.status_code}: {response.text}"
    moved = backdate(server)
    assert moved >= len(reports)
    truth = truth_table(reports)

    # --- An anonymous reader from here on ---
    reader = requests.Session()
    base = server.url("/outcomes?format=csv")
    trend = read_csv(reader, base + "&view=trend")
    published_quarters = [row[0] for row in trend[1:]]
    # Every quarter published so far (later ones with no reports show zeros).
    assert published_quarters[:len(QUARTERS)] == QUARTERS, f"published quarters {published_quarters}"
    quarters = published_quarters

    def terms(measure: str, place: list[str] | None, quarters: list[str]) -> frozenset[str]:
        result = set()
        for county in place or all_counties:
            for quarter in quarters:
                if measure == "calls":
                    result.update(f"c|{county}|{quarter}|{c}" for c in CATEGORIES)
                elif measure.startswith("outcome:"):
                    result.add(f"c|{county}|{quarter}|{measure[8:]}")
                else:
                    result.add(f"f|{county}|{quarter}|{measure}")
        return frozenset(result)

    shown: dict[frozenset, int] = {}
    hidden: dict[frozenset, str] = {}
    mismatches: list[str] = []

    def record(key: frozenset, cell: str, what: str) -> None:
        if not key:
            return
        true = sum(truth.get(v, 0) for v in key)
        if cell == SUPPRESSED:
            hidden[key] = what
            return
        value = int(cell)
        if value != true:
            mismatches.append(f"{what}: shown {value}, reports say {true}")
        if key in shown and shown[key] != value:
            mismatches.append(f"{what}: shown as {shown[key]} and {value}")
        shown[key] = value

    views = 0
    ends = [None] + quarters
    for county in [None] + counties:
        place = [county] if county else None
        for start, end in product(ends, ends):
            if start and end and start > end:
                continue
            query = base + (f"&county={county}" if county else "") + (f"&from={start}" if start else "") + (f"&to={end}" if end else "")
            span = [q for q in quarters if (not start or q >= start) and (not end or q <= end)]
            where = f"{county or 'state'} {start or '…'}–{end or '…'}"
            for row in read_csv(reader, query + "&view=summary")[1:]:
                measure = "calls" if row[0] == "Crisis calls reported" else FLAG_LABELS[row[0]]
                record(terms(measure, place, span), row[1], f"{measure} {where}")
            # Outcomes: the range for the state; whole years of it for a county (as the page says).
            years = {q[:4] for q in span}
            category_span = span if county is None else [q for q in span if all(f"{q[:4]}Q{n}" in span for n in range(1, 5))]
            rows = read_csv(reader, query + "&view=dispositions")[1:]
            assert bool(rows) == bool(category_span), f"dispositions for {where}: {rows}, years {years}"
            for row in rows:
                record(terms("outcome:" + CATEGORY_LABELS[row[0]], place, category_span), row[1], f"{row[0]} {where}")
            for row in read_csv(reader, query + "&view=trend")[1:]:
                record(terms("calls", place, [row[0]]), row[1], f"calls {row[0]} {where}")
            table = read_csv(reader, query + "&view=county-quarter")
            header = table[0]
            assert header[1:-1] == span, f"county-quarter columns {header} for {where}"
            for row in table[1:]:
                row_place = place if row[0] == "Total" else [names[row[0]]]
                for quarter, cell in zip(span, row[1:-1]):
                    record(terms("calls", row_place, [quarter]), cell, f"calls {row[0]} {quarter} ({where})")
                record(terms("calls", row_place, span), row[-1], f"calls {row[0]} total ({where})")
            views += 4
    published = read_csv(reader, base + "&view=published")
    views += 1
    for period, fips, _, measure, value in published[1:]:
        span = [period] if "Q" in period else [f"{period}Q{n}" for n in range(1, 5)]
        record(terms(measure, None if fips == "state" else [fips], span), value, f"published {period} {fips} {measure}")
    assert not mismatches, mismatches[:10]

    # --- The attack ---
    zero = set().union(*(key for key, value in shown.items() if value == 0))
    live = sorted({v for key in list(shown) + list(hidden) for v in key} - zero)
    index = {v: i for i, v in enumerate(live)}

    def row_of(key) -> list[int]:
        return [index[v] for v in key if v in index]

    eq_rows, eq_b = [], []
    for key, value in shown.items():
        if value > 0:
            eq_rows.append(row_of(key)); eq_b.append(value)
    ub_rows, ub_b = [], []
    for key in hidden:
        ub_rows.append([(i, -1.0) for i in row_of(key)]); ub_b.append(-1.0)
    for county in all_counties:
        for quarter in quarters:
            calls = [index[f"c|{county}|{quarter}|{c}"] for c in CATEGORIES if f"c|{county}|{quarter}|{c}" in index]
            for flag in FLAGS:
                f = index.get(f"f|{county}|{quarter}|{flag}")
                if f is not None:
                    ub_rows.append([(f, 1.0)] + [(c, -1.0) for c in calls]); ub_b.append(0.0)

    def matrix(rows: list[list[tuple[int, float]]]):
        r, c, d = [], [], []
        for n, row in enumerate(rows):
            for col, value in row:
                r.append(n); c.append(col); d.append(value)
        return coo_matrix((d, (r, c)), shape=(len(rows), len(live))).tocsr()

    A_eq = matrix([[(i, 1.0) for i in row] for row in eq_rows])
    A_ub = matrix(ub_rows)
    targets = [(key, what, sum(truth.get(v, 0) for v in key)) for key, what in hidden.items()]
    targets = [t for t in targets if 1 <= t[2] <= 4]
    pinned = []
    for key, what, true in targets:
        objective = np.zeros(len(live))
        for i in row_of(key):
            objective[i] = 1.0
        bounds = []
        for sign in (1, -1):
            result = linprog(sign * objective, A_ub=A_ub, b_ub=ub_b, A_eq=A_eq, b_eq=eq_b, bounds=(0, None), method="highs")
            assert result.status in (0, 3), f"the attacker's equations failed to solve ({result.message})"
            bounds.append(math.inf if result.status == 3 else sign * result.fun)
        low, high = math.ceil(bounds[0] - 1e-6), math.floor(bounds[1] + 1e-6)
        if low == high:
            pinned.append(f"{what} = {true}, worked out exactly")

    seconds = time.monotonic() - started
    print(f"\nHTTP disclosure attack (seed {SEED}): {len(reports)} reports filed by API in counties {counties},"
          f" {views} public CSVs asked, {len(shown)} distinct shown numbers, {len(hidden)} distinct suppressed,"
          f" {len(targets)} small suppressed numbers bounded by linear programming, {len(pinned)} worked out,"
          f" {len(live)} unknowns, {seconds:.1f} s")
    assert not pinned, pinned[:10]
    assert len(targets) >= 20, "the report set should hold at least 20 small suppressed numbers to attack"
