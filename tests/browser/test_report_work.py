"""The report as a place to work (issue 14): filter the checklist in place, counts that follow each save, a
warning before leaving unsaved changes, and links to single items."""

from __future__ import annotations

import io
import re

from playwright.sync_api import Dialog, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import answered_assessment, snap


def test_filter_counts_unsaved_warning_and_item_links(signed_in_page: Page) -> None:
    page = signed_in_page
    assessment_id = answered_assessment(page, "Working the checklist")
    items = page.locator("section.checklist article.item")
    total = items.count()
    shown = page.locator(".shown-count [data-shown]")
    expect(shown).to_have_text(str(total))

    # filtering happens in place, and the address keeps the filter
    page.get_by_label("Priority", exact=True).select_option("critical")
    critical = page.locator("section.checklist article.item:not([hidden])")
    expect(shown).to_have_text(str(critical.count()))
    assert 0 < critical.count() < total
    for index in range(critical.count()):
        expect(critical.nth(index)).to_have_attribute("data-priority", "critical")
    assert "priority=critical" in page.url
    snap(page, "report-work-1-filtered", full_page=False)

    # a save in place moves the counters without a reload
    label = page.locator("#progress-label")
    expect(label).to_contain_text(f"0 of {total}")
    first = page.locator(f"#{critical.first.get_attribute('id')}")
    first.get_by_label("Status").select_option("done")
    expect(first.locator(".save-state")).to_have_text("Not saved yet.")
    first.get_by_role("button", name="Save status").click()
    expect(first.locator(".save-state")).to_have_text("Saved.")
    expect(label).to_contain_text(f"1 of {total}")
    page.get_by_label("Status", exact=True).first.select_option("open")  # the filter's own Status
    expect(first).to_be_hidden()

    # an unsaved change asks before the page is left; staying keeps it
    page.get_by_label("Status", exact=True).first.select_option("")
    page.get_by_label("Priority", exact=True).select_option("")
    second = page.locator(f"#{items.nth(1).get_attribute('id')}")
    second.get_by_label("Owner").fill("Platform team")
    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessments").click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}"))
    expect(second.get_by_label("Owner")).to_have_value("Platform team")

    # a link to one item opens its folded details
    item_id = second.get_attribute("id")
    second.get_by_role("button", name="Save status").click()
    expect(second.locator(".save-state")).to_have_text("Saved.")
    page.goto(f"/assessments/{assessment_id}#{item_id}")
    expect(page.locator(f"#{item_id} details.item-details")).to_have_attribute("open", "")
    snap(page, "report-work-2-linked-item", full_page=False)


def test_bulk_update_of_the_filtered_items(signed_in_page: Page) -> None:
    page = signed_in_page
    answered_assessment(page, "Bulk update")
    page.get_by_label("Priority", exact=True).select_option("critical")
    shown = page.locator("section.checklist article.item:not([hidden])")
    count = shown.count()
    assert count > 1
    page.get_by_role("button", name="Tick every item shown").click()
    page.get_by_label("Set status to").select_option("in_progress")
    page.get_by_label("Set owner to").fill("Security team")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply to the ticked items").click()
    expect(page.locator(".flash")).to_contain_text(f"{count} items updated.")
    critical = page.locator('section.checklist article.item[data-priority="critical"]')
    for index in range(critical.count()):
        expect(critical.nth(index)).to_have_attribute("data-status", "in_progress")
        expect(critical.nth(index)).to_have_attribute("data-owner", "Security team")
    expect(page.locator('section.checklist article.item[data-status="in_progress"]')).to_have_count(count)
    snap(page, "report-work-3-bulk-updated", full_page=False)


def test_the_browser_print_of_a_report_is_no_longer_than_the_pdf_export_plus_two_pages(signed_in_page: Page) -> None:
    page = signed_in_page
    assessment_id = answered_assessment(page, "Printed report")
    exported = page.request.get(f"/assessments/{assessment_id}/export?format=pdf")
    assert exported.status == 200
    pdf_pages = len(PdfReader(io.BytesIO(exported.body())).pages)
    page.goto(f"/assessments/{assessment_id}")
    printed = len(PdfReader(io.BytesIO(page.pdf(format="A4"))).pages)
    assert printed <= pdf_pages + 2, (printed, pdf_pages)
