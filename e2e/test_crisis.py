"""The crisis call helper (issue 3) as a frightened family member uses it: on a
phone, filling the form, reading the script, stepping through "on the call"
mode, printing one page, keeping it on the device, losing the connection, and
forgetting it. Also: the browser's script (crisis.js) and the server's script
(the no-JavaScript form) must say exactly the same for the same answers."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

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
    "weapons": "a hunting rifle",
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

# Natural answers that broke the old fill-in-the-blank sentences (from the corpus in
# CrisisScriptCorpusTests): a pronoun, "yes", "no", a leading verb, capitals, a clause.
NATURAL = {
    "name": "my name is ana ruiz",
    "location": "I'm at 412 Elm St.",
    "relation": "he is my son",
    "lovedName": "SAM",
    "happening": "He is screaming. I think he took a bunch of pills!!",
    "onFile": True,
    "onFileDetail": "yes - with Madison PD",
    "weapons": "Yes, a handgun in his nightstand",
    "trigOther": "He hates being touched",
    "helpOther": "NO",
    "diagnosis": "He has bipolar disorder.",
    "provider": "none",
    "substance": "intoxicated",
    "substanceDetail": "idk",
    "medications": "i don’t know",
}
NATURAL_2 = {
    "name": "ANA RUIZ",
    "location": "at home, 22 Oak Ave, Madison",
    "relation": "I'm his mom",
    "lovedName": "sam",
    "happening": "is pacing and won't open the door",
    "weapons": "No, we removed all the guns last week",
    "trigOther": "uniforms, flashing lights",
    "diagnosis": "yes, schizophrenia",
    "medications": "Stopped taking his meds a week ago",
    "substance": "overdose",
}


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
        "texts": page.eval_on_selector_all("#texts .msg", "els => els.map(e => e.textContent)"),
        "sms": page.eval_on_selector_all("#texts a", "els => els.map(e => e.getAttribute('href'))"),
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
        "“My name is Ana Ruiz, and I am calling from 412 Elm Street, Appleton about my son Sam.”"
    )
    expect(script).to_contain_text("“Here is what is happening: hearing voices and has not slept for three days.”")
    expect(script).to_contain_text("“If possible, I’d like an officer with CIT training to respond.”")
    kinds = page.eval_on_selector_all("#script > li", "els => els.map(e => e.className)")
    assert kinds == [f"step step-{k}" for k in ["call911", "crisis", "citOfficer", "officerArrives", "calm", "whileWaiting"]]
    expect(script).not_to_contain_text("weapons")
    expect(page.locator("#made-date")).to_have_text(re.compile(r"^[A-Z][a-z]+ \d{1,2}, \d{4}$"))
    expect(page.locator("#plan-status")).to_have_text("Your script is updated: 6 steps.")
    for message in page.locator("#texts .msg").all_text_contents():
        assert len(message.encode("utf-16-le")) // 2 <= 160
    assert re.match(r"^(1/\d+ )?Mental health crisis at 412 Elm Street, Appleton\.", page.locator("#texts .msg").first.text_content())
    snap(page, "phone-minimal-script")

    # Safety information, when given, is marked and comes right after the CIT request.
    fill(page, {"weapons": "a hunting rifle", "threatSelf": True})
    expect(page.locator("#script > li.safety")).to_have_count(2)
    expect(page.locator("#script .step-weapons")).to_contain_text("“My loved one has access to weapons: a hunting rifle.”")
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
    expect(page.locator("#call-4")).to_contain_text("access to weapons: a hunting rifle")  # no step lost on the way
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
    # The printed plan carries the text-message version, without the buttons.
    expect(page.locator("#texts .msg").first).to_be_visible()
    expect(page.locator("#texts .msg-actions").first).to_be_hidden()
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
        expect(page.locator("#script .step-weapons")).to_contain_text("“My loved one has access to weapons: firearm.”")
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
@pytest.mark.parametrize("answers", [MINIMAL, FULL, TRICKY, EMPTYISH | MINIMAL, NATURAL, NATURAL_2],
                         ids=["minimal", "full", "tricky", "whitespace", "natural", "natural-2"])
def test_browser_and_server_scripts_are_the_same(page: Page, browser: Browser, server, answers: dict, screen_size: str) -> None:
    page.goto("/crisis")
    fill(page, answers)
    in_browser = script_of(page)
    on_server = no_js_script(browser, server, answers)
    for mine, theirs in zip(in_browser["steps"], on_server["steps"]):
        assert mine == theirs, f"browser: {mine!r}\nserver:  {theirs!r}"
    assert in_browser["steps"] == on_server["steps"]
    assert in_browser["texts"] == on_server["texts"]
    assert in_browser["sms"] == on_server["sms"]
    assert in_browser["sms"] == ["sms:911?&body=" + quote(t, safe="-_.!~*'()") for t in in_browser["texts"]]
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
        expect(page.locator("#script .step-weapons")).to_contain_text("“My loved one has access to weapons: a hunting rifle.”")
        # Without JavaScript: the message is there to select, and "Open in Messages" works.
        expect(page.locator("#texts .msg").first).to_contain_text("Mental health crisis at 412 Elm Street, Appleton.")
        expect(page.get_by_role("link", name="Open in Messages").first).to_have_attribute("href", re.compile(r"^sms:911\?&body=(1%2F\d%20)?Mental%20health%20crisis"))
        expect(page.get_by_role("button", name="Copy")).to_have_count(0)  # hidden: it needs JavaScript
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
    """Issue 3: what the first screen needs (the HTML, with the general script and the Call
    911 button, and its stylesheets) at most 14 KB gzip-compressed, one round trip. The
    scripts are deferred (the page reads and calls without them); since issue 12 (framing
    rules, previews, messages) they no longer fit in the same 14 KB, so they get a second
    round trip's worth: all together at most 28 KB."""
    import gzip
    import urllib.request

    sizes = {}
    for path in ["/crisis", "/assets/site.css", "/assets/crisis.css", "/assets/crisis.js", "/assets/offline.js"]:
        with urllib.request.urlopen(server.url(path)) as response:
            sizes[path] = len(gzip.compress(response.read(), 9))
    first = sizes["/crisis"] + sizes["/assets/site.css"] + sizes["/assets/crisis.css"]
    total = sum(sizes.values())
    print(f"crisis: gzip_bytes first_screen={first} total={total} {sizes}")
    assert first <= 14 * 1024, f"{first} bytes gzip-compressed before any script"
    assert total <= 28 * 1024, f"{total} bytes gzip-compressed with the scripts"


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


