"""The data every export format renders: one stored revision with its context, as plain values.

Built from the database by ``advisor.services.exports.build_document``; the renderers
take only this, so they are pure functions of it and easy to test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.engine import KnowledgeBase
from advisor.report.summary import acceptance_state, today


@dataclass(frozen=True)
class EvidenceRecord:
    """One evidence entry: a link (``text`` is the URL), a text, or an imported scan result (``text`` is the
    finding's detail, the scan fields say where it came from)."""

    kind: str  # link | text | scan
    text: str  # user text: escape it in every format
    added_by: str | None = None
    added_at: dt.datetime | None = None
    tool: str | None = None
    benchmark: str | None = None
    check: str | None = None
    result: str | None = None  # pass | fail | not_evaluated
    cluster: str | None = None
    scanned_at: dt.datetime | None = None

    def summary(self) -> str:
        """The entry on one line of plain text (every format escapes it its own way)."""
        if self.kind == "scan":
            what = " ".join(p for p in (self.tool, self.benchmark, self.check) if p)
            where = f" on {self.cluster}" if self.cluster else ""
            at = f" at {self.scanned_at:%Y-%m-%d %H:%M} UTC" if self.scanned_at else ""
            head = f"Scan: {what}: {(self.result or '').replace('_', ' ')}{where}{at}"
            return f"{head} — {self.text}" if self.text else head
        by = f" (added by {self.added_by or 'someone'}{f', {self.added_at:%Y-%m-%d}' if self.added_at else ''})"
        return f"{self.kind.capitalize()}: {self.text}{by}"


# the statuses the applicability statement lists, and how it names each row's kind: the note is the reason an item
# does not apply, or the provider's attestation an inherited one relies on
APPLICABILITY_KINDS = {"not_applicable": "Not applicable", "inherited": "Inherited"}
APPLICABILITY_INTRO = (
    "The checklist items marked not applicable, each with the reason given, and those inherited from the provider, "
    "each with the provider's attestation relied on; they do not count as implemented."
)
APPLICABILITY_NONE = "No item is marked not applicable or inherited from the provider."


@dataclass(frozen=True)
class StatusRecord:
    status: str  # todo | in_progress | done | not_applicable | accepted_risk | inherited
    owner: str = ""
    note: str = ""
    updated_by: str | None = None
    updated_at: dt.datetime | None = None
    review_reason: str | None = None  # why a later revision put the status in doubt; None: it needs no review
    # a risk acceptance (status accepted_risk): why, until when, who asked, who approved and when
    acceptance_justification: str | None = None
    acceptance_expires: dt.date | None = None
    acceptance_requested_by: str | None = None
    acceptance_approved_by: str | None = None
    acceptance_approved_at: dt.datetime | None = None
    as_of: dt.date | None = None  # the day an acceptance's expiry and a due date are measured against: the export's
    due_on: dt.date | None = None  # the day the item should be settled by
    evidence: tuple[EvidenceRecord, ...] = ()  # oldest first
    # the test of a done item by someone other than who marked it done: pass | fail | not_tested, how, who, when
    verification_result: str | None = None
    verification_procedure: str | None = None  # user text
    verified_by: str | None = None
    verified_at: dt.datetime | None = None

    @property
    def scan_status(self) -> str:
        """What the current scan results say: pass, fail, mixed, not_evaluated, none."""
        from advisor.report.summary import scan_status

        return scan_status(list(self.evidence))

    @property
    def scanner_disagrees(self) -> bool:
        """Not applicable or accepted, and the latest scans fail it."""
        from advisor.report.summary import scanner_disagrees

        return scanner_disagrees(self.status, list(self.evidence))

    @property
    def overdue(self) -> bool:
        from advisor.report.summary import overdue, today

        return overdue(self, self.as_of or today())

    @property
    def due_label(self) -> str | None:
        """ "Overdue since D" or "Due D" (as of ``as_of``); None without a due date."""
        from advisor.report.summary import due_label, today

        return due_label(self, self.as_of or today())

    @property
    def needs_review(self) -> bool:
        return self.review_reason is not None

    @property
    def acceptance(self) -> str | None:
        """``requested``, ``approved`` or ``expired`` (as of ``as_of``); None for other statuses."""
        return acceptance_state(self, self.as_of or today())

    def label(self, labels: Mapping[str, str]) -> str:
        """The status in words: an acceptance says whether it is approved (until when), only requested, or
        expired; "needs review" and its reason follow when a later revision put the status in doubt."""
        words = labels.get(self.status, self.status)
        until = self.acceptance_expires.isoformat() if self.acceptance_expires else "?"
        if self.acceptance == "approved":
            words = f"{words} until {until} (approved by {self.acceptance_approved_by})"
        elif self.acceptance == "requested":
            words = "Acceptance requested, not approved yet"
        elif self.acceptance == "expired":
            words = f"Acceptance expired on {until}: open again"
        return f"{words} — needs review: {self.review_reason}" if self.needs_review else words


SCOPE_LABELS = {
    "clusters": "Clusters in scope",
    "systems": "Systems in scope",
    "regulated": "Regulated namespaces or card-data environment",
}


def scope_lines(scope: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The stated scope as (label, text) pairs, for the report and every export; empty when nothing is stated."""
    if not scope:
        return []
    lines = [(label, ", ".join(scope.get(name) or [])) for name, label in SCOPE_LABELS.items() if scope.get(name)]
    start, end = scope.get("period_start"), scope.get("period_end")
    if start or end:
        lines.append(("Assessment period", f"{start or '…'} to {end or '…'}"))
    return lines


@dataclass(frozen=True)
class RemovedItem:
    """An item an earlier revision listed and this one does not, whose status record is worth keeping (issue 16):
    it stays listed, with its last status and any exception, until someone closes it."""

    item_id: str
    title: str  # as the last revision that had it called it
    last_on: int  # the last revision, up to the one shown, whose checklist had it
    removed_since: int  # the first revision after ``last_on``: the one that dropped it
    record: StatusRecord  # its last status, note, owner, acceptance and evidence

    @property
    def evidence_count(self) -> int:
        return len(self.record.evidence)


@dataclass(frozen=True)
class Signature:
    """One person's sign-off of the revision: as ``assessor`` or as approving ``approver``."""

    role: str
    by: str | None
    at: dt.datetime
    statement: str = ""  # user text


@dataclass(frozen=True)
class SignOffRecord:
    """The revision's sign-off as it stands (or stood at the export's as-of moment): nobody's yet, the assessor's,
    or the assessor's and the approving owner's. Approval makes the decision records "accepted"."""

    assessor: Signature | None = None
    approver: Signature | None = None

    @property
    def status(self) -> str:
        """``approved``, ``signed_off`` (by the assessor, not approved yet) or ``unsigned``."""
        return "approved" if self.approver else "signed_off" if self.assessor else "unsigned"

    @property
    def decision_status(self) -> str:
        """What the revision's decision records are: accepted once approved, proposed until then."""
        return "accepted" if self.approver else "proposed"

    @property
    def deciders(self) -> list[str]:
        """Who accepted the decisions: the assessor and the approver, once approved."""
        if not self.approver:
            return []
        return [s.by or "unknown" for s in (self.assessor, self.approver) if s]

    @property
    def decided_on(self) -> dt.date | None:
        return self.approver.at.date() if self.approver else None

    def decisions_sentence(self) -> str:
        """What the decisions are, said above them in the PDF and the Markdown."""
        if self.approver is None or self.decided_on is None:
            return (
                "These decisions are proposed until the revision is signed off by an assessor and approved by an owner."
            )
        by = " and ".join(self.deciders)
        return f"These decisions were accepted on {self.decided_on.isoformat()} by {by}."

    def lines(self) -> list[tuple[str, str]]:
        """The sign-off as (label, text) pairs for a cover: one line per signature, or one saying there is none."""
        if not self.assessor:
            return [("Sign-off", "Not signed off: the decisions are proposed")]
        lines = [("Signed off by", f"{_signed(self.assessor)} (assessor)")]
        if self.approver:
            lines.append(("Approved by", f"{_signed(self.approver)} (owner)"))
        else:
            lines.append(("Approval", "Not approved yet: the decisions are proposed"))
        return lines


def _signed(signature: Signature) -> str:
    said = f", stating “{signature.statement}”" if signature.statement else ""
    return f"{signature.by or 'unknown'} on {signature.at:%Y-%m-%d %H:%M} UTC{said}"


AUDIT_SHOWN = 500  # activity entries a PDF or Markdown export lists, newest first
LEFT_OUT = (
    "The oldest {n} of {total} entries are left out here; the JSON, CSV and spreadsheet exports and the "
    "assessment's Activity page hold them all."
)


@dataclass(frozen=True)
class AuditRecord:
    at: dt.datetime
    actor: str | None
    action: str  # created, revised, status_changed, shared, share_revoked, exported, member_added, ...
    detail: dict[str, Any]


@dataclass(frozen=True)
class ExportDocument:
    assessment_id: int
    title: str  # user text: escape it in every format
    description: str  # user text
    workspace: str  # user text
    revision_number: int
    revision_label: str | None  # user text
    revision_created_at: dt.datetime
    revision_author: str | None
    latest_revision_number: int
    engine_version: str
    knowledge_base_version: str
    exported_at: dt.datetime
    exported_by: str | None
    result: Mapping[str, Any]  # the contract §4 result exactly as stored with the revision (engine 1.x or 2.x)
    kb: KnowledgeBase  # the app's knowledge base: labels and descriptions the renderers show
    # current checklist progress, per item id (items without an entry are "todo")
    statuses: dict[str, StatusRecord] = field(default_factory=dict)
    scope: Mapping[str, Any] | None = None  # what the assessment covers (Assessment.scope); None: not stated
    export_id: str = ""  # a UUID naming this one export (issue 16): in the file, its name and the activity log
    as_of: dt.datetime | None = None  # the moment the statuses, notes and evidence are as of (None: exported_at)

    @property
    def as_of_time(self) -> dt.datetime:
        return self.as_of or self.exported_at

    @property
    def audit_shown(self) -> list[AuditRecord]:
        """The newest entries of the trail a document for reading (PDF, Markdown) lists; the data formats carry
        ``audit`` whole, and the reading ones say how many they left out (``audit_left_out``)."""
        return self.audit[:AUDIT_SHOWN]

    @property
    def audit_left_out(self) -> int:
        return max(0, len(self.audit) - AUDIT_SHOWN)

    audit: list[AuditRecord] = field(default_factory=list)  # newest first
    # items earlier revisions listed and this one does not, still open in the record (services.removed)
    removed: list[RemovedItem] = field(default_factory=list)
    sign_off: SignOffRecord = field(default_factory=SignOffRecord)  # the revision's, as of ``as_of_time``

    def applicability(self) -> list[tuple[Mapping[str, Any], StatusRecord]]:
        """The applicability statement: the checklist's items marked not applicable or inherited from the provider,
        in checklist order, each with its record (the note is the reason, or the provider's attestation relied on).
        They do not count as implemented."""
        return [
            (item, self.status_of(item["id"]))
            for item in self.result["checklist"]
            if self.status_of(item["id"]).status in APPLICABILITY_KINDS
        ]

    def status_of(self, item_id: str) -> StatusRecord:
        return self.statuses.get(item_id, StatusRecord("todo"))
