"""The what-if panel: every question of the questionnaire in one form, and what saving it as a revision needs."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from advisor.engine import KnowledgeBase
from advisor.forms import questionnaire as qf
from advisor.models import limits


@cache
def whatif_form_class(kb: KnowledgeBase) -> type[FlaskForm]:
    """The questionnaire's fields, step after step, as one form (the steps' forms are the one definition)."""
    attrs: dict[str, object] = {
        "base_revision": IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0)]),
        "label": StringField("Label of the new revision (optional)", validators=[Optional(), Length(max=limits.LABEL)]),
    }
    for step in kb.steps:
        fields = vars(qf.step_form_class(kb, step.id))
        attrs.update({name: f for name, f in fields.items() if isinstance(f, UnboundField) and name != "version"})
    return type("WhatIfForm", (FlaskForm,), attrs)


def submitted_values(kb: KnowledgeBase, formdata: MultiDict[str, str]) -> dict[str, Any]:
    """The raw values of every question as submitted, for ``questionnaire.draft_to_answers``."""
    values: dict[str, Any] = {}
    for step in kb.steps:
        values.update(qf.raw_step_values(kb, step.id, formdata))
    return values
