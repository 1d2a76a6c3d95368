"""The crisis call helper (issue 3) as a frightened family member uses it: on a
phone, filling the form, reading the script, stepping through "on the call"
mode, printing one page, keeping it on the device, losing the connection, and
forgetting it. Also: the browser's script (crisis.js) and the server's script
(the no-JavaScript form) must say exactly the same for the same answers."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from conftest import ARTIFACTS_DIR, SCREEN_SIZES

axe = Axe()
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-error"}

MINIMAL = {
    "name": "Ana Ruiz",
    "location": "412 Elm Street, Appleton",
    "relation": "son",
    "lovedName": "Sam",
    "happening": "hearing voices and has not slept for three days",
}

FULL = {
    **MINIMAL,
    "onFile": True,
    "onFileDetail": "a crisis plan with the Outagamie County Sheriff",
    "quiet": True,
    "weapons": "hunting",
    "threatSelf": True,
    "threatYou": True,
    "threatOthers": True,
    "trigLoud": True,
    "trigOver": True,
    "trigClose": True,
    "trigOther": "uniforms",
    "helpSoft": True,
    "helpDirect": True,
    "helpTrusted": True,
    "helpOther": "his dog Rex nearby",
    "diagnosis": "schizophrenia",
    "provider": "Dr. Lee at Catalpa Health",
    "substance": "overdose",
    "substanceDetail": "about 20 sleeping pills",
    "medications": "clozapine",
    "selfCare": True,
}

# Answers that test the edges of both implementations: markup, emoji, right-to-left
# text, runs of white space, trailing punctuation, "my son", "weapons" typed twice,
# and answers long enough to split the text messages.
TRICKY = {
    "name": "  <b>Ana</b> &amp; \"Jo\"  ",
    "location": "Apt 4B,\n  12 Main St, Kenosha WI 53140 " + "near the blue water tower " * 6,
    "relation": "My son",
    "lovedName": "סאם 🧑🏽‍🦱",
    "happening": "shouting!!  and <script>alert(1)</script> pacing...",
    "weapons": "several weapons",
    "threatOthers": True,
    "trigOther": "   ",
    "helpOther": "music?",
    "substance": "intoxicated",
    "substanceDetail": "x" * 200,
    "selfCare": True,
}

EMPTYISH = {"name": "   ", "happening": "running outside"}


def screen(page: Page, label: str) -> Path:
    """What is on the screen now (not the whole page): for call mode, which is a
    fixed layer over the page."""
    path = ARTIFACTS_DIR / f"crisis-{label}.png"
    page.screenshot(path=str(path))
    return path


def fill(page: Page, answers: dict) -> None:
    for name, value in answers.items():
        selector = f"#field-{name}"
        if value is True:
            page.check(selector)
        elif name == "substance":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v.get('help')}")
        for node in v.get("nodes", [])[:5]:
            lines.append(f"    {node.get('target')}: {' '.join(node.get('html', '').split())[:160]}")
    return "\n".join(lines)


def assert_accessible(page: Page, what: str) -> None:
    violations = axe.run(page).response["violations"]
    assert not violations, f"axe found {len(violations)} violation(s) on {what}:\n" + describe(violations)


def script_of(page: Page) -> dict:
    """The script as text, step by step, and the text messages: what the equivalence
    test compares."""
    return {
        "steps": page.eval_on_selector_all("#script > li", "els => els.map(e => [e.className, e.textContent])"),
        "texts": page.eval_on_selector_all("#texts > li", "els => els.map(e => e.textContent)"),
        "call": page.eval_on_selector_all("#call > section", "els => els.map(e => e.textContent)"),
    }


def pdf_pages(pdf: bytes) -> int:
    try:
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(pdf)).pages)
    except ImportError:  # count the page objects instead
        return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def watch_hosts(page: Page) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    return requested


def elsewhere(requested: list[str]) -> list[str]:
    return sorted({u for u in requested if urlsplit(u).scheme not in LOCAL_SCHEMES and urlsplit(u).hostname != "127.0.0.1"})


@pytest.mark.parametrize("screen_size", ["phone"], indirect=True)
def test_fill_read_call_mode_and_print_one_page(page: Page, server, snap, screen_size: str) -> None:
    requested = watch_hosts(page)
    page.goto("/crisis")
    expect(page.locator("#crisis-form")).to_be_visible()
    assert_accessible(page, "/crisis (empty form, phone)")
    fill(page, MINIMAL)

    # The script, in the seed's order and words, blanks filled.
    script = page.locator("#script")
    expect(script).to_contain_text("“I am calling because my loved one is having a mental health crisis.”")
    expect(script).to_contain_text("“My goal is for them to get help, not to be arrested or harmed.”")
    expect(script).to_contain_text(
        "“My name is Ana Ruiz, and I am calling from 412 Elm Street, Appleton because my son Sam is hearing voices and has not slept for three days.”"
    )
    expect(script).to_contain_text("“If possible, I’d like an officer with CIT training to respond.”")
    kinds = page.eval_on_selector_all("#script > li", "els => els.map(e => e.className)")
    assert kinds == [f"step step-{k}" for k in ["call911", "crisis", "citOfficer", "officerArrives", "calm", "whileWaiting"]]
    expect(script).not_to_contain_text("weapons")
    expect(page.locator("#made-date")).to_have_text(re.compile(r"^[A-Z][a-z]+ \d{1,2}, \d{4}$"))
    expect(page.locator("#plan-status")).to_have_text("Your script is updated: 6 steps.")
    for message in page.locator("#texts > li").all_text_contents():
        assert len(message.encode("utf-16-le")) // 2 <= 160
    assert re.match(r"^(1/\d+ )?Mental health crisis at 412 Elm Street, Appleton\.", page.locator("#texts > li").first.text_content())
    snap(page, "phone-minimal-script")

    # Safety information, when given, is marked and comes right after the CIT request.
    fill(page, {"weapons": "hunting", "threatSelf": True})
    expect(page.locator("#script > li.safety")).to_have_count(2)
    expect(page.locator("#script .step-weapons")).to_contain_text("“My loved one has access to hunting weapons.”")
    expect(page.locator("#script .step-threats")).to_contain_text("“My loved one has made direct threats of violence.”")
    expect(page.locator("#script .step-threats .safety-tag")).to_have_text("Safety")

    # On the call: one step per screen, Next and Back, big enough for a thumb.
    page.get_by_role("link", name="Start “on the call” mode").click()
    step1 = page.locator("#call-1")
    expect(step1).to_be_visible()
    expect(step1.get_by_role("heading")).to_have_text("Step 1 of 8")
    expect(page.locator("#call-2")).to_be_hidden()
    screen(page, "phone-call-mode-step-1")
    box = step1.get_by_role("link", name="Next").bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44
    assert box["y"] + box["height"] <= SCREEN_SIZES["phone"]["height"], "Next is within the screen, for the thumb"
    step1.get_by_role("link", name="Next").click()
    step2 = page.locator("#call-2")
    expect(step2).to_be_visible()
    expect(step2).to_contain_text("“My name is Ana Ruiz, and I am calling from 412 Elm Street")
    screen(page, "phone-call-mode-step-2")
    assert_accessible(page, "call mode step 2")
    step2.get_by_role("link", name="Back").click()
    expect(step1).to_be_visible()
    for n in range(1, 8):
        page.locator(f"#call-{n}").get_by_role("link", name="Next").click()
    expect(page.locator("#call-4")).to_contain_text("access to hunting weapons")  # no step lost on the way
    last = page.locator("#call-8")
    expect(last).to_be_visible()
    expect(last).to_contain_text("While you are waiting for help to arrive")
    last.get_by_role("link", name="Done").click()
    expect(page.locator(".call-step:visible")).to_have_count(0)

    # The printable plan: one Letter page, with the date it was made, even fully answered.
    for label, answers in [("minimal", {}), ("full", FULL)]:
        fill(page, answers)
        pdf = page.pdf(format="Letter", print_background=True)
        (ARTIFACTS_DIR / f"crisis-plan-{label}.pdf").write_bytes(pdf)
        assert pdf_pages(pdf) == 1, f"the {label} plan prints on {pdf_pages(pdf)} pages"
    page.emulate_media(media="print")
    expect(page.locator("#plan .made")).to_be_visible()
    expect(page.locator("#crisis-form")).to_be_hidden()
    expect(page.locator("#script .step-health")).to_be_visible()
    page.emulate_media(media="screen")
    snap(page, "phone-full-script")
    assert not elsewhere(requested), elsewhere(requested)


@pytest.mark.parametrize("screen_size", ["phone"], indirect=True)
def test_keep_on_device_offline_and_forget(page: Page, context, server, snap, screen_size: str) -> None:
    requested = watch_hosts(page)
    page.goto("/crisis")
    fill(page, MINIMAL)
    page.check("#field-keep")
    expect(page.locator("#keep-status")).to_contain_text("Kept on this device only")
    page.fill("#field-weapons", "firearm")
    saved = page.evaluate("localStorage.getItem('cithub-crisis-answers')")
    assert saved and "firearm" in saved and "Ana Ruiz" in saved

    # The service worker has cached the page and its files.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null || caches.keys().then(k => k.length > 0)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    expect(page.locator("#field-name")).to_have_value("Ana Ruiz")

    context.set_offline(True)
    try:
        page.reload()
        expect(page.locator("#crisis-form")).to_be_visible()
        expect(page.locator("#field-name")).to_have_value("Ana Ruiz")
        expect(page.locator("#keep-status")).to_contain_text("Your saved answers are back")
        expect(page.locator("#script .step-weapons")).to_contain_text("“My loved one has access to firearm weapons.”")
        snap(page, "phone-offline-restored")
        # Call mode works offline too.
        page.get_by_role("link", name="Start “on the call” mode").click()
        expect(page.locator("#call-1")).to_be_visible()
        page.locator("#call-1").get_by_role("link", name="Next").click()
        expect(page.locator("#call-2")).to_contain_text("Ana Ruiz")
        page.locator("#call-2").get_by_role("link", name="Back").click()
        page.locator("#call-1").get_by_role("link", name="Leave").click()

        page.get_by_role("button", name="Forget my answers").click()
        expect(page.locator("#keep-status")).to_have_text("Your answers are erased from this device.")
        assert page.evaluate("localStorage.getItem('cithub-crisis-answers')") is None
        expect(page.locator("#field-name")).to_have_value("")
        page.reload()
        expect(page.locator("#crisis-form")).to_be_visible()
        expect(page.locator("#field-name")).to_have_value("")
        expect(page.locator("#script")).not_to_contain_text("Ana Ruiz")
    finally:
        context.set_offline(False)
    assert not elsewhere(requested), elsewhere(requested)


@pytest.mark.parametrize("screen_size", ["phone"], indirect=True)
def test_nothing_typed_is_sent_to_the_server(page: Page, server, screen_size: str) -> None:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(f"{r.method} {r.url} {r.post_data or ''}"))
    page.goto("/crisis")
    fill(page, FULL)
    page.press("#field-name", "Enter")  # the live form is never submitted
    page.get_by_role("link", name="See my script").click()
    expect(page).to_have_url(re.compile(r"/crisis#plan$"))
    assert not [s for s in sent if "Ana" in s or "schizophrenia" in s or s.startswith("POST")], sent


def no_js_script(browser: Browser, server, answers: dict, snap_page=None) -> dict:
    context = browser.new_context(java_script_enabled=False, viewport=SCREEN_SIZES["phone"])
    try:
        page = context.new_page()
        page.goto(server.url("/crisis/plan"))
        fill(page, answers)
        page.get_by_role("button", name="Make my script").click()
        expect(page.get_by_role("heading", name="Your crisis plan")).to_be_visible()
        if snap_page:
            snap_page(page)
        return script_of(page)
    finally:
        context.close()


@pytest.mark.parametrize("screen_size", ["phone"], indirect=True)
@pytest.mark.parametrize("answers", [MINIMAL, FULL, TRICKY, EMPTYISH | MINIMAL], ids=["minimal", "full", "tricky", "whitespace"])
def test_browser_and_server_scripts_are_the_same(page: Page, browser: Browser, server, answers: dict, screen_size: str) -> None:
    page.goto("/crisis")
    fill(page, answers)
    in_browser = script_of(page)
    on_server = no_js_script(browser, server, answers)
    for mine, theirs in zip(in_browser["steps"], on_server["steps"]):
        assert mine == theirs, f"browser: {mine!r}\nserver:  {theirs!r}"
    assert in_browser["steps"] == on_server["steps"]
    assert in_browser["texts"] == on_server["texts"]
    assert in_browser["call"] == on_server["call"]
    assert all(len(t.encode("utf-16-le")) // 2 <= 160 for t in in_browser["texts"])


@pytest.mark.parametrize("screen_size", ["phone"], indirect=True)
def test_works_without_javascript(browser: Browser, server, snap, screen_size: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=SCREEN_SIZES["phone"])
    try:
        page = context.new_page()
        requested = watch_hosts(page)
        page.goto(server.url("/crisis"))
        # The general script is there, and the way to the form that posts.
        expect(page.locator("#script")).to_contain_text("“If possible, I’d like an officer with CIT training to respond.”")
        page.get_by_role("link", name="Fill in your details on a page that works without JavaScript").click()
        expect(page).to_have_url(re.compile(r"/crisis/plan$"))
        page.get_by_role("button", name="Make my script").click()
        expect(page.get_by_role("heading", name="Please check the form")).to_be_visible()
        expect(page.locator("#field-name-error")).to_have_text("Please enter your name.")
        html_with_mistakes = page.content()
        snap(page, "no-js-errors")
        fill(page, FULL)
        page.get_by_role("button", name="Make my script").click()
        expect(page.locator("#script .step-weapons")).to_contain_text("“My loved one has access to hunting weapons.”")
        expect(page.locator("#made-date")).to_have_text(re.compile(r"^[A-Z][a-z]+ \d{1,2}, \d{4}$"))
        html_result = page.content()
        snap(page, "no-js-result")
        # Call mode is CSS :target and plain links: no JavaScript needed.
        page.get_by_role("link", name="Start “on the call” mode").click()
        expect(page.locator("#call-1")).to_be_visible()
        page.locator("#call-1").get_by_role("link", name="Next").click()
        expect(page.locator("#call-2")).to_be_visible()
        expect(page.locator("#call-1")).to_be_hidden()
        assert not elsewhere(requested), elsewhere(requested)
    finally:
        context.close()
    # axe is itself JavaScript, so the pages are scanned where scripts run; they load
    # no script of their own, so they are the same pages.
    scan = browser.new_context(viewport=SCREEN_SIZES["phone"])
    try:
        page = scan.new_page()
        page.goto(server.url("/crisis/plan"))
        assert_accessible(page, "/crisis/plan")
        for label, html in [("POST with mistakes", html_with_mistakes), ("POST result", html_result)]:
            page.set_content(html)
            assert_accessible(page, f"/crisis ({label})")
    finally:
        scan.close()


@pytest.mark.parametrize("screen_size", ["phone"], indirect=True)
def test_county_lookup_says_whether_the_directory_knows_cit_there(page: Page, server, screen_size: str) -> None:
    page.goto("/crisis")
    page.fill("#cit-q", "53703")
    page.get_by_role("button", name="Look up").click()
    expect(page).to_have_url(re.compile(r"/search\?q=53703$"))
    expect(page.locator("main")).to_contain_text("Dane")


def test_page_weight_fits_the_first_round_trip(server) -> None:
    """Issue 3: the helper's HTML, CSS and JS together at most 14 KB gzip-compressed."""
    import gzip
    import urllib.request

    total = 0
    for path in ["/crisis", "/assets/site.css", "/assets/crisis.css", "/assets/crisis.js"]:
        with urllib.request.urlopen(server.url(path)) as response:
            total += len(gzip.compress(response.read(), 9))
    print(f"crisis: gzip_bytes={total}")
    assert total <= 14 * 1024, f"{total} bytes gzip-compressed"


@pytest.mark.parametrize("screen_size", ["desktop"], indirect=True)
def test_desktop_and_zoom(page: Page, server, snap, screen_size: str) -> None:
    page.goto("/crisis")
    fill(page, FULL)
    assert_accessible(page, "/crisis (full answers, desktop)")
    snap(page, "desktop-full")
    # 320 px wide (the WCAG reflow width, also 1280 px at 400 %): nothing scrolls sideways.
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"page is {width}px wide at 320px"
    snap(page, "width-320")
    page.goto("/crisis#call-2")
    expect(page.locator("#call-2")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screen(page, "width-320-call-mode")
