"""Exports of a stored revision: gather what the renderers need, render, record it in the audit trail.
The caller commits and delivers the file (a download for the web and the API, a file for the command line)."""

from __future__ import annotations

import datetime as dt
import uuid

from advisor.engine import KnowledgeBase
from advisor.exports import Export
from advisor.exports.document import AuditRecord, EvidenceRecord, ExportDocument, StatusRecord
from advisor.models import Assessment, ChecklistStatus, Evidence
from advisor.report.summary import current_evidence
from advisor.services import DbSession, history, removed, signoff
from advisor.services import assessments as svc
from advisor.services.accounts import now
from advisor.services.audit import as_utc, record_export, trail
from advisor.services.evidence import evidence_of


def evidence_record(entry: Evidence) -> EvidenceRecord:
    return EvidenceRecord(
        entry.kind,
        entry.text,
        entry.added_by,
        as_utc(entry.added_at) if entry.added_at else None,
        entry.tool,
        entry.benchmark,
        entry.check,
        entry.result,
        entry.cluster,
        as_utc(entry.scanned_at) if entry.scanned_at else None,
    )


def status_records(
    statuses: list[ChecklistStatus], evidence: list[Evidence], as_of: dt.date
) -> dict[str, StatusRecord]:
    """Each item's status with its due date and evidence, as plain records; an item with evidence and no status
    gets a "todo" record holding its evidence."""
    entries: dict[str, list[EvidenceRecord]] = {}
    for entry in current_evidence(evidence):  # superseded scan results are history, not evidence
        entries.setdefault(entry.item_id, []).append(evidence_record(entry))
    records = {
        s.item_id: StatusRecord(
            s.status,
            s.owner,
            s.note,
            s.updated_by,
            s.updated_at,
            s.review_reason,
            s.acceptance_justification,
            s.acceptance_expires,
            s.acceptance_requested_by,
            s.acceptance_approved_by,
            s.acceptance_approved_at,
            as_of=as_of,
            due_on=s.due_on,
            evidence=tuple(entries.get(s.item_id, ())),
            verification_result=s.verification_result,
            verification_procedure=s.verification_procedure,
            verified_by=s.verified_by,
            verified_at=as_utc(s.verified_at) if s.verified_at else None,
        )
        for s in statuses
    }
    for item_id, found in entries.items():
        records.setdefault(item_id, StatusRecord("todo", as_of=as_of, evidence=tuple(found)))
    return records


def build_document(
    session: DbSession,
    assessment: Assessment,
    number: int,
    actor: str | None,
    kb: KnowledgeBase,
    *,
    workspace_events: bool = True,
    as_of: dt.datetime | None = None,
) -> ExportDocument:
    """Revision ``number`` as stored, with its statuses, evidence and whole audit trail as they stand now, or as
    they stood at ``as_of``; LookupError if the revision does not exist, AsOfRefused for a moment before the
    assessment or ahead of the clock, or one before the revision was saved.

    ``workspace_events`` false leaves the workspace's membership changes out of the trail (a share link's
    reader is not a member and must not learn who is, with which role)."""
    revision = svc.get_revision(session, assessment, number)
    if revision is None:
        raise LookupError(f"assessment {assessment.id} has no revision {number}")
    exported_at = now()
    latest = assessment.latest_revision_number
    if as_of is None:
        moment = exported_at
        # two queries whatever the checklist's length: the statuses, then every evidence entry
        statuses, evidence = list(assessment.statuses), evidence_of(session, assessment.id)
    else:
        moment = history.check_moment(assessment, as_of)
        saved = as_utc(revision.created_at)
        if saved > moment:
            raise history.AsOfRefused(
                "as_of", f"revision {number} was saved at {saved.isoformat(timespec='seconds')}, after that moment"
            )
        statuses = history.statuses_as_of(session, assessment.id, moment)
        evidence = history.evidence_as_of(session, assessment.id, moment)
        then = history.latest_revision_as_of(session, assessment, moment)
        latest = then.number if then else number
    records = status_records(statuses, evidence, moment.date())
    return ExportDocument(
        export_id=str(uuid.uuid4()),
        as_of=moment,
        assessment_id=assessment.id,
        title=assessment.title,
        description=assessment.description,
        scope=assessment.scope,
        workspace=assessment.workspace.name,
        revision_number=revision.number,
        revision_label=revision.label,
        revision_created_at=revision.created_at,
        revision_author=revision.author,
        latest_revision_number=latest,
        engine_version=revision.engine_version,
        knowledge_base_version=revision.knowledge_base_version,
        exported_at=exported_at,
        exported_by=actor,
        result=revision.result,
        kb=kb,
        statuses=records,
        removed=removed.removed_items(session, assessment.id, revision.number, statuses, records, kb),
        sign_off=signoff.sign_off_of(session, revision.id, None if as_of is None else moment),
        audit=[
            AuditRecord(e.created_at, e.actor, e.action, dict(e.detail))
            for e in trail(
                session, assessment, None, workspace_events=workspace_events, until=None if as_of is None else moment
            )
        ],
    )


def export(
    session: DbSession,
    assessment: Assessment,
    number: int,
    fmt: str,
    actor: str | None,
    via: str,
    kb: KnowledgeBase,
    *,
    workspace_events: bool = True,
    as_of: dt.datetime | None = None,
) -> Export:
    """Revision ``number`` rendered as ``fmt`` (as of ``as_of``, else now), the export recorded (who, which
    revision, which format, how, and the export id the file carries); LookupError if the revision does not exist,
    AsOfRefused for a moment no state can be shown for."""
    from advisor.exports import FORMATS

    document = build_document(session, assessment, number, actor, kb, workspace_events=workspace_events, as_of=as_of)
    rendered = FORMATS[fmt](document)
    record_export(session, assessment, actor, fmt, number, via, document.export_id)
    session.flush()
    return rendered
