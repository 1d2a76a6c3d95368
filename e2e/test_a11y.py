"""Every public page passes an axe-core scan, on a phone and on a desktop, and
asks nothing of any host but this server (no fonts, scripts or images from
elsewhere: the site must work where only it is reachable)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

SIZES = ["phone", "desktop"]
REQUIRED_PAGES = ["/", "/login", "/map", "/counties/55025", "/search?q=53066", "/search?q=madison+wi", "/classes", "/coverage", "/outcomes"]
OPTIONAL_PAGES = ["/about"]  # scanned when it exists (200)

# Schemes that make no network request to a host.
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-error"}

axe = Axe()


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v.get('help')} [{v.get('helpUrl', '')}]")
        for node in v.get("nodes", []):
            target = ", ".join(str(t) for t in node.get("target", []))
            html = " ".join(node.get("html", "").split())[:200]
            lines.append(f"    {target}: {html}")
            summary = " ".join(node.get("failureSummary", "").split())
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


@pytest.mark.parametrize("screen_size", SIZES, indirect=True)
@pytest.mark.parametrize("path", REQUIRED_PAGES + OPTIONAL_PAGES)
def test_page_is_accessible_and_self_contained(page: Page, server, path: str, screen_size: str, snap) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto(path)
    assert response is not None
    if path in OPTIONAL_PAGES and response.status != 200:
        pytest.skip(f"GET {path} returned {response.status}")
    assert response.status == 200, f"GET {path} returned {response.status}"
    page.wait_for_load_state("networkidle")
    snap(page, screen_size)

    results = axe.run(page)
    violations = results.response["violations"]
    assert not violations, f"axe found {len(violations)} violation(s) on {path} ({screen_size}):\n" + describe(violations)

    elsewhere = sorted(
        {
            url
            for url in requested
            if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).hostname != "127.0.0.1"
        }
    )
    assert not elsewhere, f"{path} made requests to other hosts:\n" + "\n".join(elsewhere)


@pytest.mark.parametrize("screen_size", SIZES, indirect=True)
def test_program_page_is_accessible(page: Page, server, screen_size: str, snap) -> None:
    # Reached as a person reaches it: from its county's page.
    page.goto("/counties/55025")
    page.get_by_role("link", name="NAMI Dane County CIT/CIP").click()
    page.wait_for_load_state("networkidle")
    snap(page, screen_size)
    violations = axe.run(page).response["violations"]
    assert not violations, f"axe found {len(violations)} violation(s) on the program page ({screen_size}):\n" + describe(violations)
