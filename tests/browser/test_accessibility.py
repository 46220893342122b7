"""axe-core on every distinct page: no violation of serious or critical impact.

axe-core is injected with `page.evaluate`, through DevTools, so the app's strict CSP (script-src 'self')
stays as it is. A screenshot of each page scanned is saved under test-artifacts/browser/.

The module's live server starts without any account. The `first_run` fixture scans the first-run page before
anything else (this module's `administrator` fixture depends on it, so every signed-in test comes after it), then
makes the administrator there. Pages shown only once (a new token, a one-time password, a new share link, the
forced password change) are scanned where they appear.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, StorageState, expect

from tests.browser.conftest import (
    ADMIN,
    BROWSER_TEST_SECONDS,
    STEPS,
    Account,
    LiveServer,
    answer_step,
    axe_violations,
    choose,
    create_assessment,
    describe_violations,
    has_no_account,
    new_context,
    press,
    save_revision,
    set_up_administrator,
    sign_in,
    snap,
    watched,
)

pytestmark = pytest.mark.timeout(BROWSER_TEST_SECONDS)


def assert_accessible(page: Page, name: str, *, full_page: bool = True) -> None:
    """Scan the page as it is now, save its screenshot, and fail on serious or critical violations."""
    violations = axe_violations(page)
    snap(page, f"a11y-{name}", full_page=full_page)
    assert not violations, f"axe found serious or critical violations on {name} ({page.url}):\n" + describe_violations(
        violations
    )


FIRST_RUN_SCANS = ("setup", "setup-with-errors", "dashboard-empty")


@pytest.fixture(scope="module")
def first_run(browser: Browser, live_server: LiveServer) -> dict[str, list[dict[str, Any]]]:
    """Scan the first-run page (empty, then refusing a common password), make the administrator there,
    and scan the empty dashboard; return the violations found, by page name."""
    assert has_no_account(live_server), "the first-run scans need an instance without any account"
    found: dict[str, list[dict[str, Any]]] = {}
    context = new_context(browser, live_server)
    try:
        with watched(context.new_page()) as page:
            page.goto("/")
            expect(page).to_have_url(re.compile(r"/setup$"))
            found["setup"] = axe_violations(page)
            snap(page, "a11y-setup")

            page.get_by_label("Administrator's email").fill(ADMIN.email)
            page.get_by_label("New password", exact=True).fill("password1234")
            page.get_by_label("Repeat the new password").fill("password1234")
            page.get_by_role("button", name="Create the administrator and sign in").click()
            expect(page.locator(".errors")).to_contain_text("common passwords")
            expect(page.get_by_label("New password", exact=True)).to_have_attribute("aria-invalid", "true")
            found["setup-with-errors"] = axe_violations(page)
            snap(page, "a11y-setup-with-errors")

            set_up_administrator(page, ADMIN)
            expect(page.locator(".empty")).to_contain_text("No assessments yet")
            found["dashboard-empty"] = axe_violations(page)
            snap(page, "a11y-dashboard-empty")
    finally:
        context.close()
    return found


@pytest.fixture(scope="module")
def administrator(first_run: dict[str, list[dict[str, Any]]]) -> Account:
    """Overrides conftest's: the administrator made by `first_run`, so that every signed-in test comes after it."""
    return ADMIN


@dataclass
class Seeded:
    assessment_id: int
    draft_only_id: int
    workspace_id: int


SHARED_WORKSPACE = "Platform team"


