"""Validate and normalise an answers document against the knowledge base's questions.

Every problem is collected, so the user sees all of them at once; each names the
key, what was given and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.engine.knowledge import KnowledgeBase
from advisor.engine.schema import CRITERIA, STATUSES, QuestionModel

PRIORITY_MIN, PRIORITY_MAX, PRIORITY_DEFAULT = 0, 5, 3


class AnswersError(ValueError):
    """Invalid answers; ``errors`` lists every problem as ``{"key", "message"}``."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['key']}: {e['message']}" for e in errors))


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}…'"
    if isinstance(value, list | dict):
        return type(value).__name__
    return repr(value)


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "a mapping"}.get(
        type(value), type(value).__name__
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Validator:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.errors: list[dict[str, str]] = []

    def err(self, key: str, message: str) -> None:
        self.errors.append({"key": key, "message": message})

    def choice(self, q: QuestionModel, value: Any) -> Any:
        allowed = [o.value for o in q.options]
        if not isinstance(value, str) or value not in allowed:
            self.err(q.key, f"got {_show(value)}; allowed: {', '.join(map(str, allowed))}")
            return None
        return value

    def boolean(self, q: QuestionModel, value: Any) -> Any:
        if not isinstance(value, bool):
            self.err(q.key, f"got {_show(value)} ({_kind(value)}); allowed: true, false")
            return None
        return value

    def integer(self, q: QuestionModel, value: Any) -> Any:
        if value is None and q.nullable:
            return None
        if not _is_int(value):
            allowed = f"a whole number from {q.min} to {q.max}" + (", or null (not known)" if q.nullable else "")
            self.err(q.key, f"got {_show(value)} ({_kind(value)}); allowed: {allowed}")
            return None
        if q.min is not None and q.max is not None and not q.min <= value <= q.max:
            self.err(q.key, f"got {value}; allowed: a whole number from {q.min} to {q.max}")
            return None
        return value

    def multi(self, q: QuestionModel, value: Any) -> Any:
        allowed = [o.value for o in q.options]
        if not isinstance(value, list):
            self.err(
                q.key, f"got {_show(value)} ({_kind(value)}); allowed: a list of any of {', '.join(map(str, allowed))}"
            )
            return None
        ok, seen = True, set()
        for i, v in enumerate(value):
            if not isinstance(v, str) or v not in allowed:
                self.err(f"{q.key}[{i}]", f"got {_show(v)}; allowed: {', '.join(map(str, allowed))}")
                ok = False
            elif v in seen:
                self.err(f"{q.key}[{i}]", f"'{v}' is listed twice; list each value once")
                ok = False
            else:
                seen.add(v)
        if ok and len(value) < q.min_items:
            self.err(q.key, f"got an empty list; allowed: at least {q.min_items} of {', '.join(map(str, allowed))}")
            ok = False
        return [v for v in allowed if v in seen] if ok else None

    def priorities(self, q: QuestionModel, value: Any) -> Any:
        if not isinstance(value, Mapping):
            self.err(q.key, f"got {_show(value)} ({_kind(value)}); allowed: a mapping of criterion → 0 … 5")
            return None
        out, ok = {}, True
        for name, p in value.items():
            if not isinstance(name, str) or name not in CRITERIA:
                self.err(f"{q.key}.{name}", f"unknown criterion {_show(name)}; allowed: {', '.join(CRITERIA)}")
                ok = False
            elif not _is_int(p) or not PRIORITY_MIN <= p <= PRIORITY_MAX:
                self.err(f"{q.key}.{name}", f"got {_show(p)}; allowed: a whole number from 0 to 5")
                ok = False
        if not ok:
            return None
        out = {c: value.get(c, PRIORITY_DEFAULT) for c in CRITERIA}
        if not any(out.values()):
            self.err(q.key, "every priority is 0; at least one criterion must matter (1 … 5)")
            return None
        return out

    def statuses(self, q: QuestionModel, value: Any) -> Any:
        if not isinstance(value, Mapping):
            self.err(q.key, f"got {_show(value)} ({_kind(value)}); allowed: a mapping of checklist item id → status")
            return None
        ok = True
        for item_id, status in value.items():
            if not isinstance(item_id, str) or (item_id not in self.kb.item_by_id and item_id not in self.kb.retired):
                self.err(f"{q.key}.{item_id}", f"unknown checklist item {_show(item_id)}")
                ok = False
            elif not isinstance(status, str) or status not in STATUSES:
                self.err(f"{q.key}.{item_id}", f"got {_show(status)}; allowed: {', '.join(STATUSES)}")
                ok = False
        return {k: value[k] for k in sorted(value)} if ok else None


def _default(q: QuestionModel) -> Any:
    if q.type == "priorities":
        return dict.fromkeys(CRITERIA, PRIORITY_DEFAULT)
    if q.type == "statuses":
        return {}
    if q.type == "multi":
        return list(q.default or [])
    return q.default


def normalise_answers(answers: Any, kb: KnowledgeBase) -> dict[str, Any]:
    """Return the answers with defaults filled in and lists in a fixed order, or raise AnswersError."""
    if not isinstance(answers, Mapping):
        raise AnswersError(
            [{"key": "(document)", "message": f"got {_kind(answers)}; an answers document is a mapping"}]
        )
    v = _Validator(kb)
    known = kb.question_by_key
    for key in answers:
        if key not in known:
            v.err(str(key), f"unknown key; allowed keys: {', '.join(known)}")
    check = {
        "choice": v.choice,
        "bool": v.boolean,
        "int": v.integer,
        "multi": v.multi,
        "priorities": v.priorities,
        "statuses": v.statuses,
    }
    out: dict[str, Any] = {}
    for q in kb.questions:
        if q.key not in answers:
            if q.required:
                v.err(
                    q.key,
                    "is required"
                    + (f"; allowed: {', '.join(str(o.value).lower() for o in q.options)}" if q.options else ""),
                )
            out[q.key] = _default(q)
            continue
        out[q.key] = check[q.type](q, answers[q.key])
    for q in kb.questions:
        other = q.at_least_key
        if other and _is_int(out.get(q.key)) and _is_int(out.get(other)) and out[q.key] < out[other]:
            v.err(q.key, f"got {out[q.key]}; must be at least {other} ({out[other]})")
    # defaults that depend on other answers, and contradictions between answers, read only valid answers
    invalid = {e["key"].split("[", 1)[0].split(".", 1)[0] for e in v.errors}
    invalid |= {q.key for q in kb.questions if q.required and q.key not in answers}

    def readable(cond: Any) -> bool:
        return not (cond.keys() & invalid)

    for q in kb.questions:
        if q.key not in answers:
            rule = next((r for r in q.default_when if readable(r.when) and r.when.holds(out)), None)
            if rule is not None:
                out[q.key] = list(rule.value) if isinstance(rule.value, list) else rule.value
    for q in kb.questions:
        if q.key in answers and q.key not in invalid:
            v.errors.extend(
                {"key": q.key, "message": r.message} for r in q.refuse_when if readable(r.when) and r.when.holds(out)
            )
    if v.errors:
        raise AnswersError(v.errors)
    return out
