"""The starter policy bundle's form on the report (issue 17), in a real browser: names that cannot be Kubernetes names
bring the form back with what was typed, the error summary focused, and nothing serious for axe. The downloads
themselves are tested through Flask's client (tests/test_bundle_downloads.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    BROWSER_TEST_SECONDS,
    answered_assessment,
    axe_violations,
    describe_violations,
    snap,
    watched,
)

pytestmark = pytest.mark.timeout(BROWSER_TEST_SECONDS)


def test_refused_names_come_back_as_typed(signed_in_page: Page) -> None:
    page = signed_in_page
    assessment_id = answered_assessment(page, "Starter bundle")
    with watched(page):
        form = page.locator("details.bundle")
        expect(form.get_by_label("Team names (optional)")).to_be_hidden()  # folded until asked for
        form.locator("summary").click()
        form.get_by_label("Team names (optional)").fill("Payments API\nidentity")
        form.get_by_label("Application names (optional)").fill("checkout, search")
        form.get_by_role("button", name="Download the bundle (zip)").click()

        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("team names are letters, digits and “-”")
        expect(summary).to_contain_text("not “Payments API”")
        expect(page.get_by_label("Team names (optional)")).to_have_value("Payments API\nidentity")
        expect(page.get_by_label("Application names (optional)")).to_have_value("checkout, search")
        assert f"/assessments/{assessment_id}/bundle?" in page.url
        snap(page, "bundle-1-refused-names", full_page=False)
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)

        summary.get_by_role("link").click()
        expect(page.get_by_label("Team names (optional)")).to_be_focused()
