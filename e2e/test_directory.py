"""The directory as a person uses it: search a ZIP code, reach the county, the
program, and from there the crisis helper; the map works from the keyboard."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

PHONE = pytest.mark.parametrize("screen_size", ["phone"], indirect=True)


@PHONE
def test_zip_to_county_to_program_to_helper(page: Page, server, snap, screen_size) -> None:
    page.goto("/map")
    page.get_by_label("County, city or ZIP code").fill("53703")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("ZIP code 53703 is Madison.")).to_be_visible()
    snap(page, "search-53703")

    page.get_by_role("link", name="Dane County").click()
    assert urlsplit(page.url).path == "/counties/55025"
    expect(page.get_by_role("heading", level=1)).to_have_text("Dane County")
    expect(page.get_by_text("Dane County has a CIT program")).to_be_visible()
    snap(page, "county-dane")

    page.get_by_role("link", name="NAMI Dane County CIT/CIP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("NAMI Dane County CIT/CIP")
    expect(page.get_by_text("not yet verified")).to_be_visible()
    expect(page.get_by_role("cell", name="Madison Police Department", exact=True)).to_be_visible()
    snap(page, "program-dane")

    page.get_by_role("link", name="Dane County").first.click()
    page.get_by_role("link", name="Prepare what to say").click()
    assert urlsplit(page.url).path == "/crisis"


def test_multi_county_zip_lists_each(page: Page, server) -> None:
    page.goto("/search?q=53066")
    expect(page.get_by_text("reaches into 4 counties")).to_be_visible()
    links = page.locator("main ul a[href^='/counties/']")
    assert links.count() == 4


def test_map_is_keyboard_navigable(page: Page, server, snap) -> None:
    page.goto("/map")
    counties = page.locator("svg.state-map a")
    assert counties.count() == 72
    assert page.locator("svg.state-map path[data-fips]").count() == 72
    # Tab from the search button into the map: the first county link takes focus and
    # Enter opens its page.
    page.get_by_role("button", name="Search").focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement && document.activeElement.getAttribute('href')")
        if href and href.startswith("/counties/"):
            break
    assert href and href.startswith("/counties/"), "no county link reached by Tab"
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert "County" in label
    snap(page, "map-focus")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == href)


@pytest.mark.parametrize("path", ["/programs", "/embed/map"])
def test_directory_pages_accessible(page: Page, server, path: str) -> None:
    if path == "/programs":
        page.goto("/counties/55087")
        page.locator("main h3 a").first.click()
    else:
        page.goto(path)
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
