"""Scanner reports imported in a real browser (issue 15): upload → preview → confirm on the "Scanner results" tab.

An owner marks an item "Not applicable", uploads a Polaris report that fails it, sees the preview flag the item
"Scanner disagrees", confirms, and finds the import listed and the flag and the scan evidence on the report. A
Checkov report, which names neither cluster nor scan time, is refused until they are given: the error summary takes
the focus and what was typed stays. axe finds nothing serious on the scans page, the preview, or the refusal.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    BROWSER_TEST_SECONDS,
    ROOT,
    answered_assessment,
    axe_violations,
    describe_violations,
    snap,
)

pytestmark = pytest.mark.timeout(BROWSER_TEST_SECONDS)

REPORTS = ROOT / "tests" / "fixtures" / "scanners"
PSA = "psa-restricted-enforce"  # failed by polaris-cluster.json (privileged and host-namespace checks)


def assert_accessible(page: Page, name: str) -> None:
    """Scan the page as it is now, save its screenshot, and fail on serious or critical violations."""
    violations = axe_violations(page)
    snap(page, f"scans-{name}")
    assert not violations, f"axe found serious or critical violations on {name} ({page.url}):\n" + describe_violations(
        violations
    )


def open_scans_tab(page: Page, assessment_id: int) -> None:
    with page.expect_navigation():
        page.get_by_role("navigation", name="This assessment").get_by_role("link", name="Scanner results").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/scans$"))
    expect(page.get_by_role("heading", name="Scanner results", exact=True)).to_be_visible()


def upload(page: Page, report: str) -> None:
    """Choose the fixture report in the upload form and ask for the preview."""
    page.get_by_label("Scanner reports (JSON)").set_input_files(REPORTS / report)
    with page.expect_navigation():
        page.get_by_role("button", name="Preview the import").click()


def import_button(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Import", exact=True).click()


def test_a_scan_that_fails_an_item_marked_not_applicable_is_flagged(signed_in_page: Page) -> None:
    page = signed_in_page
    assessment_id = answered_assessment(page, "Staging cluster")

    item = page.locator(f"#item-{PSA}")
    item.get_by_label("Status").select_option("not_applicable")
    item.get_by_label("Note").fill("Only our own operators run pods here")  # a not applicable item says why
    item.get_by_role("button", name="Save status").click()
    expect(item.locator(".save-state")).to_have_text("Saved.")
    expect(page.locator(f"div.scanner-disagrees[data-disagrees-of='{PSA}']")).to_have_count(0)

    open_scans_tab(page, assessment_id)
    expect(page.locator("section", has=page.locator("#imports-title"))).to_contain_text("None yet.")
    assert_accessible(page, "1-empty")

    upload(page, "polaris-cluster.json")
    expect(page).to_have_title(re.compile(r"^Preview: Scanner results · Staging cluster"))
    expect(page.get_by_role("heading", name="Preview: nothing is imported until you confirm")).to_be_visible()
    reports = page.locator("table.scan-reports tbody tr")
    expect(reports).to_have_count(1)
    expect(reports).to_contain_text("polaris-cluster.json")
    expect(reports).to_contain_text("Polaris")
    expect(reports).to_contain_text("staging")
    expect(reports).to_contain_text("2025-05-06 07:08 UTC")
    row = page.locator(f"tr[data-preview-of='{PSA}']")
    expect(row).to_contain_text("Not applicable")
    expect(row.locator(".badge.status-disagrees")).to_have_text("Scanner disagrees")
    expect(page.locator("tr[data-preview-of] .status-disagrees")).to_have_count(1)  # the items still to do: not flagged
    expect(page.get_by_role("link", name="Cancel")).to_be_visible()
    assert_accessible(page, "2-preview")

    import_button(page)
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/scans$"))
    flash = page.locator(".flash")
    expect(flash).to_contain_text(re.compile(r"Imported 1 report; \d+ checklist items got evidence"))
    expect(flash).to_contain_text("the scans disagree with 1 item")
    imported = page.locator("table.scan-imports tbody tr")
    expect(imported).to_have_count(1)
    expect(imported).to_contain_text("Polaris on staging, 2025-05-06 07:08 UTC")
    expect(imported).to_contain_text("polaris-cluster.json")
    expect(page.get_by_role("button", name="Preview the import")).to_be_visible()  # another import can follow
    assert_accessible(page, "3-imported")

    page.goto(f"/assessments/{assessment_id}#item-{PSA}")
    item = page.locator(f"#item-{PSA}")
    expect(item.locator(f".badge[data-status-of='{PSA}']")).to_have_text("Not applicable")  # never changed
    disagrees = item.locator(f"div.scanner-disagrees[data-disagrees-of='{PSA}']")
    expect(disagrees).to_be_visible()
    expect(disagrees.locator(".badge")).to_have_text("Scanner disagrees")
    evidence = item.locator(f"[data-evidence-of='{PSA}'] .evidence-list li")
    expect(evidence.first).to_contain_text("Scan")
    expect(evidence.filter(has_text=re.compile(r"polaris .+: fail on staging"))).not_to_have_count(0)
    expect(evidence.first).to_contain_text("scanned 2025-05-06 07:08 UTC")
    snap(page, "scans-4-report", full_page=False)

    # the same file again: the preview says it changes nothing, and offers no import
    open_scans_tab(page, assessment_id)
    upload(page, "polaris-cluster.json")
    expect(page.locator("table.scan-reports")).to_contain_text("Imported before: changes nothing")
    expect(page.get_by_role("button", name="Import", exact=True)).to_have_count(0)
    expect(page.locator("input[name=pending]")).to_have_count(0)


def test_a_report_without_cluster_or_time_is_imported_once_they_are_given(signed_in_page: Page) -> None:
    page = signed_in_page
    assessment_id = answered_assessment(page, "Platform manifests")
    open_scans_tab(page, assessment_id)

    upload(page, "checkov-one.json")
    expect(page.get_by_role("heading", name="Preview: nothing is imported until you confirm")).to_be_visible()
    expect(page.locator("table.scan-reports tbody tr td", has_text="not in the file: give it below")).to_have_count(2)
    expect(page.get_by_text("Some reports do not say where or when they ran")).to_be_visible()
    cluster = page.get_by_label("Cluster or repository")
    scanned_at = page.get_by_label("Scan time (UTC)")
    expect(cluster).to_have_value("")
    expect(scanned_at).to_have_value("")

    # neither given: refused, with the problem first on the page and focused
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Import", exact=True).click()
    assert navigation.value is not None
    assert navigation.value.status == 422
    expect(page).to_have_title(re.compile(r"^Error: Preview: Scanner results · Platform manifests"))
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [re.compile(r"^Cluster or repository: checkov-one\.json does not say which cluster")]
    )
    expect(cluster).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "5-context-missing")

    # the time typed, the cluster still missing: refused again, the time kept
    scanned_at.fill("2026-11-30T02:00")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Import", exact=True).click()
    assert navigation.value is not None
    assert navigation.value.status == 422
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(scanned_at).to_have_value("2026-11-30T02:00")
    summary.get_by_role("link").click()
    expect(cluster).to_be_in_viewport()
    expect(page.locator("table.scan-imports")).to_have_count(0)  # nothing imported

    cluster.fill("platform-manifests")
    import_button(page)
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/scans$"))
    expect(page.locator(".flash")).to_contain_text("Imported 1 report")
    imported = page.locator("table.scan-imports tbody tr")
    expect(imported).to_have_count(1)
    expect(imported).to_contain_text(re.compile(r"Checkov.* on platform-manifests, 2026-11-30 02:00 UTC"))
