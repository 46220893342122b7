"""Select the checklist items that apply to a set of answers and recommendations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.engine.knowledge import KnowledgeBase
from advisor.engine.result import ChecklistItem
from advisor.engine.schema import PROVIDERS, PRIORITIES, TOPICS, ItemModel

_PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}
_TOPIC_RANK = {t: i for i, t in enumerate(TOPICS)}


def item_priority(item: ItemModel, answers: Mapping[str, Any], recommended: Mapping[str, str | None]) -> str:
    """The first matching priority rule wins; otherwise the item's own priority."""
    for rule in item.priority_rules:
        if rule.when.holds(answers, recommended):
            return rule.priority
    return item.priority


def item_how(item: ItemModel, answers: Mapping[str, Any]) -> str:
    """The item's steps for where the clusters run: provider steps only in a cloud, and only for the clouds
    named (every one, neutrally, when none is); the on-premises steps only where there is an own estate."""
    infrastructure = answers.get("infrastructure")
    parts = [item.how]
    if infrastructure != "on_prem" and item.how_by_provider:
        named = [p for p in PROVIDERS if p in (answers.get("cloud_providers") or ())]
        parts += [item.how_by_provider[p] for p in named or PROVIDERS if p in item.how_by_provider]
    if infrastructure != "public_cloud" and item.how_on_prem:
        parts.append(item.how_on_prem)
    return " ".join(parts)


def build_checklist(
    kb: KnowledgeBase, answers: Mapping[str, Any], recommended: Mapping[str, str | None]
) -> list[ChecklistItem]:
    """Applicable items, most urgent first, then grouped by topic in contract order."""
    statuses = answers.get("status") or {}
    chosen: list[tuple[tuple[int, int, int], ChecklistItem]] = []
    for index, item in enumerate(kb.items):
        if not item.when.holds(answers, recommended):
            continue
        priority = item_priority(item, answers, recommended)
        chosen.append(
            (
                (_PRIORITY_RANK[priority], _TOPIC_RANK[item.topic], index),
                {
                    "id": item.id,
                    "topic": item.topic,
                    "priority": priority,
                    "title": item.title,
                    "why": item.why,
                    "how": item_how(item, answers),
                    "references": [{"label": r.label, "url": r.url} for r in item.references],
                    "decisions": list(item.decisions),
                    "status": statuses.get(item.id, "todo"),
                    "included_because": item.when.explain(answers, recommended),
                },
            )
        )
    chosen.sort(key=lambda pair: pair[0])
    return [entry for _, entry in chosen]
