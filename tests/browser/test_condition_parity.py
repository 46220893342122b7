"""The condition language in Python and in JavaScript gives the same verdicts (issue 13).

The questionnaire hides a question whose `show_if` does not hold twice over: the server drops its answer
(advisor/engine/conditions.py, the reference) and the browser hides it as the answers change
(static/js/advisor.js). Every `show_if` of the built-in knowledge base goes through both, on a table of
answer sets derived from the condition itself: for each key it reads, the question's options, its bounds
and the numbers the condition names with their neighbours, every combination of a list question's options,
values of the wrong type the form could still hand over (a number typed as text, a decimal, a list for a
single choice), null, and the key left out. A second table does the same for one condition per operator
and combinator of the language, on questions of the knowledge base, so an operator no `show_if` uses yet
is covered before one does.

The shipped script is loaded, unchanged, into a blank page (the app's CSP forbids inline scripts on its own
pages, not on about:blank). It exposes two verdicts of one evaluator:

- `advisor.conditionHolds(condition, answers)`: the engine's verdict, which must equal `.holds(answers)`;
- `advisor.questionShown(condition, answers)`: what the questionnaire does, where a test on a key not
  answered yet holds (the question stays visible until the answer it depends on is given); it must equal
  the engine's verdict on the condition with those tests taken out, and the engine's own verdict whenever
  every key the condition reads is answered.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route

from advisor.engine import load_knowledge_base
from advisor.engine.conditions import Condition, condition_data, iter_key_conditions, parse_condition
from advisor.engine.knowledge import _check_leaf
from advisor.engine.schema import QuestionModel
from tests.browser.conftest import BROWSER_TEST_SECONDS, ROOT, TIMEOUT_MS, watched

pytestmark = pytest.mark.timeout(BROWSER_TEST_SECONDS)

ADVISOR_JS = ROOT / "static" / "js" / "advisor.js"
KB = load_knowledge_base()
MAX_CASES_PER_CONDITION = 10_000  # every combination of the values tried for each key it reads
ALL_SUBSETS_UP_TO = 6  # a list question with at most this many options: every combination of them


class _Missing:
    def __repr__(self) -> str:
        return "<left out>"


MISSING = _Missing()  # the key is not in the answers at all


@dataclass(frozen=True)
class Case:
    name: str  # the question whose show_if it is, or the operator tested
    data: Any  # the condition as the page gets it (condition_data, as in data-show-if)
    answers: dict[str, Any]
    holds: bool  # the engine's verdict
    shown: bool  # the engine's verdict with every test on an unanswered key taken out


def _unique(values: Sequence[Any]) -> list[Any]:
    """Without repeats; by type and value, since True == 1 and 2 == 2.0 in Python."""
    seen: set[tuple[type, str]] = set()
    out = []
    for v in values:
        if (mark := (type(v), repr(v))) not in seen:
            seen.add(mark)
            out.append(v)
    return out


def _named(cond: Condition, key: str) -> list[Any]:
    """The values the condition's tests on `key` name (a number, an option, each of a list)."""
    out: list[Any] = []
    for leaf in iter_key_conditions(cond):
        if leaf.key == key and leaf.op != "empty":
            out.extend(leaf.value if isinstance(leaf.value, list) else [leaf.value])
    return out


def values_for(q: QuestionModel, cond: Condition) -> list[Any]:
    """The answers to try for question `q` in `cond`: right-typed first, then wrong-typed, null and none."""
    named = _named(cond, q.key)
    options = [o.value for o in q.options]
    wrong: list[Any]
    if q.type in ("choice", "bool"):
        right = _unique(options + named)
        wrong = [[options[0]]] + (["true", "false"] if q.type == "bool" else [])
    elif q.type == "int":
        assert q.min is not None
        assert q.max is not None
        numbers = [n + d for n in named for d in (-1, 0, 1)]
        right = _unique(sorted([q.min, q.min + 1, q.max - 1, q.max, *numbers]))
        wrong = _unique([str(n) for n in named] + [n + 0.5 for n in named] + [str(q.min)])
    elif q.type == "multi":
        pool = _unique(options + named)
        sizes = range(len(pool) + 1) if len(pool) <= ALL_SUBSETS_UP_TO else (0, 1, 2, len(pool))
        right = [list(c) for n in sizes for c in itertools.combinations(pool, n)]
        wrong = pool[:2]  # one option as a bare string, not a list
    else:
        pytest.fail(f"a condition tests {q.type} question '{q.key}', which this table does not know")
    return [*right, *wrong, None, MISSING]


def _unanswered_taken_out(data: Any, answers: dict[str, Any]) -> Any:
    """The condition with each test on a key not answered (left out or null) replaced by "always"."""
    if isinstance(data, dict):
        if "key" in data:
            return None if answers.get(data["key"]) is None else data
        return {k: _unanswered_taken_out(v, answers) for k, v in data.items()}
    if isinstance(data, list):
        return [_unanswered_taken_out(v, answers) for v in data]
    return data


def cases_for(name: str, cond: Condition) -> list[Case]:
    keys = sorted(cond.keys())
    columns = [values_for(KB.question_by_key[k], cond) for k in keys]
    total = math.prod(len(column) for column in columns)
    assert total <= MAX_CASES_PER_CONDITION, f"{name}: {total} combinations of answers; choose fewer values per key"
    rows = itertools.product(*columns)
    data = condition_data(cond)
    out = []
    for row in rows:
        answers = {k: v for k, v in zip(keys, row, strict=True) if v is not MISSING}
        shown = parse_condition(_unanswered_taken_out(data, answers)).holds(answers)
        out.append(Case(name, data, answers, cond.holds(answers), shown))
    return out


