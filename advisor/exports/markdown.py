"""Markdown export of a stored revision, for wikis and pull requests.

User text (title, description, workspace, revision label, owners, notes, audit actors and
details) goes through ``md_escape``; knowledge-base prose through ``md_prose``.
"""

from __future__ import annotations

import re

from advisor.engine.schema import DONE_STATUSES
from advisor.exports import Export, action_text, detail_text, file_stem, iso, when
from advisor.exports.document import (
    APPLICABILITY_INTRO,
    APPLICABILITY_KINDS,
    APPLICABILITY_NONE,
    LEFT_OUT,
    EvidenceRecord,
    ExportDocument,
    StatusRecord,
    scope_lines,
)
from advisor.exports.result import (
    facts_markdown,
    findings_markdown,
    how_label,
    mapping_markdown,
    reasons_markdown,
    start_here_markdown,
)
from advisor.exports.text import md_escape, md_prose
from advisor.report.summary import (
    DISAGREES,
    STATUS_LABELS,
    TOPIC_LABELS,
    VERIFICATION_LABELS,
    checklist_facts,
    compliance_mapping,
    counts,
    framework_names,
    grouped_checklist,
    summary_sentence,
)

SAFE_LINK = re.compile(r"https?://[^\s<>\"\\`]+", re.IGNORECASE)  # what a Markdown autolink target may hold
MIMETYPE = "text/markdown"  # bytes in UTF-8; Response(mimetype=...) adds "; charset=utf-8" to text/* itself


def acceptance_markdown(st: StatusRecord) -> list[str]:
    """A risk acceptance's record: its state as of the export, why, until when, who asked and who approved."""
    if st.acceptance is None:
        return []
    state = {"requested": "requested, not approved yet", "approved": "approved", "expired": "expired: open again"}
    lines = [
        f"- **Risk acceptance:** {state[st.acceptance]}, until {st.acceptance_expires or '—'}",
        f"  - Justification: {_cell(st.acceptance_justification or '')}",
        f"  - Requested by: {_cell(st.acceptance_requested_by or '')}",
    ]
    if st.acceptance_approved_by:
        lines.append(f"  - Approved by: {_cell(st.acceptance_approved_by)}, {when(st.acceptance_approved_at)}")
    return lines


def evidence_line(entry: EvidenceRecord) -> str:
    """An entry on one escaped line; a link whose address is a plain http(s) URL is a Markdown link to it."""
    line = md_escape(entry.summary())
    if entry.kind == "link" and SAFE_LINK.fullmatch(entry.text):
        by = md_escape(entry.summary().removeprefix(f"Link: {entry.text}"))
        line = f"Link: [{md_escape(entry.text)}](<{entry.text}>){by}"
    return line


def evidence_markdown(st: StatusRecord) -> list[str]:
    """The due date (overdue or not, as of the export) and every evidence entry."""
    lines = [f"- **{st.due_label}**" if st.overdue else f"- {st.due_label}"] if st.due_label else []
    if st.scanner_disagrees:
        lines.append(f"- **Scanner disagrees**: {DISAGREES}")
    if st.verification_result:
        label = VERIFICATION_LABELS.get(st.verification_result, st.verification_result)
        how = f": {md_escape(st.verification_procedure)}" if st.verification_procedure else ""
        at = f", {st.verified_at:%Y-%m-%d}" if st.verified_at else ""
        lines.append(f"- {label} (by {md_escape(st.verified_by or 'someone')}{at}){how}")
    if st.evidence:
        lines.append(f"- Evidence ({len(st.evidence)}):")
        lines += [f"  - {evidence_line(entry)}" for entry in st.evidence]
    return lines


def removed_markdown(doc: ExportDocument) -> list[str]:
    """Items earlier revisions listed and this one does not, whose record nobody closed (issue 16)."""
    if not doc.removed:
        return []
    lines = [
        "## Removed since an earlier revision",
        "",
        "Not on this revision's checklist, but their status, note or evidence is still on record.",
        "",
    ]
    for gone in doc.removed:
        st = gone.record
        lines += [
            f"### {md_escape(gone.title)}",
            "",
            f"- `{gone.item_id}` · removed since revision {gone.removed_since} (last on revision {gone.last_on})",
            f"- Last status: **{md_escape(st.label(STATUS_LABELS))}**",
            *acceptance_markdown(st),
            f"- Owner: {_cell(st.owner)}",
            f"- Note: {_cell(st.note)}",
            f"- Evidence: {gone.evidence_count} {'entry' if gone.evidence_count == 1 else 'entries'}",
            "",
        ]
    return lines


