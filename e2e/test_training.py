"""Training delivery as it happens in a classroom: a trainer takes attendance on a
tablet, loses the network mid-class, keeps tapping, reconnects, and the server has every
entry exactly once; a trainer scores a role-play; the coordinator issues certificates;
the trainee signs in, reads the feedback, prints the certificate on one page, and its
code verifies."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import time
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from conftest import ARTIFACTS_DIR, sign_in
from test_classes import confirm_by_mail, wait_for_mail

TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
PASSWORD = "Copper-kettle-8-marsh-lantern"

axe = Axe()


def no_violations(page: Page, where: str) -> None:
    violations = axe.run(page).response["violations"]
    assert not violations, f"axe on {where}: " + "; ".join(f"{v['id']}: {v['help']}" for v in violations)


def dispatch_agenda(start: dt.date) -> str:
    # CIT for Dispatch: 8 hours, two 4-hour sessions on consecutive days.
    second = start + dt.timedelta(days=1)
    return "\n".join([f"{start.isoformat()} 08:00-12:00 Crisis calls #de-escalation",
                      f"{second.isoformat()} 08:00-12:00 Role-plays for call-takers #role-plays"])


def fill_agenda(page: Page, start: dt.date) -> None:
    """The agenda as a coordinator types it: one row per block (date, start, end, title,
    topic), or the older one-line-per-block text box where that is what the form has."""
    text = page.locator("textarea[name=agenda]")
    if text.count():
        text.fill(dispatch_agenda(start))
        return
    second = start + dt.timedelta(days=1)
    blocks = [(start, "08:00", "12:00", "Crisis calls", "de-escalation"),
              (second, "08:00", "12:00", "Role-plays for call-takers", "role-plays")]
    for n, (day, begin, end, title, topic) in enumerate(blocks, 1):
        row = page.get_by_role("group", name=f"Row {n}", exact=True)
        row.get_by_label("Date").fill(day.isoformat())
        row.get_by_label("Start").fill(begin)
        row.get_by_label("End").fill(end)
        row.get_by_label("Title").fill(title)
        row.get_by_label("Topic").select_option(topic)


def register(browser: Browser, server, class_url: str, n: int) -> None:
    context = browser.new_context(base_url=server.base_url, viewport=PHONE)
    page = context.new_page()
    page.goto(class_url)
    page.get_by_label("Your name").fill(f"Dispatcher Test{n}")
    page.get_by_label("Email address").fill(f"dispatcher{n}@example.org")
    page.get_by_label("Phone").fill("(608) 555-0142")
    page.get_by_label("Agency or organization").fill("Dane County 911 Center")
    page.get_by_label("Your role").select_option(label="Dispatch and 911 telecommunicators")
    page.get_by_role("button", name=re.compile("Register")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert confirm_by_mail(page, server, f"dispatcher{n}@example.org") == "You are confirmed"
    context.close()


def move_class_into_past(server, class_id: str, days: float) -> None:
    """Time travel for the test: the week goes by. Fluent keeps dates in SQLite as
    seconds since 1970; the agenda JSON keeps them as seconds since 2001 (Foundation's
    reference date). Both move by the same number of seconds."""
    shift = -days * 86400
    db = sqlite3.connect(server.data_dir / "cithub.sqlite", timeout=30)
    try:
        row = db.execute("SELECT agenda_json FROM class_sessions WHERE lower(hex(id)) = ? OR lower(id) = ?",
                         (class_id.replace("-", ""), class_id)).fetchone()
        assert row is not None, "class not found in the database"
        import json
        agenda = json.loads(row[0])
        for block in agenda:
            block["start"] += shift
            block["end"] += shift
        db.execute("UPDATE class_sessions SET agenda_json = ?, starts_at = starts_at + ?, ends_at = ends_at + ?"
                   " WHERE lower(hex(id)) = ? OR lower(id) = ?",
                   (json.dumps(agenda), shift, shift, class_id.replace("-", ""), class_id))
        db.commit()
    finally:
        db.close()


def attendance_entries(server, class_id: str) -> list[tuple]:
    db = sqlite3.connect(server.data_dir / "cithub.sqlite", timeout=30)
    try:
        return db.execute("SELECT id, kind, minutes, text FROM attendance_entries WHERE lower(hex(class_id)) = ? OR lower(class_id) = ?",
                          (class_id.replace("-", ""), class_id)).fetchall()
    finally:
        db.close()


def accept_invitation(browser: Browser, server, address: str, name: str) -> None:
    text = wait_for_mail(server, address, "You are invited to CIT Hub")
    link = re.search(re.escape(server.base_url) + r"/invitation/[A-Za-z0-9_-]+", text.replace("=\n", ""))
    assert link, "no invitation link in the mail"
    context = browser.new_context(base_url=server.base_url, viewport=PHONE)
    page = context.new_page()
    page.goto(link.group(0))
    page.locator('input[name="name"]').fill(name)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[name="password_confirm"]').fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/login")
    context.close()


def invite(page: Page, email: str, name: str, role: str) -> None:
    page.goto("/admin/users")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Role").select_option(role)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("The invitation was sent.")).to_be_visible()


def signed_in_page(browser: Browser, server, email: str, password: str, viewport: dict) -> tuple:
    context = browser.new_context(base_url=server.base_url, viewport=viewport)
    page = context.new_page()
    page.goto("/login")
    sign_in(page, email, password)
    page.wait_for_url(lambda url: urlsplit(url).path == "/account")
    return context, page


def test_attendance_offline_scores_certificate(browser: Browser, server, admin, snap) -> None:
    # The coordinator (the administrator here) creates a CIT for Dispatch class.
    context, page = signed_in_page(browser, server, admin.email, admin.password, {"width": 1280, "height": 900})
    page.goto("/counties/55025")
    page.get_by_role("link", name="NAMI Dane County CIT/CIP").click()
    program_path = urlsplit(page.url).path
    page.get_by_role("link", name="add a class").click()
    page.get_by_label("Course").select_option("CIT-DISPATCH")
    page.locator("#field-title").fill("CIT for Dispatch e2e")
    page.get_by_label("Venue", exact=True).fill("Dane County Public Safety Communications")
    page.get_by_label("Venue address").fill("210 Martin Luther King Jr Blvd, Madison, WI")
    page.get_by_label("Venue ZIP code").fill("53703")
    page.get_by_label("Seats", exact=True).fill("10")
    fill_agenda(page, dt.date.today() + dt.timedelta(days=3))
    page.get_by_role("button", name="Create class").click()
    page.wait_for_url(re.compile(r"/classes/[0-9a-f-]{36}$"))
    class_path = urlsplit(page.url).path
    class_id = class_path.rsplit("/", 1)[1]

    register(browser, server, class_path, 1)
    register(browser, server, class_path, 2)

    # A trainer is invited, accepts, and is assigned to the class; a role-play scenario is added.
    invite(page, "trainer.e2e@example.org", "Tara Trainer", "trainer")
    accept_invitation(browser, server, "trainer.e2e@example.org", "Tara Trainer")
    page.goto(class_path + "/roster")
    page.get_by_label("Add a trainer", exact=True).fill("trainer.e2e@example.org")
    page.get_by_role("button", name="Add trainer").click()
    expect(page.get_by_text("Tara Trainer (trainer.e2e@example.org)")).to_be_visible()
    no_violations(page, "class roster")
    page.goto(program_path + "/scenarios")
    page.get_by_label("Course").select_option("CIT-DISPATCH")
    page.get_by_label("Scenario title").fill("Caller whose son is threatening himself")
    page.get_by_label("What the role-player is told").fill("A mother calls: her adult son has locked himself in the garage and says he wants to die.")
    page.get_by_role("button", name="Add scenario").click()
    expect(page.get_by_text("Caller whose son is threatening himself")).to_be_visible()

    # The class week goes by (the test moves the class five days back, so it is over by
    # the time certificates are issued); the trainer records it block by block.
    move_class_into_past(server, class_id, days=5)

    trainer_context, tablet = signed_in_page(browser, server, "trainer.e2e@example.org", PASSWORD, TABLET)
    tablet.goto(class_path + "/attendance?block=0")
    expect(tablet.get_by_role("heading", name="Attendance")).to_be_visible()
    rows = tablet.locator("li.trainee")
    expect(rows).to_have_count(2)
    first, second = rows.nth(0), rows.nth(1)
    status = tablet.locator("#sync-status")

    expect(first.locator(".state-text")).to_have_text("Not recorded yet")
    present = first.get_by_role("button", name="Present, whole block")
    expect(present).to_have_attribute("aria-pressed", "false")
    present.click()
    expect(status).to_have_text("All entries are saved on the server.")
    # The row says what is stored, in words, and the tapped button shows pressed.
    expect(first.locator(".state-text")).to_have_text("Present, whole block")
    expect(first.locator(".sync-mark")).to_have_text("Saved")
    expect(present).to_have_attribute("aria-pressed", "true")
    expect(first.get_by_role("button", name="Absent")).to_have_attribute("aria-pressed", "false")
    no_violations(tablet, "attendance sheet")
    snap(tablet, "attendance-online")

    # The network drops mid-class. The trainer keeps going.
    trainer_context.set_offline(True)
    second.get_by_role("button", name="Check in").click()
    expect(second.locator(".state-text")).to_contain_text("In since")
    expect(second.get_by_role("button", name="Check in")).to_have_attribute("aria-pressed", "true")
    expect(second.locator(".sync-mark")).to_have_text("Waiting to send")
    second.get_by_label(re.compile("Minutes attended")).fill("150")
    second.get_by_role("button", name="Save minutes").click()
    second.get_by_label("Note").fill("Arrived late: court appearance")
    second.get_by_role("button", name="Save note").click()
    expect(status).to_contain_text("No connection. 3 entries kept on this device")
    expect(second.locator(".state-text")).to_have_text("150 of 240 minutes")
    expect(second.locator(".sync-mark")).to_have_text("Waiting to send")
    expect(second.get_by_role("button", name="Check in")).to_have_attribute("aria-pressed", "false")
    snap(tablet, "attendance-offline")
    assert len(attendance_entries(server, class_id)) == 1

    # Back online: the queue is sent, once.
    trainer_context.set_offline(False)
    expect(status).to_have_text("All entries are saved on the server.", timeout=30000)
    # The server's answer replaces the device's guess: the open check-in and the minutes.
    expect(second.locator(".sync-mark")).to_have_text("Saved")
    expect(second.locator(".state-text")).to_contain_text("150 of 240 minutes")
    snap(tablet, "attendance-back-online")
    stored = attendance_entries(server, class_id)
    assert len(stored) == 4, stored
    assert len({row[0] for row in stored}) == 4
    assert sorted(row[1] for row in stored) == ["check_in", "minutes", "note", "present"]
    # A reload shows what the server has; nothing is left in the device's queue.
    tablet.reload()
    expect(second.locator(".state-text")).to_contain_text("150 of 240 minutes")
    expect(second.get_by_label(re.compile("Minutes attended"))).to_have_value("150")
    expect(second.get_by_text("Note: Arrived late: court appearance")).to_be_visible()
    assert tablet.evaluate(f"JSON.parse(localStorage.getItem('cithub-attendance-{class_id}') || '[]').length") == 0
    assert len(attendance_entries(server, class_id)) == 4

    # Day two: the first trainee is present for the whole block.
    tablet.goto(class_path + "/attendance?block=1")
    tablet.locator("li.trainee").nth(0).get_by_role("button", name="Present, whole block").click()
    expect(status).to_have_text("All entries are saved on the server.")

    # The trainer scores the first trainee's role-play.
    tablet.goto(class_path + "/evaluations")
    no_violations(tablet, "role-play overview")
    tablet.get_by_role("link", name=re.compile("Score Dispatcher Test1")).click()
    groups = tablet.locator("fieldset.rubric-criterion")
    expect(groups).to_have_count(7)
    # Sent with one criterion left out: the error is on that group, the rest is kept.
    for fieldset in groups.all()[1:]:
        fieldset.get_by_role("radio", name=re.compile(r"^3 ")).click()
    tablet.get_by_role("button", name="Save scores").click()
    expect(tablet.locator(".error-summary")).to_be_visible()
    missing = tablet.locator("fieldset.rubric-criterion").first
    expect(missing.get_by_text("Choose a score.")).to_be_visible()
    expect(missing.get_by_role("radio").first).to_have_attribute("aria-invalid", "true")
    expect(tablet.locator("fieldset.rubric-criterion").nth(1).get_by_role("radio", name=re.compile(r"^3 "))).to_be_checked()
    no_violations(tablet, "score sheet with an error")
    snap(tablet, "score-sheet-error")
    # Compact on a tablet: each choice a large target, four in one row, the whole sheet
    # (7 criteria, error summary included) about 2.5 screens, not the 5,000 px it was.
    boxes = [groups.nth(1).locator("label.level").nth(i).bounding_box() for i in range(4)]
    assert all(b["height"] >= 44 and b["width"] >= 44 for b in boxes), boxes
    assert len({round(b["y"]) for b in boxes}) == 1, f"the four levels are not in one row: {boxes}"
    height = tablet.evaluate("document.documentElement.scrollHeight")
    print(f"score sheet height on a 768x1024 tablet: {height}px")
    assert height < 2600, f"the score sheet is {height}px tall on a tablet"
    # The level descriptions open on request.
    missing.get_by_text("What the scores mean").click()
    expect(missing.get_by_text("used the skill naturally throughout")).to_be_visible()
    missing.get_by_role("radio", name=re.compile(r"^4 ")).click()
    tablet.get_by_label("Written feedback").fill("Calm, clear questions about weapons. Offer the caller a choice sooner.")
    no_violations(tablet, "score sheet")
    snap(tablet, "score-sheet-tablet")
    tablet.set_viewport_size(PHONE)
    row = [groups.nth(2).locator("label.level").nth(i).bounding_box() for i in range(4)]
    assert len({round(b["y"]) for b in row}) == 1 and all(b["height"] >= 44 for b in row), row
    snap(tablet, "score-sheet-phone")
    tablet.set_viewport_size(TABLET)
    tablet.get_by_role("button", name="Save scores").click()
    expect(tablet.get_by_text("Change your scores")).to_be_visible()
    trainer_context.close()

    # The coordinator sees who completed and issues the certificate.
    page.goto(class_path + "/completion")
    expect(page.get_by_role("row", name=re.compile("Dispatcher Test1.*Complete"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Dispatcher Test2.*2\\.5"))).to_be_visible()
    no_violations(page, "completion page")
    page.get_by_role("button", name="Issue 1 certificate").click()
    expect(page.get_by_text("Certificates were issued and emailed.")).to_be_visible()
    snap(page, "completion")
    mail = wait_for_mail(server, "dispatcher1@example.org", "Your certificate").replace("=\n", "")
    code = re.search(r"verification code is ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", mail).group(1)
    print_link = re.search(re.escape(server.base_url) + r"/certificates/print/[A-Za-z0-9_-]+", mail)
    assert print_link, "no print link in the certificate mail"

    # The mail's print link works for someone with no account, on one Letter page.
    anonymous = browser.new_context(base_url=server.base_url, viewport={"width": 1280, "height": 900})
    paper = anonymous.new_page()
    paper.goto(print_link.group(0))
    expect(paper.get_by_role("heading", name="Certificate of completion")).to_be_visible()
    expect(paper.locator(".certificate")).to_contain_text("Dispatcher Test1")
    expect(paper.locator(".certificate")).to_contain_text(code)
    expect(paper.locator(".certificate")).to_contain_text("NAMI Dane County CIT/CIP")
    expect(paper.locator(".certificate")).to_contain_text("Date issued")
    no_violations(paper, "certificate by print link")
    snap(paper, "certificate-by-link")
    link_pdf = paper.pdf(format="Letter", landscape=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", link_pdf)) == 1
    (ARTIFACTS_DIR / "certificate-by-link.pdf").write_bytes(link_pdf)
    anonymous.close()

    # The trainee is invited, signs in, reads the feedback and prints the certificate.
    invite(page, "dispatcher1@example.org", "Dispatcher Test1", "trainee")
    context.close()
    accept_invitation(browser, server, "dispatcher1@example.org", "Dispatcher Test1")
    trainee_context, mine = signed_in_page(browser, server, "dispatcher1@example.org", PASSWORD, PHONE)
    mine.goto("/my/training")
    expect(mine.get_by_text("Offer the caller a choice sooner.")).to_be_visible()
    expect(mine.get_by_text(code)).to_be_visible()
    no_violations(mine, "your training")
    snap(mine, "my-training")
    mine.get_by_role("link", name="Print certificate").click()
    expect(mine.get_by_role("heading", name="Certificate of completion")).to_be_visible()
    no_violations(mine, "certificate")
    pdf = mine.pdf(format="Letter", landscape=True, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the certificate printed to {pages} pages"
    (ARTIFACTS_DIR / "certificate.pdf").write_bytes(pdf)
    trainee_context.close()

    # Anyone can check the code: typed by hand, in lower case, without dashes.
    public = browser.new_context(base_url=server.base_url, viewport=PHONE)
    check = public.new_page()
    check.goto("/verify")
    check.get_by_label("Verification code").fill(code.lower().replace("-", " "))
    check.get_by_role("button", name="Check").click()
    expect(check.get_by_role("heading", name="This certificate is valid")).to_be_visible()
    expect(check.get_by_text("Dispatcher Test1")).to_be_visible()
    expect(check.get_by_text("dispatcher1@example.org")).to_have_count(0)
    panel = check.locator("section.verify")
    expect(panel).to_contain_text("CIT for Dispatch")
    expect(panel).to_contain_text("NAMI Dane County CIT/CIP")
    expect(panel).to_contain_text("8")
    no_violations(check, "verification page")
    snap(check, "verified")
    check.set_viewport_size({"width": 1280, "height": 900})
    snap(check, "verified-desktop")
    check.set_viewport_size(PHONE)
    # A mistyped code, typed in the form on the answer page: not found, and it says so.
    wrong = code[:-1] + ("1" if code[-1] != "1" else "2")
    check.get_by_label("Verification code").fill(wrong)
    check.get_by_role("button", name="Check").click()
    expect(check.get_by_role("heading", name="No certificate has this code")).to_be_visible()
    no_violations(check, "verification not found")
    snap(check, "verify-not-found")
    public.close()
