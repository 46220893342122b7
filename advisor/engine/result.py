"""The shape of an evaluation result (contract §4 and its version 2), for the code that reads one.

Results are stored as plain JSON, so these are TypedDicts: mypy checks the readers, nothing is
converted. Stored results made by engine 1.x keep their shape (a reason is a string, there is no
``close_call``); ``reason`` reads either.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

Effect = Literal["for", "against"]
CLOSE_CALL = 0.05  # of the score (5 points of 100): a smaller lead, a tie included, is a close call


class Reason(TypedDict):
    text: str
    effect: Effect | None  # None: a v1 reason, which did not say
    criterion: str | None
    points: float | None


class Alternative(TypedDict):
    id: str
    label: str
    score: float
    excluded: bool
    excluded_because: str | None
    criteria: dict[str, float]
    contributions: dict[str, float]
    base: dict[str, float]
    summary: str
    phrase: str
    reasons: list[Reason]  # engine 1.x stored plain strings: read any stored reason through ``reason``
    trace: list[dict[str, Any]]


class Flip(TypedDict):
    """The smallest change to one priority that changes the recommendation (the JSON also holds ``from``,
    the priority before the change, which a class cannot name: read it with ``flip["from"]``)."""

    criterion: str
    priority: int
    alternative: str


class Decision(TypedDict):
    id: str
    label: str
    applicable: bool
    recommended: str | None
    margin: float | None
    alternatives: list[Alternative]
    flip: dict[str, Any] | None  # a Flip plus "from"
    not_applicable_because: NotRequired[str | None]
    close_call: NotRequired[bool]
    close_call_advice: NotRequired[str | None]


class Reference(TypedDict):
    label: str
    url: str


class ChecklistItem(TypedDict):
    id: str
    topic: str
    priority: str
    title: str
    why: str
    how: str
    references: list[Reference]
    decisions: list[str]
    status: str
    included_because: list[str]
    # engine 2.x: when, how much work, who, why this priority, which requirements of the ticked frameworks
    priority_because: NotRequired[str]
    phase: NotRequired[str]
    effort: NotRequired[str]
    responsibility: NotRequired[str]
    frameworks: NotRequired[list[dict[str, str]]]


class RequirementView(TypedDict):
    requirement: str
    title: str
    items: list[str]  # ids of the checklist items that answer it; empty: no item does


class FrameworkView(TypedDict):
    framework: str
    label: str
    requirements: list[RequirementView]


class WarningDetail(TypedDict):
    id: str
    message: str
    because: list[Any]


class Result(TypedDict):
    """The evaluation result of contract §4 (v2 where engine 2.x made it)."""

    engine_version: str
    knowledge_base_version: str
    answers: dict[str, Any]
    weights: dict[str, float]
    decisions: list[Decision]
    checklist: list[ChecklistItem]
    warnings: list[str]
    warnings_detail: list[WarningDetail]
    start_here: NotRequired[list[str]]  # engine 2.x
    frameworks: NotRequired[list[FrameworkView]]  # engine 2.x: one per ticked compliance framework


def reason(raw: str | Reason | dict[str, Any]) -> Reason:
    """A reason as v2 states it, whichever engine made it."""
    if isinstance(raw, str):
        return {"text": raw, "effect": None, "criterion": None, "points": None}
    return {
        "text": str(raw.get("text", "")),
        "effect": raw.get("effect"),
        "criterion": raw.get("criterion"),
        "points": raw.get("points"),
    }


def close_call(decision: Decision | dict[str, Any]) -> bool:
    """Whether a decision is a close call; v1 results did not say, so their margin decides (under 5 points)."""
    if "close_call" in decision:
        return bool(decision["close_call"])
    margin = decision.get("margin")
    return margin is not None and margin < CLOSE_CALL
