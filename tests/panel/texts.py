"""Every text a result shows about its decisions, for checks on wording."""

from __future__ import annotations

from typing import Any


def decision_texts(result: dict[str, Any]) -> list[str]:
    texts = list(result["warnings"])
    for d in result["decisions"]:
        texts += [d["label"], d.get("not_applicable_because") or "", d.get("close_call_advice") or ""]
        for alt in d["alternatives"]:
            texts += [alt["label"], alt["phrase"], alt["summary"], alt["excluded_because"] or ""]
            texts += [r["text"] for r in alt["reasons"]]
    return [t for t in texts if t]


def checklist_texts(result: dict[str, Any]) -> list[str]:
    """Every text a result shows about its checklist: each item's words, reasons, requirement titles and
    reference labels."""
    texts: list[str] = []
    for item in result["checklist"]:
        texts += [item["title"], item["why"], item["how"], item["priority_because"], *item["included_because"]]
        texts += [f["title"] for f in item["frameworks"]] + [r["label"] for r in item["references"]]
    return texts


def result_texts(result: dict[str, Any]) -> list[str]:
    return decision_texts(result) + checklist_texts(result)
