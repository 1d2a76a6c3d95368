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

    page.get_by_role("link", name="Dane County", exact=True).click()
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


@PHONE
def test_search_answers_madison_wi_in_one_line(page: Page, server, snap, screen_size) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find CIT near you").click()
    page.get_by_label("County, city or ZIP code").fill("madison wi")
    page.get_by_role("button", name="Search").click()
    answer = page.locator("main .answer").first
    expect(answer).to_contain_text("Dane County: CIT yes — NAMI Dane County CIT/CIP")
    snap(page, "search-madison-wi")
    answer.get_by_role("link", name="Dane County").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dane County")
    expect(page.get_by_role("heading", name="Upcoming classes in and near Dane County")).to_be_visible()
    snap(page, "county-dane-classes")


@PHONE
def test_map_on_a_phone_lists_counties_first_with_big_tap_targets(page: Page, server, snap, screen_size) -> None:
    page.goto("/map")
    county_list = page.get_by_role("navigation", name="Counties A to Z")
    expect(county_list).to_be_visible()
    links = county_list.get_by_role("link")
    assert links.count() == 72
    # The list comes before the map on the screen, and every entry is at least 44 px tall.
    list_top = county_list.bounding_box()["y"]
    map_top = page.locator("svg.state-map").bounding_box()["y"]
    assert list_top < map_top
    heights = page.evaluate("[...document.querySelectorAll('.county-list a')].map(a => a.getBoundingClientRect().height)")
    assert min(heights) >= 44, min(heights)
    # Names on the map would be 5 px here: they are left to the list.
    assert page.locator("svg.state-map text.county-label").first.is_hidden()
    snap(page, "map-phone")
    county_list.get_by_role("link", name="Dane").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dane County")


def test_map_on_a_desktop_names_its_counties(page: Page, server, snap) -> None:
    page.goto("/map")
    expect(page.get_by_role("navigation", name="Counties A to Z")).to_be_hidden()
    label = page.locator("svg.state-map text.county-label", has_text="Marathon")
    expect(label).to_be_visible()
    # The label sits inside its county's shape, and is at least 11 px tall as drawn.
    box = label.bounding_box()
    shape = page.locator("svg.state-map path[data-fips='55073']").bounding_box()
    assert shape["x"] <= box["x"] and box["x"] + box["width"] <= shape["x"] + shape["width"]
    assert box["height"] >= 11, box
    snap(page, "map-desktop")
    # Clicking a name opens that county.
    label.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Marathon County")


@pytest.mark.parametrize("screen_size", ["phone", "desktop"], indirect=True)
def test_header_has_one_get_help_now_and_is_short_on_a_phone(page: Page, server, snap, screen_size) -> None:
    page.goto("/")
    expect(page.locator("header").get_by_role("link", name="Get help now")).to_have_count(1)
    height = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
    print(f"header height at {screen_size}: {height:.1f} px")
    # Before issue 12 the phone header was 166 px (two "Get help now", three rows).
    if screen_size == "phone":
        assert height <= 90, height
    snap(page, "home")


def test_program_page_shows_the_public_no_staff_links(page: Page, server, snap) -> None:
    page.goto("/counties/55025")
    page.get_by_role("link", name="NAMI Dane County CIT/CIP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("NAMI Dane County CIT/CIP")
    for name in ["Edit", "Add a class", "Scenarios", "History", "Manage this class"]:
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    expect(page.get_by_text("Coordinators:")).to_have_count(0)
    # The partners table scrolls sideways inside its own focusable region at 320 px.
    page.set_viewport_size({"width": 320, "height": 700})
    region = page.get_by_role("region", name="Partners of NAMI Dane County CIT/CIP")
    expect(region).to_be_visible()
    assert region.get_attribute("tabindex") == "0"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    snap(page, "program-320")
