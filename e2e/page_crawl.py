"""Every page a person can reach by links, photographed at phone and desktop size and
scanned by axe-core.

Used by test_journeys.py after the journeys have filled a fresh server with a class, a
roster, scores, certificates and reports, so staff pages have something on them. The
crawl starts where a person starts (the home page; the account page once signed in) and
follows same-origin links only, so a page that no link reaches is not photographed:
that is the point (`unreached` in the listing shows which of the pages named by the
test were not reached).

Pages are grouped by the shape of their path (ids and numbers replaced), and one page
of each shape is visited: one county page stands for 72.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

# Not pages: downloads, feeds, assets, the API, and actions behind a link.
SKIP_SUFFIXES = (".csv", ".json", ".geojson", ".ics", ".pdf", ".svg", ".js", ".css", ".png", ".txt", ".xml")
SKIP_PREFIXES = ("/api/", "/assets/", "/logout")

SEGMENT_PATTERNS = [
    (re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"), "{id}"),
    (re.compile(r"^\d+$"), "{n}"),
    (re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3,}$"), "{code}"),
    (re.compile(r"^[A-Za-z0-9_-]{32,}$"), "{token}"),
]

axe = Axe()


def shape(url: str) -> str:
    parts = urlsplit(url)
    segments = []
    for segment in parts.path.split("/"):
        for pattern, name in SEGMENT_PATTERNS:
            if pattern.match(segment):
                segment = name
                break
        segments.append(segment)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return "/".join(segments) + ("?" + "&".join(keys) if keys else "")


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:80] or "home"


@dataclass
class CrawlReport:
    visited: list[tuple[str, str, str]] = field(default_factory=list)  # (who, shape, url)
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return "\n".join(self.problems)


def same_origin_links(page: Page, base_url: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    origin = urlsplit(base_url).netloc
    links = []
    for href in hrefs:
        if not href or href.startswith(("#", "tel:", "sms:", "mailto:", "javascript:")):
            continue
        absolute = urljoin(page.url, href)
        parts = urlsplit(absolute)
        if parts.netloc != origin or parts.scheme not in ("http", "https"):
            continue
        if parts.path.endswith(SKIP_SUFFIXES) or parts.path.startswith(SKIP_PREFIXES):
            continue
        if re.search(r"(^|&)format=(csv|json|ics)", parts.query):
            continue
        links.append(urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")))
    return links


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = "; ".join(", ".join(str(t) for t in node.get("target", [])) for node in v.get("nodes", [])[:3])
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')} at {targets}")
    return " | ".join(lines)


def crawl(context: BrowserContext, base_url: str, start: str, who: str, seen: set[str],
          report: CrawlReport, artifacts: Path, limit: int = 70) -> None:
    """Visit every page shape reachable from `start` not yet in `seen`; photograph and scan it."""
    page = context.new_page()
    queue = [urljoin(base_url, start)]
    queued = {shape(queue[0])}
    visits = 0
    while queue and visits < limit:
        url = queue.pop(0)
        key = shape(url)
        # A shape another person's crawl already photographed is still opened once: its
        # links may lead somewhere only this person can go.
        try:
            response = page.goto(url)
        except Exception as error:  # a link to a download (CSV, calendar) is not a page
            if "Download is starting" in str(error):
                continue
            raise
        status = response.status if response else None
        content_type = (response.headers.get("content-type", "") if response else "")
        if status != 200:
            report.problems.append(f"{who}: GET {urlsplit(url).path}{'?' + urlsplit(url).query if urlsplit(url).query else ''} answered {status}")
            continue
        if "text/html" not in content_type:
            continue
        page.wait_for_load_state("networkidle")
        if key not in seen:
            seen.add(key)
            visits += 1
            report.visited.append((who, key, url))
            for size, viewport in SIZES.items():
                page.set_viewport_size(viewport)
                page.screenshot(path=str(artifacts / f"page-{slug(who)}-{slug(key)}-{size}.png"), full_page=True)
                violations = axe.run(page).response["violations"]
                if violations:
                    report.problems.append(f"{who}: axe on {key} ({size}): {describe_violations(violations)}")
            page.set_viewport_size(SIZES["desktop"])
        for link in same_origin_links(page, base_url):
            link_key = shape(link)
            if link_key not in queued:
                queued.add(link_key)
                queue.append(link)
    page.close()
