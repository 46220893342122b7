"""What importing scanner reports into an assessment would do, before anything is stored (issue 15).

For each checklist item of the latest revision that a report's findings verify: its current status, what the
scans say (the item's evidence status from these reports) and whether they contradict a person's decision: an
item marked not applicable or inherited from the provider, or a risk accepted, that a scan fails is flagged
"scanner disagrees"; the import never changes a status. A report imported before (the same bytes: the same
digest) changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from advisor.engine.knowledge import KnowledgeBase
from advisor.scanners import Finding, Scan, merge
from advisor.scanners.evidence import FAILING, evidence_status

# a person's decision a failing scan contradicts: that the item does not apply, that its risk is accepted, or that
# the provider's attestation covers it
DISAGREEING_STATUSES = ("not_applicable", "accepted_risk", "inherited")


@dataclass(frozen=True)
class ItemPreview:
    item_id: str
    title: str
    status: str  # the item's current status ("todo" when none was set)
    scan_status: str  # pass | fail | mixed | not_evaluated, from the reports being imported
    findings: tuple[Finding, ...]

    @property
    def disagrees(self) -> bool:
        """The scans fail an item a person marked not applicable, accepted or inherited: shown, never overwritten."""
        return self.status in DISAGREEING_STATUSES and self.scan_status in FAILING


@dataclass(frozen=True)
class ReportPreview:
    name: str  # the file's name, for people
    scan: Scan
    cluster: str | None  # the report's own, else the one given
    scanned_at: dt.datetime | None
    already_imported: bool  # its digest is among the assessment's imports: it changes nothing


@dataclass
class ImportPreview:
    reports: list[ReportPreview] = field(default_factory=list)
    items: list[ItemPreview] = field(default_factory=list)
    unmatched: int = 0  # findings that verify no item of this checklist

    @property
    def disagreements(self) -> list[ItemPreview]:
        return [i for i in self.items if i.disagrees]

    @property
    def changes_anything(self) -> bool:
        return any(not r.already_imported for r in self.reports)

    @property
    def missing_context(self) -> bool:
        """Some report says neither its cluster nor its scan time, and none was given: ask for them."""
        return any(r.cluster is None or r.scanned_at is None for r in self.reports if not r.already_imported)


def preview_import(
    kb: KnowledgeBase,
    checklist: Iterable[Mapping[str, object]],
    statuses: Mapping[str, str],
    reports: Iterable[tuple[str, Scan]],
    imported_digests: Iterable[str],
    *,
    cluster: str | None = None,
    scanned_at: dt.datetime | None = None,
) -> ImportPreview:
    """The preview of importing ``reports`` (file name, scan) into an assessment whose latest checklist is
    ``checklist`` and whose statuses are ``statuses`` (item id → status)."""
    seen = set(imported_digests)
    preview = ImportPreview()
    fresh: list[Scan] = []
    for name, scan in reports:
        repeated = scan.digest in seen
        seen.add(scan.digest)  # the same file twice in one import counts once
        preview.reports.append(
            ReportPreview(name, scan, scan.cluster or cluster, scan.scanned_at or scanned_at, repeated)
        )
        if not repeated:
            fresh.append(scan)
    titles = {str(item["id"]): str(item.get("title", "")) for item in checklist}
    found: dict[str, list[Finding]] = {}
    for finding in merge(fresh):
        items = [i for i in kb.items_for(finding.tool, finding.benchmark, finding.check) if i in titles]
        if not items:
            preview.unmatched += 1
        for item_id in items:
            found.setdefault(item_id, []).append(finding)
    for item_id in titles:  # in the checklist's order
        if item_id in found:
            findings = tuple(found[item_id])
            preview.items.append(
                ItemPreview(
                    item_id,
                    titles[item_id],
                    statuses.get(item_id, "todo"),
                    evidence_status(f.result for f in findings),
                    findings,
                )
            )
    return preview
