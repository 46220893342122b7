"""Conditions: the small data language the knowledge base uses to say "when".

A condition is plain YAML data, never a Python expression:

- ``{key: services, gte: 20}``: a test on one answer (operators below);
- ``{decision: hosting, is: self_managed}``: a test on a recommendation
  (checklist items and warnings only, since it needs the decisions made);
- ``{all: [...]}``, ``{any: [...]}``, ``{not: {...}}``: combinations.

Parsed once into frozen objects that evaluate fast and explain themselves:
``explain`` returns the facts that made a condition true, in words, so every
reason the engine gives names the answers behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Answers = Mapping[str, Any]
Recommended = Mapping[str, str | None]

KEY_OPERATORS = (
    "eq",
    "ne",
    "in",
    "not_in",
    "gte",
    "gt",
    "lte",
    "lt",
    "contains",
    "contains_any",
    "contains_all",
    "empty",
)
DECISION_OPERATORS = ("is", "in", "applicable")
_SYMBOL = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<"}


class ConditionError(ValueError):
    """A condition that is not well formed; the message says where and why."""


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


@dataclass(frozen=True, slots=True)
class KeyCondition:
    key: str
    op: str
    value: Any
    test: Callable[[Any], bool]

    def holds(self, answers: Answers, recommended: Recommended | None = None) -> bool:
        return self.test(answers.get(self.key))

    def describe(self) -> str:
        k, v = self.key, self.value
        match self.op:
            case "eq":
                return f"{k} is {_fmt(v)}"
            case "ne":
                return f"{k} is not {_fmt(v)}"
            case "in":
                return f"{k} is one of {_fmt(v)}"
            case "not_in":
                return f"{k} is none of {_fmt(v)}"
            case "contains":
                return f"{k} includes {_fmt(v)}"
            case "contains_any":
                return f"{k} includes any of {_fmt(v)}"
            case "contains_all":
                return f"{k} includes all of {_fmt(v)}"
            case "empty":
                return f"{k} is empty" if v else f"{k} is not empty"
            case _:
                return f"{k} {_SYMBOL[self.op]} {_fmt(v)}"

    def explain(self, answers: Answers, recommended: Recommended | None = None) -> list[str]:
        if self.op == "contains_any":
            hits = [x for x in self.value if x in answers.get(self.key, ())]
            return [f"{self.key} includes {_fmt(hits)}"]
        if self.op in ("in", "gte", "gt", "lte", "lt"):
            return [f"{self.key} is {_fmt(answers.get(self.key))}"]
        return [self.describe()]

    def keys(self) -> set[str]:
        return {self.key}

    def decisions(self) -> set[str]:
        return set()


@dataclass(frozen=True, slots=True)
class DecisionCondition:
    decision: str
    op: str
    value: Any

    def holds(self, answers: Answers, recommended: Recommended | None = None) -> bool:
        if recommended is None:
            return False
        chosen = recommended.get(self.decision)
        if self.op == "applicable":
            return (chosen is not None) is bool(self.value)
        if self.op == "is":
            return bool(chosen == self.value)
        return bool(chosen in self.value)

    def describe(self) -> str:
        if self.op == "applicable":
            verb = "applies" if self.value else "does not apply"
            return f"the {self.decision} decision {verb}"
        if self.op == "is":
            return f"{self.decision} is {self.value}"
        return f"{self.decision} is one of {_fmt(self.value)}"

    def explain(self, answers: Answers, recommended: Recommended | None = None) -> list[str]:
        if self.op == "in" and recommended is not None:
            return [f"{self.decision} is {recommended.get(self.decision)}"]
        return [self.describe()]

    def keys(self) -> set[str]:
        return set()

    def decisions(self) -> set[str]:
        return {self.decision}


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple[Condition, ...]

    def holds(self, answers: Answers, recommended: Recommended | None = None) -> bool:
        return all(p.holds(answers, recommended) for p in self.parts)

    def describe(self) -> str:
        return " and ".join(_group(p) for p in self.parts)

    def explain(self, answers: Answers, recommended: Recommended | None = None) -> list[str]:
        return [fact for p in self.parts for fact in p.explain(answers, recommended)]

    def keys(self) -> set[str]:
        return set().union(*(p.keys() for p in self.parts))

    def decisions(self) -> set[str]:
        return set().union(*(p.decisions() for p in self.parts))


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Condition, ...]

    def holds(self, answers: Answers, recommended: Recommended | None = None) -> bool:
        return any(p.holds(answers, recommended) for p in self.parts)

    def describe(self) -> str:
        return " or ".join(_group(p) for p in self.parts)

    def explain(self, answers: Answers, recommended: Recommended | None = None) -> list[str]:
        for p in self.parts:
            if p.holds(answers, recommended):
                return p.explain(answers, recommended)
        return [self.describe()]

    def keys(self) -> set[str]:
        return set().union(*(p.keys() for p in self.parts))

    def decisions(self) -> set[str]:
        return set().union(*(p.decisions() for p in self.parts))


@dataclass(frozen=True, slots=True)
class NotOf:
    part: Condition

    def holds(self, answers: Answers, recommended: Recommended | None = None) -> bool:
        return not self.part.holds(answers, recommended)

    def describe(self) -> str:
        return f"not ({self.part.describe()})"

    def explain(self, answers: Answers, recommended: Recommended | None = None) -> list[str]:
        return [self.describe()]

    def keys(self) -> set[str]:
        return self.part.keys()

    def decisions(self) -> set[str]:
        return self.part.decisions()


@dataclass(frozen=True, slots=True)
class Always:
    def holds(self, answers: Answers, recommended: Recommended | None = None) -> bool:
        return True

    def describe(self) -> str:
        return "always"

    def explain(self, answers: Answers, recommended: Recommended | None = None) -> list[str]:
        return []

    def keys(self) -> set[str]:
        return set()

    def decisions(self) -> set[str]:
        return set()


Condition = KeyCondition | DecisionCondition | AllOf | AnyOf | NotOf | Always
ALWAYS = Always()


def _group(cond: Condition) -> str:
    text = cond.describe()
    return f"({text})" if isinstance(cond, AnyOf | AllOf) and len(cond.parts) > 1 else text


def _at(where: str, message: str) -> str:
    return f"{where}: {message}" if where else message


def _join(where: str, part: str) -> str:
    return f"{where}.{part}" if where else part


def _as_seq(value: Any, where: str) -> tuple[Any, ...]:
    if not isinstance(value, list) or not value:
        raise ConditionError(_at(where, f"expects a non-empty list, got {value!r}"))
    return tuple(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _key_test(op: str, value: Any, where: str) -> Callable[[Any], bool]:
    if op in ("gte", "gt", "lte", "lt"):
        if not _is_number(value):
            raise ConditionError(_at(where, f"'{op}' expects a number, got {value!r}"))
        return {
            "gte": lambda a: _is_number(a) and a >= value,
            "gt": lambda a: _is_number(a) and a > value,
            "lte": lambda a: _is_number(a) and a <= value,
            "lt": lambda a: _is_number(a) and a < value,
        }[op]
    if op == "eq":
        return lambda a: a == value and type(a) is type(value)
    if op == "ne":
        return lambda a: not (a == value and type(a) is type(value))
    if op in ("in", "not_in", "contains_any", "contains_all"):
        items = frozenset(_as_seq(value, _join(where, op)))
        if op == "in":
            return lambda a: not isinstance(a, list) and a in items
        if op == "not_in":
            return lambda a: not (not isinstance(a, list) and a in items)
        if op == "contains_any":
            return lambda a: isinstance(a, list) and not items.isdisjoint(a)
        return lambda a: isinstance(a, list) and items.issubset(a)
    if op == "contains":
        return lambda a: isinstance(a, list) and value in a
    if op == "empty":
        if not isinstance(value, bool):
            raise ConditionError(_at(where, f"'empty' expects true or false, got {value!r}"))
        return lambda a: isinstance(a, list) and (len(a) == 0) is value
    raise ConditionError(_at(where, f"unknown operator '{op}'"))  # pragma: no cover


def parse_condition(raw: Any, where: str = "") -> Condition:
    """Turn YAML data into a condition; raise ConditionError naming the path on misuse."""
    if raw is None:
        return ALWAYS
    if not isinstance(raw, Mapping):
        raise ConditionError(_at(where, f"a condition is a mapping, got {raw!r}"))
    keys = set(raw)
    for combinator in ("all", "any"):
        if combinator in keys:
            if keys != {combinator}:
                raise ConditionError(_at(where, f"'{combinator}' cannot be mixed with {sorted(keys - {combinator})}"))
            parts = _as_seq(raw[combinator], _join(where, combinator))
            parsed = tuple(parse_condition(p, f"{_join(where, combinator)}[{i}]") for i, p in enumerate(parts))
            return AllOf(parsed) if combinator == "all" else AnyOf(parsed)
    if "not" in keys:
        if keys != {"not"}:
            raise ConditionError(_at(where, f"'not' cannot be mixed with {sorted(keys - {'not'})}"))
        return NotOf(parse_condition(raw["not"], _join(where, "not")))
    if "key" in keys:
        ops = keys - {"key"}
        if len(ops) != 1 or not ops <= set(KEY_OPERATORS):
            raise ConditionError(
                _at(
                    where,
                    f"a key condition takes exactly one operator of {', '.join(KEY_OPERATORS)}; got {sorted(ops)}",
                )
            )
        op = ops.pop()
        key = raw["key"]
        if not isinstance(key, str):
            raise ConditionError(_at(where, f"'key' must be a string, got {key!r}"))
        value = list(raw[op]) if isinstance(raw[op], list) else raw[op]
        return KeyCondition(key, op, value, _key_test(op, value, where))
    if "decision" in keys:
        ops = keys - {"decision"}
        if len(ops) != 1 or not ops <= set(DECISION_OPERATORS):
            raise ConditionError(
                _at(
                    where,
                    f"a decision condition takes exactly one of {', '.join(DECISION_OPERATORS)}; got {sorted(ops)}",
                )
            )
        op = ops.pop()
        value = raw[op]
        if op == "in":
            value = tuple(_as_seq(value, _join(where, "in")))
        elif op == "applicable" and not isinstance(value, bool):
            raise ConditionError(_at(where, f"'applicable' expects true or false, got {value!r}"))
        return DecisionCondition(str(raw["decision"]), op, value)
    raise ConditionError(_at(where, f"expected one of all, any, not, key or decision; got {sorted(keys)}"))


def condition_data(cond: Condition) -> Any:
    """The condition as plain data again (the form the knowledge base wrote it in), e.g. for a script."""
    if isinstance(cond, KeyCondition):
        return {"key": cond.key, cond.op: cond.value}
    if isinstance(cond, DecisionCondition):
        return {"decision": cond.decision, cond.op: list(cond.value) if cond.op == "in" else cond.value}
    if isinstance(cond, AllOf | AnyOf):
        return {"all" if isinstance(cond, AllOf) else "any": [condition_data(p) for p in cond.parts]}
    if isinstance(cond, NotOf):
        return {"not": condition_data(cond.part)}
    return None


def iter_key_conditions(cond: Condition) -> Sequence[KeyCondition]:
    """Every leaf test on an answer, for cross-checking against the questions."""
    if isinstance(cond, KeyCondition):
        return [cond]
    if isinstance(cond, AllOf | AnyOf):
        return [leaf for p in cond.parts for leaf in iter_key_conditions(p)]
    if isinstance(cond, NotOf):
        return iter_key_conditions(cond.part)
    return []


def iter_decision_conditions(cond: Condition) -> Sequence[DecisionCondition]:
    if isinstance(cond, DecisionCondition):
        return [cond]
    if isinstance(cond, AllOf | AnyOf):
        return [leaf for p in cond.parts for leaf in iter_decision_conditions(p)]
    if isinstance(cond, NotOf):
        return iter_decision_conditions(cond.part)
    return []
