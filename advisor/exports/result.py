"""Render an evaluation result (contract §4) as JSON, Markdown or CSV.

The helpers here (``decision_markdown``, ``references_text``, ``csv_text``) are shared with
the export formats of a stored revision (``advisor.exports.markdown`` and ``.csv_export``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from advisor.engine.result import reason
from advisor.exports.text import csv_text, md_escape, md_prose

CSV_COLUMNS = ("id", "topic", "priority", "title", "status", "decisions", "why", "how", "references")


def to_json(result: Mapping[str, Any]) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def references_text(item: dict[str, Any]) -> str:
    """An item's references in one cell: ``label <url> | label <url>``."""
    return " | ".join(f"{r['label']} <{r['url']}>" for r in item["references"])


def to_csv(result: Mapping[str, Any]) -> str:
    """The checklist, one row per item; UTF-8 text (callers add a BOM where spreadsheets need one)."""
    return csv_text(
        CSV_COLUMNS,
        (
            [
                *(item["id"], item["topic"], item["priority"], item["title"], item["status"]),
                *(" ".join(item["decisions"]), item["why"], item["how"], references_text(item)),
            ]
            for item in result["checklist"]
        ),
    )


def pct(x: float | None) -> str:
    """A 0 … 1 figure as points of 100 with one decimal; an em dash for none."""
    return "—" if x is None else f"{x * 100:.1f}"


_pct = pct  # former private name


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


def decision_markdown(d: dict[str, Any], heading: str = "###") -> list[str]:
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


def findings_markdown(result: Mapping[str, Any]) -> list[str]:
    """The warnings and every decision with its reasons, as both Markdown documents show them."""
    lines: list[str] = []
    if result["warnings"]:
        lines += ["## Warnings", ""] + [f"- {md_prose(w)}" for w in result["warnings"]] + [""]
    lines += ["## Decisions", "", *decisions_table(result), ""]
    for d in result["decisions"]:
        lines += decision_markdown(d)
    return lines


def to_markdown(result: Mapping[str, Any]) -> str:
    """A readable report for wikis and pull requests."""
    lines = [
        "# Kubernetes architecture recommendation",
        "",
        f"Engine {md_escape(result['engine_version'])}, knowledge base {md_escape(result['knowledge_base_version'])}.",
        "",
    ]
    lines += findings_markdown(result)
    lines += ["## Checklist", "", "| Priority | Item | Topic | Status |", "|---|---|---|---|"]
    for item in result["checklist"]:
        lines.append(
            f"| {item['priority']} | {md_escape(item['title'])} (`{item['id']}`) | {item['topic']} | {item['status']} |"
        )
    lines.append("")
    for item in result["checklist"]:
        lines += [
            f"### {md_escape(item['title'])}",
            "",
            f"`{item['id']}` · {item['priority']} · {item['topic']} · {item['status']}",
            "",
            f"**Why:** {md_prose(item['why'])}",
            "",
            f"**How:** {md_prose(item['how'])}",
            "",
        ]
        lines += [f"- [{md_escape(r['label'])}](<{r['url']}>)" for r in item["references"]] + [""]
    return "\n".join(lines)


RENDERERS = {"json": to_json, "markdown": to_markdown, "csv": to_csv}
