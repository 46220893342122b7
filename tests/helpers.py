"""Small helpers for reading evaluation results in tests."""

from __future__ import annotations

from typing import Any


def decision(result: dict[str, Any], decision_id: str) -> dict[str, Any]:
    return next(d for d in result["decisions"] if d["id"] == decision_id)


def alternative(result: dict[str, Any], decision_id: str, alt_id: str) -> dict[str, Any]:
    return next(a for a in decision(result, decision_id)["alternatives"] if a["id"] == alt_id)


def recommended(result: dict[str, Any], decision_id: str) -> str | None:
    value: str | None = decision(result, decision_id)["recommended"]
    return value


def item_ids(result: dict[str, Any]) -> set[str]:
    return {item["id"] for item in result["checklist"]}


def topics(result: dict[str, Any]) -> set[str]:
    return {item["topic"] for item in result["checklist"]}


def item(result: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for i in result["checklist"] if i["id"] == item_id)
