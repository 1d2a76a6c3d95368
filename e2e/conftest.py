"""A real CIT Hub server and Debian's Chromium, for tests of what a person does.

The `server` fixture starts the built binary (`$CITHUB_BIN`, default
`.build/debug/cithub`) once per session on a free port of 127.0.0.1 with a fresh
data directory, waits for `/healthz`, and reads the first-administrator link the
server prints. Browsers come from pytest-playwright's fixtures (`browser`,
`context`, `page`), launched from /usr/bin/chromium: `playwright install` is
neither needed nor possible here.

Screen sizes: every `page` is desktop-sized (1280x900) unless the test asks for
the phone (390x844) with
`@pytest.mark.parametrize("screen_size", ["phone", "desktop"], indirect=True)`.

Artifacts (gitignored) go to e2e/artifacts/: a screenshot of each page a test
visits, the server's log, and Playwright's own screenshots of failed tests.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
from urllib.parse import urlsplit
from playwright.sync_api import Page, expect

E2E_DIR = Path(__file__).resolve().parent
REPO_DIR = E2E_DIR.parent
ARTIFACTS_DIR = E2E_DIR / "artifacts"
SERVER_LOG = ARTIFACTS_DIR / "server.log"

CHROMIUM = os.environ.get("CITHUB_CHROMIUM", "/usr/bin/chromium")
SCREEN_SIZES = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}

STARTUP_TIMEOUT_S = 120
SETUP_LINK_TIMEOUT_S = 15
STOP_GRACE_S = 10


@dataclass
class Server:
    base_url: str
    setup_url: str
    port: int
    process: subprocess.Popen
    data_dir: Path
    log_path: Path
    maildir: Path

    def mail_to(self, address: str) -> list[str]:
        """Raw messages the real SMTP server received for an address."""
        found = []
        for sub in ("new", "cur"):
            folder = self.maildir / sub
            if folder.is_dir():
                for f in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime):
                    text = f.read_text(errors="replace")
                    if f"To: {address}" in text:
                        found.append(text)
        return found

    def url(self, path: str) -> str:
        return self.base_url + path


def log_tail(path: Path, lines: int = 80) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no server log)"
    return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthz_status(base_url: str) -> int | None:
    try:
        with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_GRACE_S)


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright writes its failure artifacts to ./test-results by default;
    # keep them with ours, in the gitignored folder, wherever pytest is run from.
    if getattr(config.option, "output", None) == "test-results":
        config.option.output = str(ARTIFACTS_DIR / "playwright")
    if getattr(config.option, "screenshot", None) == "off":
        config.option.screenshot = "only-on-failure"
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS_DIR.glob("*.png"):
        old.unlink()


@contextlib.contextmanager
def running_server(log_path: Path = SERVER_LOG) -> Iterator[Server]:
    """A fresh CIT Hub (new SQLite data folder, real SMTP) until the block ends."""
    binary = Path(os.environ.get("CITHUB_BIN", REPO_DIR / ".build" / "debug" / "cithub"))
    if not binary.is_file():
        pytest.fail(f"server binary not found: {binary} (build it or set CITHUB_BIN)")

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    data_dir = Path(tempfile.mkdtemp(prefix="cithub-e2e-"))
    env = dict(os.environ)
    # Always a fresh SQLite store in data_dir: the tests rely on a new install
    # (the first-administrator link works once), so never a shared database.
    env.pop("DATABASE_URL", None)
    env["CITHUB_DATA_DIR"] = str(data_dir)
    env["CITHUB_PUBLIC_URL"] = base_url
    # Mail goes to a real SMTP server: the one .ci/run started, or aiosmtpd started here.
    smtp_process = None
    if os.environ.get("CITHUB_TEST_SMTP_URL") and os.environ.get("CITHUB_TEST_MAILDIR"):
        env["SMTP_URL"] = os.environ["CITHUB_TEST_SMTP_URL"]
        maildir = Path(os.environ["CITHUB_TEST_MAILDIR"])
    else:
        smtp_port = free_port()
        maildir = Path(tempfile.mkdtemp(prefix="cithub-e2e-mail-")) / "maildir"
        smtp_process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}", "-c", "aiosmtpd.handlers.Mailbox", str(maildir)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", smtp_port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        env["SMTP_URL"] = f"smtp://127.0.0.1:{smtp_port}"

    log_path.unlink(missing_ok=True)
    log_file = open(log_path, "wb")
    process = subprocess.Popen(
        [str(binary), "serve", "--hostname", "127.0.0.1", "--port", str(port)],
        cwd=REPO_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        status = None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"server exited with status {process.returncode} before /healthz answered;"
                    f" log tail:\n{log_tail(log_path)}"
                )
            status = healthz_status(base_url)
            if status == 200:
                break
            time.sleep(0.25)
        else:
            pytest.fail(
                f"GET {base_url}/healthz did not return 200 within {STARTUP_TIMEOUT_S} s"
                f" (last status: {status}); log tail:\n{log_tail(log_path)}"
            )

        link = re.compile(re.escape(base_url) + r"/setup/[A-Za-z0-9_-]+")
        setup_url = None
        deadline = time.monotonic() + SETUP_LINK_TIMEOUT_S
        while setup_url is None and time.monotonic() < deadline:
            match = link.search(log_path.read_text(errors="replace"))
            if match:
                setup_url = match.group(0)
            else:
                time.sleep(0.25)
        if setup_url is None:
            pytest.fail(
                f"the server log has no first-administrator link ({base_url}/setup/<token>)"
                f" {SETUP_LINK_TIMEOUT_S} s after /healthz answered; log tail:\n{log_tail(log_path)}"
            )

        yield Server(
            base_url=base_url,
            setup_url=setup_url,
            port=port,
            process=process,
            data_dir=data_dir,
            log_path=log_path,
            maildir=maildir,
        )
    finally:
        stop(process)
        if smtp_process is not None:
            stop(smtp_process)
        log_file.close()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    with running_server() as running:
        yield running


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    # The server is stopped by now, so its log is complete.
    if exitstatus != 0 and SERVER_LOG.exists():
        terminalreporter.section("cithub server log (last 80 lines)")
        terminalreporter.write_line(log_tail(SERVER_LOG))
        terminalreporter.write_line(f"(full log: {SERVER_LOG})")


# --- Browser: pytest-playwright's fixtures, pointed at Debian's Chromium ---


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-test-deps.sh")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox"]}


@pytest.fixture(scope="session")
def base_url(server: Server) -> str:
    # Lets tests write page.goto("/login").
    return server.base_url


@pytest.fixture
def screen_size(request: pytest.FixtureRequest) -> str:
    name = getattr(request, "param", "desktop")
    if name not in SCREEN_SIZES:
        raise pytest.UsageError(f"screen_size must be one of {sorted(SCREEN_SIZES)}, not {name!r}")
    return name


@pytest.fixture
def browser_context_args(browser_context_args: dict, screen_size: str) -> dict:
    return {**browser_context_args, "viewport": SCREEN_SIZES[screen_size]}


@pytest.fixture
def snap(request: pytest.FixtureRequest) -> Callable:
    """snap(page, "label") saves a full-page screenshot to e2e/artifacts/."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1]).strip("_")
    count = 0

    def take(page, label: str) -> Path:
        nonlocal count
        count += 1
        path = ARTIFACTS_DIR / f"{stem}-{count:02d}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# --- The first administrator, shared by every test module (the link works once) ---