def in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    # One pixel of slack: layout is in fractions of a pixel, scrolling in whole ones.
    return bool(box) and box["y"] >= -1 and box["y"] + box["height"] <= size["height"] + 1


@pytest.mark.parametrize("screen_size", ["phone"], indirect=True)
def test_sentence_beside_the_field_call_button_messages_and_copy(page: Page, context, server, snap, screen_size: str) -> None:
    """Issue 12: each sentence shows beside its field as it is typed (on a phone, in
    sight of the field); "Call 911" where the call happens; each text message with
    "Open in Messages" (its body) and "Copy"; overdose asks for an ambulance first."""
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/crisis")
    snap(page, "phone-before-typing")
    expect(page.locator(".plan-actions").get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")

    # Typing: the sentence appears under the field, and is on the screen with it.
    page.get_by_label("Your name").fill("ana ruiz")
    preview = page.locator("#says-intro")
    expect(preview).to_be_visible()
    expect(preview).to_have_text("You will say: “My name is Ana Ruiz.”")
    page.get_by_label("Where you are (address)").fill("I'm at 412 Elm St")
    page.get_by_label("Who your loved one is to you").fill("he is my son")
    page.get_by_label("Your loved one’s name").fill("Sam")
    expect(preview).to_have_text("You will say: “My name is Ana Ruiz, and I am calling from 412 Elm St about my son Sam.”")
    assert in_view(page, "#says-intro")
    page.get_by_label("What is happening").fill("He is screaming")
    happening = page.locator("#says-happening")
    expect(happening).to_have_text("You will say: “Here is what is happening: He is screaming.”")
    assert in_view(page, "#says-happening")
    page.get_by_label("Which weapons").fill("yes, a gun")
    expect(page.locator("#says-weapons")).to_have_text("You will say: “My loved one has access to weapons: a gun.”")
    assert in_view(page, "#says-weapons")
    snap(page, "phone-typing-weapons")
    page.get_by_label("Alcohol or drugs").select_option("overdose")
    expect(page.locator("#says-substance")).to_contain_text("Please send an ambulance as well.")
    assert in_view(page, "#says-substance")
    snap(page, "phone-after-typing")
    assert_accessible(page, "/crisis (typed, previews shown, phone)")

    # Overdose: the first thing said asks for an ambulance, and the first text says so.
    first_words = page.locator("#script .step-crisis .say p").all_text_contents()
    assert first_words[:3] == ["“I am calling because my loved one is having a mental health crisis.”",
                               "“They may have overdosed.”", "“Please send an ambulance as well.”"], first_words

    # Call mode's first step: a big Call 911, on the screen.
    page.get_by_role("link", name="Start “on the call” mode").click()
    call = page.locator("#call-1").get_by_role("link", name="Call 911")
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:911")
    box = call.bounding_box()
    assert box and box["height"] >= 56 and box["y"] + box["height"] <= SCREEN_SIZES["phone"]["height"]
    screen(page, "phone-call-mode-call-911")
    page.locator("#call-1").get_by_role("link", name="Leave").click()

    # Text to 911: each message with its body in the sms: link, and Copy.
    messages = page.locator("#texts .msg").all_text_contents()
    assert messages and re.match(r"^(1/\d+ )?Mental health crisis at 412 Elm St\.", messages[0]), messages
    assert "They may have overdosed. Please send an ambulance as well." in messages[0]
    links = page.locator("#texts").get_by_role("link", name="Open in Messages")
    expect(links).to_have_count(len(messages))
    for i, message in enumerate(messages):
        assert links.nth(i).get_attribute("href") == "sms:911?&body=" + quote(message, safe="-_.!~*'()")
    copy = page.locator("#texts").get_by_role("button", name="Copy").first
    copy.click()
    expect(page.locator("#texts .copy").first).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == messages[0]
    snap(page, "phone-texts")


@pytest.mark.parametrize("screen_size", ["phone"], indirect=True)
def test_home_and_map_work_offline_after_one_visit(page: Page, context, server, snap, screen_size: str) -> None:
    """One visit to the home page is enough: offline, the home page, the map and the
    crisis helper still open, reached by tapping links."""
    page.goto("/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("caches.match('/map').then(r => !!r)")
    page.wait_for_function("caches.match('/crisis').then(r => !!r)")
    context.set_offline(True)
    try:
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        snap(page, "phone-offline-home")
        page.get_by_role("link", name="Find CIT near you").first.click()
        expect(page).to_have_url(re.compile(r"/map$"))
        expect(page.get_by_role("heading", name="Find CIT near you", level=1)).to_be_visible()
        expect(page.locator("svg.state-map")).to_be_visible()
        # The site's stylesheet came from the cache too: the page is styled.
        assert page.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"
        snap(page, "phone-offline-map")
        page.go_back()
        expect(page).to_have_url(re.compile(r"/$"))
        page.get_by_role("link", name="Get help now").first.click()
        expect(page.locator("#crisis-form")).to_be_visible()
        page.get_by_label("Your name").fill("Ana")
        expect(page.locator("#says-intro")).to_have_text("You will say: “My name is Ana.”")
    finally:
        context.set_offline(False)


CORPUS_FILE = Path(__file__).resolve().parent.parent / "Tests" / "CITDomainTests" / "CrisisScriptCorpusTests.swift"
CORPUS_FIELDS = [("name", "names"), ("location", "locations"), ("relation", "relations"), ("lovedName", "lovedNames"),
                 ("happening", "happenings"), ("onFileDetail", "onFileDetails"), ("weapons", "weaponsAnswers"),
                 ("trigOther", "triggerOthers"), ("helpOther", "helpOthers"), ("diagnosis", "diagnoses"),
                 ("provider", "providers"), ("substanceDetail", "substanceDetails"), ("medications", "medicationLists")]


def corpus() -> list[tuple[str, str]]:
    """The answers of the Swift corpus test (read from its source, so they exist once)."""
    source = CORPUS_FILE.read_text()
    out = []
    for field, name in CORPUS_FIELDS:
        block = re.search(r"static let " + name + r" = \[(.*?)\n    \]", source, re.S).group(1)
        for literal in re.findall(r'"((?:[^"\\]|\\.)*)"', block):
            out.append((field, literal.replace('\\"', '"').replace("\\'", "'").replace("\\\\", "\\")))
    return out


def server_script(server, answers: dict) -> tuple[list[list[str]], list[str]] | None:
    """The no-JavaScript form's script for these answers: each step's sentences, and the texts."""
    import html as html_lib
    import http.cookiejar
    import urllib.parse
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form_page = opener.open(server.url("/crisis/plan")).read().decode()
    token = re.search(r'name="_csrf" value="([^"]+)"', form_page).group(1)
    body = {"_csrf": token, **{k: ("1" if v is True else v) for k, v in answers.items()}}
    try:
        page = opener.open(server.url("/crisis"), urllib.parse.urlencode(body).encode()).read().decode()
    except urllib.error.HTTPError:
        return None  # 422: a required answer was only white space
    plan = page.split('<ol id="script"', 1)[1].split("</ol>", 1)[0]
    steps = [[html_lib.unescape(p) for p in re.findall(r"<p>(.*?)</p>", quote_block)]
             for quote_block in re.findall(r'<li class="step[^"]*">(.*?)</li>', plan)]
    texts = [html_lib.unescape(m) for m in re.findall(r'<p class="msg" id="text-\d+">(.*?)</p>', page)]
    return steps, texts


def test_whole_corpus_browser_equals_server(page: Page, server) -> None:
    """Every answer of the Swift corpus (50+ per field): the browser's script and texts are
    the server's, sentence for sentence."""
    page.goto("/crisis")
    cases = corpus()
    assert len(cases) >= 13 * 50
    differences = []
    for field, value in cases:
        answers = {**MINIMAL, field: value}
        if field == "substanceDetail":
            answers["substance"] = "intoxicated"
        expected = server_script(server, answers)
        if expected is None:
            continue
        assert len(expected[0]) >= 6 and expected[1], expected  # a whole script was read, not an empty page
        got = page.evaluate(
            """a => {
                const f = document.getElementById('crisis-form');
                f.reset();
                for (const [k, v] of Object.entries(a)) {
                    const el = f.elements[k];
                    if (el.type === 'checkbox') el.checked = true; else el.value = v;
                }
                f.dispatchEvent(new Event('input', {bubbles: true}));
                return [[...document.querySelectorAll('#script > li')].map(li => [...li.querySelectorAll('.say p')].map(p => p.textContent)),
                        [...document.querySelectorAll('#texts .msg')].map(m => m.textContent)];
            }""",
            answers,
        )
        if [got[0], got[1]] != [expected[0], expected[1]]:
            differences.append(f"{field}={value!r}\n  browser: {got}\n  server:  {list(expected)}")
    print(f"crisis corpus: {len(cases)} answers compared")
    assert not differences, f"{len(differences)} differ:\n" + "\n".join(differences[:10])