def _paragraphs(text: str) -> list[str]:
    """User text with its paragraphs kept, each escaped onto one line."""
    paras = [md_escape(p) for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return [line for p in paras for line in (p, "")]


def _cell(text: str | None) -> str:
    return md_escape(text) if text else "—"


def _revision_text(doc: ExportDocument) -> str:
    text = f"{doc.revision_number} of {doc.latest_revision_number}"
    if doc.revision_label:
        text += f" · {md_escape(doc.revision_label)}"
    if doc.revision_number != doc.latest_revision_number:
        text += " (not the latest)"
    return text


def identity_line(doc: ExportDocument) -> str:
    """Which export this is, of which assessment and revision, as of when: the file says so at its top, so a copy
    pasted into a wiki still leads back to the activity log's entry for it."""
    return (
        f"Export `{doc.export_id}` of assessment {doc.assessment_id}, revision {doc.revision_number}, "
        f"as of {iso(doc.as_of_time)}."
    )


def to_markdown(doc: ExportDocument) -> str:
    result = doc.result
    lines = [f"# {md_escape(doc.title)}", "", identity_line(doc), ""]
    lines += _paragraphs(doc.description)
    stated = scope_lines(doc.scope)
    if stated:
        lines += [*(f"- **{label}**: {md_escape(text)}" for label, text in stated), ""]
    lines += [
        "| | |",
        "|---|---|",
        f"| Workspace | {_cell(doc.workspace)} |",
        f"| Revision | {_revision_text(doc)} |",
        f"| Saved | {when(doc.revision_created_at)} by {_cell(doc.revision_author)} |",
        f"| Engine | {md_escape(doc.engine_version)} |",
        f"| Knowledge base | {md_escape(doc.knowledge_base_version)} |",
        f"| Exported | {when(doc.exported_at)} by {_cell(doc.exported_by)} |",
        *(f"| {label} | {_cell(text)} |" for label, text in doc.sign_off.lines()),
        "",
    ]

    names = framework_names(doc.kb, result)
    facts = checklist_facts(result, names)

    def status(item_id: str) -> str:
        return doc.status_of(item_id).label(STATUS_LABELS)

    progress = counts(result, doc.statuses, doc.exported_at.date())
    lines += ["## Summary", "", md_prose(summary_sentence(result)), ""]
    lines += [
        f"**{progress['done']} of {progress['total']}** checklist items done, not applicable or inherited "
        f"({progress['percent']}%)"
        + (f"; {progress['needs_review']} need review after a new revision." if progress["needs_review"] else "."),
        "",
        "| Priority | Items | Still open |",
        "|---|---|---|",
        *(f"| {p} | {n} | {o} |" for p, n, o in progress["by_priority"]),
        "",
        "| Status | Items |",
        "|---|---|",
        *(f"| {STATUS_LABELS[s]} | {n} |" for s, n in progress["by_status"]),
        "",
    ]
    lines += start_here_markdown(result, facts, status)
    lines += findings_markdown(result, doc.sign_off.decisions_sentence())

    lines += [
        "## Checklist",
        "",
        "| Item | Priority | Status | Owner | Note | Due | Evidence |",
        "|---|---|---|---|---|---|---|",
    ]
    for item in result["checklist"]:
        st = doc.status_of(item["id"])
        due = (f"**{st.due_label}**" if st.overdue else st.due_label) if st.due_label else "—"
        lines.append(
            f"| `{item['id']}` {md_escape(item['title'])} | {item['priority']} | {_cell(st.label(STATUS_LABELS))} "
            f"| {_cell(st.owner)} | {_cell(st.note)} | {due} | {len(st.evidence) or '—'} |"
        )
    lines.append("")
    for topic, label, items in grouped_checklist(result):
        lines += [f"### {md_escape(TOPIC_LABELS.get(topic, label))}", ""]
        for item in items:
            st = doc.status_of(item["id"])
            box = "x" if st.status in DONE_STATUSES and not st.needs_review else " "
            lines += [
                f"#### {md_escape(item['title'])}",
                "",
                f"- [{box}] `{item['id']}` · priority {item['priority']} · status **{STATUS_LABELS[st.status]}**",
                *([f"- **Needs review:** {md_escape(st.review_reason or '')}"] if st.needs_review else []),
                *acceptance_markdown(st),
                *evidence_markdown(st),
                *facts_markdown(facts[item["id"]]),
                f"- Owner: {_cell(st.owner)}",
                f"- Note: {_cell(st.note)}",
            ]
            if st.updated_at or st.updated_by:
                lines.append(f"- Last updated: {when(st.updated_at)} by {_cell(st.updated_by)}")
            lines += [
                "",
                f"**Why:** {md_prose(item['why'])}",
                "",
                f"**{how_label(facts[item['id']])}:** {md_prose(item['how'])}",
                "",
                *reasons_markdown(facts[item["id"]]),
                "References:",
                "",
            ]
            lines += [f"- [{md_escape(r['label'])}](<{r['url']}>)" for r in item["references"]] + [""]

    lines += ["## Applicability statement", "", APPLICABILITY_INTRO, ""]
    exempt = doc.applicability()
    if exempt:
        lines += [
            "| Item | Title | Why it does not apply, or the provider's attestation relied on | Set by |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{item['id']}` | {_cell(item['title'])} "
            f"| {APPLICABILITY_KINDS[st.status]}: {_cell(st.note or '— (no reason recorded)')} "
            f"| {_cell(st.updated_by)}{(', ' + when(st.updated_at)) if st.updated_at else ''} |"
            for item, st in exempt
        ]
    else:
        lines.append(APPLICABILITY_NONE)
    lines.append("")

    lines += removed_markdown(doc)
    lines += mapping_markdown(compliance_mapping(result, names), status)

    lines += ["## Activity", ""]
    if doc.audit:
        lines += ["| When | Who | What | Details |", "|---|---|---|---|"]
        lines += [
            f"| {when(e.at)} | {_cell(e.actor)} | {md_escape(action_text(e.action))} | {_cell(detail)} |"
            for e in doc.audit_shown
            for detail in [detail_text(e.detail, doc.kb)]
        ]
        if doc.audit_left_out:
            lines += ["", LEFT_OUT.format(n=doc.audit_left_out, total=len(doc.audit))]
    else:
        lines.append("Nothing recorded yet.")
    lines.append("")
    return "\n".join(lines)


def render(doc: ExportDocument) -> Export:
    return Export(to_markdown(doc).encode("utf-8"), MIMETYPE, f"{file_stem(doc)}.md")
