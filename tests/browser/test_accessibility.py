"""axe-core on every distinct page: no violation of serious or critical impact.

axe-core is injected with `page.evaluate`, through DevTools, so the app's strict CSP (script-src 'self')
stays as it is. A screenshot of each page scanned is saved under test-artifacts/browser/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    BROWSER_TEST_SECONDS,
    STEPS,
    LiveServer,
    answer_step,
    axe_violations,
    choose,
    create_assessment,
    describe_violations,
    new_context,
    press,
    save_revision,
    snap,
    watched,
)

pytestmark = pytest.mark.timeout(BROWSER_TEST_SECONDS)


def assert_accessible(page: Page, name: str) -> None:
    """Scan the page as it is now, save its screenshot, and fail on serious or critical violations."""
    violations = axe_violations(page)
    snap(page, f"a11y-{name}")
    assert not violations, f"axe found serious or critical violations on {name} ({page.url}):\n" + describe_violations(
        violations
    )


@dataclass
class Seeded:
    assessment_id: int
    draft_only_id: int
    empty_dashboard_violations: list[dict[str, Any]]


@pytest.fixture(scope="module")
def seeded(browser: Browser, live_server: LiveServer) -> Iterator[Seeded]:
    """Scan the empty dashboard first, then make the data the other pages show, through the browser.

    One assessment with two revisions (hosting changed to air-gapped) and checklist statuses set;
    one with nothing saved but a draft.
    """
    context = new_context(browser, live_server)
    try:
        with watched(context.new_page()) as page:
            page.goto("/")
            expect(page.locator(".empty")).to_contain_text("No assessments yet")
            empty = axe_violations(page)
            snap(page, "a11y-dashboard-empty")

            assessment_id = create_assessment(page, "Accessibility audit", "Every page, scanned by axe-core.")
            for step in STEPS:
                answer_step(page, step)
                press(page, "next")
            save_revision(page, "Baseline")
            items = page.locator("section.checklist article.item")
            for index, status in enumerate(("done", "in_progress", "not_applicable", "accepted_risk")):
                item = items.nth(index)
                item.get_by_label("Status").select_option(status)
                item.get_by_label("Owner").fill("Security team")
                item.get_by_role("button", name="Save status").click()
                expect(item.locator(".save-state")).to_have_text("Saved.")

            page.goto(f"/assessments/{assessment_id}/answers/hosting")
            choose(page, "Must the clusters be air-gapped?", "Yes")
            press(page, "next")
            page.goto(f"/assessments/{assessment_id}/answers/review")
            save_revision(page, "Air-gapped")

            draft_only_id = create_assessment(page, "Draft only")
            answer_step(page, "context")
            press(page, "draft")
        yield Seeded(assessment_id, draft_only_id, empty)
    finally:
        context.close()


def test_axe_finds_a_planted_violation(page: Page, seeded: Seeded) -> None:
    """The scan is not vacuous: under the app's CSP, axe-core still runs and reports what is wrong."""
    response = page.goto("/assessments/new")
    assert response is not None
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    page.locator("main").evaluate(
        "main => main.append(Object.assign(document.createElement('a'), {href: '#'}))"
    )  # no name
    violations = axe_violations(page)
    assert [v["id"] for v in violations] == ["link-name"], describe_violations(violations)


def test_dashboard_empty(seeded: Seeded) -> None:
    violations = seeded.empty_dashboard_violations
    assert not violations, "axe found serious or critical violations on the empty dashboard:\n" + describe_violations(
        violations
    )


PAGES = {
    "dashboard-with-data": "/",
    "dashboard-filtered": "/?q=nothing-matches&show=all&since=not-a-date",
    "new-assessment": "/assessments/new",
    **{f"step-{i + 1}-{step}": f"/assessments/{{id}}/answers/{step}" for i, step in enumerate(STEPS)},
    "review": "/assessments/{id}/answers/review",
    "report": "/assessments/{id}",
    "revisions": "/assessments/{id}/revisions",
    "compare": "/assessments/{id}/compare?a=1&b=2",
    "details": "/assessments/{id}/details",
    "delete-confirmation": "/assessments/{id}/delete",
    "assessment-without-revision": "/assessments/{draft}",
    "review-with-errors": "/assessments/{draft}/answers/review",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_violations(page: Page, seeded: Seeded, name: str) -> None:
    url = PAGES[name].format(id=seeded.assessment_id, draft=seeded.draft_only_id)
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url} answered {response.status}"
    assert_accessible(page, name)


def test_not_found_page(page: Page, seeded: Seeded) -> None:
    response = page.goto("/assessments/999999")
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_contain_text("404")
    assert_accessible(page, "not-found")


def test_step_with_validation_errors(page: Page, seeded: Seeded) -> None:
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


def test_new_assessment_with_validation_errors(page: Page, seeded: Seeded) -> None:
    page.goto("/assessments/new")
    page.get_by_role("button", name="Create and start the questionnaire").click()
    expect(page.locator(".errors")).to_contain_text("Give the assessment a title.")
    assert_accessible(page, "new-assessment-with-errors")


def test_mesh_step_with_zero_trust_hidden(page: Page, seeded: Seeded) -> None:
    page.goto(f"/assessments/{seeded.draft_only_id}/answers/mesh")
    page.locator("#services").fill("1")
    expect(page.locator("#q-zero_trust")).to_be_hidden()
    assert_accessible(page, "step-mesh-zero-trust-hidden")
