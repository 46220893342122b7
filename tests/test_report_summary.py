"""The report's summary sentence says where a recommendation is only a close call (issue 14)."""

from __future__ import annotations

from typing import Any

from advisor.report.summary import summary_sentence


def decision(decision_id: str, phrase: str, margin: float, **extra: Any) -> dict[str, Any]:
    return {
        "id": decision_id,
        "recommended": "x",
        "margin": margin,
        "alternatives": [{"id": "x", "label": phrase.title(), "phrase": phrase}],
        **extra,
    }


def test_a_close_call_is_named_where_it_stands() -> None:
    result = {
        "decisions": [
            decision("hosting", "a managed control plane", 0.008, close_call=True),
            decision("clusters", "one cluster", 0.2, close_call=False),
        ]
    }
    assert summary_sentence(result) == "a managed control plane (a close call), one cluster."


def test_results_of_engine_1_are_judged_by_their_margin() -> None:
    """Engine 1.x stored no close_call flag: under 5 points is a close call."""
    result = {"decisions": [decision("hosting", "a managed control plane", 0.03), decision("mesh", "no mesh", 0.3)]}
    assert summary_sentence(result) == "a managed control plane (a close call), no mesh."
