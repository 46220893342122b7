"""Governed risk acceptance in a real browser (issue 15): one owner asks to accept a risk, with why and until when;
the report offers them only to withdraw it; another owner of the workspace approves it; axe finds nothing serious."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    BROWSER_TEST_SECONDS,
    Account,
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

pytestmark = pytest.mark.timeout(BROWSER_TEST_SECONDS)

SECOND_OWNER = "approver@example.com"
WORKSPACE = "Card payments"


def _second_owner(page: Page) -> Account:
    """A second account, made on /admin/users with a one-time password, added to a new workspace as an owner;
    the workspace's id is in the page's address afterwards."""
    page.goto("/admin/users")
    page.get_by_label("Email").fill(SECOND_OWNER)
    page.get_by_role("button", name="Create with a one-time password").click()
    secret = page.locator("code.secret")
    expect(secret).to_have_text(re.compile(r"^\S{12,}$"))
    one_time = secret.inner_text()
    page.goto("/workspaces/")
    page.get_by_label("Workspace name").fill(WORKSPACE)
    with page.expect_navigation():
        page.get_by_role("button", name="Create workspace").click()
    page.get_by_label("Email", exact=True).fill(SECOND_OWNER)
    page.get_by_label("Role", exact=True).select_option("owner")
    page.get_by_role("button", name="Add member").click()
    expect(page.locator(".flash")).to_contain_text(f"{SECOND_OWNER} added as owner")
    return Account(SECOND_OWNER, one_time)


def test_an_acceptance_is_asked_by_one_owner_and_approved_by_another(
    browser: Browser, live_server: LiveServer, admin_state: StorageState
) -> None:
    asker = new_context(browser, live_server, admin_state)
    approver = new_context(browser, live_server)
    try:
        with watched(asker.new_page()) as page:
            second = _second_owner(page)
            assessment_id = answered_assessment(page, "Card vault", workspace=WORKSPACE)

            item = page.locator("section.checklist article.item").first
            item_id = (item.get_attribute("id") or "").removeprefix("item-")
            justification = item.get_by_label("Justification")
            expect(justification).to_be_hidden()  # shown only for "Risk accepted"
            item.get_by_label("Status").select_option("accepted_risk")
            expect(justification).to_be_visible()
            item.get_by_role("button", name="Save status").click()
            expect(item.locator(".save-state")).to_contain_text("a justification is needed")

            justification.fill("The WAF rule blocks the path until the vendor's fix ships in Q3.")
            until = dt.date.today() + dt.timedelta(days=120)
            item.get_by_label("Accepted until").fill(until.isoformat())
            item.get_by_role("button", name="Save status").click()
            expect(item.locator(".save-state")).to_have_text(re.compile(r"^Saved: Acceptance requested"))
            expect(item.locator(f'.badge[data-status-of="{item_id}"]')).to_have_text("Acceptance requested")

            page.reload()
            block = page.locator(f'[data-acceptance-of="{item_id}"]')
            expect(block).to_contain_text("it counts as open until another owner of the workspace approves it")
            expect(block.get_by_role("button", name="Withdraw")).to_be_visible()
            expect(block.get_by_role("button", name="Approve the acceptance")).to_have_count(0)
            snap(page, "acceptance-1-requested", full_page=False)

        with watched(approver.new_page()) as page:
            sign_in(page, second)
            page.get_by_label("Current password").fill(second.password)
            page.get_by_label("New password", exact=True).fill("amber violet harbour 2044")
            page.get_by_label("Repeat the new password").fill("amber violet harbour 2044")
            with page.expect_navigation():
                page.get_by_role("button", name="Change password").click()

            page.goto(f"/assessments/{assessment_id}#item-{item_id}")
            block = page.locator(f'[data-acceptance-of="{item_id}"]')
            with page.expect_navigation():
                block.get_by_role("button", name="Approve the acceptance").click()
            expect(page.locator(".flash")).to_contain_text("Acceptance approved.")
            block = page.locator(f'[data-acceptance-of="{item_id}"]')
            expect(block).to_contain_text(f"Risk accepted until {until.isoformat()}, approved by {SECOND_OWNER}")
            expect(page.locator(f'.badge[data-status-of="{item_id}"]').first).to_have_text("Risk accepted")
            snap(page, "acceptance-2-approved", full_page=False)
            violations = axe_violations(page)
            assert not violations, describe_violations(violations)

            page.goto(f"/assessments/{assessment_id}/activity")
            expect(page.locator("main")).to_contain_text("acceptance approved")
            expect(page.locator("main")).to_contain_text("acceptance requested")
    finally:
        approver.close()
        asker.close()
