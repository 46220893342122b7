"""Render an evaluation result (contract §4) as JSON, Markdown or CSV.

The helpers here (``decision_markdown``, ``references_text``, ``csv_text``, the start-here, item-facts
and compliance-mapping lines and cells) are shared with the export formats of a stored revision
(``advisor.exports.markdown`` and ``.csv_export``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from advisor.engine import KnowledgeBase
from advisor.engine.result import reason
from advisor.exports.text import csv_text, md_escape, md_prose
from advisor.report.summary import (
    MAPPING_INTRO,
    NOT_ANSWERED,
    START_HERE_INTRO,
    STATUS_LABELS,
    FrameworkSection,
    ItemFacts,
    checklist_facts,
    compliance_mapping,
    framework_names,
    start_here,
)

# engine 2.1's guidance, in words (empty for older results); start_here: the item's place in "Start here"
GUIDANCE_COLUMNS = (
    "start_here",
    "phase",
    "effort",
    "responsibility",
    "priority_because",
    "included_because",
    "frameworks",
)
CSV_COLUMNS = ("id", "topic", "priority", "title", "status", "decisions", "why", "how", "references", *GUIDANCE_COLUMNS)
StatusLabel = Callable[[str], str]  # an item's id → its status, in words


def start_here_order(result: Mapping[str, Any]) -> dict[str, int]:
    """Each start-here item's place, from 1."""
    return {item["id"]: n for n, item in enumerate(start_here(result), start=1)}


def guidance_cells(item: Mapping[str, Any], facts: ItemFacts, order: Mapping[str, int]) -> list[str]:
    """The ``GUIDANCE_COLUMNS`` of an item's row."""
    return [
        str(order.get(item["id"], "")),
        facts.phase,
        facts.effort,
        facts.responsibility,
        facts.priority_because,
        " ".join(facts.included_because),
        facts.requirement_labels,
    ]


def how_label(facts: ItemFacts) -> str:
    """A provider's item says what evidence to collect, not how to do it."""
    return "Evidence to collect from the provider" if facts.provider else "How"


def start_here_markdown(result: Mapping[str, Any], facts: Mapping[str, ItemFacts], status: StatusLabel) -> list[str]:
    """The first things to do, numbered in order; nothing for results before engine 2.1."""
    items = start_here(result)
    if not items:
        return []
    lines = ["## Start here", "", START_HERE_INTRO, ""]
    for n, item in enumerate(items, start=1):
        parts = [f"priority {md_escape(item['priority'])}"]
        if facts[item["id"]].effort:
            parts.append(f"effort {md_escape(facts[item['id']].effort)}")
        parts.append(f"status **{md_escape(status(item['id']))}**")
        lines.append(f"{n}. {md_escape(item['title'])} (`{item['id']}`) — " + " · ".join(parts))
    return [*lines, ""]


def facts_markdown(facts: ItemFacts) -> list[str]:
    """An item's when, effort, who and the requirements it answers, as list entries."""
    meta = [
        f"{k}: {v}" for k, v in (("When", facts.phase), ("Effort", facts.effort), ("Who", facts.responsibility)) if v
    ]
    lines = [f"- {md_escape(' · '.join(meta))}"] if meta else []
    if facts.requirements:
        lines.append("- Answers: " + ", ".join(md_escape(r.label) for r in facts.requirements))
    return lines


def reasons_markdown(facts: ItemFacts) -> list[str]:
    """Why an item has its priority, and why it is on the checklist, as paragraphs."""
    lines = []
    if facts.priority_because:
        lines += [f"**Priority:** {md_prose(facts.priority_because)}", ""]
    if facts.included_because:
        lines += [f"**Included because:** {' '.join(md_prose(s) for s in facts.included_because)}", ""]
    return lines


def mapping_markdown(sections: list[FrameworkSection], status: StatusLabel) -> list[str]:
    """Per ticked framework, a table of its requirements and the items answering each (with their status);
    a requirement no item answers is said to be so. Nothing for results before engine 2.1."""
    if not sections:
        return []
    lines = ["## Compliance mapping", "", MAPPING_INTRO, ""]
    for fw in sections:
        count = f"{fw.answered} of {len(fw.requirements)} requirements answered by checklist items"
        count += f"; {fw.unanswered} not answered." if fw.unanswered else "."
        lines += [f"### {md_escape(fw.label)}", "", count, "", "| Requirement | Title | Answered by |", "|---|---|---|"]
        for req in fw.requirements:
            answered = "; ".join(
                f"`{i['id']}` {md_escape(i['title'])} ({md_escape(status(i['id']))})" for i in req.items
            )
            lines.append(f"| {md_escape(req.number)} | {md_escape(req.title)} | {answered or f'**{NOT_ANSWERED}**'} |")
        lines.append("")
    return lines


def to_json(result: Mapping[str, Any], kb: KnowledgeBase) -> str:
    """The result as it is (every renderer takes the knowledge base; JSON needs no labels from it)."""
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def references_text(item: Mapping[str, Any]) -> str:
    """An item's references in one cell: ``label <url> | label <url>``."""
    return " | ".join(f"{r['label']} <{r['url']}>" for r in item["references"])