SHOW_IFS = {q.key: q.show_if for q in KB.questions if condition_data(q.show_if) is not None}
SHOW_IF_CASES = [case for key, cond in SHOW_IFS.items() for case in cases_for(key, cond)]

# One condition per operator and combinator, on questions of the built-in knowledge base.
OPERATORS: dict[str, Any] = {
    "eq (choice)": {"key": "infrastructure", "eq": "on_prem"},
    "ne (choice)": {"key": "infrastructure", "ne": "on_prem"},
    "in (choice)": {"key": "infrastructure", "in": ["public_cloud", "hybrid"]},
    "not_in (choice)": {"key": "infrastructure", "not_in": ["public_cloud", "hybrid"]},
    "eq (bool)": {"key": "air_gapped", "eq": True},
    "ne (bool)": {"key": "air_gapped", "ne": False},
    "eq (number)": {"key": "services", "eq": 2},
    "ne (number)": {"key": "services", "ne": 2},
    "in (number)": {"key": "services", "in": [1, 3]},
    "not_in (number)": {"key": "services", "not_in": [1, 3]},
    "gte": {"key": "services", "gte": 2},
    "gt": {"key": "services", "gt": 2},
    "lte": {"key": "services", "lte": 2},
    "lt": {"key": "services", "lt": 2},
    "gte (nullable)": {"key": "platform_engineers", "gte": 1},
    "contains": {"key": "cloud_providers", "contains": "aws"},
    "contains_any": {"key": "cloud_providers", "contains_any": ["aws", "gcp"]},
    "contains_all": {"key": "cloud_providers", "contains_all": ["aws", "gcp"]},
    "empty": {"key": "cloud_providers", "empty": True},
    "not empty": {"key": "cloud_providers", "empty": False},
    "all": {"all": [{"key": "infrastructure", "ne": "on_prem"}, {"key": "services", "gte": 2}]},
    "any": {"any": [{"key": "infrastructure", "eq": "on_prem"}, {"key": "cloud_providers", "contains": "aws"}]},
    "not": {"not": {"key": "services", "lt": 2}},
    "nested": {
        "any": [
            {"all": [{"key": "air_gapped", "eq": True}, {"not": {"key": "cloud_providers", "empty": True}}]},
            {"not": {"any": [{"key": "services", "lte": 1}, {"key": "infrastructure", "in": ["on_prem"]}]}},
        ]
    },
}
OPERATOR_CASES = [case for name, raw in OPERATORS.items() for case in cases_for(name, parse_condition(raw, name))]


def _only_blank(route: Route) -> None:
    """The blank page fetches nothing: every request is refused."""
    route.abort("blockedbyclient")


@pytest.fixture
def blank_page(browser: Browser) -> Iterator[Page]:
    """about:blank with the shipped static/js/advisor.js loaded; fails on any script or console error."""
    ctx = browser.new_context(service_workers="block")
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.route("**/*", _only_blank)
    try:
        with watched(ctx.new_page()) as page:
            page.add_script_tag(path=ADVISOR_JS)
            yield page
    finally:
        ctx.close()


_VERDICTS = """cases => cases.map(([condition, answers]) => [
  advisor.conditionHolds(condition, answers),
  advisor.questionShown(condition, answers),
])"""


def disagreements(page: Page, cases: list[Case]) -> list[str]:
    """Every case where the script's verdicts differ from the engine's, in words."""
    verdicts = page.evaluate(_VERDICTS, [[c.data, c.answers] for c in cases])
    assert len(verdicts) == len(cases)
    out = []
    for case, (holds, shown) in zip(cases, verdicts, strict=True):
        if holds is not case.holds:
            out.append(f"{case.name}: {case.data} on {case.answers}: engine {case.holds}, conditionHolds {holds}")
        if shown is not case.shown:
            out.append(f"{case.name}: {case.data} on {case.answers}: questionnaire {case.shown}, questionShown {shown}")
    return out


def _summary(cases: list[Case]) -> str:
    return f"{len({c.name for c in cases})} conditions, {len(cases)} cases"


def test_every_condition_has_cases_that_make_it_true_and_false() -> None:
    assert SHOW_IFS, "the built-in knowledge base has no show_if: nothing to compare"
    for key, cond in SHOW_IFS.items():
        verdicts = {c.holds for c in SHOW_IF_CASES if c.name == key}
        assert verdicts == {True, False}, f"the cases of {key}'s show_if {condition_data(cond)} are all {verdicts}"
    for name, raw in OPERATORS.items():
        for leaf in iter_key_conditions(parse_condition(raw)):  # each one a knowledge base could hold
            problem = _check_leaf(leaf, KB.question_by_key[leaf.key])
            assert problem is None, f"{name!r}: {problem}"
        verdicts = {c.holds for c in OPERATOR_CASES if c.name == name}
        assert verdicts == {True, False}, f"the cases of {name!r} are all {verdicts}"


def test_show_if_conditions_agree_in_python_and_javascript(blank_page: Page) -> None:
    wrong = disagreements(blank_page, SHOW_IF_CASES)
    assert not wrong, f"show_if, {_summary(SHOW_IF_CASES)}: {len(wrong)} disagreements:\n" + "\n".join(wrong[:50])


def test_every_operator_agrees_in_python_and_javascript(blank_page: Page) -> None:
    wrong = disagreements(blank_page, OPERATOR_CASES)
    assert not wrong, f"operators, {_summary(OPERATOR_CASES)}: {len(wrong)} disagreements:\n" + "\n".join(wrong[:50])