@pytest.fixture(scope="module")
def seeded(browser: Browser, live_server: LiveServer, admin_state: StorageState) -> Iterator[Seeded]:
    """Make the data the other pages show, through the browser, as the administrator.

    A shared workspace; in it, one assessment with two revisions (hosting changed to air-gapped) and checklist
    statuses set; in the personal workspace, one with nothing saved but a draft.
    """
    context = new_context(browser, live_server, admin_state)
    try:
        with watched(context.new_page()) as page:
            page.goto("/workspaces/")
            page.get_by_label("Workspace name").fill(SHARED_WORKSPACE)
            with page.expect_navigation():
                page.get_by_role("button", name="Create workspace").click()
            expect(page.locator("h1")).to_have_text(SHARED_WORKSPACE)
            found = re.search(r"/workspaces/(\d+)$", page.url)
            assert found, page.url
            workspace_id = int(found.group(1))

            assessment_id = create_assessment(
                page, "Accessibility audit", "Every page, scanned by axe-core.", workspace=SHARED_WORKSPACE
            )
            for step in STEPS:
                answer_step(page, step)
                press(page, "next")
            save_revision(page, "Baseline")
            items = page.locator("section.checklist article.item")
            for index, status in enumerate(("done", "in_progress", "not_applicable", "accepted_risk")):
                item = items.nth(index)
                item.get_by_label("Status").select_option(status)
                item.get_by_label("Owner").fill("Security team")
                if status == "not_applicable":
                    item.get_by_label("Note").fill("No Windows nodes in this estate")  # the reason it needs
                if index == 1:
                    item.get_by_label("Due").fill("2020-01-31")  # overdue: the report says so
                saved = "Saved."
                if status == "accepted_risk":  # governed: a justification and an end date, for another owner
                    item.get_by_label("Justification").fill("Compensating control until the vendor fix.")
                    item.get_by_label("Accepted until").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
                    saved = "Saved: Acceptance requested (reload the page for its approval)."
                item.get_by_role("button", name="Save status").click()
                expect(item.locator(".save-state")).to_have_text(saved)
            first = items.nth(0)  # evidence: a link with its Remove button, and the form to add more
            first.locator("details.evidence-add > summary").click()
            first.get_by_label("Link or text").fill("https://wiki.example.com/security-review")
            with page.expect_navigation():
                first.get_by_role("button", name="Add evidence").click()
            expect(page.get_by_role("link", name="https://wiki.example.com/security-review")).to_be_visible()

            page.goto(f"/assessments/{assessment_id}/answers/hosting")
            choose(page, "Must the clusters be air-gapped?", "Yes")
            press(page, "next")
            page.goto(f"/assessments/{assessment_id}/answers/review")
            save_revision(page, "Air-gapped")

            draft_only_id = create_assessment(page, "Draft only")
            answer_step(page, "context")
            press(page, "draft")
        yield Seeded(assessment_id, draft_only_id, workspace_id)
    finally:
        context.close()


@dataclass
class Viewer:
    account: Account
    state: StorageState  # signed in, password changed
    forced_change_violations: list[dict[str, Any]]


VIEWER_EMAIL = "viewer@example.test"


@pytest.fixture(scope="module")
def viewer(browser: Browser, live_server: LiveServer, admin_state: StorageState, seeded: Seeded) -> Iterator[Viewer]:
    """A second account, made on /admin/users and added to the shared workspace as a viewer, signed in with its
    one-time password in a profile of its own and made to choose a password (that page is scanned)."""
    admin = new_context(browser, live_server, admin_state)
    own = new_context(browser, live_server)
    try:
        with watched(admin.new_page()) as page:
            page.goto("/admin/users")
            page.get_by_label("Email").fill(VIEWER_EMAIL)
            page.get_by_role("button", name="Create with a one-time password").click()
            secret = page.locator("code.secret")
            expect(secret).to_have_text(re.compile(r"^\S{12,}$"))
            one_time = secret.inner_text()

            page.goto(f"/workspaces/{seeded.workspace_id}")
            page.get_by_label("Email", exact=True).fill(VIEWER_EMAIL)
            page.get_by_label("Role", exact=True).select_option("viewer")
            page.get_by_role("button", name="Add member").click()
            expect(page.locator(".flash")).to_contain_text(f"{VIEWER_EMAIL} added as viewer")

        with watched(own.new_page()) as page:
            sign_in(page, Account(VIEWER_EMAIL, one_time))
            expect(page).to_have_url(re.compile(r"/account/password$"))
            expect(page.locator(".flash")).to_contain_text("Choose a new password")
            violations = axe_violations(page)
            snap(page, "a11y-password-change-forced")
            account = Account(VIEWER_EMAIL, "quiet meadow copper 1989")
            page.get_by_label("Current password").fill(one_time)
            page.get_by_label("New password", exact=True).fill(account.password)
            page.get_by_label("Repeat the new password").fill(account.password)
            with page.expect_navigation():
                page.get_by_role("button", name="Change password").click()
            expect(page).to_have_url(re.compile(r"/account$"))
            expect(page.locator(".flash")).to_contain_text("Password changed.")
            state = own.storage_state()
        yield Viewer(account, state, violations)
    finally:
        own.close()
        admin.close()


