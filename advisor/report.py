"""What a report shows, computed from a stored result: summary, counts, groups, charts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from advisor.charts import score_chart
from advisor.engine import KnowledgeBase
from advisor.engine.schema import PRIORITIES, STATUSES, TOPICS
from advisor.models import ChecklistStatus

TOPIC_LABELS = {t: t.replace("_", " ").capitalize() for t in TOPICS} | {
    "control_plane_access": "Control-plane access",
    "tls": "TLS",
    "rbac": "RBAC",
    "etcd": "etcd",
    "multi_cluster_ops": "Multi-cluster operations",
}
DONE = ("done", "not_applicable")


def summary_sentence(result: Mapping[str, Any]) -> str:
    """The recommended architecture in one sentence, from each recommended alternative's phrase."""
    parts = [
        next(a.get("phrase") or a["label"] for a in d["alternatives"] if a["id"] == d["recommended"])
        for d in result["decisions"]
        if d["recommended"] is not None
    ]
    if not parts:
        return "No recommendation could be made."
    return ", ".join(parts) + "."


def lead(margin: float | None, tie_break_named: bool = False) -> str:
    """How far the recommendation leads, in words: a tie is said to be one, never "0.0 points ahead".

    Engine 2.x names each decision's tie-break among the reasons (``tie_break_named``); engine 1.x
    gave a tie to the alternative listed first.
    """
    if margin is None:
        return "the only alternative left"
    if margin == 0:
        how = (
            "the reasons below say how the tie is settled"
            if tie_break_named
            else "a tie goes to the alternative listed first"
        )
        return f"level with the runner-up ({how})"
    if margin < 0.0005:
        return "less than 0.1 points ahead of the runner-up"
    return f"{margin * 100:.1f} points ahead of the runner-up"


def statuses_by_item(rows: list[ChecklistStatus]) -> dict[str, ChecklistStatus]:
    return {row.item_id: row for row in rows}


def counts(result: Mapping[str, Any], statuses: dict[str, ChecklistStatus]) -> dict[str, Any]:
    checklist = result["checklist"]
    status_of = {i["id"]: (statuses[i["id"]].status if i["id"] in statuses else "todo") for i in checklist}
    by_priority = Counter(i["priority"] for i in checklist)
    by_status = Counter(status_of.values())
    done = sum(1 for s in status_of.values() if s in DONE)
    open_by_priority = Counter(i["priority"] for i in checklist if status_of[i["id"]] not in DONE)
    return {
        "total": len(checklist),
        "done": done,
        "percent": round(100 * done / len(checklist)) if checklist else 100,
        "by_priority": [(p, by_priority.get(p, 0), open_by_priority.get(p, 0)) for p in PRIORITIES],
        "by_status": [(s, by_status.get(s, 0)) for s in STATUSES],
    }


def grouped_checklist(result: Mapping[str, Any]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Items grouped by topic in contract order, most urgent first within a topic."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in result["checklist"]:
        groups.setdefault(item["topic"], []).append(item)
    return [(t, TOPIC_LABELS[t], groups[t]) for t in TOPICS if t in groups]


def charts(result: Mapping[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    return {
        d["id"]: score_chart(d, list(kb.criteria), f"chart-{d['id']}")
        for d in result["decisions"]
        if d["applicable"] and d["alternatives"]
    }


_CODE = re.compile(r"`([^`]+)`")


def inline_code(text: str) -> Markup:
    """Escape knowledge-base prose, then show its `code` spans as <code>."""
    return Markup(_CODE.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(text))))  # noqa: S704 (escaped first)