ADMIN_NAME = "Ada Administrator"
ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "Lantern-orbit-7-quartz-meadow"  # 29 characters



def path_is(expected: str):
    return lambda url: urlsplit(url).path == expected


@dataclass
class Admin:
    email: str
    password: str
    setup_status: int
    landed_on: str


@pytest.fixture(scope="session")
def admin(browser, server) -> Admin:
    """Creates the first administrator through the setup link, once per session."""
    context = browser.new_context(base_url=server.base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        response = page.goto(server.setup_url)
        assert response is not None
        page.screenshot(path=str(ARTIFACTS_DIR / "setup-01-form.png"), full_page=True)
        assert response.status == 200, f"GET {server.setup_url} returned {response.status}"

        form = page.locator("form").filter(has=page.locator('input[name="password_confirm"]'))
        expect(form).to_have_count(1)
        form.locator('input[name="name"]').fill(ADMIN_NAME)
        form.locator('input[name="email"]').fill(ADMIN_EMAIL)
        form.locator('input[name="password"]').fill(ADMIN_PASSWORD)
        form.locator('input[name="password_confirm"]').fill(ADMIN_PASSWORD)
        form.get_by_role("button", name="Create administrator", exact=True).click()

        page.wait_for_url(path_is("/login"))
        page.screenshot(path=str(ARTIFACTS_DIR / "setup-02-after-submit.png"), full_page=True)
        return Admin(
            email=ADMIN_EMAIL,
            password=ADMIN_PASSWORD,
            setup_status=response.status,
            landed_on=urlsplit(page.url).path,
        )
    finally:
        context.close()


def sign_in(page: Page, email: str, password: str) -> None:
    form = page.locator("form").filter(has=page.locator('input[name="password"]'))
    expect(form).to_have_count(1)
    form.locator('input[name="email"]').fill(email)
    form.locator('input[name="password"]').fill(password)
    form.get_by_role("button", name="Sign in", exact=True).click()




# --- Journeys: a person starts from one address and only clicks ---

UUID_PATTERN = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class JourneyRuleBroken(AssertionError):
    """A journey test did something a person cannot: a second typed address, or an id."""


@pytest.fixture
def clicks_only(monkeypatch: pytest.MonkeyPatch) -> Callable[[Page], Page]:
    """clicks_only(page) lets the page open ONE address (the home page, or a link a person
    was given: the printed set-up link, a mailed invitation); after that `goto` raises, so
    every other page must be reached by clicking links and buttons. While the fixture is
    active, no field may be filled with a database id (a UUID): people pick by name."""
    from playwright.sync_api import Locator

    original_fill = Locator.fill

    def fill_without_ids(self, value, *args, **kwargs):
        if isinstance(value, str) and UUID_PATTERN.search(value):
            raise JourneyRuleBroken(f"a journey typed an id into a field ({value!r}); people pick by name")
        return original_fill(self, value, *args, **kwargs)

    monkeypatch.setattr(Locator, "fill", fill_without_ids)
    original_page_fill = Page.fill

    def page_fill_without_ids(self, selector, value, *args, **kwargs):
        if isinstance(value, str) and UUID_PATTERN.search(value):
            raise JourneyRuleBroken(f"a journey typed an id into {selector} ({value!r})")
        return original_page_fill(self, selector, value, *args, **kwargs)

    monkeypatch.setattr(Page, "fill", page_fill_without_ids)

    def guard(page: Page) -> Page:
        opened: list[str] = []
        original_goto = page.goto

        def goto_once(url: str, *args, **kwargs):
            if opened:
                raise JourneyRuleBroken(
                    f"journeys reach pages by clicking: this page already opened {opened[0]!r},"
                    f" and page.goto({url!r}) would be a typed address"
                )
            opened.append(url)
            return original_goto(url, *args, **kwargs)

        page.goto = goto_once  # type: ignore[method-assign]
        return page

    return guard


def open_from_mail(page, url: str, subject: str) -> None:
    """Opens a mailed link the way a person does: the message shown in a mail client (a
    page of its own, not an address typed into this browser), then a click on the link."""
    from html import escape
    page.set_content(f"<main><h1>{escape(subject)}</h1><p><a href=\"{escape(url)}\">{escape(url)}</a></p></main>")
    page.get_by_role("link", name=url).click()
