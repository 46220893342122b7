"""CSV exports of a stored revision: the checklist, one row per item with its current status; and the
compliance mapping, one row per requirement of each ticked framework and checklist item answering it.

Encoding: UTF-8 with a byte-order mark, so Excel opens it as UTF-8 rather than the
system code page (other tools skip the BOM); CRLF line ends as RFC 4180 says; every cell
quoted. Every cell goes through ``text.csv_cell``, so no text ever becomes a formula: a cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'``,
and so is every piece of a cell after a ``;``, ``,``, tab or line break, since a spreadsheet
that splits on its locale's separator (or ignores the quotes) makes a cell of each piece.
"""

from __future__ import annotations

from advisor.exports import Export, file_stem
from advisor.exports.document import ExportDocument, StatusRecord
from advisor.exports.result import GUIDANCE_COLUMNS, guidance_cells, references_text, start_here_order
from advisor.exports.text import csv_text
from advisor.report.summary import NOT_ANSWERED, checklist_facts, compliance_mapping, framework_names

MIMETYPE = "text/csv"  # bytes in UTF-8; Response(mimetype=...) adds "; charset=utf-8" to text/* itself
BOM = "\ufeff"
# the guidance columns (engine 2.1) come last, in words: start_here is the item's place among the first
# things to do ("" when it is not one); frameworks lists the requirements it answers ("PCI DSS 6.5.3; …")
# needs_review, last: why a later revision put a settled status in doubt ("" when it needs no review)
# then a risk acceptance's state (requested, approved, expired: as of the export) and its record
ACCEPTANCE_COLUMNS = (
    *("acceptance", "acceptance_justification", "acceptance_expires"),
    *("acceptance_requested_by", "acceptance_approved_by", "acceptance_approved_at"),
)
# then the due date, "yes" when it has passed with the item still open (as of the export), the evidence entries
# one per line ("Link: https://… (added by …, 2026-05-04)") and how many there are, what the latest scans say
# (pass, fail, mixed, not_evaluated, none) and "yes" when they fail an item marked not applicable or accepted
EVIDENCE_COLUMNS = ("due_on", "overdue", "evidence", "evidence_count", "scan_status", "scanner_disagrees")
COLUMNS = (
    *("id", "topic", "priority", "title", "status", "owner", "note", "references", "why", "how", "decisions"),
    *GUIDANCE_COLUMNS,
    "needs_review",
    *ACCEPTANCE_COLUMNS,
    *EVIDENCE_COLUMNS,
)


def acceptance_cells(st: StatusRecord) -> list[str]:
    return [
        st.acceptance or "",
        st.acceptance_justification or "",
        st.acceptance_expires.isoformat() if st.acceptance_expires else "",
        st.acceptance_requested_by or "",
        st.acceptance_approved_by or "",
        st.acceptance_approved_at.isoformat() if st.acceptance_approved_at else "",
    ]


def evidence_cells(st: StatusRecord) -> list[str]:
    return [
        st.due_on.isoformat() if st.due_on else "",
        "yes" if st.overdue else "",
        "\n".join(entry.summary() for entry in st.evidence),
        str(len(st.evidence)),
        st.scan_status,
        "yes" if st.scanner_disagrees else "",
    ]


def to_csv(doc: ExportDocument) -> str:
    facts = checklist_facts(doc.result, framework_names(doc.kb, doc.result))
    order = start_here_order(doc.result)
    rows = []
    for item in doc.result["checklist"]:
        st = doc.status_of(item["id"])
        rows.append(
            [
                *(item["id"], item["topic"], item["priority"], item["title"], st.status, st.owner, st.note),
                *(references_text(item), item["why"], item["how"], " ".join(item["decisions"])),
                *guidance_cells(item, facts[item["id"]], order),
                st.review_reason or "",
                *acceptance_cells(st),
                *evidence_cells(st),
            ]
        )
    return csv_text(COLUMNS, rows)


def render(doc: ExportDocument) -> Export:
    return Export((BOM + to_csv(doc)).encode("utf-8"), MIMETYPE, f"{file_stem(doc)}.csv")


MAPPING_COLUMNS = (
    *("framework", "requirement", "requirement_title", "answered", "item_id", "item_title"),
    *("priority", "status", "owner", "note", "needs_review"),
    *ACCEPTANCE_COLUMNS,
)


def to_mapping_csv(doc: ExportDocument) -> str:
    """Each ticked framework's requirements with the items that answer them and their statuses; a
    requirement no item answers gets one row saying so (results before engine 2.1 have no mapping)."""
    rows = []
    for section in compliance_mapping(doc.result, framework_names(doc.kb, doc.result)):
        for req in section.requirements:
            head = [section.label, req.number, req.title]
            if not req.items:
                rows.append([*head, "no", "", NOT_ANSWERED, "", "", "", "", "", *[""] * len(ACCEPTANCE_COLUMNS)])
            for item in req.items:
                st = doc.status_of(item["id"])
                cells = [item["id"], item["title"], item["priority"], st.status, st.owner, st.note]
                rows.append([*head, "yes", *cells, st.review_reason or "", *acceptance_cells(st)])
    return csv_text(MAPPING_COLUMNS, rows)


def render_mapping(doc: ExportDocument) -> Export:
    return Export((BOM + to_mapping_csv(doc)).encode("utf-8"), MIMETYPE, f"{file_stem(doc)}-compliance.csv")
