"""Browser fixtures: the app served by `advisor run` on 127.0.0.1, driven by Playwright through Debian's Chromium.

Nothing is downloaded at test time: the browser is /usr/bin/chromium (scripts/install-system-deps.sh installs it)
and axe-core is the copy shipped inside the axe-playwright-python wheel. A missing browser or axe fails the tests;
it never skips them.

Every instance starts without an account: each page redirects to `/setup`, the first-run administrator page.
The `administrator` fixture goes through it once per module (unless a test did already, with the same `ADMIN`
credentials); `signed_in_page` is then signed in through `/login`. That sign-in happens once per module and its
cookies are reused by every signed-in context: `/login` allows only 5 attempts per account and minute.

Helpers used by both test modules live here too (the questionnaire answers, accounts, `snap`, `axe_violations`).
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    StorageState,
    expect,
    sync_playwright,
)

from tests.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOST = "127.0.0.1"
TIMEOUT_MS = 10_000  # every Playwright action and `expect` waits at most this long
NAVIGATION_TIMEOUT_MS = 20_000
LAUNCH_TIMEOUT_MS = 60_000
SERVER_START_SECONDS = 30
COMMAND_SECONDS = 60
BROWSER_TEST_SECONDS = 180  # a hard limit per test (pytest-timeout), for the waits Playwright cannot bound: page.pdf()

expect.set_options(timeout=TIMEOUT_MS)


# --- The live server ---------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)


def _advisor_command() -> list[str]:
    script = Path(sys.executable).with_name("advisor")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from advisor.cli import cli; cli()"]


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=1)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _start_server(env: dict[str, str], log: Path) -> LiveServer:
    """Start `advisor run` on a free port; try another port if the chosen one was taken meanwhile."""
    for _attempt in range(3):
        port = free_port()
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*_advisor_command(), "run", "--host", HOST, "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            if _healthy(port):
                return LiveServer(url=f"http://{HOST}:{port}", log=log, process=process)
            time.sleep(0.1)
        _stop(process)
        if "Address already in use" not in log.read_text(errors="replace"):
            break
    pytest.fail(f"`advisor run` did not answer on {HOST}:{port} within {SERVER_START_SECONDS} s:\n{log.read_text()}")


@contextmanager
def _serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on a free 127.0.0.1 port with a fresh SQLite database, migrated, without any account."""
    base = tmp_path_factory.mktemp("live-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "FLASK_"))}
    env.update(
        {
            "ADVISOR_DATABASE_URL": f"sqlite:///{base / 'advisor.sqlite3'}",
            "ADVISOR_INSTANCE_PATH": str(base / "instance"),
            "ADVISOR_SECRET_KEY": secrets.token_hex(32),
            "PYTHONUNBUFFERED": "1",
        }
    )
    upgrade = subprocess.run(
        [*_advisor_command(), "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    assert upgrade.returncode == 0, f"`advisor db upgrade` failed:\n{upgrade.stdout}\n{upgrade.stderr}"
    server = _start_server(env, base / "server.log")
    try:
        yield server
    finally:
        _stop(server.process)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on a free 127.0.0.1 port with a fresh SQLite database for each test module."""
    with _serve(tmp_path_factory) as server:
        yield server


def status_of(server: LiveServer, path: str) -> int:
    """The HTTP status of a GET without cookies (redirects not followed)."""
    port = urlsplit(server.url).port
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def has_no_account(server: LiveServer) -> bool:
    """Whether the instance is still on its first run: `/setup` answers only until an account exists."""
    status = status_of(server, "/setup")
    assert status in (200, 404), f"/setup answered {status}"
    return status == 200


@pytest.fixture
def fresh_server(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server without any account: the module's own if no test made the administrator yet, else a new one."""
    if has_no_account(live_server):
        yield live_server
    else:
        with _serve(tmp_path_factory) as server:
            yield server


# --- The browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; never a browser that Playwright downloaded."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/install-system-deps.sh)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=LAUNCH_TIMEOUT_MS
        )
        try:
            yield browser
        finally:
            browser.close()


def _only_local(route: Route) -> None:
    """No request leaves this machine: anything not for the test server is refused."""
    if urlsplit(route.request.url).hostname == HOST or route.request.url.startswith(("data:", "about:")):
        route.continue_()
    else:
        route.abort("blockedbyclient")


def new_context(browser: Browser, server: LiveServer, storage_state: StorageState | None = None) -> BrowserContext:
    """A fresh browser profile (cookies, storage) pointed at the live server, with bounded waits.

    With `storage_state`, the profile starts with those cookies (a signed-in session, say).
    """
    ctx = browser.new_context(
        storage_state=storage_state,
        base_url=server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="UTC",
        service_workers="block",
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    ctx.route("**/*", _only_local)
    return ctx


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    ctx = new_context(browser, live_server)
    try:
        yield ctx
    finally:
        ctx.close()


# Chromium reports every 4xx/5xx response on the console; the tests ask for some (404 page, 422 form,
# 401 failed sign-in) on purpose.
_EXPECTED_CONSOLE = re.compile(r"Failed to load resource: the server responded with a status of (401|404|422)")


@dataclass
class PageProblems:
    """What the page said went wrong: script errors, and console errors such as CSP violations."""

    messages: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not _EXPECTED_CONSOLE.search(message.text):
            self.messages.append(f"console error: {message.text}")

    def page_error(self, error: Any) -> None:
        self.messages.append(f"uncaught script error: {error}")


@contextmanager
def watched(page: Page) -> Iterator[Page]:
    """Fail if, while the block runs, the page had a script error or a console error (a CSP violation, say)."""
    problems = PageProblems()
    page.on("console", problems.console)
    page.on("pageerror", problems.page_error)
    yield page
    page.remove_listener("console", problems.console)
    page.remove_listener("pageerror", problems.page_error)
    assert not problems.messages, "the browser reported problems:\n" + "\n".join(problems.messages)


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A fresh page, not signed in; the test fails on a script error or a console error (a CSP violation, say)."""
    with watched(context.new_page()) as page:
        yield page


# --- Accounts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    email: str
    password: str


# The administrator every test makes on the first-run page (a passphrase: 12 characters at least, not a common one).
ADMIN = Account("admin@example.test", "lantern harbour violet 2027")


def set_up_administrator(page: Page, account: Account = ADMIN) -> None:
    """On `/setup` of an instance without any account: create the administrator, who is then signed in."""
    if urlsplit(page.url).path != "/setup":
        page.goto("/setup")
    expect(page.locator("h1")).to_have_text("Create the administrator")
    page.get_by_label("Administrator's email").fill(account.email)
    page.get_by_label("New password", exact=True).fill(account.password)
    page.get_by_label("Repeat the new password").fill(account.password)
    with page.expect_navigation():
        page.get_by_role("button", name="Create the administrator and sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".flash")).to_contain_text("Administrator account created.")


def sign_in(page: Page, account: Account) -> None:
    """Sign in through `/login`; the page then shows wherever the sign-in led (the dashboard, by default)."""
    if urlsplit(page.url).path != "/login":
        page.goto("/login")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    """Press "Sign out" in the header; the sign-in page opens."""
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".flash")).to_contain_text("Signed out.")


def signed_in_state(browser: Browser, server: LiveServer, account: Account) -> StorageState:
    """Sign in through `/login` in a context of its own; return its cookies for other contexts to start with."""
    ctx = new_context(browser, server)
    try:
        with watched(ctx.new_page()) as page:
            sign_in(page, account)
        return ctx.storage_state()
    finally:
        ctx.close()


@pytest.fixture
def fresh_page(browser: Browser, fresh_server: LiveServer) -> Iterator[Page]:
    """A page, not signed in, on a server without any account (see `fresh_server`)."""
    ctx = new_context(browser, fresh_server)
    try:
        with watched(ctx.new_page()) as page:
            yield page
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def administrator(browser: Browser, live_server: LiveServer) -> Account:
    """The instance's administrator: made through `/setup` unless a test of this module made it already."""
    if has_no_account(live_server):
        ctx = new_context(browser, live_server)
        try:
            with watched(ctx.new_page()) as page:
                set_up_administrator(page, ADMIN)
        finally:
            ctx.close()
    return ADMIN  # a test that goes through `/setup` itself uses these credentials too


@pytest.fixture(scope="module")
def admin_state(browser: Browser, live_server: LiveServer, administrator: Account) -> StorageState:
    """The administrator's session, signed in once per module through `/login`."""
    return signed_in_state(browser, live_server, administrator)


@pytest.fixture
def signed_in_context(browser: Browser, live_server: LiveServer, admin_state: StorageState) -> Iterator[BrowserContext]:
    ctx = new_context(browser, live_server, admin_state)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def signed_in_page(signed_in_context: BrowserContext) -> Iterator[Page]:
    """A fresh page signed in as the administrator; fails on script or console errors like `page`."""
    with watched(signed_in_context.new_page()) as page:
        yield page


# --- Helpers for the tests ---------------------------------------------------------------------


TALL_PAGE_PX = 6000


def snap(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a full-page screenshot under test-artifacts/browser/ (git-ignored).

    PNG, except for very tall pages (the report runs to some 30 000 pixels), which are saved as JPEG:
    encoding them as PNG takes seconds each. With `full_page=False`, only the viewport, as PNG: enough
    for a second copy of the report, whose top is what differs.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    if not full_page:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=path, animations="disabled")
    elif height > TALL_PAGE_PX:
        path = ARTIFACTS / f"{name}.jpg"
        page.screenshot(path=path, full_page=True, type="jpeg", quality=70, animations="disabled")
    else:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=path, full_page=True, animations="disabled")
    return path


AXE_SOURCE = AXE_SCRIPT  # axe-core as shipped in the axe-playwright-python wheel
AXE_SECONDS = 30
BLOCKING_IMPACTS = ("serious", "critical")
_RUN_AXE = """seconds => Promise.race([
  axe.run(document, {resultTypes: ["violations"]}),
  new Promise((_, reject) => setTimeout(() => reject(new Error(`axe-core took over ${seconds} s`)), seconds * 1000)),
])"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; return the serious and critical violations.

    The script goes in through DevTools (`page.evaluate`), which the page's strict CSP does not govern,
    so the app's policy stays as it is.
    """
    page.evaluate(AXE_SOURCE)
    results = page.evaluate(_RUN_AXE, AXE_SECONDS)
    assert isinstance(results, dict), f"axe-core did not run: {results!r}"[:500]
    assert results.get("testEngine", {}).get("name") == "axe-core", f"axe-core did not run: {results!r}"[:500]
    return [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = "; ".join(" ".join(node["target"]) for node in v["nodes"][:8])
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s): {targets}")
    return "\n".join(lines)


STEPS = ("context", "hosting", "clusters", "namespaces", "mesh", "tools", "priorities")

# The answers of the planning session, step by step: (group legend, option label) pairs to tick,
# and (input id, value) pairs to type.
STEP_CHOICES: dict[str, list[tuple[str, str]]] = {
    "context": [
        ("Kubernetes security experience of the team", "Novice"),
        ("Automation of cluster operations", "Partly automated"),
        ("Sensitivity of data and workloads", "Moderate"),
        ("Compliance frameworks", "GDPR"),
    ],
    "hosting": [("Infrastructure", "Public cloud"), ("Must the clusters be air-gapped?", "No")],
    "clusters": [
        ("Who shares the platform", "Several internal teams"),
        ("Environments on the platform", "Development"),
        ("Environments on the platform", "Production"),
    ],
    "namespaces": [],
    "mesh": [
        ("Must every service-to-service call be authenticated and encrypted?", "No"),
        ("What the ingress serves", "Internal users only"),
    ],
    "tools": [("Third-party monitoring and security tools planned", "SIEM")],
    "priorities": [],
}
STEP_NUMBERS: dict[str, list[tuple[str, str]]] = {
    "namespaces": [("applications", "5")],
    "mesh": [("services", "12")],
    "priorities": [("priorities__isolation", "4")],
}


def choose(page: Page, group: str, option: str) -> None:
    """Tick the radio button or checkbox labelled `option` in the fieldset whose legend starts with `group`."""
    fieldset = page.get_by_role("group", name=group)
    radio = fieldset.get_by_role("radio", name=option, exact=True)
    target = radio if radio.count() else fieldset.get_by_role("checkbox", name=option, exact=True)
    target.check()


def answer_step(page: Page, step: str) -> None:
    for group, option in STEP_CHOICES[step]:
        choose(page, group, option)
    for input_id, value in STEP_NUMBERS.get(step, []):
        page.locator(f"#{input_id}").fill(value)


def press(page: Page, action: str) -> None:
    """Press one of the questionnaire's buttons (next, back, draft) and wait for the next page."""
    with page.expect_navigation():
        page.locator(f"button[name=action][value={action}]").click()


def create_assessment(page: Page, title: str, description: str = "", workspace: str = "") -> int:
    """Fill in the new-assessment form; return the new assessment's id (the questionnaire opens).

    Without `workspace` (a name), the assessment goes to the form's default: the personal workspace.
    """
    if urlsplit(page.url).path != "/assessments/new":
        page.goto("/assessments/new")
    if workspace:
        page.get_by_label("Workspace").select_option(label=workspace)
    page.get_by_label("Title").fill(title)
    if description:
        page.get_by_label("Description").fill(description)
    page.get_by_role("button", name="Create and start the questionnaire").click()
    page.wait_for_url(re.compile(r"/assessments/\d+/answers/context$"))
    found = re.search(r"/assessments/(\d+)/", page.url)
    assert found, page.url
    return int(found.group(1))


def save_revision(page: Page, label: str) -> None:
    """On the review page: name the milestone, evaluate and save; the report opens."""
    page.get_by_label("Milestone label (optional)").fill(label)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Evaluate and save as revision \d+$")).click()
    expect(page.locator(".flash")).to_contain_text("Saved as revision")


def answered_assessment(page: Page, title: str, label: str = "Baseline", workspace: str = "") -> int:
    """A new assessment answered with the planning session's answers (public cloud, not air-gapped) and saved
    as revision 1 named ``label``; returns its id, with its report open."""
    assessment_id = create_assessment(page, title, workspace=workspace)
    for step in STEPS:
        answer_step(page, step)
        press(page, "next")
    expect(page.locator("h1")).to_have_text("Check your answers")
    save_revision(page, label)
    return assessment_id
