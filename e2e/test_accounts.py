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
