"""Checkov (`checkov -d manifests/ --framework kubernetes -o json`).

One object `{check_type, results{passed_checks, failed_checks, skipped_checks}, summary}` or, when several
frameworks ran, a list of them. With nothing to scan Checkov writes only the summary counts
(`{passed, failed, skipped, parsing_errors, resource_count, checkov_version}`): a report with no findings.

Checkov scans manifest files, not a cluster. Ids are Checkov's own (`CKV_K8S_20`, benchmark ""): one finding per
check id, the worst across resources: passed → pass, failed → fail, skipped (suppressed by the team, with its
comment as the detail) → not evaluated. `summary.checkov_version` is the tool version.
"""

from __future__ import annotations

from typing import Any

from advisor.scanners._model import Collector, Result, items, obj, shorten, text

_LISTS: tuple[tuple[str, Result], ...] = (
    ("failed_checks", "fail"),
    ("skipped_checks", "not_evaluated"),
    ("passed_checks", "pass"),
)


def _is_report(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    if "check_type" in doc and isinstance(doc.get("results"), dict):
        return True
    return "checkov_version" in doc and "resource_count" in doc  # the summary Checkov writes when nothing ran


def looks_like(doc: Any) -> bool:
    """A Checkov report: one report object, or a non-empty list of them."""
    if isinstance(doc, list):
        return bool(doc) and all(_is_report(d) for d in doc)
    return _is_report(doc)


def reports(doc: Any) -> list[dict[str, Any]]:
    return [obj(d) for d in doc] if isinstance(doc, list) else [obj(doc)]


def read(doc: Any, collector: Collector) -> None:
    """Add every check result of a Checkov report (or list of reports) to `collector`."""
    for report in reports(doc):
        results = obj(report.get("results"))
        for key, verdict in _LISTS:
            for check in items(results.get(key)):
                check = obj(check)
                check_id = text(check.get("check_id")).strip()
                if not check_id:
                    continue
                resource = text(check.get("resource")).strip()
                where = text(check.get("file_path")).strip()
                name = f"{resource} ({where})" if resource and where else resource or where
                detail = ""
                if verdict == "not_evaluated":
                    comment = text(obj(check.get("check_result")).get("suppress_comment")).strip()
                    detail = "skipped" + (f": {shorten(comment, 200)}" if comment else "")
                title = text(check.get("check_name"))
                collector.add("", check_id, verdict, title=title, detail=detail, resource=name or None)


def version(doc: Any) -> str | None:
    for report in reports(doc):
        found = text(obj(report.get("summary")).get("checkov_version")).strip()
        found = found or text(report.get("checkov_version")).strip()
        if found:
            return found
    return None
