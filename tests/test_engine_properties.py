"""Properties that hold for every valid answers document."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings

from advisor.engine import evaluate
from advisor.engine.schema import CRITERIA, PRIORITIES
from tests.strategies import valid_answers

TOLERANCE = 1e-3  # reported numbers are rounded to four places


@given(valid_answers())
@settings(max_examples=300, deadline=None)
def test_evaluate_never_raises_and_is_deterministic(answers: dict[str, Any]) -> None:
    snapshot = copy.deepcopy(answers)
    first = evaluate(answers)
    assert answers == snapshot, "evaluate must not change its input"
    assert evaluate(answers) == first
    assert json.loads(json.dumps(first)) == first, "the result is plain JSON data"
    assert evaluate(first["answers"]) == first, "normalised answers evaluate to the same result"


@given(valid_answers())
@settings(max_examples=300, deadline=None)
def test_scores_values_and_weights_are_consistent(answers: dict[str, Any]) -> None:
    result = evaluate(answers)
    weights = result["weights"]
    assert list(weights) == list(CRITERIA)
    assert sum(weights.values()) == pytest.approx(1, abs=TOLERANCE)
    total = sum(result["answers"]["priorities"].values())
    for c in CRITERIA:
        assert weights[c] == pytest.approx(result["answers"]["priorities"][c] / total, abs=1e-4)
    for dec in result["decisions"]:
        alts = dec["alternatives"]
        if not dec["applicable"]:
            assert dec["recommended"] is None
            assert alts == []
            assert dec["flip"] is None
            continue
        for alt in alts:
            assert 0 <= alt["score"] <= 1
            assert all(0 <= v <= 1 for v in alt["criteria"].values())
            weighted = sum(weights[c] * alt["criteria"][c] for c in CRITERIA)
            assert alt["score"] == pytest.approx(weighted, abs=TOLERANCE)
            assert alt["excluded"] is (alt["excluded_because"] is not None)
        eligible = [a for a in alts if not a["excluded"]]
        assert eligible, f"{dec['id']}: the built-in knowledge base always leaves an alternative"
        assert dec["recommended"] == eligible[0]["id"]
        assert alts[: len(eligible)] == eligible, "excluded alternatives come last"
        scores = [a["score"] for a in eligible]
        assert scores == sorted(scores, reverse=True), "best first"
        if len(eligible) > 1:
            assert dec["margin"] == pytest.approx(scores[0] - scores[1], abs=TOLERANCE)
            assert dec["margin"] >= 0
        else:
            assert dec["margin"] is None


def _with_priority(answers: dict[str, Any], criterion: str, value: int) -> dict[str, Any]:
    return {**answers, "priorities": {**answers["priorities"], criterion: value}}


@given(valid_answers())
@settings(max_examples=120, deadline=None)
def test_flip_is_the_smallest_change_that_changes_the_recommendation(answers: dict[str, Any]) -> None:
    result = evaluate(answers)
    normal = result["answers"]
    current = {d["id"]: d["recommended"] for d in result["decisions"]}
    # every single-priority change, evaluated once: (criterion, value) -> recommendations
    changed: dict[tuple[str, int], dict[str, Any]] = {}
    for c in CRITERIA:
        for v in range(6):
            trial = _with_priority(normal, c, v)
            if v == normal["priorities"][c] or not any(trial["priorities"].values()):
                continue
            changed[(c, v)] = {d["id"]: d["recommended"] for d in evaluate(trial)["decisions"]}
    for dec in result["decisions"]:
        flip = dec["flip"]
        flips = {k: r[dec["id"]] for k, r in changed.items() if r[dec["id"]] != current[dec["id"]]}
        if flip is None:
            assert flips == {}, f"{dec['id']}: no flip reported, yet {flips} change it"
            continue
        key = (flip["criterion"], flip["priority"])
        assert flip["from"] == normal["priorities"][flip["criterion"]]
        assert flips.get(key) == flip["alternative"], "applying the flip changes the recommendation as stated"
        distance = abs(flip["priority"] - flip["from"])
        smaller = [k for k in flips if abs(k[1] - normal["priorities"][k[0]]) < distance]
        assert smaller == [], f"{dec['id']}: a smaller change {smaller} also flips it"


@given(valid_answers())
@settings(max_examples=200, deadline=None)
def test_checklist_is_well_formed(answers: dict[str, Any]) -> None:
    result = evaluate(answers)
    ids = [i["id"] for i in result["checklist"]]
    assert len(ids) == len(set(ids))
    ranks = [PRIORITIES.index(i["priority"]) for i in result["checklist"]]
    assert ranks == sorted(ranks), "most urgent first"
    statuses = result["answers"]["status"]
    for item in result["checklist"]:
        assert item["status"] == statuses.get(item["id"], "todo")
        assert item["references"]
        assert all(r["url"].startswith("https://") for r in item["references"])
