"""Compare two evaluation results: answers, decisions, checklist items and progress."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.engine import KnowledgeBase
from advisor.engine.schema import DONE_STATUSES
from advisor.engine.wording import format_answer


def _progress(checklist: list[dict[str, Any]], statuses: Mapping[str, str]) -> dict[str, int]:
    done = sum(1 for item in checklist if statuses.get(item["id"], "todo") in DONE_STATUSES)
    return {"done": done, "total": len(checklist)}


def _decisions(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    after_by_id = {d["id"]: d for d in after["decisions"]}
    for b in before["decisions"]:
        a = after_by_id.get(b["id"])
        if a is None:
            continue
        scores_b = {x["id"]: x for x in b["alternatives"]}
        scores_a = {x["id"]: x for x in a["alternatives"]}
        alternatives = [
            {
                "id": alt_id,
                "label": (scores_a.get(alt_id) or scores_b[alt_id])["label"],
                "before": scores_b.get(alt_id, {}).get("score"),
                "after": scores_a.get(alt_id, {}).get("score"),
                "excluded_before": scores_b.get(alt_id, {}).get("excluded", False),
                "excluded_after": scores_a.get(alt_id, {}).get("excluded", False),
            }
            for alt_id in dict.fromkeys([*scores_b, *scores_a])
        ]
        out.append(
            {
                "id": b["id"],
                "label": b["label"],
                "before": b["recommended"],
                "after": a["recommended"],
                "changed": b["recommended"] != a["recommended"],
                "alternatives": alternatives,
            }
        )
    return out


def compare_results(
    kb: KnowledgeBase,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    statuses_before: Mapping[str, str],
    statuses_after: Mapping[str, str],
) -> dict[str, Any]:
    answers = []
    for q in kb.questions:
        if q.key == "status":
            continue
        old, new = before["answers"].get(q.key), after["answers"].get(q.key)
        if old != new:
            answers.append(
                {
                    "key": q.key,
                    "label": q.label,
                    "before": format_answer(kb, q.key, old),
                    "after": format_answer(kb, q.key, new),
                }
            )
    items_b = {i["id"]: i for i in before["checklist"]}
    items_a = {i["id"]: i for i in after["checklist"]}
    status_changes = [
        {"item": items_a[i], "before": statuses_before.get(i, "todo"), "after": statuses_after.get(i, "todo")}
        for i in items_a
        if i in items_b and statuses_before.get(i, "todo") != statuses_after.get(i, "todo")
    ]
    priority_changes = [
        {"item": items_a[i], "before": items_b[i]["priority"], "after": items_a[i]["priority"]}
        for i in items_a
        if i in items_b and items_b[i]["priority"] != items_a[i]["priority"]
    ]
    return {
        "answers": answers,
        "decisions": _decisions(before, after),
        "added": [items_a[i] for i in items_a if i not in items_b],
        "removed": [items_b[i] for i in items_b if i not in items_a],
        "priority_changes": priority_changes,
        "status_changes": status_changes,
        "progress_before": _progress(before["checklist"], statuses_before),
        "progress_after": _progress(after["checklist"], statuses_after),
        "versions": {
            "before": before["knowledge_base_version"],
            "after": after["knowledge_base_version"],
        },
    }


def has_changes(diff: dict[str, Any]) -> bool:
    return bool(
        diff["answers"]
        or any(d["changed"] for d in diff["decisions"])
        or diff["added"]
        or diff["removed"]
        or diff["priority_changes"]
        or any(a["before"] != a["after"] for d in diff["decisions"] for a in d["alternatives"])
    )
