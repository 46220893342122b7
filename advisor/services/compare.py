"""Compare two evaluation results: answers, decisions, checklist items and progress."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from advisor.engine import KnowledgeBase, evaluate
from advisor.engine.result import close_call
from advisor.engine.schema import DONE_STATUSES
from advisor.engine.wording import format_answer


class AnswerChange(TypedDict):
    key: str
    label: str
    before: str  # in words
    after: str


class AlternativeChange(TypedDict):
    id: str
    label: str
    before: float | None  # None: not an alternative in that result
    after: float | None
    excluded_before: bool
    excluded_after: bool


class DecisionChange(TypedDict):
    id: str
    label: str
    before: str  # the recommended alternative's id
    after: str
    changed: bool
    close_before: bool  # the recommendation was a close call
    close_after: bool
    alternatives: list[AlternativeChange]


class ItemChange(TypedDict):
    item: dict[str, Any]  # the checklist item as the later result has it
    before: str  # a status or a priority
    after: str


class Progress(TypedDict):
    done: int
    total: int


class Versions(TypedDict):
    before: str  # knowledge-base versions
    after: str


class Comparison(TypedDict):
    answers: list[AnswerChange]
    decisions: list[DecisionChange]
    added: list[dict[str, Any]]  # checklist items
    removed: list[dict[str, Any]]
    priority_changes: list[ItemChange]
    status_changes: list[ItemChange]
    progress_before: Progress
    progress_after: Progress
    versions: Versions


def _progress(checklist: list[dict[str, Any]], statuses: Mapping[str, str]) -> Progress:
    done = sum(1 for item in checklist if statuses.get(item["id"], "todo") in DONE_STATUSES)
    return {"done": done, "total": len(checklist)}


def _decisions(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[DecisionChange]:
    out: list[DecisionChange] = []
    after_by_id = {d["id"]: d for d in after["decisions"]}
    for b in before["decisions"]:
        a = after_by_id.get(b["id"])
        if a is None:
            continue
        scores_b = {x["id"]: x for x in b["alternatives"]}
        scores_a = {x["id"]: x for x in a["alternatives"]}
        alternatives: list[AlternativeChange] = [
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
                "close_before": close_call(b),
                "close_after": close_call(a),
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
) -> Comparison:
    answers: list[AnswerChange] = []
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
    status_changes: list[ItemChange] = [
        {"item": items_a[i], "before": statuses_before.get(i, "todo"), "after": statuses_after.get(i, "todo")}
        for i in items_a
        if i in items_b and statuses_before.get(i, "todo") != statuses_after.get(i, "todo")
    ]
    priority_changes: list[ItemChange] = [
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


def has_changes(diff: Comparison) -> bool:
    return bool(
        diff["answers"]
        or any(d["changed"] for d in diff["decisions"])
        or diff["added"]
        or diff["removed"]
        or diff["priority_changes"]
        or any(a["before"] != a["after"] for d in diff["decisions"] for a in d["alternatives"])
    )


def what_if(
    kb: KnowledgeBase, result: Mapping[str, Any], answers: Mapping[str, Any], statuses: Mapping[str, str]
) -> Comparison:
    """What ``answers`` would change against a stored ``result``, the statuses as they stand; nothing is stored.
    AnswersError names each invalid answer."""
    return compare_results(kb, result, evaluate(answers, kb), statuses, statuses)