def test_axe_finds_a_planted_violation(signed_in_page: Page) -> None:
    """The scan is not vacuous: under the app's CSP, axe-core still runs and reports what is wrong."""
    page = signed_in_page
    response = page.goto("/assessments/new")
    assert response is not None
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    page.locator("main").evaluate(
        "main => main.append(Object.assign(document.createElement('a'), {href: '#'}))"
    )  # no name
    violations = axe_violations(page)
    assert [v["id"] for v in violations] == ["link-name"], describe_violations(violations)


@pytest.mark.parametrize("name", FIRST_RUN_SCANS)
def test_first_run_page(first_run: dict[str, list[dict[str, Any]]], name: str) -> None:
    violations = first_run[name]
    assert not violations, f"axe found serious or critical violations on {name}:\n" + describe_violations(violations)


PAGES = {
    "dashboard-with-data": "/",
    "dashboard-filtered": "/?q=nothing-matches&show=all&since=not-a-date",
    "new-assessment": "/assessments/new",
    **{f"step-{i + 1}-{step}": f"/assessments/{{id}}/answers/{step}" for i, step in enumerate(STEPS)},
    "review": "/assessments/{id}/answers/review",
    "report": "/assessments/{id}",
    "revisions": "/assessments/{id}/revisions",
    "compare": "/assessments/{id}/compare?a=1&b=2",
    "what-if": "/assessments/{id}/what-if",
    "details": "/assessments/{id}/details",
    "delete-confirmation": "/assessments/{id}/delete",
    "assessment-without-revision": "/assessments/{draft}",
    "review-with-errors": "/assessments/{draft}/answers/review",
    "activity": "/assessments/{id}/activity",
    "scanner-results": "/assessments/{id}/scans",
    "workspaces": "/workspaces/",
    "my-work": "/my-work",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_violations(signed_in_page: Page, seeded: Seeded, name: str) -> None:
    page = signed_in_page
    url = PAGES[name].format(id=seeded.assessment_id, draft=seeded.draft_only_id)
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url} answered {response.status}"
    assert_accessible(page, name)


def test_what_if_with_a_preview_open(signed_in_page: Page, seeded: Seeded) -> None:
    """The what-if panel after a live preview has swapped in its comparison (issue 14)."""
    page = signed_in_page
    page.goto(f"/assessments/{seeded.assessment_id}/what-if")
    experience = page.get_by_label("Kubernetes security experience of the team")
    experience.select_option("novice" if experience.input_value() != "novice" else "expert")
    expect(page.locator("#whatif-result .lead")).not_to_have_text("Nothing would change.")
    assert_accessible(page, "what-if-preview")


def test_not_found_page(signed_in_page: Page, seeded: Seeded) -> None:
    page = signed_in_page
    response = page.goto("/assessments/999999")
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_contain_text("404")
    assert_accessible(page, "not-found")


def test_step_with_validation_errors(signed_in_page: Page, seeded: Seeded) -> None:
    page = signed_in_page
    page.goto(f"/assessments/{seeded.draft_only_id}/answers/namespaces")
    page.locator("#applications").fill("0")
    press(page, "next")
    expect(page).to_have_url(re.compile(r"/answers/namespaces$"))
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#applications")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "step-with-validation-errors")

    page.goto(f"/assessments/{seeded.draft_only_id}/answers/hosting")
    press(page, "next")
    expect(page.locator("#error-summary li")).to_have_count(2)
    assert_accessible(page, "step-with-required-answers-missing")


def test_new_assessment_with_validation_errors(signed_in_page: Page) -> None:
    page = signed_in_page
    page.goto("/assessments/new")
    page.get_by_role("button", name="Create and start the questionnaire").click()
    expect(page.locator(".errors")).to_contain_text("Give the assessment a title.")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()  # a keyboard or screen-reader user starts from the problems
    expect(summary.get_by_role("link")).to_have_text(["Title: Give the assessment a title."])
    summary.get_by_role("link").click()
    expect(page.locator("#title")).to_be_in_viewport()
    expect(page).to_have_title(re.compile("^Error: New assessment"))
    assert_accessible(page, "new-assessment-with-errors")


def test_mesh_step_with_zero_trust_hidden(signed_in_page: Page, seeded: Seeded) -> None:
    page = signed_in_page
    page.goto(f"/assessments/{seeded.draft_only_id}/answers/mesh")
    page.locator("#services").fill("1")
    expect(page.locator("#q-zero_trust")).to_be_hidden()
    assert_accessible(page, "step-mesh-zero-trust-hidden")


