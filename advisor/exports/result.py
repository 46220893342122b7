"""Render an evaluation result (contract §4) as JSON, Markdown or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from advisor.exports.text import csv_cell, md_escape, md_prose

CSV_COLUMNS = ("id", "topic", "priority", "title", "status", "decisions", "why", "how", "references")


def to_json(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def to_csv(result: dict[str, Any]) -> str:
    """The checklist, one row per item; UTF-8 text (callers add a BOM where spreadsheets need one)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in result["checklist"]:
        refs = " | ".join(f"{r['label']} <{r['url']}>" for r in item["references"])
        row = [item["id"], item["topic"], item["priority"], item["title"], item["status"]]
        row += [" ".join(item["decisions"]), item["why"], item["how"], refs]
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}"


def to_markdown(result: dict[str, Any]) -> str:
    """A readable report for wikis and pull requests."""
    lines = [
        "# Kubernetes architecture recommendation",
        "",
        f"Engine {md_escape(result['engine_version'])}, knowledge base {md_escape(result['knowledge_base_version'])}.",
        "",
    ]
    if result["warnings"]:
        lines += ["## Warnings", ""] + [f"- {md_prose(w)}" for w in result["warnings"]] + [""]
    lines += ["## Decisions", "", "| Decision | Recommended | Margin (points of 100) |", "|---|---|---|"]
    for d in result["decisions"]:
        labels = {a["id"]: a["label"] for a in d["alternatives"]}
        rec = f"{md_escape(labels[d['recommended']])} (`{d['recommended']}`)" if d["recommended"] else "not applicable"
        lines.append(f"| {md_escape(d['label'])} | {rec} | {_pct(d['margin'])} |")
    lines.append("")
    for d in result["decisions"]:
        lines += [f"### {md_escape(d['label'])}", ""]
        if not d["applicable"]:
            lines += [f"Not applicable: {md_escape(d['not_applicable_because'] or '')}.", ""]
            continue
        for alt in d["alternatives"]:
            state = "excluded" if alt["excluded"] else f"score {_pct(alt['score'])}"
            mark = " (recommended)" if alt["id"] == d["recommended"] else ""
            lines.append(f"- **{md_escape(alt['label'])}**{mark}: {state}")
            if alt["excluded"]:
                lines.append(f"  - Excluded: {md_prose(alt['excluded_because'])}")
            lines += [f"  - {md_prose(r)}" for r in alt["reasons"]]
        if d["flip"]:
            f = d["flip"]
            lines.append(
                f"\nWhat would change this: setting the {md_escape(f['criterion'])} priority from "
                f"{f['from']} to {f['priority']} makes `{f['alternative']}` the recommendation."
            )
        lines.append("")
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
