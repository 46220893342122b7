"""What-if in the browser: the panel previews while people change answers, and saves them as a revision."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    answered_assessment,
    snap,
)


def test_what_if_previews_a_changed_decision_and_saves_it(signed_in_page: Page) -> None:
    page = signed_in_page
    assessment_id = answered_assessment(page, "What-if in the room")
    hosting = page.locator("#decision-hosting")
    expect(hosting).to_be_visible()

    page.get_by_role("link", name="What if…? Try other answers").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/what-if$"))
    result = page.locator("#whatif-result .whatif-body")
    expect(result.locator(".lead")).to_have_text("Nothing would change.")
    snap(page, "whatif-1-start")

    # no button pressed: the script previews as soon as the answer changes
    page.get_by_label("Kubernetes security experience of the team").select_option("expert")
    expect(result.locator(".lead")).to_contain_text(re.compile(r"decisions? would change: Hosting"))
    expect(result.locator("tr.changed").first).to_be_visible()
    form_box = page.locator("form.whatif-form").bounding_box()
    result_box = page.locator("#whatif-result").bounding_box()
    assert form_box is not None
    assert result_box is not None
    assert form_box["x"] + form_box["width"] <= result_box["x"], "the answers and the comparison sit side by side"
    snap(page, "whatif-2-expert-team")
    assert "/what-if" in page.url, "previewing does not leave the page"

    page.get_by_label("Label of the new revision (optional)").fill("Expert team")
    with page.expect_navigation():
        page.get_by_role("button", name="Save as a new revision").click()
    expect(page.locator(".flash")).to_contain_text("Saved as revision 2")
    expect(page.locator("h1")).to_contain_text("What-if in the room")
    snap(page, "whatif-3-saved")
