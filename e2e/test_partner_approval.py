"""Program partners wait for the state administrator's approval before their encounter
reports count as the program's in exact outcome views (issue 13, part 2). The
administrator finds the waiting partners on the program's edit page and approves one
with a button; a partner the administrator adds is approved at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from test_training import PHONE, no_violations, signed_in_page

DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_administrator_approves_a_waiting_partner(browser: Browser, server, admin, snap, viewport) -> None:
    context, page = signed_in_page(browser, server, admin.email, admin.password, viewport)
    try:
        page.get_by_role("link", name="Find CIT near you").click()
        page.get_by_label("County, city or ZIP code").fill("Dane")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name="Dane County", exact=True).first.click()
        page.get_by_role("link", name="NAMI Dane County CIT/CIP").first.click()
        page.get_by_role("link", name="Edit", exact=True).click()
        expect(page.get_by_role("heading", name="Partners")).to_be_visible()

        partners = page.locator("ul.partner-list > li")
        attic = partners.filter(has_text="Attic Correctional Services")
        already = attic.get_by_role("button", name="Approve Attic Correctional Services").count() == 0
        if not already:
            # The starter partners came from public web pages: each waits.
            expect(attic.get_by_text("Waiting for the state administrator's approval")).to_be_visible()
            attic.scroll_into_view_if_needed()
            snap(page, "edit-page-waiting-partners")
            no_violations(page, "program edit page with waiting partners")
            attic.get_by_role("button", name="Approve Attic Correctional Services").click()

        attic = page.locator("ul.partner-list > li").filter(has_text="Attic Correctional Services")
        expect(attic).to_be_visible()
        expect(attic.get_by_text("Waiting for the state administrator's approval")).to_have_count(0)
        expect(attic.get_by_role("button", name="Approve Attic Correctional Services")).to_have_count(0)
        # Other starter partners still wait.
        madison = page.locator("ul.partner-list > li").filter(has_text=re.compile(r"^\s*Madison Police Department"))
        expect(madison.get_by_role("button", name="Approve Madison Police Department")).to_be_visible()
        snap(page, "edit-page-after-approval")
    finally:
        context.close()
