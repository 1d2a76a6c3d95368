"""Accounts as a person uses them: the first administrator, signing in and out.

The server starts with no accounts and prints a one-time link to create the
first administrator; everything here follows from that link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Admin, path_is, sign_in  # noqa: F401

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"

BOTH_SIZES = pytest.mark.parametrize("screen_size", ["phone", "desktop"], indirect=True)


def test_first_administrator_is_created_from_the_setup_link(admin: Admin) -> None:
    assert admin.setup_status == 200
    assert admin.landed_on == "/login"


@BOTH_SIZES
def test_administrator_signs_in_and_out(page: Page, admin: Admin, snap) -> None:
    response = page.goto("/login")
    assert response is not None and response.status == 200, f"GET /login returned {response and response.status}"
    snap(page, "login")

    sign_in(page, admin.email, admin.password)
    page.wait_for_url(path_is("/account"))
    snap(page, "account")
    expect(page.get_by_text("Signed in as").first).to_be_visible()
    expect(page.locator("body")).to_contain_text(admin.email)

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(path_is("/"))
    snap(page, "signed-out")

    # Signed out for real: the account page no longer knows who we are.
    page.goto("/account")
    snap(page, "account-after-sign-out")
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(admin.email)


def test_setup_link_works_only_once(page: Page, server, admin: Admin, snap) -> None:
    response = page.goto(server.setup_url)
    assert response is not None
    snap(page, "setup-again")
    assert response.status in (404, 410), f"second GET {server.setup_url} returned {response.status}"
    expect(page.locator('input[name="password_confirm"]')).to_have_count(0)
    expect(page.get_by_role("button", name="Create administrator")).to_have_count(0)


def test_wrong_password_is_refused(page: Page, admin: Admin, snap) -> None:
    page.goto("/login")
    with page.expect_response(
        lambda r: r.request.method == "POST" and urlsplit(r.url).path == "/login"
    ) as answer:
        sign_in(page, admin.email, "not-" + admin.password)
    response = answer.value
    page.wait_for_load_state()
    snap(page, "wrong-password")
    assert response.status in (401, 422), f"POST /login with a wrong password returned {response.status}"
    expect(page.locator("body")).to_contain_text(re.compile("incorrect", re.IGNORECASE))
    expect(page.get_by_text("Signed in as")).to_have_count(0)


# --- Issue 12: staff set-up by name, role homes, a liaison's correction -------------

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
STAFF_PASSWORD = "Copper-kettle-9-winter-harbor"


def wait_for_invitation(server, address: str, timeout: float = 30.0) -> str:
    import quopri
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for raw in server.mail_to(address):
            text = quopri.decodestring(raw.encode()).decode(errors="replace")
            if "You are invited to CIT Hub" in text:
                return text
        time.sleep(0.25)
    raise AssertionError(f"no invitation to {address} within {timeout} s")


def accept(browser, clicks_only, server, address: str, name: str, viewport: dict):
    """Opens the mailed link (the one address this page is given), sets a password, signs in."""
    mail = wait_for_invitation(server, address)
    link = re.search(re.escape(server.base_url) + r"/invitation/[A-Za-z0-9_-]+", mail)
    assert link, "no invitation link in the mail"
    context = browser.new_context(base_url=server.base_url, viewport=viewport)
    page = clicks_only(context.new_page())
    page.goto(link.group(0))
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Choose a password").fill(STAFF_PASSWORD)
    page.get_by_label("Password again").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(path_is("/login"))
    sign_in(page, address, STAFF_PASSWORD)
    page.wait_for_url(path_is("/account"))
    return mail, context, page


def both_sizes(snap, page, label: str) -> None:
    """A screenshot at phone and at desktop size, each checked by axe-core, then back to
    the page's own size."""
    from axe_playwright_python.sync_playwright import Axe
    own = page.viewport_size
    for name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        snap(page, f"{label}-{name}")
        violations = Axe().run(page).response["violations"]
        assert not violations, f"axe on {label} ({name}): " + "; ".join(f"{v['id']}: {v['help']}" for v in violations)
    page.set_viewport_size(own)


