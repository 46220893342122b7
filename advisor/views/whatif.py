"""What-if: change any answer of the latest revision and see what would change, before anyone saves it.

The panel posts the whole questionnaire as one form. Each preview re-runs the engine (about a millisecond)
and compares with the stored result; nothing is written until "Save as a new revision". With JavaScript the
panel previews as people type (the same POST, answered as JSON with the rendered comparison); without it,
the Preview button does the same through the page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from advisor.engine import AnswersError
from advisor.engine.conditions import condition_data
from advisor.engine.schema import QuestionModel
from advisor.engine.wording import describe, field_message, question_of
from advisor.extensions import db
from advisor.forms import questionnaire as qf
from advisor.forms.whatif import submitted_values, whatif_form_class
from advisor.models import Assessment, Revision
from advisor.services import assessments as svc
from advisor.services import workspaces
from advisor.services.compare import Comparison, has_changes, what_if
from advisor.views.common import access_context, actor, get_assessment, kb, role_for, wants_json

bp = Blueprint("whatif", __name__, url_prefix="/assessments/<int:assessment_id>/what-if")


@bp.route("", methods=["GET", "POST"])
def panel(assessment_id: int) -> str | Response | tuple[str, int] | tuple[dict[str, Any], int]:
    """Any member may try changes; saving them as a revision takes an editor."""
    saving = request.form.get("action") == "save"
    assessment = get_assessment(assessment_id, "editor" if saving else "viewer")
    latest = svc.latest_revision(db.session, assessment)
    if latest is None:
        abort(404)
    knowledge = kb()
    if request.method == "GET":
        values = qf.answers_to_draft(knowledge, latest.answers)
        form = whatif_form_class(knowledge)(formdata=qf.draft_formdata(values))
        form.base_revision.data = latest.number
    else:
        form = whatif_form_class(knowledge)()
        if not form.validate_on_submit():  # the CSRF token, the base revision and the label
            if wants_json():
                return {"errors": [{"key": k, "message": "; ".join(v)} for k, v in form.errors.items()]}, 400
            return _page(assessment, latest, form, None, [], status=422)
        values = submitted_values(knowledge, request.form)
    answers = qf.draft_to_answers(knowledge, values)
    try:
        diff: Comparison | None = what_if(knowledge, latest.result, answers, svc.current_statuses(assessment))
        errors: list[dict[str, str]] = []
    except AnswersError as exc:
        diff, errors = None, exc.errors
    if saving and diff is not None:
        label = form.label.data or f"What-if from revision {latest.number}"
        try:
            revision = svc.save_revision(
                db.session, assessment, answers, form.base_revision.data or 0, label, actor(), knowledge
            )
        except svc.Conflict as exc:
            db.session.rollback()  # the page comes back with everything typed, and says why
            return _page(assessment, latest, form, diff, errors, refused=f"Not saved: {exc}.", status=409)
        db.session.commit()
        flash(f"Saved as revision {revision.number}.", "success")
        return redirect(url_for("assessments.show", assessment_id=assessment.id))
    if wants_json():
        html = render_template("assessments/_whatif_result.html", **_result_context(latest, diff, errors))
        changed = [d["label"] for d in diff["decisions"] if d["changed"]] if diff else []
        return {"changed": bool(diff and has_changes(diff)), "decisions_changed": changed, "html": html}, 200
    return _page(assessment, latest, form, diff, errors, status=422 if errors else 200)


def _result_context(latest: Revision, diff: Comparison | None, errors: list[dict[str, str]]) -> dict[str, Any]:
    knowledge = kb()
    labelled = [
        {"label": _question_label(e["key"]), "message": field_message(knowledge, e["key"], e["message"])}
        for e in errors
    ]
    return {
        "diff": diff,
        "changed": bool(diff and has_changes(diff)),
        "errors": labelled,
        "before_label": f"Revision {latest.number}",
        "after_label": "What-if",
        "criteria": {c.id: c.label for c in knowledge.criteria},
    }


def _question_label(key: str) -> str:
    question = question_of(kb(), key)
    return question.label if question else key


def _page(
    assessment: Assessment,
    latest: Revision,
    form: FlaskForm,
    diff: Comparison | None,
    errors: list[dict[str, str]],
    *,
    refused: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    knowledge = kb()
    role = role_for(assessment)
    questions = [
        {
            "q": q,
            "fields": [form[name] for name in qf.field_names(q)],
            "condition": describe(q.show_if, knowledge) if condition_data(q.show_if) else None,
            "condition_data": condition_data(q.show_if),
        }
        for step in knowledge.steps
        for q in qf.step_questions(knowledge, step.id)
        if _asked(q)
    ]
    html = render_template(
        "assessments/whatif.html",
        assessment=assessment,
        revision=latest,
        form=form,
        questions=questions,
        steps={s.id: s.title for s in knowledge.steps},
        can_save=workspaces.allows(role, "editor"),
        refused=refused,
        **_result_context(latest, diff, errors),
        **access_context(assessment),
    )
    return html, status


def _asked(q: QuestionModel) -> bool:
    return q.type in ("choice", "bool", "int", "multi", "priorities")
