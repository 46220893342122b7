"""A full planning session in a real browser, from the first-run administrator page on: create the
administrator, sign out and in again, then create, answer, report, statuses, edit, compare, print, share.

Each page visited is saved as a screenshot under test-artifacts/browser/, and the printed report as a PDF.
"""

from __future__ import annotations

import io
import re
import unicodedata
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import (
    ADMIN,
    ARTIFACTS,
    BROWSER_TEST_SECONDS,
    STEPS,
    LiveServer,
    answer_step,
    choose,
    create_assessment,
    new_context,
    press,
    save_revision,
    set_up_administrator,
    sign_in,
    sign_out,
    snap,
    status_of,
    watched,
)

pytestmark = pytest.mark.timeout(BROWSER_TEST_SECONDS)

TITLE = "Payments platform 2027"
DESCRIPTION = "Kubernetes for the card-payment services, planned with the platform team."
STEP_TITLES = {
    "context": "Team and data",
    "hosting": "Hosting",
    "clusters": "Clusters",
    "namespaces": "Applications and namespaces",
    "mesh": "Service-to-service traffic",
    "tools": "Monitoring and security tools",
    "priorities": "Priorities",
}
# What the engine recommends for the session's answers (see STEP_CHOICES in conftest.py).
RECOMMENDED = {
    "hosting": "Managed Kubernetes service",
    "clusters": "One cluster",
    "namespaces": "One namespace per application and environment",
    "service_mesh": "No service mesh",
    "tool_integration": "Stream data out to external tools",
}


def _recommendation(page: Page, decision: str) -> str:
    return page.locator(f"#decision-{decision} .recommended").inner_text()


def _answer_questionnaire(page: Page, assessment_id: int) -> None:
    for index, step in enumerate(STEPS):
        expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/answers/{step}$"))
        expect(page.locator("h1")).to_have_text(f"Step {index + 1} of {len(STEPS)}: {STEP_TITLES[step]}")
        expect(page.locator('nav.steps [aria-current="step"]')).to_contain_text(STEP_TITLES[step])
        answer_step(page, step)
        snap(page, f"session-02-step-{index + 1}-{step}")
        if step == "hosting":
            # Going back keeps what was typed: the draft is saved on every button.
            press(page, "back")
            expect(page).to_have_url(re.compile(r"/answers/context$"))
            expect(page.get_by_role("radio", name="Novice", exact=True)).to_be_checked()
            press(page, "next")
            expect(page.get_by_role("radio", name="Public cloud", exact=True)).to_be_checked()
            expect(page.get_by_role("group", name="air-gapped").get_by_role("radio", name="No")).to_be_checked()
        press(page, "next")
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/answers/review$"))


def _check_report(page: Page, revision: int) -> int:
    """The report's summary, decisions with charts and checklist; returns the number of checklist items."""
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(".description")).to_have_text(DESCRIPTION)
    expect(page.locator(".summary .meta")).to_contain_text(f"Revision {revision}")
    expect(page.locator(".summary .lead")).not_to_be_empty()
    decisions = page.locator("article.decision")
    expect(decisions).to_have_count(len(RECOMMENDED))
    for decision in RECOMMENDED:
        expect(page.locator(f"#decision-{decision} figure svg")).to_have_count(1)
    expect(page.get_by_role("heading", name="Checklist", exact=True)).to_be_visible()
    items = page.locator("section.checklist article.item")
    count = items.count()
    assert count > 10, f"the checklist shows only {count} items"
    expect(page.locator("section.checklist section.topic").first.locator("h3")).not_to_be_empty()
    expect(page.locator(".progress-block")).to_contain_text(f"of {count} checklist items done")
    return count


def _first_run_and_sign_in(page: Page, server: LiveServer) -> None:
    """A new instance opens on the first-run page; create the administrator, sign out, sign in again."""
    response = page.goto("/")
    assert response is not None
    assert response.request.redirected_from is not None, "/ did not redirect"
    expect(page).to_have_url(f"{server.url}/setup")
    expect(page.locator("h1")).to_have_text("Create the administrator")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    snap(page, "session-00-setup")
    set_up_administrator(page, ADMIN)
    expect(page.locator(".empty")).to_contain_text("No assessments yet")
    assert status_of(server, "/setup") == 404, "/setup is still there after the administrator was made"

    sign_out(page)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))  # back to the dashboard after signing in
    snap(page, "session-00-login")
    sign_in(page, ADMIN)
    expect(page).to_have_url(re.compile(r"/\??$"))


