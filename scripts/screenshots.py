"""Screenshots of a checkout of the advisor, for comparing two versions of its pages side by side.

Starts the checkout's own app (its `advisor` command) on a fresh temporary instance folder with SQLite, on a free
127.0.0.1 port; makes an administrator and an API token with its command line; creates through the HTTP API an
assessment "Payments platform" (PCI DSS and SOC 2) with two revisions and a few checklist statuses; signs in with
Debian's Chromium and saves JPEG screenshots (1280x900, quality 80) of the report, its first decision, its
checklist, the what-if panel (or, in versions without one, the questionnaire's priorities step), the dashboard,
and the questionnaire: a question page, one refused with an error, and the answers to check before saving.
The server is always stopped; nothing outside the temporary folder and the output folder is written.

    python scripts/screenshots.py --checkout PATH --out DIR [--venv PATH/.venv] [--chromium /usr/bin/chromium]

It runs under any Python 3.11+ with playwright installed; the app runs from the checkout's virtualenv.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Route, ViewportSize, sync_playwright
from playwright.sync_api import Error as PlaywrightError

HOST = "127.0.0.1"
EMAIL = "admin@example.com"
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
JPEG_QUALITY = 80
SERVER_START_SECONDS = 30
COMMAND_SECONDS = 60
HTTP_SECONDS = 30
ACTION_MS = 10_000
NAVIGATION_MS = 20_000
LAUNCH_MS = 60_000
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# A fintech's payments platform on AWS: cardholder data (PCI DSS) and a SOC 2 report; valid in every version so far
ANSWERS: dict[str, Any] = {
    "experience": "intermediate",
    "automation": "full",
    "sensitivity": "high",
    "compliance": ["pci_dss", "soc2"],
    "identity_provider": "sso",
    "delivery": "gitops",
    "platform_engineers": 6,
    "infrastructure": "public_cloud",
    "air_gapped": False,
    "cloud_providers": ["aws"],
    "node_operations": "team",
    "egress": "restricted",
    "tenancy": "multi_team",
    "environments": ["dev", "staging", "prod"],
    "availability": "multi_zone",
    "workloads": ["stateful"],
    "applications": 6,
    "services": 40,
    "zero_trust": True,
    "exposure": "public_api",
    "external_tools": ["log_shipping", "siem"],
    "priorities": {"isolation": 5, "attack_surface": 4, "visibility": 4, "control": 3, "simplicity": 3, "cost": 2},
}
# the second revision: after the design review the team weighs simplicity higher
SECOND_PRIORITIES = {**ANSWERS["priorities"], "simplicity": 4}
# what-if changes to try in turn until one changes a decision (the first that does is kept)
WHAT_IF_TRIES: list[dict[str, int]] = [
    {"cost": 5, "simplicity": 0},
    {"cost": 5, "simplicity": 5, "control": 0},
    {"simplicity": 5, "isolation": 1, "attack_surface": 1},
    {"cost": 5, "simplicity": 5, "isolation": 0, "attack_surface": 0, "control": 0},
]
PRIORITY_FIELD = "priorities__{}"  # the questionnaire's and the what-if panel's field per criterion


class Failure(RuntimeError):
    """Something the screenshots need did not work; the message says what."""


@dataclass
class Server:
    url: str
    log: Path
    process: subprocess.Popen[bytes]


# --- The app -------------------------------------------------------------------------------------------------


def app_env(base: Path) -> dict[str, str]:
    """The environment of the checkout's commands: a fresh instance folder and SQLite database under base."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "FLASK_"))}
    env.update(
        {
            "ADVISOR_INSTANCE_PATH": str(base / "instance"),
            "ADVISOR_DATABASE_URL": f"sqlite:///{base / 'advisor.sqlite3'}",
            "ADVISOR_SECRET_KEY": secrets.token_hex(32),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def advisor(command: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run one `advisor` command to its end and return its standard output; fail with its output otherwise."""
    done = subprocess.run(  # noqa: S603 (the checkout's own command, arguments from this script)
        [str(command), *args],
        env=env,
        cwd=env["ADVISOR_INSTANCE_PATH"],  # no .env or .flaskenv of wherever the script was started
        input=stdin,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise Failure(f"`advisor {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def healthy(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=1)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def serve(command: Path, env: dict[str, str], log: Path) -> Iterator[Server]:
    """`advisor run` on a free 127.0.0.1 port until the block ends; another port if one was taken meanwhile."""
    for _attempt in range(3):
        port = free_port()
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603
                [str(command), "run", "--host", HOST, "--port", str(port)],
                env=env,
                cwd=env["ADVISOR_INSTANCE_PATH"],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            while time.monotonic() < deadline and process.poll() is None:
                if healthy(port):
                    yield Server(f"http://{HOST}:{port}", log, process)
                    return
                time.sleep(0.2)
        finally:
            stop(process)
        if "Address already in use" not in log.read_text(errors="replace"):
            break
    raise Failure(f"`advisor run` did not answer within {SERVER_START_SECONDS} s:\n{log.read_text(errors='replace')}")


class Api:
    """The HTTP API v1 with a Bearer token."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 (always http://127.0.0.1)
            f"{self.url}/api/v1{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=HTTP_SECONDS) as response:  # noqa: S310
                answer: dict[str, Any] = json.load(response)
                return answer
        except urllib.error.HTTPError as exc:
            raise Failure(f"{method} {path} answered {exc.code}: {exc.read().decode(errors='replace')}") from exc


def make_token(command: Path, env: dict[str, str]) -> str:
    """A personal API token; `create-token` takes the name as --name or, in other versions, as an argument."""
    usage = advisor(command, env, "create-token", "--help")
    name_args = ["--name", "screenshots"] if "--name" in usage else ["screenshots"]
    return advisor(command, env, "create-token", EMAIL, *name_args).strip().splitlines()[-1]


def seed(api: Api) -> int:
    """The assessment "Payments platform": two revisions and a few checklist statuses; its id."""
    created = api.call(
        "POST",
        "/assessments",
        {
            "title": "Payments platform",
            "description": "Card payments and payouts for a fintech: PCI DSS scope, SOC 2 Type II report.",
            "answers": ANSWERS,
            "label": "First draft",
        },
    )
    assessment_id: int = created["id"]
    api.call(
        "POST",
        f"/assessments/{assessment_id}/revisions",
        {
            "answers": {**ANSWERS, "priorities": SECOND_PRIORITIES},
            "base_revision": created["revision"],
            "label": "Design review",
        },
    )
    checklist = api.call("GET", f"/assessments/{assessment_id}")["result"]["checklist"]
    critical = [i["id"] for i in checklist if i["priority"] == "critical"]
    for item_id in (critical or [i["id"] for i in checklist])[:2]:
        api.call("PATCH", f"/assessments/{assessment_id}/checklist/{item_id}", {"status": "done", "base_version": 0})
    last = checklist[-1]["id"]
    api.call(
        "PATCH",
        f"/assessments/{assessment_id}/checklist/{last}",
        {
            "status": "not_applicable",
            "base_version": 0,
            "note": "Covered by the card vault provider (out of our PCI DSS scope).",
        },
    )
    return assessment_id


# --- The browser ---------------------------------------------------------------------------------------------


def only_local(route: Route) -> None:
    """No request leaves this machine."""
    url = route.request.url
    if urlsplit(url).hostname == HOST or url.startswith(("data:", "about:")):
        route.continue_()
    else:
        route.abort("blockedbyclient")


def shoot(page: Page, out: Path, name: str) -> Path:
    path = out / name
    page.screenshot(path=str(path), type="jpeg", quality=JPEG_QUALITY)
    return path


def goto(page: Page, path: str) -> int:
    """Open a path of the app; its HTTP status."""
    response = page.goto(path, wait_until="load")
    if response is None:
        raise Failure(f"no response for {path}")
    return response.status


def expect_ok(page: Page, path: str) -> None:
    status = goto(page, path)
    if status != 200:
        raise Failure(f"{path} answered {status}")


def scroll_to(page: Page, selector: str) -> None:
    """Put an element at the top of the viewport (no smooth scrolling), then let the page settle."""
    page.locator(selector).first.evaluate("el => el.scrollIntoView({block: 'start', behavior: 'instant'})")
    page.wait_for_timeout(200)


def sign_in(page: Page, password: str) -> None:
    expect_ok(page, "/login")
    form = page.locator("form:has(input[name=password])").first
    form.locator("input[name=email]").fill(EMAIL)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").first.click()
    if urlsplit(page.url).path.startswith("/login"):
        raise Failure("signing in failed: still on the sign-in page")


def create_draft(page: Page) -> bool:
    """A second assessment with no revision yet, through the web's New assessment form (the API needs answers)."""
    if goto(page, "/assessments/new") != 200:
        return False
    form = page.locator("form:has(input[name=title])").first
    form.locator("input[name=title]").fill("Data platform (Kafka and analytics)")
    description = form.locator("[name=description]")
    if description.count():
        description.fill("Streaming and reporting clusters; questionnaire not finished yet.")
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").first.click()
    return "/answers/" in page.url


def checklist_filter(page: Page) -> str | None:
    """The query string the checklist's filter form makes for the open items of high priority; None without one."""
    form = page.locator("section.checklist form:has(select[name=priority]), form:has(select[name=priority])").first
    if not form.count():
        return None
    query: str = form.evaluate(
        """form => {
          const choose = (name, wanted) => {
            const select = form.querySelector(`select[name="${name}"]`);
            if (!select) return;
            const option = [...select.options].find(wanted);
            if (option) select.value = option.value;
          };
          choose("priority", o => o.value === "high");
          choose("status", o => o.value && o.text.toLowerCase().startsWith("open"));
          const params = new URLSearchParams();
          for (const [key, value] of new FormData(form)) {
            if (typeof value === "string" && value) params.append(key, value);
          }
          return params.toString();
        }"""
    )
    return query


def what_if(page: Page, assessment_id: int) -> str:
    """Preview priority changes on the what-if panel until one changes a decision; what it shows, in words."""
    lead = page.locator("#whatif-result .lead")
    said = ""
    for change in WHAT_IF_TRIES:
        expect_ok(page, f"/assessments/{assessment_id}/what-if")
        form = page.locator("form.whatif-form").first
        for criterion, value in change.items():
            form.locator(f"input[name={PRIORITY_FIELD.format(criterion)}]").fill(str(value))
        with page.expect_navigation(wait_until="load"):  # the Preview button posts the form, script or not
            form.locator("button[name=action][value=preview]").click()
        said = lead.first.inner_text(timeout=ACTION_MS) if lead.count() else ""
        if "decision" in said and "would change" in said and not said.startswith("No decision"):
            return f"{change}: {said}"
    return f"no decision changed with the tries; the last: {said or 'no result shown'}"


def priorities_step(page: Page, assessment_id: int) -> bool:
    """The questionnaire's priorities step with cost raised and simplicity lowered (typed, not saved)."""
    if goto(page, f"/assessments/{assessment_id}/answers/priorities") != 200:
        return False
    for criterion, value in WHAT_IF_TRIES[0].items():
        field = page.locator(f"input[name={PRIORITY_FIELD.format(criterion)}]")
        if field.count():
            field.fill(str(value))
            field.evaluate("el => el.blur()")  # no focus ring in the picture
    return True


def questionnaire(page: Page, out: Path, assessment_id: int) -> list[Path]:
    """A question page, the same page refused with an error (too few applications) and the answers to check."""
    answers = f"/assessments/{assessment_id}/answers"
    expect_ok(page, f"{answers}/context")
    saved = [shoot(page, out, "question.jpg")]
    expect_ok(page, f"{answers}/namespaces")
    page.locator("input[name=applications]").fill("0")
    with page.expect_navigation():
        page.locator("button[name=action][value=next]").click()
    saved.append(shoot(page, out, "question-error.jpg"))
    expect_ok(page, f"{answers}/review")
    saved.append(shoot(page, out, "check-answers.jpg"))
    return saved


def screenshots(browser: Browser, server: Server, password: str, assessment_id: int, out: Path) -> list[Path]:
    context = browser.new_context(
        base_url=server.url,
        viewport=VIEWPORT,
        device_scale_factor=1,
        locale="en-GB",
        timezone_id="UTC",
        service_workers="block",
    )
    context.set_default_timeout(ACTION_MS)
    context.set_default_navigation_timeout(NAVIGATION_MS)
    context.route("**/*", only_local)
    saved: list[Path] = []
    try:
        page = context.new_page()
        sign_in(page, password)
        drafted = create_draft(page)
        print("second assessment (a draft):", "created through the web form" if drafted else "skipped")

        report = f"/assessments/{assessment_id}"
        expect_ok(page, report)
        saved.append(shoot(page, out, "report-top.jpg"))

        decision = page.locator("article.decision, section.decision").first
        decision.scroll_into_view_if_needed()
        path = out / "decision.jpg"
        decision.screenshot(path=str(path), type="jpeg", quality=JPEG_QUALITY)
        saved.append(path)

        query = checklist_filter(page)
        if query:
            expect_ok(page, f"{report}?{query}")
            print(f"checklist: filtered with ?{query}")
        else:
            print("checklist: this version has no filter form; the whole checklist")
        scroll_to(page, "#checklist-heading")
        saved.append(shoot(page, out, "checklist.jpg"))

        if goto(page, f"{report}/what-if") == 404:
            if priorities_step(page, assessment_id):
                print("what-if: no what-if page (404); the questionnaire's priorities step instead")
                saved.append(shoot(page, out, "whatif.jpg"))
            else:
                print("what-if: no what-if page and no priorities step; whatif.jpg skipped")
        else:
            print("what-if:", what_if(page, assessment_id))
            scroll_to(page, "#whatif-result")
            saved.append(shoot(page, out, "whatif.jpg"))

        expect_ok(page, "/")
        saved.append(shoot(page, out, "dashboard.jpg"))

        saved += questionnaire(page, out, assessment_id)
    finally:
        context.close()
    return saved


# --- The whole run -------------------------------------------------------------------------------------------


def run(checkout: Path, out: Path, venv: Path, chromium: Path) -> list[Path]:
    if not (checkout / "advisor").is_dir():
        raise Failure(f"{checkout} is not a checkout of the advisor (no advisor/ package)")
    command = venv / "bin" / "advisor"
    if not command.exists():
        raise Failure(f"{command} is missing: make the checkout's virtualenv first (pip install -e .)")
    if not chromium.exists():
        raise Failure(f"{chromium} is missing")
    out.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(18)
    with tempfile.TemporaryDirectory(prefix="advisor-shots-") as tmp:
        base = Path(tmp)
        env = app_env(base)
        Path(env["ADVISOR_INSTANCE_PATH"]).mkdir(mode=0o700)
        advisor(command, env, "db", "upgrade")
        advisor(command, env, "create-user", EMAIL, "--admin", "--password-stdin", stdin=password + "\n")
        token = make_token(command, env)
        with serve(command, env, base / "server.log") as server:
            print(f"serving {checkout} at {server.url}")
            assessment_id = seed(Api(server.url, token))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(chromium), args=CHROMIUM_ARGS, timeout=LAUNCH_MS
                )
                try:
                    return screenshots(browser, server, password, assessment_id, out)
                finally:
                    browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--checkout", type=Path, required=True, help="the checkout of the advisor to photograph")
    parser.add_argument("--out", type=Path, required=True, help="the folder for the JPEG files")
    parser.add_argument("--venv", type=Path, help="the checkout's virtualenv (default: CHECKOUT/.venv)")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"), help="the browser to drive")
    args = parser.parse_args(argv)
    checkout = args.checkout.resolve()
    try:
        saved = run(checkout, args.out.resolve(), (args.venv or checkout / ".venv").resolve(), args.chromium)
    except (Failure, PlaywrightError, subprocess.TimeoutExpired) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in saved:
        print(f"{path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
