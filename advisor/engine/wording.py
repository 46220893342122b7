"""Conditions in words a reader of the questionnaire knows: question and option labels, never ids.

``describe(cond, kb)`` says when a condition holds ("“Must the clusters be air-gapped?” is “Yes”"),
for hints on the questionnaire and for anything else shown to people; ``facts`` says which answers
made one hold, as sentences, for a checklist item's reasons.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from advisor.engine.conditions import AllOf, Always, AnyOf, Condition, DecisionCondition, KeyCondition, NotOf

if TYPE_CHECKING:
    from advisor.engine.knowledge import KnowledgeBase
    from advisor.engine.schema import QuestionModel

_COMPARE = {"gte": "{} or more", "gt": "more than {}", "lte": "{} or fewer", "lt": "fewer than {}"}


def _quoted(text: str) -> str:
    return f"“{text}”"


def _values(kb: KnowledgeBase, key: str, values: Any) -> str:
    question = kb.question_by_key.get(key)
    labels = {o.value: o.label for o in question.options} if question else {}
    items = values if isinstance(values, list | tuple) else [values]
    words = [_quoted(labels.get(v, str(v))) for v in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _name(kb: KnowledgeBase, key: str) -> str:
    """A question as the subject of a clause: "the number of services" for a count, else its quoted label."""
    question = kb.question_by_key.get(key)
    if question is None:
        return _quoted(key)
    if question.type == "int" and question.label.startswith("Number of "):
        return "the " + question.label[0].lower() + question.label[1:]
    return _quoted(question.label)


def _key(cond: KeyCondition, kb: KnowledgeBase) -> str:
    name = _name(kb, cond.key)
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
            return f"{name} is {_COMPARE[cond.op].format(cond.value)}"


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


def _held(cond: Condition, answers: Mapping[str, Any], recommended: Mapping[str, str | None]) -> list[Condition]:
    """The parts of a holding condition that made it hold: every part of an "all", the first of an "any"."""
    if isinstance(cond, AllOf):
        return [leaf for p in cond.parts for leaf in _held(p, answers, recommended)]
    if isinstance(cond, AnyOf):
        first = next((p for p in cond.parts if p.holds(answers, recommended)), None)
        return _held(first, answers, recommended) if first is not None else [cond]
    return [cond]


def _fact(cond: Condition, answers: Mapping[str, Any], recommended: Mapping[str, str | None], kb: KnowledgeBase) -> str:
    if isinstance(cond, KeyCondition):
        name = _name(kb, cond.key)
        answer = answers.get(cond.key)
        if isinstance(answer, list | tuple):
            if cond.op == "empty" and cond.value:
                return f"nothing is chosen for {name}"
            hits = [v for v in answer if v in cond.value] if cond.op.startswith("contains") else list(answer)
            hits = hits if cond.op != "contains" else [cond.value]
            return f"{name} include {_values(kb, cond.key, hits).replace(' or ', ' and ')}"
        if cond.op in _COMPARE:
            return f"{name} is {answer}"
        return f"{name} is {_values(kb, cond.key, answer)}"
    if isinstance(cond, DecisionCondition) and cond.op != "applicable":
        decision = kb.decision_by_id.get(cond.decision)
        chosen = recommended.get(cond.decision)
        if decision is None:
            return describe(cond, kb)
        alt = next((a for a in decision.alternatives if a.id == chosen), None)
        variant = next((v for v in alt.variants if v.when.holds(answers)), None) if alt else None
        label = (variant and variant.label) or (alt.label if alt else str(chosen))
        return f"the recommendation for {decision.label.lower()} is {_quoted(label)}"
    return describe(cond, kb)


def facts(
    cond: Condition,
    answers: Mapping[str, Any],
    recommended: Mapping[str, str | None],
    kb: KnowledgeBase,
    *,
    sentences: bool = False,
) -> list[str]:
    """The answers (and recommendations) that made a holding condition hold, each as a clause
    ("“Compliance frameworks” include “PCI DSS”") or, with ``sentences``, as a sentence; none for a
    condition that always holds."""
    if isinstance(cond, Always):
        return []
    key = ("facts", id(cond), sentences, _answered(cond, answers, recommended, kb))
    found: tuple[str, ...] | None = kb.composed.get(key)
    if found is None:
        out: list[str] = []
        for leaf in _held(cond, answers, recommended):
            text = _fact(leaf, answers, recommended, kb)
            text = sentence(capitalised(text)) if sentences else text
            if text not in out:
                out.append(text)
        found = kb.composed[key] = tuple(out)
    return list(found)


def _answered(
    cond: Condition, answers: Mapping[str, Any], recommended: Mapping[str, str | None], kb: KnowledgeBase
) -> tuple[Any, ...]:
    """What a condition's words depend on: the answers it reads, the recommendations it names, and the
    answers that decide what those recommendations are called (on premises, "managed" is a distribution)."""
    names = kb.composed.get(("names", id(cond)))  # conditions live as long as their knowledge base
    if names is None:
        named = sorted(cond.decisions())
        read = set(cond.keys())
        for d in named:
            dec = kb.decision_by_id.get(d)
            read.update(*(v.when.keys() for a in (dec.alternatives if dec else ()) for v in a.variants))
        names = kb.composed[("names", id(cond))] = (sorted(read), named)
    keys, decisions = names
    values = [answers.get(k) for k in keys]
    values = [tuple(v) if type(v) is list else v for v in values]
    return (*values, *[recommended.get(d) for d in decisions])


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def format_answer(kb: KnowledgeBase, key: str, value: Any) -> str:
    """An answer as people read it: option labels, not ids."""
    q = kb.question_by_key.get(key)
    labels = {o.value: o.label for o in q.options} if q else {}
    if isinstance(value, bool):
        return labels.get(value, "Yes" if value else "No")
    if isinstance(value, list):
        return ", ".join(labels.get(v, str(v)) for v in value) or "none"
    if isinstance(value, dict):
        names = {c.id: c.label for c in kb.criteria}
        return ", ".join(f"{names.get(k, k)} {v}" for k, v in value.items()) or "none"
    return str(labels.get(value, value))


_AT_LEAST = re.compile(r"must be at least (\w+) \((-?\d+)\)$")


def _labels(q: QuestionModel) -> str:
    return ", ".join(o.label for o in q.options)


def question_of(kb: KnowledgeBase, key: str) -> QuestionModel | None:
    """The question an error key (``services``, ``priorities.cost``, ``compliance[0]``) belongs to."""
    return kb.question_by_key.get(key.split("[", 1)[0].split(".", 1)[0])


def field_message(kb: KnowledgeBase, key: str, message: str) -> str:
    """An engine error about one answer (``key``, ``message``) in the questionnaire's words, for people
    filling it in; the engine's own messages name ids and stay as they are for the API and the command line."""
    q = question_of(kb, key)
    if q is None:
        return message
    at_least = _AT_LEAST.search(message)
    if at_least:
        return f"must be at least {_name(kb, at_least[1])} ({at_least[2]})"
    if not any(mark in message for mark in ("allowed:", "listed twice", "every priority is 0")):
        return message  # the knowledge base's own refusals are already written for people
    match q.type:
        case "choice":
            return f"Choose one of: {_labels(q)}"
        case "bool":
            return "Choose Yes or No"
        case "int":
            return f"Enter a whole number from {q.min} to {q.max}"
        case "multi" if "listed twice" in message:
            return "Choose each option once"
        case "multi" if "empty list" in message:
            return f"Choose at least {q.min_items} of: {_labels(q)}"
        case "multi":
            return f"Choose any of: {_labels(q)}"
        case "priorities" if message.startswith("every priority is 0"):
            return "Give at least one criterion a priority from 1 to 5"
        case "priorities":
            return "Enter a whole number from 0 to 5"
    return message
