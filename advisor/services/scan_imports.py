"""Importing scanner reports into an assessment as evidence: read, preview, confirm (issue 15).

A report's findings become evidence entries of kind ``scan`` on the checklist items of the latest revision
whose knowledge-base controls list their (tool, benchmark, check); statuses are never changed. Each imported
file is recorded (``ScanImport``: tool, version, benchmarks, cluster, scan time, SHA-256 of its bytes), so the
same file imported again changes nothing. Entries are kept, never replaced: an item's current scan result for a
check on a cluster is the one from the latest scan (`current_scan_entries`); older ones stay as its history.

The web preview keeps what it read (``PendingScan``) so that confirming does not upload the file again; those
readings are dropped once imported, and after a day otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from advisor.engine.knowledge import KnowledgeBase
from advisor.models import Assessment, ChecklistStatus, Evidence, PendingScan, ScanImport, limits
from advisor.scanners import TOOL_NAMES, Scan, ScanError, read_scan, scan_from_json, scan_to_json
from advisor.scanners.preview import ImportPreview, ReportPreview, preview_import
from advisor.services import DbSession, Refused
from advisor.services.accounts import now
from advisor.services.assessments import latest_revision
from advisor.services.audit import as_utc, record

MAX_FILES = 20  # reports in one import: kube-bench writes one per node type, a handful
PENDING_KEPT = dt.timedelta(days=1)  # how long a preview's reading waits for its confirmation
FUTURE_SKEW = dt.timedelta(minutes=10)  # a scan time this far ahead of the server's clock is a mistake


class ImportRefused(Refused):
    """An import that cannot go ahead as asked; ``field`` names what to correct (``file``, ``cluster`` or
    ``scanned_at``)."""


@dataclass(frozen=True)
class Report:
    """One uploaded file, read."""

    name: str
    scan: Scan


@dataclass
class ImportOutcome:
    imported: list[ScanImport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # file names imported before (the same digest)
    entries: int = 0  # evidence entries added
    items: set[str] = field(default_factory=set)  # items given evidence
    preview: ImportPreview | None = None  # what the import did, item by item (disagreements included)


def file_name(name: str | None) -> str:
    """An uploaded file's name as shown and stored: its last path part, bounded."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (base or "report.json")[: limits.SCAN_FIELD]


def read_reports(files: Iterable[tuple[str | None, bytes]], *, max_bytes: int) -> list[Report]:
    """Read every uploaded file; ImportRefused naming the first file that is not a report this app reads."""
    reports: list[Report] = []
    for name, data in files:
        shown = file_name(name)
        if len(reports) >= MAX_FILES:
            raise ImportRefused("file", f"at most {MAX_FILES} reports in one import")
        try:
            reports.append(Report(shown, read_scan(data, max_bytes=max_bytes)))
        except ScanError as exc:
            raise ImportRefused("file", f"{shown}: {exc}") from None
    if not reports:
        raise ImportRefused("file", "choose at least one scanner report (a JSON file)")
    return reports


def imported_digests(session: DbSession, assessment_id: int) -> set[str]:
    return set(session.scalars(select(ScanImport.digest).where(ScanImport.assessment_id == assessment_id)))


def imports_of(session: DbSession, assessment_id: int) -> list[ScanImport]:
    """An assessment's imported reports, newest first."""
    return list(
        session.scalars(
            select(ScanImport).where(ScanImport.assessment_id == assessment_id).order_by(ScanImport.id.desc())
        )
    )


def _checklist(session: DbSession, assessment: Assessment) -> list[Mapping[str, object]]:
    revision = latest_revision(session, assessment)
    if revision is None:
        raise ImportRefused("file", "save the questionnaire first: scan results are evidence for a checklist")
    return list(revision.result["checklist"])


def _statuses(session: DbSession, assessment_id: int) -> dict[str, str]:
    rows = session.execute(
        select(ChecklistStatus.item_id, ChecklistStatus.status).where(ChecklistStatus.assessment_id == assessment_id)
    )
    return {row.item_id: row.status for row in rows}


def check_context(cluster: str | None, scanned_at: dt.datetime | None) -> tuple[str | None, dt.datetime | None]:
    """The cluster and scan time given for reports that do not say them, checked: ImportRefused when a name is
    too long or the time is ahead of the clock."""
    cluster = (cluster or "").strip() or None
    if cluster is not None and len(cluster) > limits.SCAN_FIELD:
        raise ImportRefused("cluster", f"at most {limits.SCAN_FIELD} characters (this is {len(cluster)})")
    if scanned_at is not None:
        scanned_at = as_utc(scanned_at)
        if scanned_at > now() + FUTURE_SKEW:
            raise ImportRefused("scanned_at", "the scan time is in the future: give the time the scan ran (UTC)")
    return cluster, scanned_at


def preview(
    session: DbSession,
    assessment: Assessment,
    kb: KnowledgeBase,
    reports: Sequence[Report],
    *,
    cluster: str | None = None,
    scanned_at: dt.datetime | None = None,
) -> ImportPreview:
    """What importing ``reports`` would do; changes nothing."""
    cluster, scanned_at = check_context(cluster, scanned_at)
    return preview_import(
        kb,
        _checklist(session, assessment),
        _statuses(session, assessment.id),
        [(r.name, r.scan) for r in reports],
        imported_digests(session, assessment.id),
        cluster=cluster,
        scanned_at=scanned_at,
    )


