"""Scanner findings attached to a result's checklist items as evidence, for `advisor evaluate --evidence`.

Reports of one tool about one cluster are merged first (kube-bench writes one file per node type), the worst
result winning; each finding then goes to every item of the checklist whose knowledge-base `controls` list its
(tool, benchmark, check). An item's `evidence_status` sums up its evidence: `fail` when every evaluated check
failed, `pass` when every one passed, `mixed` for both, `not_evaluated` when none could be evaluated, `none`
without evidence.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from advisor.engine.knowledge import KnowledgeBase
from advisor.engine.schema import DONE_STATUSES, PRIORITIES
from advisor.scanners import Scan, merge

EVIDENCE_STATUSES = ("pass", "fail", "mixed", "not_evaluated", "none")
FAILING = ("fail", "mixed")


def evidence_status(results: Iterable[str]) -> str:
    found = set(results)
    evaluated = found - {"not_evaluated"}
    if not found:
        return "none"
    if not evaluated:
        return "not_evaluated"
    if evaluated == {"pass"}:
        return "pass"
    if evaluated == {"fail"}:
        return "fail"
    return "mixed"


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None


def attach_evidence(
    result: Mapping[str, Any],
    kb: KnowledgeBase,
    scans: Iterable[Scan],
    *,
    cluster: str | None = None,
    scanned_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """A copy of ``result`` whose checklist items carry `evidence` and `evidence_status`, with an
    `evidence_summary`; ``cluster`` and ``scanned_at`` stand in for reports that do not say them."""
    out = copy.deepcopy(dict(result))
    groups: dict[tuple[str, str | None], list[Scan]] = {}
    scans = list(scans)
    for scan in scans:
        groups.setdefault((scan.tool, scan.cluster or cluster), []).append(scan)
    on_list = {item["id"]: item for item in out["checklist"]}
    evidence: dict[str, list[dict[str, Any]]] = {item_id: [] for item_id in on_list}
    findings = matched = 0
    for (_tool, where), group in groups.items():
        known = [s.scanned_at for s in group if s.scanned_at is not None]
        when = _iso(max(known) if known else scanned_at)
        for finding in merge(group):
            findings += 1
            items = [i for i in kb.items_for(finding.tool, finding.benchmark, finding.check) if i in on_list]
            matched += bool(items)
            detail = "; ".join(part for part in (finding.title, finding.detail) if part)
            for item_id in items:
                evidence[item_id].append(
                    {
                        "tool": finding.tool,
                        "benchmark": finding.benchmark or None,
                        "check": finding.check,
                        "result": finding.result,
                        "cluster": where,
                        "scanned_at": when,
                        "detail": detail,
                    }
                )
    for item_id, item in on_list.items():
        entries = sorted(
            evidence[item_id], key=lambda e: (e["tool"], e["benchmark"] or "", e["check"], e["cluster"] or "")
        )
        item["evidence"] = entries
        item["evidence_status"] = evidence_status(e["result"] for e in entries)
    by_status = Counter(item["evidence_status"] for item in out["checklist"])
    out["evidence_summary"] = {
        "reports": len(scans),
        "findings": findings,
        "findings_matched": matched,
        "findings_unmatched": findings - matched,
        "items": {s: by_status.get(s, 0) for s in EVIDENCE_STATUSES},
    }
    return out


def failing_items(result: Mapping[str, Any], level: str) -> list[dict[str, Any]]:
    """Items at ``level`` or above that fail `--fail-on`: open (neither done, not applicable nor inherited), or
    whose evidence fails (`fail` or `mixed`) unless they are not applicable (a failing scan contradicts an
    inherited claim as it does a done one). An `accepted_risk` status in an answers document carries no approval,
    so it exempts nothing."""
    limit = PRIORITIES.index(level)
    return [
        item
        for item in result["checklist"]
        if PRIORITIES.index(item["priority"]) <= limit
        and (
            item["status"] not in DONE_STATUSES
            or (item.get("evidence_status") in FAILING and item["status"] != "not_applicable")
        )
    ]


def new_since(failing: list[dict[str, Any]], baseline: Mapping[str, Any], level: str) -> list[dict[str, Any]]:
    """The failing items that did not fail in ``baseline`` (an earlier result of this command)."""
    before = {item["id"] for item in failing_items(baseline, level)}
    return [item for item in failing if item["id"] not in before]
