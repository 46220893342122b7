"""WTForms built from the knowledge base's questions, one form per questionnaire step.

The forms render fields and carry the CSRF token; the engine does the validating,
so the web, the API and the command line give the same messages. Raw form values
are kept as the draft, so nothing a user typed is lost while answers are invalid.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs lag behind
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from advisor.engine import KnowledgeBase
from advisor.engine.schema import CRITERIA, QuestionModel
from advisor.engine.wording import describe

PRIORITY_PREFIX = "priorities__"


def priority_field(criterion: str) -> str:
    return f"{PRIORITY_PREFIX}{criterion}"


def field_names(q: QuestionModel) -> list[str]:
    """The form fields that carry one question's answer."""
    if q.type == "priorities":
        return [priority_field(c) for c in CRITERIA]
    return [q.key]


def step_questions(kb: KnowledgeBase, step: str) -> list[QuestionModel]:
    return [q for q in kb.questions if q.step == step]


def _field(kb: KnowledgeBase, q: QuestionModel) -> dict[str, Field]:
    if q.type == "choice":
        return {
            q.key: RadioField(
                q.label, choices=[SelectChoice(str(o.value), o.label) for o in q.options], validate_choice=False
            )
        }
    if q.type == "bool":
        choices = [SelectChoice("true" if o.value else "false", o.label) for o in q.options]
        return {q.key: RadioField(q.label, choices=choices, validate_choice=False)}
    if q.type == "int":
        return {q.key: StringField(q.label, widget=NumberInput(min=q.min, max=q.max))}
    if q.type == "multi":
        return {
            q.key: SelectMultipleField(
                q.label,
                choices=[SelectChoice(str(o.value), o.label) for o in q.options],
                widget=ListWidget(prefix_label=False),
                option_widget=CheckboxInput(),
                validate_choice=False,
            )
        }
    if q.type == "priorities":
        return {
            priority_field(c.id): StringField(c.label, widget=NumberInput(min=0, max=5), default="3")
            for c in kb.criteria
        }
    return {}


@cache
def step_form_class(kb: KnowledgeBase, step: str) -> type[FlaskForm]:
    """A form class for one step; a question added to the knowledge base appears here."""
    attrs: dict[str, Any] = {"version": HiddenField()}
    for q in step_questions(kb, step):
        attrs.update(_field(kb, q))
    return type(f"{step.title()}StepForm", (FlaskForm,), attrs)


def raw_step_values(kb: KnowledgeBase, step: str, formdata: MultiDict[str, str]) -> dict[str, Any]:
    """What the user submitted for this step, as typed (lists for multiple choices)."""
    out: dict[str, Any] = {}
    for q in step_questions(kb, step):
        for name in field_names(q):
            if q.type == "multi":
                out[name] = formdata.getlist(name)
            else:
                out[name] = formdata.get(name, "").strip()
    return out


def draft_formdata(values: Mapping[str, Any]) -> MultiDict[str, str]:
    data: MultiDict[str, str] = MultiDict()
    for name, value in values.items():
        for v in value if isinstance(value, list) else [value]:
            data.add(name, v)
    return data


def _number(raw: str) -> Any:
    try:
        return int(raw)
    except ValueError:
        return raw  # the engine names the key and says a whole number is expected


def draft_to_answers(kb: KnowledgeBase, values: Mapping[str, Any]) -> dict[str, Any]:
    """Typed answers from a draft's raw values; unanswered and hidden questions are left out."""
    answers: dict[str, Any] = {}
    for q in kb.questions:
        if q.step is None:
            continue
        if q.type == "priorities":
            given = {c: values.get(priority_field(c), "") for c in CRITERIA}
            if any(v != "" for v in given.values()):
                answers[q.key] = {c: _number(v) if v != "" else 3 for c, v in given.items()}
            continue
        if q.key not in values:
            continue
        raw = values[q.key]
        if q.type == "multi":
            answers[q.key] = list(raw)
        elif raw == "":
            continue
        elif q.type == "bool":
            answers[q.key] = {"true": True, "false": False}.get(raw, raw)
        elif q.type == "int":
            answers[q.key] = _number(raw)
        else:
            answers[q.key] = raw
    for q in kb.questions:
        if q.key in answers and not q.show_if.holds(answers):
            del answers[q.key]
    return answers


def answers_to_draft(kb: KnowledgeBase, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The raw form values that show a stored answers document in the questionnaire."""
    values: dict[str, Any] = {}
    for q in kb.questions:
        if q.step is None or answers.get(q.key) is None:  # None: not known, an empty field
            continue
        value = answers[q.key]
        if q.default_when and value == conditional_default(q, answers):
            continue  # left unanswered, so it keeps following the answers it depends on (egress, the air gap)
        if q.type == "priorities":
            values.update({priority_field(c): str(value.get(c, 3)) for c in CRITERIA})
        elif q.type == "bool":
            values[q.key] = "true" if value else "false"
        elif q.type == "multi":
            values[q.key] = list(value)
        else:
            values[q.key] = str(value)
    return values


def error_field(error_key: str) -> str:
    """The form field an engine error belongs to: 'priorities.cost' → 'priorities__cost'."""
    if error_key.startswith("priorities."):
        return priority_field(error_key.split(".", 1)[1])
    return error_key.split("[", 1)[0]


def step_of_field(kb: KnowledgeBase) -> dict[str, str]:
    out = {}
    for q in kb.questions:
        if q.step:
            for name in field_names(q):
                out[name] = q.step
            out[q.key] = q.step
    return out


def visible(q: QuestionModel, answers: Mapping[str, Any]) -> bool:
    """Whether a conditional question applies, given the answers so far."""
    return bool(q.show_if.holds(answers))


def preselected(q: QuestionModel) -> str | None:
    """The option a choice question shows selected before it is answered: its default, unless the
    default depends on other answers (then nothing is pre-selected and ``default_note`` says what
    an unanswered question becomes)."""
    if q.type not in ("choice", "bool") or q.default is None or q.default_when:
        return None
    return ("true" if q.default else "false") if q.type == "bool" else str(q.default)


def preselected_options(q: QuestionModel) -> list[str]:
    """The options a multiple-choice question shows ticked before it is first answered: its default
    (``environments``: production), unless that depends on other answers."""
    if q.type != "multi" or not q.default or q.default_when:
        return []
    return [str(v) for v in q.default]


def default_note(kb: KnowledgeBase, q: QuestionModel) -> str | None:
    """In words, what an unanswered question with a conditional default becomes."""
    if not q.default_when:
        return None
    label = {o.value: o.label for o in q.options}
    rules = "; ".join(f"“{label.get(r.value, r.value)}” when {describe(r.when, kb)}" for r in q.default_when)
    return f"Left unanswered: “{label.get(q.default, q.default)}”, or {rules}."


def conditional_default(q: QuestionModel, answers: Mapping[str, Any]) -> Any:
    """What an unanswered question becomes, given the other answers."""
    rule = next((r for r in q.default_when if r.when.holds(answers)), None)
    return rule.value if rule is not None else q.default
