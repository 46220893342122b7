"""The preview of importing scanner reports into an assessment (issue 15): what each item's scans say, where they
contradict a person's decision ("scanner disagrees"), and that a report imported before changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from advisor.engine import default_knowledge_base, evaluate
from advisor.scanners import Scan, read_scan
from advisor.scanners.preview import preview_import
from tests.helpers import BASE_ANSWERS

REPORTS = Path(__file__).parent / "fixtures" / "scanners"
CHECKLIST = evaluate(BASE_ANSWERS)["checklist"]


def report(name: str) -> tuple[str, Scan]:
    return name, read_scan((REPORTS / name).read_bytes())


def test_each_item_shows_what_the_scans_say_and_where_they_disagree() -> None:
    kb = default_knowledge_base()
    statuses = {"psa-restricted-enforce": "not_applicable", "netpol-default-deny": "not_applicable"}
    preview = preview_import(
        kb,
        CHECKLIST,
        statuses,
        [report("polaris-cluster.json"), report("checkov-one.json")],
        [],
        cluster="prod-eu-1",
    )
    by_id = {i.item_id: i for i in preview.items}
    assert by_id["psa-restricted-enforce"].scan_status == "fail"
    assert by_id["psa-restricted-enforce"].disagrees, "marked not applicable, failed by the scan: flagged"
    assert by_id["netpol-default-deny"].scan_status == "pass"
    assert not by_id["netpol-default-deny"].disagrees, "a passing scan contradicts nothing"
    assert by_id["rbac-cluster-admin-break-glass"].status == "todo"
    assert not by_id["rbac-cluster-admin-break-glass"].disagrees, "open items are not a person's decision"
    assert [i.item_id for i in preview.disagreements] == ["psa-restricted-enforce"]
    assert [i.item_id for i in preview.items] == [i["id"] for i in CHECKLIST if i["id"] in by_id], "checklist order"
    polaris, checkov = preview.reports
    assert polaris.cluster != "prod-eu-1", "a report's own cluster wins over the one given"
    assert checkov.cluster == "prod-eu-1"
    assert checkov.scanned_at is None
    assert preview.missing_context, "Checkov says no scan time and none was given: ask"
    assert preview.changes_anything


def test_a_report_imported_before_changes_nothing() -> None:
    kb = default_knowledge_base()
    name, scan = report("polaris-cluster.json")
    again = preview_import(kb, CHECKLIST, {}, [(name, scan)], [scan.digest])
    assert again.reports[0].already_imported
    assert not again.changes_anything
    assert again.items == [], "its findings are not counted twice"
    twice = preview_import(kb, CHECKLIST, {}, [(name, scan), ("copy.json", scan)], [])
    assert [r.already_imported for r in twice.reports] == [False, True], "the same file twice in one import"


def test_given_context_fills_what_reports_lack() -> None:
    kb = default_knowledge_base()
    when = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
    preview = preview_import(
        kb,
        CHECKLIST,
        {},
        [report("checkov-one.json")],
        [],
        cluster="c",
        scanned_at=when,
    )
    assert (preview.reports[0].cluster, preview.reports[0].scanned_at) == ("c", when)
    assert not preview.missing_context
