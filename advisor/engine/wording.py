"""Conditions in words a reader of the questionnaire knows: question and option labels, never ids.

``describe(cond, kb)`` says when a condition holds ("“Must the clusters be air-gapped?” is “Yes”"),
for hints on the questionnaire and for anything else shown to people.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.engine.conditions import AllOf, AnyOf, Condition, DecisionCondition, KeyCondition, NotOf

if TYPE_CHECKING:
    from advisor.engine.knowledge import KnowledgeBase

_COMPARE = {"gte": "at least", "gt": "more than", "lte": "at most", "lt": "fewer than"}


def _quoted(text: str) -> str:
    return f"“{text}”"


def _values(kb: KnowledgeBase, key: str, values: Any) -> str:
    question = kb.question_by_key.get(key)
    labels = {o.value: o.label for o in question.options} if question else {}
    items = values if isinstance(values, list | tuple) else [values]
    words = [_quoted(labels.get(v, str(v))) for v in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _key(cond: KeyCondition, kb: KnowledgeBase) -> str:
    question = kb.question_by_key.get(cond.key)
    name = _quoted(question.label if question else cond.key)
    match cond.op:
        case "eq":
            return f"{name} is {_values(kb, cond.key, cond.value)}"
        case "ne":
            return f"{name} is not {_values(kb, cond.key, cond.value)}"
        case "in":
            return f"{name} is {_values(kb, cond.key, cond.value)}"
        case "not_in":
            return f"{name} is neither {_values(kb, cond.key, cond.value).replace(' or ', ' nor ')}"
        case "contains" | "contains_any":
            return f"{name} include {_values(kb, cond.key, cond.value)}"
        case "contains_all":
            return f"{name} include {_values(kb, cond.key, cond.value).replace(' or ', ' and ')}"
        case "empty":
            return f"nothing is chosen for {name}" if cond.value else f"something is chosen for {name}"
        case _:
            return f"{name} is {_COMPARE[cond.op]} {cond.value}"


def sentence(text: str | None) -> str:
    """Text ending in a full stop once (whole sentences keep theirs; fragments get one)."""
    text = (text or "").strip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def describe(cond: Condition, kb: KnowledgeBase) -> str:
    """When ``cond`` holds, in the questionnaire's words."""
    if isinstance(cond, KeyCondition):
        return _key(cond, kb)
    if isinstance(cond, DecisionCondition):
        decision = kb.decision_by_id.get(cond.decision)
        name = decision.label if decision else cond.decision
        if cond.op == "applicable":
            return f"the {name.lower()} decision {'applies' if cond.value else 'does not apply'}"
        chosen = cond.value if cond.op == "in" else [cond.value]
        labels = {a.id: a.label for a in decision.alternatives} if decision else {}
        return f"the recommendation for {name.lower()} is " + " or ".join(_quoted(labels.get(c, c)) for c in chosen)
    if isinstance(cond, AllOf | AnyOf):
        joiner = " and " if isinstance(cond, AllOf) else " or "
        return joiner.join(describe(p, kb) for p in cond.parts)
    if isinstance(cond, NotOf):
        return f"it is not the case that {describe(cond.part, kb)}"
    return "always"
