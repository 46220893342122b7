"""The expert panel: for each organisation, the engine recommends what the architect would sign."""

from __future__ import annotations

import re
from typing import Any

import pytest

from advisor.engine import evaluate
from tests.panel.organisations import ORGANISATIONS
from tests.panel.texts import result_texts


@pytest.mark.parametrize("org", ORGANISATIONS, ids=[o["id"] for o in ORGANISATIONS])
def test_the_architect_signs_each_decision(org: dict[str, Any]) -> None:
    result = evaluate(org["answers"])
    chosen = {d["id"]: d["recommended"] for d in result["decisions"]}
    wrong = {k: (chosen[k], ok) for k, ok in org["expect"].items() if chosen[k] not in ok}
    assert not wrong, f"{org['id']}: recommended vs acceptable {wrong}"


@pytest.mark.parametrize("org", ORGANISATIONS, ids=[o["id"] for o in ORGANISATIONS])
def test_no_word_the_architect_rules_out_anywhere(org: dict[str, Any]) -> None:
    """The decisions' texts (labels, phrases, summaries, reasons, exclusions, advice), the warnings, and
    every checklist item's title, why, how, reasons and reference labels."""
    result = evaluate(org["answers"])
    texts = result_texts(result)
    for word in org["text_never"]:
        found = [t for t in texts if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", t)]
        assert not found, f"{org['id']}: '{word}' in {found[:2]}"


@pytest.mark.parametrize("org", ORGANISATIONS, ids=[o["id"] for o in ORGANISATIONS])
def test_a_checklist_the_team_can_act_on(org: dict[str, Any]) -> None:
    result = evaluate(org["answers"])
    bounds, checklist = org["checklist"], result["checklist"]
    critical = [i["id"] for i in checklist if i["priority"] == "critical"]
    assert len(critical) <= bounds["critical_at_most"], critical
    assert len(checklist) <= bounds.get("items_at_most", len(checklist))
    topics = {i["id"]: i["topic"] for i in checklist}
    first = {topics[i] for i in result["start_here"]}
    assert set(bounds.get("start_here_topics_include", ())) <= first, result["start_here"]
    mapped = {(f["framework"], f["requirement"]) for i in checklist for f in i["frameworks"]}
    for framework, requirements in bounds.get("frameworks_include", {}).items():
        assert {(framework, r) for r in requirements} <= mapped


@pytest.mark.parametrize("org", ORGANISATIONS, ids=[o["id"] for o in ORGANISATIONS])
def test_the_critical_list_comes_from_the_rules_not_the_budget(org: dict[str, Any]) -> None:
    """The budget (order.yaml) is a backstop: for the panel, the priority rules alone keep critical short."""
    held = [i["id"] for i in evaluate(org["answers"])["checklist"] if "held at high" in i["priority_because"]]
    assert not held
