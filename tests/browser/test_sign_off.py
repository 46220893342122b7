"""Sign-off in a real browser (issue 16): the author signs the revision off as its assessor, is told another owner
approves it, and a second owner approves it; the report then says the decisions are accepted; axe finds nothing
serious on either page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import (
    BROWSER_TEST_SECONDS,
    LiveServer,
    StorageState,
    answered_assessment,
    axe_violations,
    describe_violations,
    new_context,
    sign_in,
    snap,
    watched,
)
from tests.browser.test_acceptance import SECOND_OWNER, WORKSPACE, _second_owner

pytestmark = pytest.mark.timeout(BROWSER_TEST_SECONDS)


def test_the_assessor_signs_off_and_another_owner_approves(
    browser: Browser, live_server: LiveServer, admin_state: StorageState
) -> None:
    author = new_context(browser, live_server, admin_state)
    approver = new_context(browser, live_server)
    try:
        with watched(author.new_page()) as page:
            second = _second_owner(page)
            assessment_id = answered_assessment(page, "Card vault sign-off", workspace=WORKSPACE)
            panel = page.locator("#sign-off")
            expect(panel).to_contain_text("Not signed off")
            panel.get_by_label("Statement (optional)").fill("Answers checked against the cluster inventory.")
            with page.expect_navigation():
                panel.get_by_role("button", name="Sign off revision 1 as assessor").click()
            expect(page.locator(".flash")).to_contain_text("Revision signed off.")
            panel = page.locator("#sign-off")
            expect(panel).to_contain_text("Signed off, not approved")
            expect(panel).to_contain_text("Answers checked against the cluster inventory.")
            expect(panel).to_contain_text("You saved this revision: another owner of the workspace approves it.")
            expect(panel.get_by_role("button")).to_have_count(0)
            violations = axe_violations(page)
            assert not violations, describe_violations(violations)

        with watched(approver.new_page()) as page:
            sign_in(page, second)
            page.get_by_label("Current password").fill(second.password)
            page.get_by_label("New password", exact=True).fill("amber violet harbour 2044")
            page.get_by_label("Repeat the new password").fill("amber violet harbour 2044")
            with page.expect_navigation():
                page.get_by_role("button", name="Change password").click()
            page.goto(f"/assessments/{assessment_id}#sign-off")
            panel = page.locator("#sign-off")
            panel.get_by_label("Statement (optional)").fill("Approved for the card-data environment.")
            with page.expect_navigation():
                panel.get_by_role("button", name="Approve revision 1").click()
            expect(page.locator(".flash")).to_contain_text("Revision approved: its decisions are accepted.")
            panel = page.locator("#sign-off")
            expect(panel.locator(".badge")).to_have_text("Approved")
            expect(panel).to_contain_text(SECOND_OWNER)
            expect(panel).to_contain_text("Approved for the card-data environment.")
            snap(page, "sign-off-approved", full_page=False)
            violations = axe_violations(page)
            assert not violations, describe_violations(violations)
            page.goto(f"/assessments/{assessment_id}/activity")
            expect(page.locator("main")).to_contain_text("revision approved")
    finally:
        approver.close()
        author.close()
