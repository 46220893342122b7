"""JSON export of a stored revision: the contract §4 result unchanged, with its context.

Beside the result, ``start_here`` lists the first things to do with their current status, and
``frameworks`` gives each ticked compliance framework's requirements with the items that answer
them and those items' current status (``answered: false`` where none does); both are empty for
results of engines before 2.1, which did not say.

The shape is described by ``advisor/exports/schema/export.schema.json`` (JSON Schema
draft 2020-12), shipped with the package. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from advisor.exports import Export, file_stem, iso
from advisor.exports.document import ExportDocument, Signature, SignOffRecord, StatusRecord
from advisor.report.summary import compliance_mapping, framework_names, start_here

MIMETYPE = "application/json"
FORMAT = "advisor-export"
FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "export.schema.json"


def schema() -> dict[str, Any]:
    """The JSON Schema of this export."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def _start_here(doc: ExportDocument) -> list[dict[str, Any]]:
    return [
        {
            "id": item["id"],
            "title": item["title"],
            "priority": item["priority"],
            "phase": item.get("phase"),
            "effort": item.get("effort"),
            "responsibility": item.get("responsibility"),
            "status": doc.status_of(item["id"]).status,
        }
        for item in start_here(doc.result)
    ]


def _frameworks(doc: ExportDocument) -> list[dict[str, Any]]:
    return [
        {
            "framework": fw.framework,
            "label": fw.label,
            "requirements": [
                {
                    "requirement": req.requirement,
                    "label": req.label,
                    "title": req.title,
                    "answered": bool(req.items),
                    "items": [
                        {"id": item["id"], "title": item["title"], "status": doc.status_of(item["id"]).status}
                        for item in req.items
                    ],
                }
                for req in fw.requirements
            ],
        }
        for fw in compliance_mapping(doc.result, framework_names(doc.kb, doc.result))
    ]


def _status(st: StatusRecord) -> dict[str, Any]:
    return {
        "status": st.status,
        "owner": st.owner,
        "note": st.note,
        "updated_by": st.updated_by,
        "updated_at": iso(st.updated_at),
        "needs_review": st.needs_review,
        "review_reason": st.review_reason,
        "acceptance": None
        if st.status != "accepted_risk"
        else {
            "state": st.acceptance,
            "justification": st.acceptance_justification,
            "expires": st.acceptance_expires.isoformat() if st.acceptance_expires else None,
            "requested_by": st.acceptance_requested_by,
            "approved_by": st.acceptance_approved_by,
            "approved_at": iso(st.acceptance_approved_at),
        },
        "due_on": st.due_on.isoformat() if st.due_on else None,
        "overdue": st.overdue,
        "verification": None
        if st.verification_result is None
        else {
            "result": st.verification_result,
            "procedure": st.verification_procedure,
            "by": st.verified_by,
            "at": iso(st.verified_at),
        },
        "scan_status": st.scan_status,
        "scanner_disagrees": st.scanner_disagrees,
        "evidence": [
            {
                "kind": e.kind,
                "text": e.text,
                "added_by": e.added_by,
                "added_at": iso(e.added_at),
                "tool": e.tool,
                "benchmark": e.benchmark,
                "check": e.check,
                "result": e.result,
                "cluster": e.cluster,
                "scanned_at": iso(e.scanned_at),
            }
            for e in st.evidence
        ],
    }


def _removed(doc: ExportDocument) -> list[dict[str, Any]]:
    return [
        {
            "id": gone.item_id,
            "title": gone.title,
            "last_on_revision": gone.last_on,
            "removed_since_revision": gone.removed_since,
            "evidence_count": gone.evidence_count,
            "status": _status(gone.record),
        }
        for gone in doc.removed
    ]


def sign_off_data(signed: SignOffRecord) -> dict[str, Any]:
    """A revision's sign-off as the JSON export and the API give it."""

    def signature(s: Signature | None) -> dict[str, Any] | None:
        return {"by": s.by, "at": iso(s.at), "statement": s.statement} if s else None

    return {
        "status": signed.status,
        "decision_status": signed.decision_status,
        "deciders": signed.deciders,
        "decided_on": signed.decided_on.isoformat() if signed.decided_on else None,
        "assessor": signature(signed.assessor),
        "approver": signature(signed.approver),
    }


def to_data(doc: ExportDocument) -> dict[str, Any]:
    statuses = {}
    for item in doc.result["checklist"]:  # every item of this revision, "todo" when never set
        statuses[item["id"]] = _status(doc.status_of(item["id"]))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        # which export this file is (the id the activity log, the PDF and the other files of it name) and the
        # moment its statuses are as of; an additive key, so format_version stays 1 (as start_here did)
        "export": {
            "id": doc.export_id,
            "as_of": iso(doc.as_of_time),
            "exported_at": iso(doc.exported_at),
            "exported_by": doc.exported_by,
        },
        "assessment": {
            "id": doc.assessment_id,
            "title": doc.title,
            "description": doc.description,
            "workspace": doc.workspace,
            "scope": doc.scope,
        },
        "revision": {
            "number": doc.revision_number,
            "label": doc.revision_label,
            "created_at": iso(doc.revision_created_at),
            "author": doc.revision_author,
            "engine_version": doc.engine_version,
            "knowledge_base_version": doc.knowledge_base_version,
            "latest": doc.revision_number == doc.latest_revision_number,
            "latest_number": doc.latest_revision_number,
        },
        "exported_at": iso(doc.exported_at),
        "exported_by": doc.exported_by,
        "result": doc.result,
        "statuses": statuses,
        "removed": _removed(doc),
        "sign_off": sign_off_data(doc.sign_off),
        "start_here": _start_here(doc),
        "frameworks": _frameworks(doc),
        "applicability": [
            {
                "item": item["id"],
                "title": item["title"],
                "kind": st.status,
                "reason": st.note,
                "set_by": st.updated_by,
                "set_at": iso(st.updated_at),
            }
            for item, st in doc.applicability()
        ],
        "audit": [{"at": iso(e.at), "actor": e.actor, "action": e.action, "detail": e.detail} for e in doc.audit],
    }


def to_json(doc: ExportDocument) -> str:
    # default=str: an audit detail holding a non-JSON value (a date) is written as text, never fails
    return json.dumps(to_data(doc), indent=2, ensure_ascii=False, default=str) + "\n"


def render(doc: ExportDocument) -> Export:
    return Export(to_json(doc).encode("utf-8"), MIMETYPE, f"{file_stem(doc)}.json")