def import_reports(
    session: DbSession,
    assessment: Assessment,
    kb: KnowledgeBase,
    reports: Sequence[Report],
    actor: str | None,
    *,
    cluster: str | None = None,
    scanned_at: dt.datetime | None = None,
) -> ImportOutcome:
    """Import the reports not imported before; ImportRefused (nothing stored) when one of them does not say its
    cluster or scan time and none was given."""
    shown = preview(session, assessment, kb, reports, cluster=cluster, scanned_at=scanned_at)
    outcome = ImportOutcome(preview=shown)
    fresh: list[tuple[ReportPreview, str, dt.datetime]] = []
    for report in shown.reports:
        if report.already_imported:
            outcome.skipped.append(report.name)
        elif report.cluster is None:
            raise ImportRefused(
                "cluster",
                f"{report.name} does not say which cluster (or repository) was scanned: give its name",
            )
        elif report.scanned_at is None:
            raise ImportRefused("scanned_at", f"{report.name} does not say when the scan ran: give the time (UTC)")
        else:
            fresh.append((report, report.cluster, report.scanned_at))
    on_list = {str(item["id"]) for item in _checklist(session, assessment)}
    for report, where, when in fresh:
        scan = report.scan
        row = ScanImport(
            assessment_id=assessment.id,
            file_name=report.name,
            tool=scan.tool,
            tool_version=(scan.tool_version or None) and scan.tool_version[: limits.SCAN_FIELD],
            source=scan.source,
            benchmarks=list(scan.benchmarks),
            cluster=where[: limits.SCAN_FIELD],
            scanned_at=when,
            digest=scan.digest,
            passed=scan.passed,
            failed=scan.failed,
            not_evaluated=scan.not_evaluated,
            items=0,
            imported_by=actor,
        )
        session.add(row)
        session.flush()
        items: set[str] = set()
        for finding in scan.findings:
            for item_id in kb.items_for(finding.tool, finding.benchmark, finding.check):
                if item_id not in on_list:
                    continue
                detail = "; ".join(part for part in (finding.title, finding.detail) if part)
                session.add(
                    Evidence(
                        assessment_id=assessment.id,
                        item_id=item_id,
                        kind="scan",
                        text=detail[: limits.EVIDENCE_TEXT],
                        added_by=actor,
                        tool=finding.tool,
                        benchmark=finding.benchmark or None,
                        check=finding.check[: limits.SCAN_FIELD],
                        result=finding.result,
                        cluster=row.cluster,
                        scanned_at=row.scanned_at,
                        scan_id=row.id,
                    )
                )
                items.add(item_id)
                outcome.entries += 1
        row.items = len(items)
        outcome.items |= items
        outcome.imported.append(row)
        record(
            session,
            assessment.workspace_id,
            assessment.id,
            actor,
            "scan_imported",
            file=report.name,
            tool=scan.tool,
            tool_version=scan.tool_version,
            cluster=row.cluster,
            scanned_at=row.scanned_at.isoformat(),
            digest=scan.digest,
            passed=scan.passed,
            failed=scan.failed,
            not_evaluated=scan.not_evaluated,
            items=sorted(items),
            disagreements=[i.item_id for i in shown.disagreements],
        )
    session.flush()
    return outcome


def describe(row: ScanImport) -> str:
    """One line naming an imported report, for people: "kube-bench 0.9.0 on prod-eu, 2026-11-30 02:00 UTC"."""
    version = f" {row.tool_version}" if row.tool_version else ""
    when = as_utc(row.scanned_at)
    return f"{TOOL_NAMES.get(row.tool, row.tool)}{version} on {row.cluster}, {when:%Y-%m-%d %H:%M} UTC"


# --- readings kept between a web preview and its confirmation


def keep_pending(session: DbSession, assessment: Assessment, reports: Sequence[Report], actor: str | None) -> list[int]:
    """Keep the readings for the confirmation; returns their ids. Drops readings older than a day first."""
    session.execute(delete(PendingScan).where(PendingScan.uploaded_at < now() - PENDING_KEPT))
    rows = [
        PendingScan(assessment_id=assessment.id, file_name=r.name, scan=scan_to_json(r.scan), uploaded_by=actor)
        for r in reports
    ]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def pending(session: DbSession, assessment: Assessment, ids: Iterable[int], actor: str | None) -> list[Report]:
    """The readings a preview kept, by id, for the account that uploaded them; ImportRefused when one is gone
    (imported already, or more than a day old)."""
    wanted = list(dict.fromkeys(ids))
    rows = {
        row.id: row
        for row in session.scalars(
            select(PendingScan).where(
                PendingScan.id.in_(wanted),
                PendingScan.assessment_id == assessment.id,
                PendingScan.uploaded_by == actor,
                PendingScan.uploaded_at >= now() - PENDING_KEPT,
            )
        )
    }
    if not wanted or len(rows) != len(wanted):
        raise ImportRefused("file", "this preview has expired or was imported already: upload the reports again")
    return [Report(rows[i].file_name, scan_from_json(rows[i].scan)) for i in wanted]


def drop_pending(session: DbSession, ids: Iterable[int]) -> None:
    session.execute(delete(PendingScan).where(PendingScan.id.in_(list(ids))))
