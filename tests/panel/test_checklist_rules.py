"""Contract v2's rules for the checklist (§3 item fields, §4 rules 1 and 7), over random valid answers."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from advisor.engine import evaluate
from advisor.engine.knowledge import default_knowledge_base
from advisor.engine.schema import EFFORTS, PHASES, RESPONSIBILITIES
from tests.panel.test_rules import EXAMPLES, MACHINE_WORDS
from tests.strategies import valid_answers


@given(valid_answers())
@settings(max_examples=EXAMPLES, deadline=None)
def test_rule_1_critical_stays_a_short_list(answers: dict[str, Any]) -> None:
    checklist = evaluate(answers)["checklist"]
    critical = [i for i in checklist if i["priority"] == "critical"]
    assert len(critical) <= 12
    assert len(critical) <= 0.30 * len(checklist), (len(critical), len(checklist))
    assert all(i["phase"] == "before_go_live" for i in critical)


@given(valid_answers().map(lambda doc: {**doc, "workloads": sorted({*doc.get("workloads", []), "untrusted_code"})}))
@settings(max_examples=EXAMPLES, deadline=None)
def test_rule_7_untrusted_code_is_sandboxed_or_kept_apart_before_go_live(answers: dict[str, Any]) -> None:
    items = {i["id"]: i for i in evaluate(answers)["checklist"]}
    sandbox = items["runtime-sandbox-dedicated-nodes"]
    assert sandbox["priority"] == "critical"
    assert "third parties" in sandbox["priority_because"], sandbox["priority_because"]


@given(valid_answers())
@settings(max_examples=EXAMPLES, deadline=None)
def test_start_here_is_the_teams_own_urgent_work_in_order(answers: dict[str, Any]) -> None:
    result = evaluate(answers)
    items = {i["id"]: i for i in result["checklist"]}
    first = result["start_here"]
    assert 3 <= len(first) <= 7, first
    assert len(set(first)) == len(first), first
    chosen = [items[i] for i in first]
    assert all(i["responsibility"] != "provider" for i in chosen)
    ours = [i for i in items.values() if i["priority"] == "critical" and i["responsibility"] != "provider"]
    # the team's critical work first (all of it, up to seven); other work only to make up three
    assert [i["id"] for i in chosen[: len(ours)]] == [i["id"] for i in chosen if i["priority"] == "critical"]
    assert sum(i["priority"] == "critical" for i in chosen) == min(len(ours), 7)
    rest = [i for i in chosen if i["priority"] != "critical"]
    others = [i for i in items.values() if i["priority"] != "critical" and i["responsibility"] != "provider"]
    if rest and any(i["phase"] == "before_go_live" for i in others):
        assert rest[0]["phase"] == "before_go_live"


@given(valid_answers())
@settings(max_examples=EXAMPLES, deadline=None)
def test_every_item_says_when_how_much_who_and_why(answers: dict[str, Any]) -> None:
    kb = default_knowledge_base()
    result = evaluate(answers)
    for item in result["checklist"]:
        assert item["phase"] in PHASES
        assert item["effort"] in EFFORTS
        assert item["responsibility"] in RESPONSIBILITIES
        if item["responsibility"] == "provider":  # evidence to collect, not steps to take
            assert item["how"] == kb.item_by_id[item["id"]].evidence
        assert item["included_because"]
        assert item["priority_because"]
        for text in [item["priority_because"], *item["included_because"]]:
            assert MACHINE_WORDS.search(text) is None, text
            assert text.endswith("."), text
            assert text.lstrip("“")[0].isupper(), text


@given(valid_answers())
@settings(max_examples=EXAMPLES, deadline=None)
def test_requirements_only_for_ticked_frameworks_and_each_one_accounted_for(answers: dict[str, Any]) -> None:
    result = evaluate(answers)
    ticked = set(result["answers"]["compliance"])
    assert {v["framework"] for v in result["frameworks"]} == ticked
    answering = {
        (v["framework"], r["requirement"]): set(r["items"]) for v in result["frameworks"] for r in v["requirements"]
    }
    for item in result["checklist"]:
        for f in item["frameworks"]:
            assert f["framework"] in ticked
            assert f["title"]
            assert item["id"] in answering[(f["framework"], f["requirement"])]
    assert sum(len(ids) for ids in answering.values()) == sum(len(i["frameworks"]) for i in result["checklist"])
