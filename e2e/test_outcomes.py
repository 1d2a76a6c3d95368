"""Outcomes as people use them: an agency liaison files a de-identified encounter
report on a phone after a crisis call; the coordinator of the program serving that
county sees it counted (exact, signed in) while the public view hides the small count;
the dashboard's charts are looked at in a screenshot; axe-core finds no violations."""

from __future__ import annotations

import datetime
import re
import sqlite3
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from test_training import PASSWORD, PHONE, accept_invitation, no_violations, signed_in_page


def agency_and_program(server, last: bool = False) -> tuple[str, str, str, str, str]:
    """A law enforcement agency from the starter directory and a program serving its county:
    the first by name, or the last (another test's reports then stay out of this one's counts)."""
    db = sqlite3.connect(server.data_dir / "cithub.sqlite", timeout=30)
    try:
        row = db.execute(
            "SELECT o.id, o.name, o.county_fips, p.id, p.name FROM organizations o"
            " JOIN program_counties pc ON pc.county_fips = o.county_fips"
            " JOIN programs p ON p.id = pc.program_id"
            " WHERE o.kind = 'law_enforcement' ORDER BY o.name " + ("DESC" if last else "ASC") + " LIMIT 1").fetchone()
    finally:
        db.close()
    assert row, "the starter directory has no law enforcement agency in a county a program serves"
    return str(row[0]).lower(), row[1], row[2], str(row[3]).lower(), row[4]


def invite(page: Page, email: str, name: str, role: str, program: str = "", agency: str = "") -> None:
    """Programs and agencies are picked by name (issue 12), never by id."""
    page.goto("/admin/users")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Role").select_option(role)
    if program:
        page.get_by_label("Program", exact=True).fill(program)
    if agency:
        page.get_by_label("Agency", exact=True).fill(agency)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("The invitation was sent.")).to_be_visible()


def test_officer_files_report_and_coordinator_sees_it(browser: Browser, server, admin, snap) -> None:
    agency_id, agency_name, county, program_id, program_name = agency_and_program(server)
    context, page = signed_in_page(browser, server, admin.email, admin.password, {"width": 1280, "height": 900})
    invite(page, "liaison.e2e@example.org", "Lee Liaison", "agency_liaison", agency=agency_name)
    invite(page, "coordinator.e2e@example.org", "Cora Coordinator", "program_coordinator", program=program_name)
    context.close()
    accept_invitation(browser, server, "liaison.e2e@example.org", "Lee Liaison")
    accept_invitation(browser, server, "coordinator.e2e@example.org", "Cora Coordinator")

    # The officer's liaison files the report on a phone.
    phone_context, phone = signed_in_page(browser, server, "liaison.e2e@example.org", PASSWORD, PHONE)
    phone.goto("/encounters/new")
    expect(phone.get_by_text(f"Agency: {agency_name}")).to_be_visible()
    no_violations(phone, "encounter form")
    # A first try with a mistake: arrived without being dispatched.
    phone.get_by_label("Time of day").select_option("16-20")
    phone.get_by_label("County").select_option(county)
    phone.get_by_label("How the call came in").select_option("911")
    for question, answer in [("Was a CIT officer requested?", "Yes"), ("Was a CIT officer dispatched?", "No"),
                             ("Did a CIT officer arrive?", "Yes"), ("Was a CIT-trained officer on scene?", "Yes"),
                             ("Was the person in crisis injured?", "No"), ("Was an officer injured?", "No"),
                             ("Was anyone else injured?", "No"), ("Was a weapon involved?", "No"),
                             ("Is the person a veteran?", "Unknown"), ("Was substance use involved?", "No"),
                             ("Has this person had a crisis contact with the agency before?", "Unknown")]:
        phone.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    phone.get_by_label("Outcome (disposition)").select_option(label="Referral to county crisis services or mobile crisis")
    phone.get_by_role("button", name="File report").click()
    expect(phone.get_by_text("A CIT officer can only arrive if one was dispatched.").first).to_be_visible()
    snap(phone, "report-error")
    no_violations(phone, "encounter form with an error")
    phone.get_by_role("group", name="Was a CIT officer dispatched?").get_by_label("Yes", exact=True).check()
    phone.get_by_role("button", name="File report").click()
    expect(phone.get_by_text("The report was filed. Thank you.")).to_be_visible()
    snap(phone, "report-filed")
    phone_context.close()

    # The state administrator names the agency a partner of the program (an administrator's
    # partner is approved at once): only approved partners' reports are exact for a coordinator.
    admin_context, admin_page = signed_in_page(browser, server, admin.email, admin.password, {"width": 1280, "height": 900})
    admin_page.goto(f"/programs/{program_id}/edit")
    approve = admin_page.get_by_role("button", name=f"Approve {agency_name}")
    if approve.count():
        approve.click()  # a starter partner waiting for approval
    else:
        admin_page.get_by_label("Organization name").fill(agency_name)
        admin_page.get_by_label("Kind").select_option("law_enforcement")
        admin_page.get_by_role("button", name="Add partner").click()
    expect(admin_page.get_by_role("button", name=f"Approve {agency_name}")).to_have_count(0)
    admin_context.close()

    # The coordinator of the program sees it counted, exactly.
    coordinator_context, dashboard = signed_in_page(browser, server, "coordinator.e2e@example.org", PASSWORD, {"width": 1280, "height": 900})
    dashboard.goto(f"/outcomes?program={program_id}")
    expect(dashboard.get_by_text("counts are exact")).to_be_visible()
    expect(dashboard.get_by_role("row", name=re.compile(r"^Crisis calls reported 1\b"))).to_be_visible()
    expect(dashboard.get_by_role("row", name=re.compile(r"A CIT officer arrived 1 100%"))).to_be_visible()
    assert dashboard.locator("svg.chart").count() >= 3
    no_violations(dashboard, "outcomes dashboard")
    snap(dashboard, "dashboard-exact")
    coordinator_context.close()

    # The public sees nothing of it yet: a quarter is published 45 days after it ends,
    # from the reports filed within 30 days (issue 13), and the page says so.
    public = browser.new_context(base_url=server.base_url, viewport=PHONE)
    view = public.new_page()
    view.goto(f"/outcomes?program={program_id}")
    # Other tests may have published earlier quarters; this quarter is never among them.
    today = datetime.date.today()
    this_quarter = f"{today.year} Q{(today.month - 1) // 3 + 1}"
    expect(view.get_by_role("row", name=re.compile(rf"^{this_quarter}\b"))).to_have_count(0)
    expect(view.get_by_label("From quarter").locator("option", has_text=this_quarter)).to_have_count(0)
    if view.get_by_label("From quarter").locator("option").count() == 1:
        expect(view.get_by_text("No quarter with reports has been published yet.")).to_be_visible()
    expect(view.get_by_text(re.compile(r"each quarter is published 45 days after it ends"))).to_be_visible()
    no_violations(view, "public outcomes")
    snap(view, "dashboard-public")
    view.goto("/coverage")
    no_violations(view, "coverage")
    public.close()
