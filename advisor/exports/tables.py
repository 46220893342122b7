"""The tables auditors work with (issue 16): the checklist and its long tables, one value per cell, shared by
the CSV formats and the XLSX workbook.

Cells are typed: dates and times stay ``date`` and ``datetime`` (UTC) so the workbook can write real dates
and the CSV writes ISO 8601; a code (``status``) sits beside its label (``status_label``). The checklist
keeps no list in a cell: an item's references, decisions, framework requirements and evidence entries are
rows of their own tables, keyed by ``item_id``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.exports import action_text, detail_text, utc
from advisor.exports.document import ExportDocument, StatusRecord
from advisor.exports.result import start_here_order
from advisor.report.summary import (
    ACCEPTANCE_LABELS,
    NOT_ANSWERED,
    SCAN_STATUS_LABELS,
    STATUS_LABELS,
    TOPIC_LABELS,
    VERIFICATION_LABELS,
    checklist_facts,
    compliance_mapping,
    framework_names,
    label_of,
)

Cell = str | int | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Table:
    sheet: str  # the workbook's sheet name
    file: str  # the CSV file's name in the tables zip, without ".csv"
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


# on every row of every CSV: which assessment, revision and export the row comes from, and the moment its
# statuses are as of, so rows of several exports pasted into one sheet still say where they came from; then the
# revision's sign-off as of that moment (unsigned, signed_off or approved, and who signed when)
CONTEXT_COLUMNS = (
    "assessment_id",
    "assessment_title",
    "revision",
    "export_id",
    "as_of",
    "sign_off",
    "signed_off_by",
    "signed_off_at",
    "approved_by",
    "approved_at",
)


def context_cells(doc: ExportDocument) -> tuple[Cell, ...]:
    assessor, approver = doc.sign_off.assessor, doc.sign_off.approver
    return (
        doc.assessment_id,
        doc.title,
        doc.revision_number,
        doc.export_id,
        utc(doc.as_of_time),
        doc.sign_off.status,
        assessor.by if assessor else None,
        utc(assessor.at) if assessor else None,
        approver.by if approver else None,
        utc(approver.at) if approver else None,
    )


def yes(flag: bool) -> str:
    return "yes" if flag else ""


def moment(at: dt.datetime | None) -> dt.datetime | None:
    return None if at is None else utc(at)


# engine 2.1's guidance: codes beside labels (empty for older results); start_here: the item's place in
# "Start here"; the requirements an item answers are rows of the framework mapping
GUIDANCE_COLUMNS = (
    *("start_here", "phase", "phase_label", "effort", "effort_label", "responsibility", "responsibility_label"),
    *("priority_because", "included_because"),
)
# needs_review: why a later revision put a settled status in doubt ("" when it needs no review); then a risk
# acceptance's state as of the export (requested, approved, expired) and its record
ACCEPTANCE_COLUMNS = (
    *("acceptance", "acceptance_label", "acceptance_justification", "acceptance_expires"),
    *("acceptance_requested_by", "acceptance_approved_by", "acceptance_approved_at"),
)
# the due date, "yes" when it has passed with the item still open (as of the export), the evidence entries one
# per line ("Link: https://… (added by …, 2026-05-04)"; the evidence table has them one per row) and how many,
# what the latest scans say and "yes" when they fail an item marked not applicable, accepted or inherited
EVIDENCE_COLUMNS = (
    *("due_on", "overdue", "evidence", "evidence_count"),
    *("scan_status", "scan_status_label", "scanner_disagrees"),
)
# the test of a done item, apart from its implementation: pass | fail | not_tested, its label, how, who, when
VERIFICATION_COLUMNS = (
    *("verification_result", "verification_label", "verification_procedure", "verified_by", "verified_at"),
)
CHECKLIST_COLUMNS = (
    *("id", "topic", "topic_label", "priority", "priority_label", "title"),
    *("status", "status_label", "owner", "note", "updated_by", "updated_at", "why", "how"),
    *GUIDANCE_COLUMNS,
    "needs_review",
    *ACCEPTANCE_COLUMNS,
    *EVIDENCE_COLUMNS,
    *VERIFICATION_COLUMNS,
)


def acceptance_cells(st: StatusRecord) -> tuple[Cell, ...]:
    return (
        st.acceptance or "",
        label_of(ACCEPTANCE_LABELS, st.acceptance),
        st.acceptance_justification or "",
        st.acceptance_expires,
        st.acceptance_requested_by or "",
        st.acceptance_approved_by or "",
        moment(st.acceptance_approved_at),
    )


def checklist(doc: ExportDocument) -> Table:
    facts = checklist_facts(doc.result, framework_names(doc.kb, doc.result))
    order = start_here_order(doc.result)
    rows = []
    for item in doc.result["checklist"]:
        st, fact = doc.status_of(item["id"]), facts[item["id"]]
        rows.append(
            (
                *(item["id"], item["topic"], label_of(TOPIC_LABELS, item["topic"])),
                *(item["priority"], label_of({}, item["priority"]), item["title"]),
                *(st.status, label_of(STATUS_LABELS, st.status), st.owner, st.note, st.updated_by or ""),
                *(moment(st.updated_at), item["why"], item["how"]),
                order.get(item["id"]),
                *(item.get("phase", ""), fact.phase, item.get("effort", ""), fact.effort),
                *(item.get("responsibility", ""), fact.responsibility),
                *(fact.priority_because, " ".join(fact.included_because)),
                st.review_reason or "",
                *acceptance_cells(st),
                *(st.due_on, yes(st.overdue), "\n".join(e.summary() for e in st.evidence), len(st.evidence)),
                *(st.scan_status, label_of(SCAN_STATUS_LABELS, st.scan_status), yes(st.scanner_disagrees)),
                *(st.verification_result or "", label_of(VERIFICATION_LABELS, st.verification_result)),
                *(st.verification_procedure or "", st.verified_by or "", moment(st.verified_at)),
            )
        )
    return Table("Checklist", "checklist", CHECKLIST_COLUMNS, rows)


def references(doc: ExportDocument) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (item["id"], item["title"], ref["label"], ref["url"])
        for item in doc.result["checklist"]
        for ref in item["references"]
    ]
    return Table("References", "references", ("item_id", "item_title", "label", "url"), rows)


def decisions(doc: ExportDocument) -> Table:
    """Each item with the decisions it comes from, and what each decision recommends."""
    by_id: dict[str, Mapping[str, Any]] = {d["id"]: d for d in doc.result["decisions"]}
    rows: list[tuple[Cell, ...]] = []
    for item in doc.result["checklist"]:
        for decision_id in item["decisions"]:
            d = by_id.get(decision_id, {})
            labels = {a["id"]: a["label"] for a in d.get("alternatives") or ()}
            recommended = d.get("recommended") or ""
            cells = (decision_id, d.get("label") or label_of({}, decision_id), recommended, labels.get(recommended, ""))
            rows.append((item["id"], item["title"], *cells))
    columns = ("item_id", "item_title", "decision", "decision_label", "recommended", "recommended_label")
    return Table("Decisions", "decisions", columns, rows)


MAPPING_COLUMNS = (
    *("framework", "framework_label", "requirement", "requirement_title", "answered", "item_id", "item_title"),
    *("priority", "priority_label", "status", "status_label", "owner", "note", "needs_review"),
    *ACCEPTANCE_COLUMNS,
)


def mapping(doc: ExportDocument) -> Table:
    """Each ticked framework's requirements with the items that answer them and their statuses; a
    requirement no item answers gets one row saying so (results before engine 2.1 have no mapping)."""
    rows: list[tuple[Cell, ...]] = []
    for section in compliance_mapping(doc.result, framework_names(doc.kb, doc.result)):
        for req in section.requirements:
            head = (section.framework, section.label, req.number, req.title)
            if not req.items:
                blank = ("",) * (len(MAPPING_COLUMNS) - len(head) - 3)
                rows.append((*head, "no", "", NOT_ANSWERED, *blank))
            for item in req.items:
                st = doc.status_of(item["id"])
                cells = (item["id"], item["title"], item["priority"], label_of({}, item["priority"]))
                status = (st.status, label_of(STATUS_LABELS, st.status), st.owner, st.note, st.review_reason or "")
                rows.append((*head, "yes", *cells, *status, *acceptance_cells(st)))
    return Table("Framework mappings", "framework_mappings", MAPPING_COLUMNS, rows)


EVIDENCE_TABLE_COLUMNS = (
    *("item_id", "item_title", "kind", "text", "added_by", "added_at"),
    *("tool", "benchmark", "check", "result", "cluster", "scanned_at"),
)


def evidence(doc: ExportDocument) -> Table:
    """Every current evidence entry, one per row, oldest first within an item (superseded scans left out)."""
    rows: list[tuple[Cell, ...]] = []
    for item in doc.result["checklist"]:
        for e in doc.status_of(item["id"]).evidence:
            head = (item["id"], item["title"], e.kind, e.text, e.added_by or "", moment(e.added_at))
            scan = (e.tool or "", e.benchmark or "", e.check or "", e.result or "", e.cluster or "")
            rows.append((*head, *scan, moment(e.scanned_at)))
    return Table("Evidence", "evidence", EVIDENCE_TABLE_COLUMNS, rows)


EXCEPTION_STATUSES = ("not_applicable", "accepted_risk", "inherited")
EXCEPTION_COLUMNS = (
    *("item_id", "item_title", "priority", "status", "status_label", "acceptance", "acceptance_label"),
    *("justification", "expires", "requested_by", "approved_by", "approved_at", "updated_by", "updated_at"),
    *("needs_review", "scanner_disagrees"),
)


def exceptions(doc: ExportDocument) -> Table:
    """The items taken off the to-do list without doing them: accepted risks (the acceptance's justification,
    expiry, requester and approver), not applicable items and items inherited from the provider (their note, the
    reason or the provider's attestation relied on, is the only justification recorded; nobody requests or approves
    them: updated_by says who set the status)."""
    rows: list[tuple[Cell, ...]] = []
    for item in doc.result["checklist"]:
        st = doc.status_of(item["id"])
        if st.status not in EXCEPTION_STATUSES:
            continue
        accepted = st.status == "accepted_risk"
        rows.append(
            (
                *(item["id"], item["title"], item["priority"], st.status, label_of(STATUS_LABELS, st.status)),
                *(st.acceptance or "", label_of(ACCEPTANCE_LABELS, st.acceptance)),
                (st.acceptance_justification or "") if accepted else st.note,
                st.acceptance_expires if accepted else None,
                st.acceptance_requested_by or "",
                *(st.acceptance_approved_by or "", moment(st.acceptance_approved_at)),
                *(st.updated_by or "", moment(st.updated_at), st.review_reason or "", yes(st.scanner_disagrees)),
            )
        )
    return Table("Exceptions", "exceptions", EXCEPTION_COLUMNS, rows)


REMOVED_COLUMNS = (
    *("item_id", "item_title", "last_on_revision", "removed_since_revision"),
    *("status", "status_label", "owner", "note", "updated_by", "updated_at"),
    *ACCEPTANCE_COLUMNS,
    "evidence_count",
)


def removed(doc: ExportDocument) -> Table:
    """Items earlier revisions listed and this one does not, whose record nobody closed (issue 16): the last
    status, note, owner and any risk acceptance, so an exception never vanishes with the item."""
    rows: list[tuple[Cell, ...]] = [
        (
            *(gone.item_id, gone.title, gone.last_on, gone.removed_since),
            *(st.status, label_of(STATUS_LABELS, st.status), st.owner, st.note, st.updated_by or ""),
            moment(st.updated_at),
            *acceptance_cells(st),
            gone.evidence_count,
        )
        for gone in doc.removed
        for st in [gone.record]
    ]
    return Table("Removed items", "removed_items", REMOVED_COLUMNS, rows)


def history(doc: ExportDocument) -> Table:
    """The activity log in the document, newest first: the action's code and its details in words."""
    rows: list[tuple[Cell, ...]] = [
        (utc(a.at), a.actor or "", a.action, action_text(a.action), detail_text(a.detail, doc.kb)) for a in doc.audit
    ]
    return Table("History", "history", ("at", "actor", "action", "action_label", "details"), rows)


def all_tables(doc: ExportDocument) -> list[Table]:
    """Every table, in the workbook's order."""
    return [t(doc) for t in (checklist, references, decisions, mapping, evidence, exceptions, removed, history)]


def with_context(doc: ExportDocument, table: Table) -> tuple[tuple[str, ...], list[Sequence[Cell]]]:
    """The table's columns and rows with the context columns in front (the CSV files carry them on every row)."""
    context = context_cells(doc)
    return (*CONTEXT_COLUMNS, *table.columns), [(*context, *row) for row in table.rows]