def _share_and_revoke(page: Page, browser: Browser, server: LiveServer, item_id: str) -> None:
    """Make a read-only link on the Sharing tab, open it signed out, revoke it: it then answers 404."""
    tabs = page.get_by_role("navigation", name="This assessment")
    tabs.get_by_role("link", name="Report").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"))
    tabs.get_by_role("link", name="Sharing").click()
    expect(page.locator("h2").first).to_have_text("Read-only share links")
    page.get_by_label("Label").fill("External auditor")
    expect(page.get_by_label("Shows")).to_have_value("latest")
    page.get_by_label("Valid for (days)").fill("7")
    with page.expect_navigation():
        page.get_by_role("button", name="Create a share link").click()
    secret = page.locator("code.secret")
    expect(secret).to_have_text(re.compile(rf"^{re.escape(server.url)}/share/[\w-]{{20,}}$"))
    url = secret.inner_text()
    row = page.locator("table tbody tr", has_text="External auditor")
    expect(row).to_contain_text("latest revision")
    snap(page, "session-11-share-link")

    # Signed out, in a browser profile of its own: the report, read-only.
    anonymous = new_context(browser, server)
    try:
        with watched(anonymous.new_page()) as shared:
            response = shared.goto(url)
            assert response is not None
            assert response.status == 200, f"the share link answered {response.status}"
            expect(shared.locator("h1")).to_have_text(TITLE)
            expect(shared.get_by_role("note")).to_contain_text("Shared read-only for External auditor")
            expect(shared.locator(".summary .meta")).to_contain_text("Revision 2")
            expect(shared.locator("article.decision")).to_have_count(len(RECOMMENDED))
            expect(shared.get_by_role("button", name="Save status")).to_have_count(0)
            expect(shared.locator("form[method=post]")).to_have_count(0)  # the checklist filter (GET) only
            expect(shared.locator("nav.tabs")).to_have_count(0)
            expect(shared.get_by_role("navigation", name="Main")).to_have_count(0)
            expect(shared.locator(f"#item-{item_id}")).to_contain_text("owner Platform team")
            snap(shared, "session-12-shared-report", full_page=False)

            # Revoke it on the Sharing tab: the same link now finds nothing.
            row.get_by_role("button", name="Revoke External auditor").click()
            expect(page.locator(".flash")).to_contain_text("Link revoked")
            expect(page.locator("code.secret")).to_have_count(0)
            expect(row.locator("td").last).to_have_text("revoked")
            expect(row.get_by_role("button")).to_have_count(0)
            snap(page, "session-13-share-link-revoked")
            response = shared.goto(url)
            assert response is not None
            assert response.status == 404, f"the revoked link answered {response.status}"
            expect(shared.locator("h1")).to_contain_text("404")
            expect(shared.locator("body")).not_to_contain_text(TITLE)
            snap(shared, "session-14-revoked-link")
    finally:
        anonymous.close()


