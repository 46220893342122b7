"""Select the checklist items that apply to a set of answers and recommendations, and say for each
when to do it, who does it, why it is there, why it has its priority and which requirements it answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.engine.conditions import Always
from advisor.engine.knowledge import KnowledgeBase
from advisor.engine.result import ChecklistItem, FrameworkView, Reference
from advisor.engine.schema import PHASES, PRIORITIES, PROVIDERS, TOPICS, ItemModel
from advisor.engine.wording import facts

_PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}
_TOPIC_RANK = {t: i for i, t in enumerate(TOPICS)}
_PHASE_RANK = {p: i for i, p in enumerate(PHASES)}
# Contract v2 rule 1: critical means "before go-live, a gap here is directly exploitable or fails the
# audit", so it stays a short list: at most this many items, and at most this share of the checklist.
CRITICAL_AT_MOST = 12
CRITICAL_SHARE = 0.30
START_HERE = (3, 7)  # the first things to do: at least, at most
EVERY_CLUSTER = "It applies to every cluster."


def critical_budget(items: int) -> int:
    return min(CRITICAL_AT_MOST, int(items * CRITICAL_SHARE))


def operating_models(answers: Mapping[str, Any], recommended: Mapping[str, str | None]) -> tuple[str, ...]:
    """How the clusters are run under the recommendation, in the terms of an item's ``responsibility``;
    a hybrid estate on a managed recommendation is both a cloud service and a vendor distribution."""
    if recommended.get("hosting") != "managed":
        return ("self_managed",)
    infrastructure = answers.get("infrastructure")
    if infrastructure == "on_prem":
        return ("vendor",)
    cloud = "provider_nodes" if answers.get("node_operations") == "provider" else "cloud"
    return (cloud, "vendor") if infrastructure == "hybrid" else (cloud,)


def clouds(answers: Mapping[str, Any]) -> tuple[str, ...]:
    """The clouds whose steps and sources apply: those named, every one when none is, none on premises."""
    if answers.get("infrastructure") == "on_prem":
        return ()
    named = tuple(p for p in PROVIDERS if p in (answers.get("cloud_providers") or ()))
    return named or PROVIDERS


def item_how(kb: KnowledgeBase, item: ItemModel, answers: Mapping[str, Any]) -> str:
    """The item's steps for where the clusters run: provider steps only for the clouds that apply; the
    on-premises steps only where there is an own estate."""
    if not item.how_by_provider and not item.how_on_prem:
        return item.how
    infrastructure = answers.get("infrastructure")
    shown = clouds(answers)
    key = ("how", item.id, infrastructure, shown)
    found: str | None = kb.composed.get(key)
    if found is None:
        parts = [item.how]
        parts += [text for p, text in item.how_by_provider.items() if p in shown]
        if infrastructure != "public_cloud" and item.how_on_prem:
            parts.append(item.how_on_prem)
        found = kb.composed[key] = " ".join(parts)
    return found


def item_priority(
    kb: KnowledgeBase, item: ItemModel, answers: Mapping[str, Any], recommended: Mapping[str, str | None]
) -> tuple[str, str]:
    """The item's priority and why: the first matching rule wins; otherwise the item's own priority."""
    for rule in item.priority_rules:
        if rule.when.holds(answers, recommended):
            if rule.because:
                return rule.priority, rule.because
            moved = "Raised" if _PRIORITY_RANK[rule.priority] < _PRIORITY_RANK[item.priority] else "Lowered"
            clauses = " and ".join(facts(rule.when, answers, recommended, kb))
            return rule.priority, f"{moved} to {rule.priority} because {clauses}."
    return item.priority, item.priority_because


def included_because(
    kb: KnowledgeBase, item: ItemModel, answers: Mapping[str, Any], recommended: Mapping[str, str | None]
) -> list[str]:
    if isinstance(item.when, Always):
        return [EVERY_CLUSTER]
    return facts(item.when, answers, recommended, kb, sentences=True) or [EVERY_CLUSTER]


def _frameworks(kb: KnowledgeBase, item: ItemModel, ticked: tuple[str, ...]) -> list[dict[str, str]]:
    if not ticked:
        return []
    key = ("frameworks", item.id, ticked)
    found: tuple[tuple[str, str, str], ...] | None = kb.composed.get(key)
    if found is None:
        found = kb.composed[key] = tuple(
            (table.id, r.id, r.title)
            for table in kb.frameworks
            if table.id in ticked
            for r in table.requirements
            if r.id in item.frameworks.get(table.id, ())
        )
    return [{"framework": f, "requirement": r, "title": t} for f, r, t in found]  # fresh: callers may edit


def _references(kb: KnowledgeBase, item: ItemModel, shown: tuple[str, ...]) -> list[Reference]:
    """The item's sources, a cloud's only where that cloud's steps are."""
    key = ("references", item.id, shown)
    found: tuple[tuple[str, str], ...] | None = kb.composed.get(key)
    if found is None:
        found = kb.composed[key] = tuple(
            (r.label, r.url) for r in item.references if r.provider is None or r.provider in shown
        )
    return [{"label": label, "url": url} for label, url in found]


