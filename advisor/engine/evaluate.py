"""``evaluate(answers)``: the whole recommendation for one answers document (contract §4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.engine.answers import normalise_answers
from advisor.engine.checklist import build_checklist, framework_views, start_here
from advisor.engine.knowledge import KnowledgeBase, default_knowledge_base
from advisor.engine.result import Result, WarningDetail
from advisor.engine.schema import CRITERIA
from advisor.engine.scoring import score_decision

ENGINE_VERSION = "2.1.0"


def evaluate(answers: Mapping[str, Any], kb: KnowledgeBase | None = None) -> Result:
    """Validate the answers and return the evaluation result as plain dicts and lists.

    Raises AnswersError listing every problem when the answers are invalid.
    Pure: no I/O once the knowledge base is loaded, no shared state, thread-safe.
    """
    kb = kb or default_knowledge_base()
    normal = normalise_answers(answers, kb)
    priorities = [normal["priorities"][c] for c in CRITERIA]
    total = sum(priorities)
    decisions = [score_decision(dec, normal, priorities, kb) for dec in kb.decisions]
    recommended = {d["id"]: d["recommended"] for d in decisions}
    warnings_detail: list[WarningDetail] = []
    for w in kb.warnings:
        if w.when.holds(normal, recommended):
            warnings_detail.append({"id": w.id, "message": w.message, "because": w.when.explain(normal, recommended)})
    for d in decisions:
        if d["applicable"] and d["recommended"] is None:
            warnings_detail.append(
                {
                    "id": f"{d['id']}-no-alternative",
                    "message": f"Every alternative for {d['label']} is excluded by a constraint; "
                    "no recommendation can be made.",
                    "because": [a["excluded_because"] for a in d["alternatives"]],
                }
            )
    checklist = build_checklist(kb, normal, recommended)
    return {
        "engine_version": ENGINE_VERSION,
        "knowledge_base_version": kb.version,
        "answers": normal,
        "weights": {c: round(p / total, 4) for c, p in zip(CRITERIA, priorities, strict=True)},
        "decisions": decisions,
        "checklist": checklist,
        "start_here": start_here(kb, checklist),
        "frameworks": framework_views(kb, normal, checklist),
        "warnings": [w["message"] for w in warnings_detail],
        "warnings_detail": warnings_detail,
    }