def to_csv(result: Mapping[str, Any], kb: KnowledgeBase) -> str:
    """The checklist, one row per item; UTF-8 text (callers add a BOM where spreadsheets need one)."""
    facts = checklist_facts(result, framework_names(kb, result))
    order = start_here_order(result)
    return csv_text(
        CSV_COLUMNS,
        (
            [
                *(item["id"], item["topic"], item["priority"], item["title"], item["status"]),
                *(" ".join(item["decisions"]), item["why"], item["how"], references_text(item)),
                *guidance_cells(item, facts[item["id"]], order),
            ]
            for item in result["checklist"]
        ),
    )


def pct(x: float | None) -> str:
    """A 0 … 1 figure as points of 100 with one decimal; an em dash for none."""
    return "—" if x is None else f"{x * 100:.1f}"


def decisions_table(result: Mapping[str, Any]) -> list[str]:
    """Markdown table: each decision, its recommendation and margin."""
    lines = ["| Decision | Recommended | Margin (points of 100) |", "|---|---|---|"]
    for d in result["decisions"]:
        labels = {a["id"]: a["label"] for a in d["alternatives"]}
        rec = f"{md_escape(labels[d['recommended']])} (`{d['recommended']}`)" if d["recommended"] else "not applicable"
        lines.append(f"| {md_escape(d['label'])} | {rec} | {pct(d['margin'])} |")
    return lines


def reason_line(raw: Any) -> str:
    """A reason on one line: which way it pushes and by how much (v2), then its text."""
    r = reason(raw)
    if r["effect"] is None:
        return md_prose(r["text"])
    points = f" ({r['points']:+.1f})" if r["points"] else ""
    return f"{'For' if r['effect'] == 'for' else 'Against'}{points}: {md_prose(r['text'])}"


def decision_markdown(d: Mapping[str, Any], heading: str = "###") -> list[str]:
    """One decision: its alternatives with scores, exclusions and reasons, and what would flip it."""
    lines = [f"{heading} {md_escape(d['label'])}", ""]
    if not d["applicable"]:
        return [*lines, f"Not applicable: {md_escape(d.get('not_applicable_because') or '')}.", ""]
    for alt in d["alternatives"]:
        state = "excluded" if alt["excluded"] else f"score {pct(alt['score'])}"
        mark = " (recommended)" if alt["id"] == d["recommended"] else ""
        lines.append(f"- **{md_escape(alt['label'])}**{mark}: {state}")
        if alt["excluded"]:
            lines.append(f"  - Excluded: {md_prose(alt['excluded_because'])}")
        lines += [f"  - {reason_line(r)}" for r in alt["reasons"]]
    if d["flip"]:
        f = d["flip"]
        lines.append(
            f"\nWhat would change this: setting the {md_escape(f['criterion'])} priority from "
            f"{f['from']} to {f['priority']} makes `{f['alternative']}` the recommendation."
        )
    lines.append("")
    return lines


def findings_markdown(result: Mapping[str, Any], standing: str = "") -> list[str]:
    """The warnings and every decision with its reasons, as both Markdown documents show them; ``standing`` (plain
    text) says whether a stored revision's decisions are proposed or accepted."""
    lines: list[str] = []
    if result["warnings"]:
        lines += ["## Warnings", ""] + [f"- {md_prose(w)}" for w in result["warnings"]] + [""]
    lines += ["## Decisions", "", *([md_escape(standing), ""] if standing else []), *decisions_table(result), ""]
    for d in result["decisions"]:
        lines += decision_markdown(d)
    return lines


def to_markdown(result: Mapping[str, Any], kb: KnowledgeBase) -> str:
    """A readable report for wikis and pull requests."""
    lines = [
        "# Kubernetes architecture recommendation",
        "",
        f"Engine {md_escape(result['engine_version'])}, knowledge base {md_escape(result['knowledge_base_version'])}.",
        "",
    ]
    names = framework_names(kb, result)
    facts = checklist_facts(result, names)
    statuses = {item["id"]: item.get("status") or "todo" for item in result["checklist"]}

    def status(item_id: str) -> str:
        return STATUS_LABELS.get(statuses[item_id], statuses[item_id])

    lines += start_here_markdown(result, facts, status)
    lines += findings_markdown(result)
    lines += ["## Checklist", "", "| Priority | Item | Topic | Status |", "|---|---|---|---|"]
    for item in result["checklist"]:
        lines.append(
            f"| {item['priority']} | {md_escape(item['title'])} (`{item['id']}`) | {item['topic']} | {item['status']} |"
        )
    lines.append("")
    for item in result["checklist"]:
        found = facts[item["id"]]
        lines += [
            f"### {md_escape(item['title'])}",
            "",
            f"`{item['id']}` · {item['priority']} · {item['topic']} · {item['status']}",
            "",
        ]
        meta = facts_markdown(found)
        lines += [*meta, ""] if meta else []
        lines += [
            f"**Why:** {md_prose(item['why'])}",
            "",
            f"**{how_label(found)}:** {md_prose(item['how'])}",
            "",
            *reasons_markdown(found),
        ]
        lines += [f"- [{md_escape(r['label'])}](<{r['url']}>)" for r in item["references"]] + [""]
    lines += mapping_markdown(compliance_mapping(result, names), status)
    return "\n".join(lines)


RENDERERS = {"json": to_json, "markdown": to_markdown, "csv": to_csv}