def test_login_page(page: Page, administrator: Account) -> None:
    """Signed out: the sign-in page, then again with the message of a failed sign-in."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator("h1")).to_have_text("Sign in")
    assert_accessible(page, "login")

    page.get_by_label("Email").fill("nobody@example.test")
    page.get_by_label("Password").fill("not the password at all")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in", exact=True).click()
    assert navigation.value is not None
    assert navigation.value.status == 401
    expect(page.get_by_role("alert")).to_contain_text("The email or password is not correct")
    assert_accessible(page, "login-failed")


def test_account_with_a_new_token(signed_in_page: Page) -> None:
    page = signed_in_page
    page.goto("/account")
    page.get_by_label("Token name").fill("CI gate")
    page.get_by_role("button", name="Create a token").click()
    expect(page.locator("code.secret")).to_have_text(re.compile(r"^adv_"))
    expect(page.locator("table tbody tr", has_text="CI gate")).to_be_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy the token").click()
    expect(page.get_by_role("status").filter(has_text="Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("code.secret").inner_text()
    assert_accessible(page, "account-with-new-token")


def test_users_with_a_one_time_password(signed_in_page: Page) -> None:
    page = signed_in_page
    page.goto("/admin/users")
    page.get_by_label("Email").fill("auditor@example.test")
    page.get_by_role("button", name="Create with a one-time password").click()
    expect(page.get_by_role("alert")).to_contain_text("One-time password for auditor@example.test")
    expect(page.locator("tbody tr", has_text="auditor@example.test")).to_contain_text("Must change password")
    assert_accessible(page, "admin-users-with-one-time-password")


def test_shared_workspace_with_a_member(signed_in_page: Page, seeded: Seeded, viewer: Viewer) -> None:
    page = signed_in_page
    page.goto(f"/workspaces/{seeded.workspace_id}")
    expect(page.locator("h1")).to_have_text(SHARED_WORKSPACE)
    expect(page.get_by_label(f"Role of {viewer.account.email}")).to_have_value("viewer")
    assert_accessible(page, "workspace-with-member")


def test_sharing_tab_with_a_new_link_and_the_shared_report(signed_in_page: Page, page: Page, seeded: Seeded) -> None:
    """The Sharing tab showing a new link (pinned to revision 1), then that link opened signed out."""
    owner = signed_in_page
    owner.goto(f"/assessments/{seeded.assessment_id}/sharing")
    owner.get_by_label("Label").fill("Accessibility reviewer")
    owner.get_by_label("Shows").select_option("1")
    with owner.expect_navigation():
        owner.get_by_role("button", name="Create a share link").click()
    secret = owner.locator("code.secret")
    expect(secret).to_have_text(re.compile(r"/share/"))
    expect(owner.get_by_role("button", name="Copy the link")).to_be_visible()
    expect(owner.locator("tbody tr", has_text="Accessibility reviewer")).to_contain_text("revision 1")
    assert_accessible(owner, "sharing-with-new-link")

    response = page.goto(secret.inner_text())
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("note").first).to_contain_text("Shared read-only for Accessibility reviewer")
    expect(page.get_by_role("button", name="Save status")).to_have_count(0)
    assert_accessible(page, "shared-report", full_page=False)  # the report again: its top differs


def test_forced_password_change(viewer: Viewer) -> None:
    violations = viewer.forced_change_violations
    assert not violations, "axe found serious or critical violations on the forced password change:\n" + (
        describe_violations(violations)
    )


def test_report_as_a_viewer(browser: Browser, live_server: LiveServer, seeded: Seeded, viewer: Viewer) -> None:
    context = new_context(browser, live_server, viewer.state)
    try:
        with watched(context.new_page()) as page:
            page.goto(f"/assessments/{seeded.assessment_id}")
            expect(page.locator("h1")).to_have_text("Accessibility audit")
            expect(page.locator(".meta").first).to_contain_text("your role: viewer")
            expect(page.get_by_role("button", name="Save status")).to_have_count(0)
            tabs = page.get_by_role("navigation", name="This assessment").get_by_role("link")
            expect(tabs).to_have_text(["Report", "Revisions (2)", "Scanner results", "Activity"])
            assert_accessible(page, "report-as-viewer", full_page=False)
    finally:
        context.close()