def test_full_planning_session(browser: Browser, fresh_server: LiveServer, fresh_page: Page) -> None:
    page = fresh_page
    _first_run_and_sign_in(page, fresh_server)

    # The dashboard has nothing on it yet.
    expect(page.locator(".empty")).to_contain_text("No assessments yet")
    snap(page, "session-01-dashboard-empty")

    # Create the assessment, in the personal workspace; the questionnaire opens on its first step.
    page.get_by_role("link", name="New assessment").first.click()
    expect(page.locator("h1")).to_have_text("New assessment")
    expect(page.get_by_label("Workspace").locator("option:checked")).to_have_text(f"{ADMIN.email} (personal)")
    snap(page, "session-01-new-assessment")
    assessment_id = create_assessment(page, TITLE, DESCRIPTION)
    _answer_questionnaire(page, assessment_id)

    # Review the answers, then evaluate and save revision 1.
    expect(page.locator("h1")).to_have_text("Check your answers")
    review = page.locator("section.review-step")
    expect(review).to_have_count(len(STEPS))
    expect(page.locator("#review-hosting + dl")).to_contain_text("Public cloud")
    expect(page.locator("#review-context + dl")).to_contain_text("Novice")
    expect(page.locator("#review-namespaces + dl")).to_contain_text("5")
    snap(page, "session-03-review")
    save_revision(page, "Design review")

    # The report names every recommended alternative and shows the checklist.
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}$"))
    for decision, label in RECOMMENDED.items():
        assert f"Recommended: {label}" in _recommendation(page, decision)
    items_before = _check_report(page, revision=1)
    snap(page, "session-04-report-revision-1")

    # Set a status: saved in place by the script, without reloading the page.
    item = page.locator("section.checklist article.item").nth(1)
    item_id = (item.get_attribute("id") or "").removeprefix("item-")
    item_title = item.locator("h4").inner_text()
    page.evaluate("window.__sameDocument = true")
    item.get_by_label("Status").select_option("done")
    item.get_by_label("Owner").fill("Platform team")
    item.get_by_label("Note").fill("Checked in the staging cluster.")
    item.get_by_role("button", name="Save status").click()
    expect(item.locator(".save-state")).to_have_text("Saved.")
    assert page.evaluate("window.__sameDocument === true"), "saving the status reloaded the page"
    expect(item.locator(".item-meta .badge.status-done")).to_have_text("Done")
    snap(page, "session-05-status-saved")

    # After a reload the status is still there.
    page.reload()
    item = page.locator(f"#item-{item_id}")
    expect(item.get_by_label("Status")).to_have_value("done")
    expect(item.get_by_label("Owner")).to_have_value("Platform team")
    expect(item.get_by_label("Note")).to_have_value("Checked in the staging cluster.")
    expect(page.locator(".progress-block")).to_contain_text(f"1 of {items_before} checklist items done")

    # In print the forms and navigation are hidden, and the owner and note are printed instead.
    page.emulate_media(media="print")
    for hidden in ("header.site", "header.site nav", "nav.tabs", ".topic-index", ".manage", "footer.site"):
        assert page.locator(hidden).first.is_hidden(), f"{hidden} is shown in print"
    assert all(form.is_hidden() for form in page.locator("form.status-form").all()[:5]), "status forms print"
    expect(item.locator(".print-only")).to_contain_text("Platform team")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=ARTIFACTS / "session-06-report.pdf", format="A4", print_background=True)
    page.emulate_media(media="screen")
    expect(page.locator("form.status-form").first).to_be_visible()
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 2
    text = " ".join(p.extract_text() or "" for p in reader.pages)
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))  # NFKC: the "ﬁ" ligature back to "fi"
    for expected in (TITLE, "Checklist", "Recommended: Managed Kubernetes service", item_title, "Platform team"):
        assert expected in text, f"the printed report lacks {expected!r}"
    assert "Save status" not in text, "the printed report shows the status forms"

    # Edit the answers: the questionnaire opens with revision 1's answers; make the clusters air-gapped.
    page.get_by_role("navigation", name="This assessment").get_by_role("link", name="Edit answers").click()
    expect(page).to_have_url(re.compile(r"/answers/context$"))
    expect(page.get_by_role("radio", name="Novice", exact=True)).to_be_checked()
    press(page, "next")
    expect(page.get_by_role("radio", name="Public cloud", exact=True)).to_be_checked()
    choose(page, "Must the clusters be air-gapped?", "Yes")
    snap(page, "session-07-edit-hosting")
    press(page, "next")
    # the step list's buttons save what the page holds before going on
    page.get_by_role("navigation", name="Questionnaire steps").get_by_role("button", name="Review and save").click()
    expect(page.locator("#review-hosting + dl")).to_contain_text("Yes")
    expect(page.get_by_role("button", name="Evaluate and save as revision 2")).to_be_enabled()
    save_revision(page, "Air-gapped")

    # Revision 2: self-managed hosting, since a managed service cannot be air-gapped.
    assert "Recommended: Self-managed Kubernetes" in _recommendation(page, "hosting")
    expect(page.locator("#decision-hosting ul.alternatives")).to_contain_text("excluded")
    _check_report(page, revision=2)
    expect(page.get_by_role("link", name="Revisions (2)")).to_be_visible()
    snap(page, "session-08-report-revision-2")

    # Compare the two revisions: the changed answer and the changed hosting decision.
    page.get_by_role("link", name="Revisions (2)").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("#a-1")).to_be_checked()
    expect(page.locator("#b-2")).to_be_checked()
    snap(page, "session-09-revisions")
    page.get_by_role("button", name="Compare the chosen revisions").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/compare\?"))
    assert parse_qs(urlsplit(page.url).query) == {"a": ["1"], "b": ["2"]}
    answers = page.locator("section[aria-labelledby=diff-answers] tbody tr")
    expect(answers).to_have_count(2)  # the air gap, and the egress that follows it when left unanswered
    expect(answers.locator("th")).to_have_text(
        ["Must the clusters be air-gapped?", "Outbound traffic from the clusters"]
    )
    expect(answers.nth(0).locator("td")).to_have_text(["No", "Yes"])
    expect(answers.nth(1).locator("td")).to_have_text(["Open", "None"])
    hosting = page.locator("section[aria-labelledby=diff-decisions] tbody tr").filter(
        has=page.get_by_role("rowheader", name=re.compile("^Hosting"))
    )
    expect(hosting.locator("th")).to_contain_text("changed")
    managed = page.locator("section[aria-labelledby=diff-decisions] tr", has_text="Managed Kubernetes service")
    self_managed = page.locator("section[aria-labelledby=diff-decisions] tr", has_text="Self-managed Kubernetes")
    expect(managed.locator("td").nth(1)).to_contain_text("recommended")
    expect(managed.locator("td").nth(2)).to_have_text("excluded")
    expect(self_managed.locator("td").nth(2)).to_contain_text("recommended")
    snap(page, "session-10-compare")

    # Share the report read-only, open it signed out, revoke the link.
    _share_and_revoke(page, browser, fresh_server, item_id)

    # The Activity tab lists who did what, newest first.
    page.get_by_role("navigation", name="This assessment").get_by_role("link", name="Activity").click()
    events = page.locator("table.activity tbody tr")
    actions = page.locator("table.activity tbody td:nth-child(3)").all_inner_texts()
    for action in ("revised", "status changed", "shared", "share revoked"):
        assert action in actions, f"the activity lacks {action!r}: {actions}"
    assert actions[0] == "share revoked", actions
    assert actions.count("revised") == 2, actions
    expect(events.filter(has_text="status changed")).to_contain_text(ADMIN.email)
    expect(events.filter(has_text="status changed")).to_contain_text("status: To do → Done")
    snap(page, "session-15-activity")

    # The dashboard lists the assessment with its latest recommendation.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessments").click()
    row = page.locator("table.assessments tbody tr", has_text=TITLE)
    expect(row).to_contain_text("Self-managed Kubernetes")
    expect(row).to_contain_text("2 · Air-gapped")
    snap(page, "session-16-dashboard")


def test_zero_trust_question_follows_the_number_of_services(signed_in_page: Page) -> None:
    page = signed_in_page
    assessment_id = create_assessment(page, "Mesh question")
    page.goto(f"/assessments/{assessment_id}/answers/mesh")
    question = page.locator("#q-zero_trust")
    radios = question.locator("input[type=radio]")
    expect(question).to_be_visible()  # not answered yet: the question stays
    page.locator("#services").fill("1")
    expect(question).to_be_hidden()
    expect(radios.first).to_be_disabled()
    snap(page, "zero-trust-hidden")
    page.locator("#services").fill("2")
    expect(question).to_be_visible()
    expect(radios.first).to_be_enabled()
    page.locator("#services").fill("40")
    expect(question).to_be_visible()
    snap(page, "zero-trust-shown")
    # A hidden question is not sent: one service goes through without a zero-trust answer.
    page.locator("#services").fill("1")
    press(page, "next")
    expect(page).to_have_url(re.compile(r"/answers/tools$"))