def build_checklist(
    kb: KnowledgeBase, answers: Mapping[str, Any], recommended: Mapping[str, str | None]
) -> list[ChecklistItem]:
    """Applicable items, most urgent first, then grouped by topic in contract order."""
    statuses = answers.get("status") or {}
    ticked = tuple(f.id for f in kb.frameworks if f.id in (answers.get("compliance") or ()))
    models = operating_models(answers, recommended)
    shown = clouds(answers)
    chosen: list[tuple[ItemModel, int, ChecklistItem]] = []
    for index, item in enumerate(kb.items):
        if not item.when.holds(answers, recommended):
            continue
        priority, because = item_priority(kb, item, answers, recommended)
        responsibility = item.responsible(models)
        entry: ChecklistItem = {
            "id": item.id,
            "topic": item.topic,
            "priority": priority,
            "title": item.title,
            "why": item.why,
            "how": item.evidence if responsibility == "provider" and item.evidence else item_how(kb, item, answers),
            "references": _references(kb, item, shown),
            "decisions": list(item.decisions),
            "status": statuses.get(item.id, "todo"),
            "included_because": included_because(kb, item, answers, recommended),
            "priority_because": because,
            "phase": item.phase,
            "effort": item.effort,
            "responsibility": responsibility,
            "frameworks": _frameworks(kb, item, ticked),
        }
        chosen.append((item, index, entry))
    _hold_critical_budget(kb, chosen)
    for _, _, entry in chosen:
        if entry["priority"] == "critical":
            entry["phase"] = "before_go_live"
    chosen.sort(key=lambda c: (_PRIORITY_RANK[c[2]["priority"]], _TOPIC_RANK[c[0].topic], c[1]))
    return [entry for _, _, entry in chosen]


def _urgency(kb: KnowledgeBase, item_id: str) -> tuple[int, int]:
    """Where an item stands in the order to do critical work (order.yaml), then in file order."""
    return (kb.rank.get(item_id, len(kb.rank)), kb.position[item_id])


def _hold_critical_budget(kb: KnowledgeBase, chosen: list[tuple[ItemModel, int, ChecklistItem]]) -> None:
    """Keep critical to the budget: the most urgent stay critical, the rest become high and say why."""
    critical = sorted((c for c in chosen if c[2]["priority"] == "critical"), key=lambda c: _urgency(kb, c[0].id))
    budget = critical_budget(len(chosen))
    for _, _, entry in critical[budget:]:
        entry["priority"] = "high"
        entry["priority_because"] = (
            f"{entry['priority_because']} It is held at high so that the critical list stays the {budget} "
            "most urgent items before go-live; do it right after them."
        )


def start_here(kb: KnowledgeBase, checklist: list[ChecklistItem]) -> list[str]:
    """The first things to do, in order: the critical work the team does itself (it is all before go-live);
    when that is fewer than three items, the most urgent of the rest, before-go-live work first."""

    def urgency(entry: ChecklistItem) -> tuple[int, int, int, int]:
        return (_PHASE_RANK[entry["phase"]], _PRIORITY_RANK[entry["priority"]], *_urgency(kb, entry["id"]))

    ours = sorted((e for e in checklist if e["responsibility"] != "provider"), key=urgency)
    critical = sum(e["priority"] == "critical" for e in ours)
    return [e["id"] for e in ours[: max(START_HERE[0], min(critical, START_HERE[1]))]]


def framework_views(
    kb: KnowledgeBase, answers: Mapping[str, Any], checklist: list[ChecklistItem]
) -> list[FrameworkView]:
    """For each ticked framework, every requirement of its table with the items that answer it
    (none, said openly, where no item does)."""
    views: list[FrameworkView] = []
    for table in kb.frameworks:
        if table.id not in (answers.get("compliance") or ()):
            continue
        answering: dict[str, list[str]] = {r.id: [] for r in table.requirements}
        for entry in checklist:
            for f in entry["frameworks"]:
                if f["framework"] == table.id:
                    answering[f["requirement"]].append(entry["id"])
        views.append(
            {
                "framework": table.id,
                "label": table.label,
                "requirements": [
                    {"requirement": r.id, "title": r.title, "items": answering[r.id]} for r in table.requirements
                ],
            }
        )
    return views