def invite_without_scope(page, email: str, name: str, role: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Role").select_option(role)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("The invitation was sent.")).to_be_visible()


def test_staff_are_invited_by_name_and_land_on_their_work(browser, server, admin: Admin, clicks_only, snap) -> None:
    context = browser.new_context(base_url=server.base_url, viewport=DESKTOP)
    page = clicks_only(context.new_page())
    page.goto("/login")
    sign_in(page, admin.email, admin.password)
    page.wait_for_url(path_is("/account"))
    both_sizes(snap, page, "admin-home")
    for link in ["People and roles", "Add a program", "Add a course", "State report", "API tokens", "Mail outbox",
                 "Audit log", "Training records", "Coverage"]:
        expect(page.get_by_role("link", name=link, exact=True)).to_be_visible()

    # A coordinator, picked by the program's name. A typo first: refused beside the field.
    page.get_by_role("link", name="People and roles", exact=True).click()
    page.get_by_label("Email address").fill("cora.accounts@example.org")
    page.get_by_label("Name", exact=True).fill("Cora Coordinator")
    page.get_by_label("Role").select_option("program_coordinator")
    expect(page.get_by_label("Agency", exact=True)).to_be_hidden()
    page.get_by_label("Program", exact=True).fill("NAMI Dane Cnty")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#field-program-error")).to_contain_text("Did you mean “NAMI Dane County CIT/CIP”?")
    snap(page, "invite-typo")
    page.get_by_label("Program", exact=True).fill("NAMI Dane County CIT/CIP")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("The invitation was sent.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Cora Coordinator")).to_contain_text("Program coordinator — NAMI Dane County CIT/CIP")

    # An agency that is not in the directory: added here, then its liaison invited by name.
    page.get_by_text("Agency not in the directory? Add it").click()
    page.get_by_label("New agency").fill("Lakeview Test Police Department")
    page.get_by_label("County", exact=True).select_option(label="Winnebago")
    page.get_by_label("Type of agency").select_option("law_enforcement")
    page.get_by_role("button", name="Add agency").click()
    expect(page.get_by_label("Agency", exact=True)).to_have_value("Lakeview Test Police Department")
    page.get_by_label("Email address").fill("lee.accounts@example.org")
    page.get_by_label("Name", exact=True).fill("Lee Liaison")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("The invitation was sent.")).to_be_visible()
    invite_without_scope(page, "tom.accounts@example.org", "Tom Trainer", "trainer")
    invite_without_scope(page, "tia.accounts@example.org", "Tia Trainee", "trainee")
    both_sizes(snap, page, "people")
    page.get_by_role("link", name="Lee Liaison").click()
    expect(page.locator("main")).to_contain_text("Agency liaison — Lakeview Test Police Department")
    both_sizes(snap, page, "user-page")
    context.close()

    for address, name, label in [("tom.accounts@example.org", "Tom Trainer", "trainer-home"), ("tia.accounts@example.org", "Tia Trainee", "trainee-home")]:
        _, person_context, person = accept(browser, clicks_only, server, address, name, PHONE)
        both_sizes(snap, person, label)
        person_context.close()

    # The coordinator's mail names the program; their home lists its work.
    mail, coordinator_context, coordinator = accept(browser, clicks_only, server, "cora.accounts@example.org", "Cora Coordinator", PHONE)
    assert "as program coordinator for NAMI Dane County CIT/CIP" in mail
    expect(coordinator.get_by_role("heading", name="NAMI Dane County CIT/CIP")).to_be_visible()
    expect(coordinator.get_by_role("link", name="Add a class").first).to_be_visible()
    both_sizes(snap, coordinator, "coordinator-home")
    coordinator.get_by_role("link", name="Scenarios").first.click()
    expect(coordinator.locator("h1")).to_be_visible()
    coordinator_context.close()

    # The liaison files a report from their home, finds it in the list, corrects it.
    mail, liaison_context, liaison = accept(browser, clicks_only, server, "lee.accounts@example.org", "Lee Liaison", PHONE)
    assert "as agency liaison for Lakeview Test Police Department" in mail
    both_sizes(snap, liaison, "liaison-home")
    liaison.get_by_role("link", name="File a report").first.click()
    liaison.get_by_label("Time of day").select_option("16-20")
    liaison.get_by_label("County").select_option(label="Winnebago")
    liaison.get_by_label("How the call came in").select_option("911")
    for question in ["cit_requested", "cit_dispatched", "cit_arrived", "cit_trained_on_scene"]:
        liaison.locator(f"#{question}-yes").check()
    liaison.get_by_label("Outcome (disposition)").select_option("resolved_on_scene")
    for question in ["injury_person", "injury_officer", "injury_other"]:
        liaison.locator(f"#{question}-no").check()
    for question in ["weapon_involved", "veteran", "substance_use", "repeat_contact"]:
        liaison.locator(f"#{question}-unknown").check()
    liaison.get_by_role("button", name="File report").click()
    expect(liaison.get_by_text("The report was filed.")).to_be_visible()
    liaison.get_by_role("link", name="Your account").first.click()
    liaison.get_by_role("link", name="Your agency's reports").click()
    both_sizes(snap, liaison, "reports")
    liaison.get_by_role("link", name=re.compile("^Correct")).first.click()
    liaison.get_by_label("Outcome (disposition)").select_option("referral")
    snap(liaison, "correct-form-phone")
    liaison.get_by_role("button", name="Save correction").click()
    expect(liaison.get_by_text("The report was corrected.")).to_be_visible()
    expect(liaison.locator(".reports")).to_contain_text("Referral")
    snap(liaison, "reports-corrected-phone")
    liaison_context.close()
