"""Classes as people use them. A coordinator reaches the class form by clicking from
their account, fills the agenda one row per block (with JavaScript: rows added and
removed in place; without: "Add more rows"), fixes a mistake the page points at, and
manages the class from its page. A person registers on a phone, gets an error that the
page opens on, registers, and is asked to check their email; the link that confirms the
address arrives at the real SMTP server, its page has a button, and pressing it gives the
place and the confirmation mail. Sending the form again for that address answers the
same page and mails "you already have a place". They cancel by the emailed link after one
confirmation, and the first person on the waitlist is promoted and mailed. Every classes
page passes axe."""

from __future__ import annotations

import datetime as dt
import email
import quopri
import re
import time
import urllib.request
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from conftest import ARTIFACTS_DIR, sign_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
axe = Axe()


def no_violations(page: Page, where: str) -> None:
    violations = axe.run(page).response["violations"]
    assert not violations, f"axe on {where}: " + "; ".join(
        f"{v['id']}: {v['help']} ({', '.join(str(n.get('target')) for n in v.get('nodes', [])[:3])})" for v in violations)


def wait_for_mail(server, address: str, subject: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for raw in server.mail_to(address):
            text = quopri.decodestring(raw.encode()).decode(errors="replace")
            if subject in text:
                return text
        time.sleep(0.25)
    raise AssertionError(f"no mail with {subject!r} to {address} within {timeout} s")


def confirm_link(server, address: str) -> str:
    """The newest link mailed to the address that confirms a registration (a path)."""
    wait_for_mail(server, address, "Subject: Confirm your place")
    links = []
    for raw in server.mail_to(address):
        text = quopri.decodestring(raw.encode()).decode(errors="replace")
        if "Subject: Confirm your place" in text:
            links += re.findall(re.escape(server.base_url) + r"(/registrations/confirm/[A-Za-z0-9_-]+)", text)
    assert links, f"no confirmation link mailed to {address}"
    return links[-1]


def phone_page_checks(page: Page, snap, name: str, label: str) -> None:
    """Nothing overflows a phone's width; photographed (also whole); axe finds nothing."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "nothing overflows a phone"
    snap(page, name)
    snap_view(page, name, full_page=True)
    no_violations(page, label)


def confirm_by_mail(page: Page, server, address: str) -> str:
    """Opens the mailed link (its page confirms nothing), presses "Confirm my place",
    and returns the heading of the registration page it leads to."""
    page.goto(confirm_link(server, address))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your place")
    page.get_by_role("button", name="Confirm my place").click()
    page.wait_for_url(re.compile(r"/registrations/(?!confirm/)"))
    return page.get_by_role("heading", level=1).inner_text()


def cit_week(start: dt.date) -> list[tuple[str, str, str, str, str]]:
    """Five days of 8 teaching hours with lunch: (date, start, end, title, topic value)."""
    blocks = []
    for i in range(5):
        d = (start + dt.timedelta(days=i)).isoformat()
        blocks += [(d, "08:00", "12:00", "Overview of mental illnesses", "mental-illness-overview"),
                   (d, "12:00", "12:30", "Lunch", "break"),
                   (d, "12:30", "16:30", "De-escalation role-plays", "role-plays")]
    return blocks


def row(page: Page, n: int):
    return page.get_by_role("group", name=f"Row {n}", exact=True)


def fill_row(page: Page, n: int, block: tuple[str, str, str, str, str]) -> None:
    day, begin, end, title, topic = block
    r = row(page, n)
    r.get_by_label("Date").fill(day)
    r.get_by_label("Start").fill(begin)
    r.get_by_label("End").fill(end)
    r.get_by_label("Title").fill(title)
    r.get_by_label("Topic").select_option(topic)


def open_class_form(page: Page, admin) -> None:
    """From the sign-in page to the class form by clicking: account, the map, the county,
    the program, "Add a class" (the administrator may run any program's classes)."""
    page.goto("/login")
    sign_in(page, admin.email, admin.password)
    page.wait_for_url(lambda url: urlsplit(url).path == "/account")
    page.get_by_role("link", name="Find CIT near you").first.click()
    page.get_by_role("link", name=re.compile(r"^Dane( County)?\b")).first.click()
    page.get_by_role("link", name="NAMI Dane County CIT/CIP").first.click()
    page.get_by_role("link", name=re.compile(r"^add a class$", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("New class for NAMI Dane County"))


def fill_class_fields(page: Page, title: str, seats: int, course: str = "CIT") -> None:
    page.get_by_label("Course").select_option(course)
    page.locator("#field-title").fill(title)
    page.get_by_label("Venue", exact=True).fill("Madison Police Training Center")
    page.get_by_label("Venue address").fill("211 S Carroll St, Madison, WI")
    page.get_by_label("Venue ZIP code").fill("53703")
    page.get_by_label("Seats", exact=True).fill(str(seats))


# Kept in a folder of their own: each pytest run clears the *.png directly in artifacts/,
# and several runs share it.
VIEWS_DIR = ARTIFACTS_DIR / "classes"


def snap_view(page: Page, label: str, full_page: bool = False) -> None:
    """What the screen shows right now (not the whole page): where the focus left the person."""
    VIEWS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(VIEWS_DIR / f"{label}.png"), full_page=full_page)


def summary_is_focused_and_in_view(page: Page) -> bool:
    return page.evaluate("""() => {
        const s = document.getElementById('error-summary');
        if (!s || document.activeElement !== s) return false;
        const r = s.getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight;
    }""")


def test_coordinator_creates_a_class_row_by_row_and_manages_it(browser: Browser, server, admin, snap) -> None:
    context = browser.new_context(base_url=server.base_url, viewport=PHONE)
    page = context.new_page()
    open_class_form(page, admin)
    no_violations(page, "new class form (phone)")
    snap(page, "class-form-phone")
    snap_view(page, "class-form-phone", full_page=True)

    fill_class_fields(page, "CIT Academy rows e2e", 24)
    blocks = cit_week(dt.date.today() + dt.timedelta(days=40))
    expect(page.locator(".agenda-row")).to_have_count(12)
    # With JavaScript the button adds one row in place, on the last date typed.
    for n, block in enumerate(blocks[:12], 1):
        fill_row(page, n, block)
    add = page.get_by_role("button", name="Add a row")
    for n in range(13, 17):
        add.click()
        expect(row(page, n)).to_be_visible()
    expect(row(page, 13).get_by_label("Date")).to_have_value(blocks[11][0])
    row(page, 13).scroll_into_view_if_needed()
    snap_view(page, "rows-added-phone-view")
    for n, block in enumerate(blocks[12:], 13):
        fill_row(page, n, block)
    # One row too many: removed again, the count sent to the server follows.
    row(page, 16).get_by_role("button", name="Remove row 16").click()
    expect(page.locator(".agenda-row")).to_have_count(15)
    expect(page.locator("input[name=rows]")).to_have_value("15")

    # A slip: row 3 ends before it starts. The page opens on the summary, which links to the row.
    row(page, 3).get_by_label("Start").fill("16:30")
    row(page, 3).get_by_label("End").fill("12:30")
    page.get_by_role("button", name="Create class").click()
    expect(page.locator("#row-3-error")).to_have_text("Row 3: the end (12:30) is before the start (16:30). A block past midnight is two rows, one on each day.")
    assert summary_is_focused_and_in_view(page), "the error summary is focused and on screen"
    snap(page, "class-form-error-phone")
    snap_view(page, "class-form-error-phone", full_page=True)
    snap_view(page, "class-form-error-phone-view")
    no_violations(page, "class form with a row error (phone)")
    page.get_by_role("link", name=re.compile(r"^Row 3: the end")).click()
    assert page.evaluate("document.activeElement.id") == "row-3-day"
    row(page, 3).get_by_label("Start").fill("12:30")
    row(page, 3).get_by_label("End").fill("16:30")
    page.get_by_role("button", name="Create class").click()
    page.wait_for_url(re.compile(r"/classes/[0-9a-f-]{36}$"))

    # The coordinator's class page carries their links; the agenda is the 15 rows.
    staff = page.get_by_role("navigation", name="Your work in this class")
    for name in ["Manage this class", "Attendance", "Role-play scores", "Scenarios", "Completion", "Edit"]:
        expect(staff.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_text("24 of 24 seats left")).to_be_visible()
    expect(page.get_by_role("cell", name="De-escalation role-plays")).to_have_count(5)
    snap(page, "class-page-coordinator-phone")
    snap_view(page, "class-page-coordinator-phone", full_page=True)
    no_violations(page, "class page, coordinator (phone)")

    # The roster, and editing with the same rows.
    staff.get_by_role("link", name="Manage this class").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Roster: CIT Academy rows e2e"))
    # Someone who rang the coordinator is added on the roster.
    page.get_by_text("Add a person to this class").click()
    page.get_by_label("Name", exact=True).fill("Sam Deputy")
    page.get_by_label("Email address").fill("sam.deputy@example.org")
    page.get_by_label("Phone").fill("(608) 555-0177")
    page.get_by_label("Agency or organization").fill("Dane County Sheriff's Office")
    page.get_by_label("Their role").select_option(label="Sworn law enforcement")
    page.get_by_role("button", name="Add to the class").click()
    expect(page.get_by_role("region", name="Confirmed people").get_by_role("cell", name="Sam Deputy")).to_be_visible()
    no_violations(page, "roster (phone)")
    snap(page, "roster-phone")
    snap_view(page, "roster-phone", full_page=True)
    page.get_by_role("link", name="Edit class").click()
    expect(row(page, 1).get_by_label("Date")).to_have_value(blocks[0][0])
    expect(row(page, 2).get_by_label("Topic")).to_have_value("break")
    no_violations(page, "edit class (phone)")
    snap(page, "class-edit-phone")
    snap_view(page, "class-edit-phone", full_page=True)
    page.locator("#field-title").fill("CIT Academy rows e2e, spring")
    row(page, 1).get_by_label("Title").fill("Mental illness: an overview")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CIT Academy rows e2e, spring")
    expect(page.get_by_text("23 of 24 seats left")).to_be_visible()
    expect(page.get_by_role("cell", name="Mental illness: an overview")).to_have_count(1)
    context.close()

    # The public sees the same page without any staff link.
    public = browser.new_context(base_url=server.base_url, viewport=DESKTOP)
    p = public.new_page()
    p.goto("/classes")
    p.get_by_role("link", name="CIT Academy rows e2e, spring").click()
    expect(p.get_by_role("navigation", name="Your work in this class")).to_have_count(0)
    expect(p.get_by_role("link", name="Manage this class")).to_have_count(0)
    snap(p, "class-page-public-desktop")
    snap_view(p, "class-page-public-desktop", full_page=True)
    public.close()


def register(browser: Browser, server, class_url: str, n: int) -> str:
    context = browser.new_context(base_url=server.base_url, viewport=PHONE)
    page = context.new_page()
    page.goto(class_url)
    page.get_by_label("Your name").fill(f"Officer Test{n}")
    page.get_by_label("Email address").fill(f"officer{n}@example.org")
    page.get_by_label("Phone").fill("(608) 555-0142")
    page.get_by_label("Agency or organization").fill("Madison Police Department")
    page.get_by_label("Your role").select_option(label="Sworn law enforcement")
    page.get_by_role("button", name=re.compile("Register|Join the waitlist")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    heading = confirm_by_mail(page, server, f"officer{n}@example.org")
    context.close()
    return heading


def test_without_javascript_register_with_an_error_cancel_once_promote(browser: Browser, server, admin, snap) -> None:
    # The coordinator's browser runs no JavaScript: 12 rows, then "Add more rows".
    context = browser.new_context(base_url=server.base_url, viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    open_class_form(page, admin)
    fill_class_fields(page, "CIT Academy e2e", 2)
    start = dt.date.today() + dt.timedelta(days=45)
    blocks = cit_week(start)
    for n, block in enumerate(blocks[:12], 1):
        fill_row(page, n, block)
    page.get_by_role("button", name="Add more rows").click()
    expect(page.locator(".agenda-row")).to_have_count(18)
    expect(row(page, 12).get_by_label("Title")).to_have_value(blocks[11][3])
    expect(page.locator("#field-title")).to_have_value("CIT Academy e2e")
    for n, block in enumerate(blocks[12:], 13):
        fill_row(page, n, block)
    snap(page, "class-form-more-rows-desktop")
    snap_view(page, "class-form-more-rows-desktop", full_page=True)
    page.get_by_role("button", name="Create class").click()
    page.wait_for_url(re.compile(r"/classes/[0-9a-f-]{36}$"))
    class_url = urlsplit(page.url).path
    expect(page.get_by_text("2 of 2 seats left")).to_be_visible()
    context.close()

    # On a phone, a person finds the class and gets the phone wrong: the page opens on the summary.
    phone = browser.new_context(base_url=server.base_url, viewport=PHONE)
    p = phone.new_page()
    p.goto("/classes")
    p.get_by_role("link", name="CIT Academy e2e", exact=True).click()
    assert urlsplit(p.url).path == class_url
    snap(p, "class-page-phone")
    snap_view(p, "class-page-phone", full_page=True)
    no_violations(p, "class page (phone)")
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "nothing overflows a phone"
    p.get_by_label("Your name").fill("Officer Test1")
    p.get_by_label("Email address").fill("officer1@example.org")
    p.get_by_label("Phone").fill("555")
    p.get_by_label("Agency or organization").fill("Madison Police Department")
    p.get_by_label("Your role").select_option(label="Sworn law enforcement")
    p.get_by_role("button", name="Register").click()
    expect(p.locator("#error-summary")).to_be_visible()
    assert summary_is_focused_and_in_view(p), "after a refused registration the summary is focused and on screen"
    snap(p, "registration-error-phone")
    snap_view(p, "registration-error-phone", full_page=True)
    snap_view(p, "registration-error-phone-view")
    no_violations(p, "registration error (phone)")
    p.get_by_role("link", name=re.compile(r"^Phone: ")).click()
    assert p.evaluate("document.activeElement.id") == "field-phone"
    p.get_by_label("Phone").fill("(608) 555-0142")
    p.get_by_role("button", name="Register").click()
    expect(p.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(p.get_by_text("officer1@example.org")).to_be_visible()
    phone_page_checks(p, snap, "registration-sent-phone", "check your email (phone)")
    # The mailed link opens a page with a button: opening it (as a mail scanner does) confirms nothing.
    p.goto(confirm_link(server, "officer1@example.org"))
    expect(p.get_by_role("heading", level=1)).to_have_text("Confirm your place")
    expect(p.get_by_text("A seat is held for you until")).to_be_visible()
    phone_page_checks(p, snap, "confirm-place-phone", "confirm your place (phone)")
    p.get_by_role("button", name="Confirm my place").click()
    p.wait_for_url(re.compile(r"/registrations/(?!confirm/)"))
    expect(p.get_by_role("heading", level=1)).to_have_text("You are confirmed")
    # Back to the mailed link: used once, it says so.
    p.go_back()
    p.reload()
    expect(p.get_by_role("heading", level=1)).to_have_text("This link was already used")
    snap_view(p, "confirm-used-phone", full_page=True)
    no_violations(p, "link already used (phone)")
    phone.close()

    # The form again for the same address: the same answer as for anyone, and a mail saying so.
    again = browser.new_context(base_url=server.base_url, viewport=PHONE)
    a = again.new_page()
    a.goto(class_url)
    a.get_by_label("Your name").fill("Officer Test1")
    a.get_by_label("Email address").fill("officer1@example.org")
    a.get_by_label("Phone").fill("(608) 555-0142")
    a.get_by_label("Agency or organization").fill("Madison Police Department")
    a.get_by_label("Your role").select_option(label="Sworn law enforcement")
    a.get_by_role("button", name="Register").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Check your email")
    again.close()
    already = wait_for_mail(server, "officer1@example.org", "Subject: You already have a place: CIT Academy e2e")
    assert "You are confirmed." in already

    assert register(browser, server, class_url, 2) == "You are confirmed"
    assert register(browser, server, class_url, 3) == "You are number 1 on the waitlist"

    confirmation = wait_for_mail(server, "officer1@example.org", "Subject: Confirmed: CIT Academy e2e")
    assert "text/calendar" in confirmation and "BEGIN:VCALENDAR" not in confirmation  # base64 attachment
    # The newest link to the place: the "already have a place" mail's replaced the first.
    link = re.search(r"http://127\.0\.0\.1:\d+(/registrations/[A-Za-z0-9_-]+)", already).group(1)
    wait_for_mail(server, "officer3@example.org", "Subject: Waitlist: CIT Academy e2e")

    # Officer 1 cancels by the emailed link, after one confirmation; officer 3 is promoted and mailed.
    cancel = browser.new_context(base_url=server.base_url, viewport=PHONE)
    c = cancel.new_page()
    c.goto(link)
    expect(c.get_by_role("heading", level=1)).to_have_text("You are confirmed")
    no_violations(c, "registration (phone)")
    c.get_by_role("link", name="Cancel my place").click()
    expect(c.get_by_role("heading", level=1)).to_have_text("Cancel your place?")
    snap(c, "cancel-confirm-phone")
    snap_view(c, "cancel-confirm-phone", full_page=True)
    no_violations(c, "cancel confirmation (phone)")
    c.get_by_role("button", name="Yes, cancel my place").click()
    expect(c.get_by_role("heading", level=1)).to_have_text("Your place is cancelled")
    snap(c, "cancelled")
    snap_view(c, "cancelled", full_page=True)
    cancel.close()

    wait_for_mail(server, "officer1@example.org", "Subject: Cancelled: CIT Academy e2e")
    promoted = wait_for_mail(server, "officer3@example.org", "A seat opened")
    assert "/registrations/" in promoted

    # The calendar files parse with a real iCalendar parser and carry Wisconsin's local times.
    import icalendar
    chicago = ZoneInfo("America/Chicago")
    feed = icalendar.Calendar.from_ical(urllib.request.urlopen(server.url("/classes.ics")).read())
    events = [e for e in feed.walk("VEVENT") if str(e.get("SUMMARY")) == "CIT Academy e2e"]
    assert len(events) == 5
    for event in events:
        begins = event.decoded("DTSTART")
        assert begins.tzinfo is not None and str(event.get("DTSTART").params.get("TZID")) == "America/Chicago"
        assert begins.astimezone(chicago).hour == 8 and begins.astimezone(chicago).minute == 0
        assert event.decoded("DTEND").astimezone(chicago).hour == 16
    raw = server.mail_to("officer1@example.org")
    message = email.message_from_string(next(m for m in raw if "Subject: Confirmed" in m))
    attachment = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
    invite = icalendar.Calendar.from_ical(attachment.get_payload(decode=True))
    first = min(e.decoded("DTSTART") for e in invite.walk("VEVENT"))
    assert first.astimezone(chicago) == dt.datetime.combine(start, dt.time(8, 0), chicago)
