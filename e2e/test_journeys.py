"""Journeys: each person CIT Hub is for, from where they really start, by clicking only.

A fresh server (its own data folder, so the administrator starts from the printed set-up
link) serves the whole module. Each test is one person's journey and opens exactly one
address: the set-up link the server printed, a link that arrived by mail, or the home
page. Everything after that is links and buttons; the `clicks_only` fixture in
conftest.py makes a second `goto` fail, and refuses any id typed into a field (people
pick programs, agencies and trainers by name).

Order matters and is the order of the file: the administrator invites the coordinator,
the trainer and the liaison; the coordinator runs a class for someone who registered from
the home page; the trainer takes attendance; the liaison files and corrects a report;
a family makes a script. The last test photographs every page reached by links, at
phone and desktop size, and scans each with axe-core.

The only thing done behind the browser's back is time passing: a class that people
registered for is moved into the past in the database (as test_training.py does),
because certificates are issued after a class ends.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import ARTIFACTS_DIR, JourneyRuleBroken, open_from_mail, running_server
from page_crawl import CrawlReport, crawl
from test_classes import confirm_link, wait_for_mail
from test_training import move_class_into_past

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1280, "height": 900}

ADMIN = ("Avery Administrator", "avery.admin@example.org", "Juniper-signal-4-harbor-violet")
COORDINATOR = ("Casey Coordinator", "casey.coordinator@example.org", "Meadow-anchor-6-copper-willow")
TRAINER = ("Terry Trainer", "terry.trainer@example.org", "Granite-lantern-2-river-orchid")
LIAISON = ("Lou Liaison", "lou.liaison@example.org", "Saffron-bridge-5-pepper-glacier")
TRAINEE = ("Jordan Dispatcher", "jordan.dispatcher@example.org")

PROGRAM = "NAMI Dane County CIT/CIP"
CLASS_TITLE = "CIT for Dispatch, journey"


class Journey:
    """What one journey leaves for the next (filled in as the tests run)."""
    class_path: str | None = None
    class_id: str | None = None
    agency: str | None = None


@pytest.fixture(scope="module")
def journey_server():
    with running_server(ARTIFACTS_DIR / "journeys-server.log") as server:
        yield server


def link_in(text: str, server, path_prefix: str) -> str:
    match = re.search(re.escape(server.base_url) + re.escape(path_prefix) + r"[A-Za-z0-9_./?=&%-]+", text)
    assert match, f"no {path_prefix} link in the mail:\n{text[:2000]}"
    return match.group(0)


def new_page(browser: Browser, clicks_only, viewport: dict) -> tuple:
    context = browser.new_context(viewport=viewport)
    return context, clicks_only(context.new_page())


def sign_in_from_header(page: Page, email: str, password: str) -> None:
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/account")


def go_home(page: Page) -> None:
    """Back to the account home through the header, as a person would."""
    page.get_by_role("link", name="Your account").first.click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/account")


def accept_invitation(browser: Browser, clicks_only, server, who: tuple, viewport: dict, snap) -> tuple:
    name, email, password = who
    mail = wait_for_mail(server, email, "You are invited to CIT Hub")
    context, page = new_page(browser, clicks_only, viewport)
    open_from_mail(page, link_in(mail, server, "/invitation/"), "You are invited to CIT Hub")
    snap(page, "invitation")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Choose a password").fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/account")
    return mail, context, page


def choose_option_containing(select, text: str) -> None:
    """Picks the option whose words include `text`, as a person reads the list."""
    labels = select.locator("option").all_inner_texts()
    match = next((label for label in labels if text in label), None)
    assert match, f"no option with {text!r} in {labels}"
    select.select_option(label=match)


# --- the rule itself --------------------------------------------------------------


def test_the_journey_rule_refuses_a_second_address_and_typed_ids(browser: Browser, journey_server, clicks_only) -> None:
    context, page = new_page(browser, clicks_only, DESKTOP)
    try:
        page.goto(journey_server.base_url + "/")
        with pytest.raises(JourneyRuleBroken):
            page.goto(journey_server.base_url + "/map")
        page.get_by_role("link", name="Find CIT near you").first.click()
        with pytest.raises(JourneyRuleBroken):
            page.locator("input").first.fill("7844b7b8-0000-4000-8000-000000000000")
    finally:
        context.close()


# --- the administrator: from the printed set-up link to invited staff ---------------

ADMIN_PAGES = ["People and roles", "Add a program", "Add a course", "All classes", "State report",
               "Outcomes dashboard", "Coverage", "Training records", "API tokens", "Mail outbox", "Audit log"]


def invite(page: Page, email: str, name: str, role: str, program: str | None = None, agency: str | None = None) -> None:
    form = page.locator("#invite-form")
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label("Role", exact=True).select_option(label=role)
    if program is not None:
        # Typed as a person types a name: part of it, then the full name from the list.
        form.get_by_label("Program", exact=True).fill(program)
    if agency is not None:
        expect(form.get_by_label("Agency", exact=True)).to_have_value(agency)
    form.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("The invitation was sent.")).to_be_visible()


def test_administrator_from_the_setup_link_to_invited_staff(browser: Browser, journey_server, clicks_only, snap) -> None:
    server = journey_server
    name, email, password = ADMIN
    context, page = new_page(browser, clicks_only, DESKTOP)
    try:
        page.goto(server.setup_url)
        page.get_by_label("Your name").fill(name)
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_label("Password again").fill(password)
        page.get_by_role("button", name="Create administrator").click()
        page.wait_for_url(lambda url: urlsplit(url).path == "/login")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url(lambda url: urlsplit(url).path == "/account")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {name}")
        snap(page, "admin-home")

        # People and roles: the coordinator is linked to a program picked by name.
        page.get_by_role("link", name="People and roles").first.click()
        invite(page, COORDINATOR[1], COORDINATOR[0], "Program coordinator", program=PROGRAM)
        invite(page, TRAINER[1], TRAINER[0], "Trainer")

        # The liaison's agency is not in the directory yet: added from the same page.
        page.get_by_text("Agency not in the directory? Add it").first.click()
        Journey.agency = "Journey Test Police Department (fictional)"
        page.get_by_label("New agency").fill(Journey.agency)
        page.get_by_label("County", exact=True).select_option(label="Dane")
        page.get_by_label("Type of agency").select_option(index=0)
        page.get_by_role("button", name="Add agency").click()
        invite(page, LIAISON[1], LIAISON[0], "Agency liaison", agency=Journey.agency)
        snap(page, "people")

        # Names, never ids.
        people = page.locator("main")
        expect(people).to_contain_text(f"Program coordinator — {PROGRAM}")
        expect(people).to_contain_text(f"Agency liaison — {Journey.agency}")
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", people.inner_text(), re.IGNORECASE)

        # The invitation names the real program.
        mail = wait_for_mail(server, COORDINATOR[1], "You are invited to CIT Hub")
        assert PROGRAM in mail.replace("=\n", "").replace("\n", " ")

        # Every page of the administrator's work is one click from the account home.
        for title in ADMIN_PAGES:
            go_home(page)
            page.get_by_role("link", name=title, exact=True).first.click()
            page.wait_for_load_state()
            heading = page.get_by_role("heading", level=1)
            expect(heading).to_be_visible()
            assert "can't" not in heading.inner_text().lower() and "not found" not in heading.inner_text().lower(), title
        snap(page, "admin-last-page")
    finally:
        context.close()


# --- the coordinator: a class with an agenda, a roster, scores and certificates -----


def register_from_home(browser: Browser, clicks_only, server, snap) -> None:
    """Someone finds the class from the home page on a phone and registers."""
    name, email = TRAINEE
    context, page = new_page(browser, clicks_only, PHONE)
    try:
        page.goto(server.base_url + "/")
        page.get_by_role("link", name="Classes", exact=True).first.click()
        page.get_by_role("link", name=CLASS_TITLE).first.click()
        snap(page, "class-page-public")
        expect(page.locator("main")).not_to_contain_text("@example.org")  # trainers by name, no addresses
        expect(page.get_by_role("link", name="Manage this class")).to_have_count(0)
        page.get_by_label("Your name").fill(name)
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Phone").fill("(608) 555-0142")
        page.get_by_label("Agency or organization").fill("Dane County 911 Center")
        page.get_by_label("Your role").select_option(label="Dispatch and 911 telecommunicators")
        page.get_by_role("button", name=re.compile("Register")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
        snap(page, "registration-sent")
        # Then the link that arrived by mail, clicked in the message.
        mailed = clicks_only(context.new_page())
        open_from_mail(mailed, server.base_url + confirm_link(server, email), "Confirm your place")
        expect(mailed.get_by_role("heading", level=1)).to_have_text("Confirm your place")
        snap(mailed, "confirm-place")
        mailed.get_by_role("button", name="Confirm my place").click()
        expect(mailed.get_by_role("heading", level=1)).to_have_text("You are confirmed")
    finally:
        context.close()


def fill_row(page: Page, n: int, day: dt.date, start: str, end: str, title: str, topic: str) -> None:
    row = page.locator(f"#agenda-row-{n}")
    row.get_by_label("Date").fill(day.isoformat())
    row.get_by_label("Start").fill(start)
    row.get_by_label("End").fill(end)
    row.get_by_label("Title").fill(title)
    row.get_by_label("Topic").select_option(label=topic)


def test_coordinator_runs_a_class_from_the_account_home(browser: Browser, journey_server, clicks_only, snap) -> None:
    server = journey_server
    mail, context, page = accept_invitation(browser, clicks_only, server, COORDINATOR, DESKTOP, snap)
    try:
        assert PROGRAM in mail.replace("\n", " ")
        expect(page.get_by_role("heading", name="Your program", exact=True)).to_be_visible()
        expect(page.locator("main")).to_contain_text(PROGRAM)
        snap(page, "coordinator-home")

        # A class with its agenda, one row per block.
        page.get_by_role("link", name="Add a class").first.click()
        choose_option_containing(page.get_by_label("Course", exact=True), "CIT for Dispatch")
        page.locator("#field-title").fill(CLASS_TITLE)
        page.get_by_label("Venue", exact=True).fill("Dane County Public Safety Communications")
        page.get_by_label("Venue address").fill("210 Martin Luther King Jr Blvd, Madison, WI")
        page.get_by_label("Venue ZIP code").fill("53703")
        page.get_by_label("Seats", exact=True).fill("12")
        first_day = dt.date.today() + dt.timedelta(days=3)
        fill_row(page, 1, first_day, "08:00", "12:00", "Crisis calls", "De-escalation")
        fill_row(page, 2, first_day + dt.timedelta(days=1), "08:00", "12:00", "Role-plays for call-takers", "Role-plays with feedback")
        snap(page, "class-form")
        page.get_by_role("button", name="Create class").click()
        page.wait_for_url(re.compile(r"/classes/[0-9a-f-]{36}$"))
        Journey.class_path = urlsplit(page.url).path
        Journey.class_id = Journey.class_path.rsplit("/", 1)[1]
        snap(page, "class-page-coordinator")

        register_from_home(browser, clicks_only, server, snap)

        # The roster, with the trainer assigned.
        page.reload()
        page.get_by_role("link", name="Manage this class").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Roster")
        expect(page.locator("main")).to_contain_text(TRAINEE[0])
        page.get_by_label("Add a trainer", exact=True).fill(TRAINER[0])
        page.get_by_role("button", name="Add trainer").click()
        expect(page.locator("main")).to_contain_text(TRAINER[0])
        snap(page, "roster")

        # A role-play scenario for the course.
        page.get_by_role("link", name="Scenarios").first.click()
        choose_option_containing(page.get_by_label("Course"), "CIT for Dispatch")
        page.get_by_label("Scenario title").fill("Caller whose son is threatening himself")
        page.get_by_label("What the role-player is told").fill("A mother calls: her adult son has locked himself in the garage and says he wants to die.")
        page.get_by_role("button", name="Add scenario").click()
        expect(page.get_by_text("Caller whose son is threatening himself").first).to_be_visible()

        # The class days go by.
        move_class_into_past(server, Journey.class_id, days=5)

        # Attendance for both blocks, from the account home.
        go_home(page)
        page.get_by_role("link", name="Attendance").first.click()
        expect(page.get_by_role("heading", name="Attendance")).to_be_visible()
        for block in range(2):
            trainee = page.locator("li.trainee").filter(has_text=TRAINEE[0])
            trainee.get_by_role("button", name="Present, whole block").click()
            expect(trainee.locator(".state-text")).to_have_text("Present, whole block")
            expect(page.locator("#sync-status")).to_have_text("All entries are saved on the server.")
            if block == 0:
                page.get_by_role("link", name=re.compile("Next block|Block 2|Role-plays for call-takers")).first.click()
        snap(page, "attendance-coordinator")

        # Role-play scores.
        go_home(page)
        page.get_by_role("link", name="Scores").first.click()
        page.get_by_role("link", name=re.compile(f"Score {TRAINEE[0]}")).first.click()
        for fieldset in page.locator("fieldset.rubric-criterion").all():
            fieldset.get_by_role("radio", name=re.compile(r"^3 ")).click()
        page.get_by_label("Written feedback").fill("Clear questions about weapons; offer the caller a choice sooner.")
        page.get_by_role("button", name="Save scores").click()
        expect(page.get_by_text("Change your scores")).to_be_visible()

        # Completion and the certificate.
        go_home(page)
        page.get_by_role("link", name="Completion").first.click()
        expect(page.get_by_role("row", name=re.compile(f"{TRAINEE[0]}.*Complete"))).to_be_visible()
        page.get_by_role("button", name="Issue 1 certificate").click()
        expect(page.get_by_text("Certificates were issued and emailed.")).to_be_visible()
        snap(page, "completion")
        certificate = wait_for_mail(server, TRAINEE[1], "Your certificate").replace("=\n", "")
        assert re.search(re.escape(server.base_url) + r"/certificates/print/[A-Za-z0-9_-]+", certificate)
    finally:
        context.close()


# --- the trainer: today's class, attendance on a tablet ------------------------------


def test_trainer_takes_attendance_from_the_account_home(browser: Browser, journey_server, clicks_only, snap) -> None:
    server = journey_server
    _, context, page = accept_invitation(browser, clicks_only, server, TRAINER, TABLET, snap)
    try:
        expect(page.get_by_role("heading", name="Classes you teach")).to_be_visible()
        snap(page, "trainer-home")
        page.get_by_role("link", name="All classes you teach").first.click()
        expect(page.locator("main")).to_contain_text(CLASS_TITLE)
        page.get_by_role("link", name="Attendance").first.click()
        trainee = page.locator("li.trainee").filter(has_text=TRAINEE[0])
        # What the coordinator recorded shows as the row's state.
        expect(trainee.locator(".state-text")).to_have_text("Present, whole block")
        expect(trainee.get_by_role("button", name="Present, whole block")).to_have_attribute("aria-pressed", "true")
        trainee.get_by_label("Note").fill("Stayed after the block for questions")
        trainee.get_by_role("button", name="Save note").click()
        expect(page.locator("#sync-status")).to_have_text("All entries are saved on the server.")
        snap(page, "trainer-attendance")
    finally:
        context.close()


# --- the liaison: a report filed on a phone, then corrected --------------------------


def test_liaison_files_and_corrects_a_report(browser: Browser, journey_server, clicks_only, snap) -> None:
    server = journey_server
    _, context, page = accept_invitation(browser, clicks_only, server, LIAISON, PHONE, snap)
    try:
        expect(page.locator("main")).to_contain_text(Journey.agency)
        snap(page, "liaison-home")
        page.get_by_role("link", name="File a report").first.click()
        expect(page.get_by_text(f"Agency: {Journey.agency}")).to_be_visible()
        page.get_by_label("Time of day").select_option("16-20")
        choose_option_containing(page.get_by_label("County"), "Dane")
        page.get_by_label("How the call came in").select_option("911")
        for question, answer in [("Was a CIT officer requested?", "Yes"), ("Was a CIT officer dispatched?", "Yes"),
                                 ("Did a CIT officer arrive?", "Yes"), ("Was a CIT-trained officer on scene?", "Yes"),
                                 ("Was the person in crisis injured?", "No"), ("Was an officer injured?", "No"),
                                 ("Was anyone else injured?", "No"), ("Was a weapon involved?", "No"),
                                 ("Is the person a veteran?", "Unknown"), ("Was substance use involved?", "No"),
                                 ("Has this person had a crisis contact with the agency before?", "Unknown")]:
            page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
        page.get_by_label("Outcome (disposition)").select_option(label="Referral to county crisis services or mobile crisis")
        page.get_by_role("button", name="File report").click()
        expect(page.get_by_text("The report was filed. Thank you.")).to_be_visible()

        # The agency's reports, and a correction within the window.
        page.get_by_role("link", name="Reports filed").first.click()
        page.get_by_role("link", name=re.compile("^Correct the report")).first.click()
        page.get_by_role("group", name="Was a weapon involved?").get_by_label("Yes", exact=True).check()
        page.get_by_role("button", name="Save correction").click()
        expect(page.get_by_text("The report was corrected.")).to_be_visible()
        snap(page, "report-corrected")
    finally:
        context.close()


# --- a family: from the home page to a script, call mode and a text -----------------


def test_family_makes_a_script_and_uses_it_on_the_call(browser: Browser, journey_server, clicks_only, snap) -> None:
    server = journey_server
    context, page = new_page(browser, clicks_only, PHONE)
    try:
        page.goto(server.base_url + "/")
        page.get_by_role("link", name="Get help now").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("what to say when you call 911")
        # Answers typed the way a frightened person types them: whole sentences, a "yes".
        page.get_by_label("Your name").fill("my name is maria lopez")
        page.get_by_label("Where you are (address)").fill("I'm at 1402 Williamson St, apartment 3, Madison")
        page.get_by_label("Who your loved one is to you").fill("he is my son")
        page.get_by_label("Your loved one’s name").fill("Sam")
        page.get_by_label("What is happening").fill("He is screaming and throwing things, he hasn't slept in three days")
        page.get_by_label("Which weapons").fill("yes, a hunting rifle in the garage")
        page.get_by_label("Alcohol or drugs").select_option(label="They may have overdosed")
        # Each sentence shows by its field while typing.
        expect(page.locator("#says-weapons")).to_have_text("You will say: “My loved one has access to weapons: a hunting rifle in the garage.”")
        snap(page, "family-typing")

        script = page.locator("#script")
        said = " ".join(script.locator(".say p").all_text_contents())
        assert "My name is Maria Lopez, and I am calling from 1402 Williamson St, apartment 3, Madison about my son Sam." in said
        assert "Here is what is happening: He is screaming and throwing things" in said
        for broken in ["Sam is He", "rifle weapons", "access to yes", "..", "is is"]:
            assert broken not in said, f"{broken!r} in the script: {said}"
        first = script.locator(".step-crisis .say p").all_text_contents()
        assert "“Please send an ambulance as well.”" in first[:3], first

        # Call mode: the first step has the call button; then step by step to the end.
        page.get_by_role("link", name="See my script").click()
        expect(page.locator(".plan-actions").get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
        page.get_by_role("link", name="Start “on the call” mode").click()
        step = page.locator("#call-1")
        expect(step.get_by_role("link", name="Call 911")).to_be_visible()
        snap(page, "family-call-mode")
        n = 1
        while page.locator(f"#call-{n}").get_by_role("link", name="Next").count():
            page.locator(f"#call-{n}").get_by_role("link", name="Next").click()
            n += 1
        page.locator(f"#call-{n}").get_by_role("link", name="Done").click()

        # The text version, ready to send.
        messages = page.locator("#texts .msg").all_text_contents()
        assert messages and "Please send an ambulance as well." in messages[0], messages
        sms = page.locator("#texts").get_by_role("link", name="Open in Messages").first
        assert sms.get_attribute("href").startswith("sms:911?&body=")
        snap(page, "family-texts")
    finally:
        context.close()


# --- every page, at phone and desktop size ------------------------------------------


def signed_in_context(browser: Browser, server, email: str, password: str):
    context = browser.new_context(base_url=server.base_url, viewport=DESKTOP)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/account")
    page.close()
    return context


def test_every_page_reached_by_links_is_photographed_and_accessible(browser: Browser, journey_server) -> None:
    """Not a journey (it opens each page it found by address, to photograph it at two
    sizes): the public from the home page, then each member of staff from their account
    home. Screenshots: e2e/artifacts/page-<who>-<page>-<size>.png; the list of pages:
    e2e/artifacts/pages.txt."""
    server = journey_server
    report = CrawlReport()
    seen: set[str] = set()
    public = browser.new_context(base_url=server.base_url, viewport=DESKTOP)
    crawl(public, server.base_url, "/", "public", seen, report, ARTIFACTS_DIR)
    # What a search box leads to (the answer, then the program and county it names).
    crawl(public, server.base_url, "/search?q=madison+wi", "public", seen, report, ARTIFACTS_DIR)
    public.close()
    for who, (_, email, password) in [("administrator", ADMIN), ("coordinator", COORDINATOR),
                                      ("trainer", TRAINER), ("liaison", LIAISON)]:
        context = signed_in_context(browser, server, email, password)
        crawl(context, server.base_url, "/account", who, seen, report, ARTIFACTS_DIR)
        context.close()
    (ARTIFACTS_DIR / "pages.txt").write_text(
        "\n".join(f"{who}\t{key}\t{url}" for who, key, url in report.visited) + "\n")
    print(f"photographed {len(report.visited)} pages at 2 sizes each")
    assert len(report.visited) >= 30, f"only {len(report.visited)} pages were reached by links"
    # Staff pages a person must be able to reach by links from their home.
    reached = {key for _, key, _ in report.visited}
    for required in ["/admin/users", "/reports/state", "/admin/api-tokens", "/training/records", "/programs/new",
                     "/courses/new", "/admin/outbox", "/admin/audit", "/classes/{id}/roster", "/classes/{id}/attendance",
                     "/encounters", "/teaching"]:
        assert any(key.split("?")[0] == required for key in reached), f"{required} was not reached by any link"
    assert not report.problems, f"{len(report.problems)} problem(s):\n" + report.describe()
