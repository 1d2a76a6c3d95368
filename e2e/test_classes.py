"""Classes as people use them: a coordinator creates a class with an agenda; a person
finds it on a phone and registers; the confirmation arrives at the real SMTP server;
they cancel by the emailed link and the first person on the waitlist is promoted and
mailed."""

from __future__ import annotations

import datetime as dt
import email
import quopri
import urllib.request
from zoneinfo import ZoneInfo
import re
import time
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from conftest import sign_in

COORDINATOR_PASSWORD = "Harbor-velvet-9-thistle-canyon"


def wait_for_mail(server, address: str, subject: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for raw in server.mail_to(address):
            text = quopri.decodestring(raw.encode()).decode(errors="replace")
            if subject in text:
                return text
        time.sleep(0.25)
    raise AssertionError(f"no mail with {subject!r} to {address} within {timeout} s")


def agenda(start: dt.date, days: int) -> str:
    lines = []
    for i in range(days):
        d = (start + dt.timedelta(days=i)).isoformat()
        lines += [f"{d} 08:00-12:00 Overview of mental illnesses #mental-illness-overview",
                  f"{d} 12:00-12:30 Lunch",
                  f"{d} 12:30-16:30 De-escalation role-plays #role-plays"]
    return "\n".join(lines)


def register(browser: Browser, server, class_url: str, n: int) -> str:
    context = browser.new_context(base_url=server.base_url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(class_url)
    page.get_by_label("Your name").fill(f"Officer Test{n}")
    page.get_by_label("Email address").fill(f"officer{n}@example.org")
    page.get_by_label("Phone").fill("(608) 555-0142")
    page.get_by_label("Agency or organization").fill("Madison Police Department")
    page.get_by_label("Your role").select_option(label="Sworn law enforcement")
    page.get_by_role("button", name=re.compile("Register|Join the waitlist")).click()
    page.wait_for_url(re.compile(r"/registrations/"))
    heading = page.get_by_role("heading", level=1).inner_text()
    context.close()
    return heading


def test_create_register_cancel_promote(browser: Browser, server, admin, snap) -> None:
    # A coordinator (here the administrator, who may run any program's classes) creates
    # a CIT class: 40 hours over 5 days, 2 seats.
    context = browser.new_context(base_url=server.base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/login")
    sign_in(page, admin.email, admin.password)
    page.wait_for_url(lambda url: urlsplit(url).path == "/account")
    page.goto("/counties/55025")
    page.get_by_role("link", name="NAMI Dane County CIT/CIP").click()
    page.get_by_role("link", name="add a class").click()
    page.get_by_label("Course").select_option("CIT")
    page.get_by_label("Title").fill("CIT Academy e2e")
    page.get_by_label("Venue", exact=True).fill("Madison Police Training Center")
    page.get_by_label("Venue address").fill("211 S Carroll St, Madison, WI")
    page.get_by_label("Venue ZIP code").fill("53703")
    page.get_by_label("Seats", exact=True).fill("2")
    start = dt.date.today() + dt.timedelta(days=45)
    page.get_by_label("Agenda").fill(agenda(start, 5))
    page.get_by_role("button", name="Create class").click()
    page.wait_for_url(re.compile(r"/classes/[0-9a-f-]{36}$"))
    class_url = urlsplit(page.url).path
    expect(page.get_by_text("2 of 2 seats left")).to_be_visible()
    context.close()

    # People find it in the list on a phone and register: two confirmed, one waits.
    phone = browser.new_context(base_url=server.base_url, viewport={"width": 390, "height": 844})
    p = phone.new_page()
    p.goto("/classes")
    p.get_by_role("link", name="CIT Academy e2e").click()
    assert urlsplit(p.url).path == class_url
    snap(p, "class-page")
    assert Axe().run(p).violations_count == 0
    phone.close()

    assert register(browser, server, class_url, 1) == "You are confirmed"
    assert register(browser, server, class_url, 2) == "You are confirmed"
    assert register(browser, server, class_url, 3) == "You are number 1 on the waitlist"

    confirmation = wait_for_mail(server, "officer1@example.org", "Subject: Confirmed: CIT Academy e2e")
    assert "text/calendar" in confirmation and "BEGIN:VCALENDAR" not in confirmation  # base64 attachment
    link = re.search(r"http://127\.0\.0\.1:\d+(/registrations/[A-Za-z0-9_-]+)", confirmation).group(1)
    wait_for_mail(server, "officer3@example.org", "Subject: Waitlist: CIT Academy e2e")

    # Officer 1 cancels by the emailed link; officer 3 is promoted and mailed.
    cancel = browser.new_context(base_url=server.base_url, viewport={"width": 390, "height": 844})
    c = cancel.new_page()
    c.goto(link)
    expect(c.get_by_role("heading", level=1)).to_have_text("You are confirmed")
    assert Axe().run(c).violations_count == 0
    c.get_by_role("button", name="Cancel my place").click()
    expect(c.get_by_role("heading", level=1)).to_have_text("Your place is cancelled")
    snap(c, "cancelled")
    cancel.close()

    wait_for_mail(server, "officer1@example.org", "Subject: Cancelled: CIT Academy e2e")
    promoted = wait_for_mail(server, "officer3@example.org", "A seat opened")
    assert "/registrations/" in promoted

    # The calendar files parse with a real iCalendar parser and carry Wisconsin's local times.
    import icalendar
    chicago = ZoneInfo("America/Chicago")
    feed = icalendar.Calendar.from_ical(urllib.request.urlopen(server.url("/classes.ics")).read())
    events = [e for e in feed.walk("VEVENT") if "CIT Academy e2e" in str(e.get("SUMMARY"))]
    assert len(events) == 5
    for event in events:
        start = event.decoded("DTSTART")
        assert start.tzinfo is not None and str(event.get("DTSTART").params.get("TZID")) == "America/Chicago"
        assert start.astimezone(chicago).hour == 8 and start.astimezone(chicago).minute == 0
        assert event.decoded("DTEND").astimezone(chicago).hour == 16
    raw = server.mail_to("officer1@example.org")
    message = email.message_from_string(next(m for m in raw if "Subject: Confirmed" in m))
    attachment = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
    invite = icalendar.Calendar.from_ical(attachment.get_payload(decode=True))
    first = min(e.decoded("DTSTART") for e in invite.walk("VEVENT"))
    assert first.astimezone(chicago) == dt.datetime.combine(start_date := dt.date.today() + dt.timedelta(days=45), dt.time(8, 0), chicago)
