"""Select the checklist items that apply to a set of answers and recommendations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.engine.knowledge import KnowledgeBase
from advisor.engine.result import ChecklistItem
from advisor.engine.schema import PRIORITIES, PROVIDERS, TOPICS, ItemModel

_PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}
_TOPIC_RANK = {t: i for i, t in enumerate(TOPICS)}


def item_priority(item: ItemModel, answers: Mapping[str, Any], recommended: Mapping[str, str | None]) -> str:
    """The first matching priority rule wins; otherwise the item's own priority."""
    for rule in item.priority_rules:
        if rule.when.holds(answers, recommended):
            return rule.priority
    return item.priority


def item_how(kb: KnowledgeBase, item: ItemModel, answers: Mapping[str, Any]) -> str:
    """The item's steps for where the clusters run: provider steps only in a cloud, and only for the clouds
    named (every one, neutrally, when none is); the on-premises steps only where there is an own estate."""
    if not item.how_by_provider and not item.how_on_prem:
        return item.how
    infrastructure = answers.get("infrastructure")
    providers = tuple(p for p in PROVIDERS if p in (answers.get("cloud_providers") or ()))
    key = ("how", item.id, infrastructure, providers)
    found: str | None = kb.composed.get(key)
    if found is None:
        parts = [item.how]
        if infrastructure != "on_prem":
            parts += [text for p, text in item.how_by_provider.items() if p in (providers or PROVIDERS)]
        if infrastructure != "public_cloud" and item.how_on_prem:
            parts.append(item.how_on_prem)
        found = kb.composed[key] = " ".join(parts)
    return found


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
                    "how": item_how(kb, item, answers),
                    "references": [{"label": r.label, "url": r.url} for r in item.references],
                    "decisions": list(item.decisions),
                    "status": statuses.get(item.id, "todo"),
                    "included_because": item.when.explain(answers, recommended),
                },
            )
        )
    chosen.sort(key=lambda pair: pair[0])
    return [entry for _, entry in chosen]
