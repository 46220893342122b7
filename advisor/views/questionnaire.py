"""The questionnaire: one page per step, a draft saved on every post, a review that saves a revision."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from advisor.engine import AnswersError, evaluate
from advisor.engine.conditions import condition_data
from advisor.engine.schema import QuestionModel
from advisor.engine.wording import describe, field_message, format_answer
from advisor.extensions import db
from advisor.forms import questionnaire as qf
from advisor.forms.assessment import SaveRevisionForm, VersionForm
from advisor.models import Assessment, Draft
from advisor.services import assessments as svc
from advisor.views.common import actor, carry_out, get_assessment, kb, submitted_version

bp = Blueprint("questionnaire", __name__, url_prefix="/assessments/<int:assessment_id>/answers")


def _draft(assessment: Assessment) -> Draft:
    """The answers being edited: the saved draft, or the latest revision's answers (every step done) to start from."""
    saved = svc.saved_draft(assessment)
    if saved is not None:
        return saved
    base = assessment.latest_revision_number
    latest = svc.latest_revision(db.session, assessment)
    if latest is None:
        return Draft({}, base)
    return Draft(qf.answers_to_draft(kb(), latest.answers), base, tuple(_step_ids()))


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]  # not str.capitalize(), which lowers the rest (an email, "UTC")


def _step_ids() -> list[str]:
    return [s.id for s in kb().steps]


def _engine_errors(draft: Draft) -> list[dict[str, str]]:
    try:
        evaluate(qf.draft_to_answers(kb(), draft.values), kb())
    except AnswersError as exc:
        return exc.errors
    return []


def _errors_by_field(errors: list[dict[str, str]], fields: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for err in errors:
        name = qf.error_field(err["key"])
        if name in fields:
            out.setdefault(name, []).append(field_message(kb(), err["key"], err["message"]))
    return out


def _same_step_condition(q: QuestionModel) -> bool:
    keys = q.show_if.keys()
    return bool(keys) and all(kb().question_by_key[k].step == q.step for k in keys)


def _differences(step: str, stored: Draft, typed: Draft) -> list[tuple[str, str, str]]:
    """The step's answers saved in the meantime that this page would change: (question, saved, on this page)."""
    knowledge = kb()
    saved, mine = qf.draft_to_answers(knowledge, stored.values), qf.draft_to_answers(knowledge, typed.values)

    def shown(value: Any, key: str) -> str:
        return "not answered" if value is None else format_answer(knowledge, key, value)

    return [
        (q.label, shown(saved.get(q.key), q.key), shown(mine.get(q.key), q.key))
        for q in qf.step_questions(knowledge, step)
        if saved.get(q.key) != mine.get(q.key)
    ]


def _render_step(
    assessment: Assessment,
    step: str,
    draft: Draft,
    errors: dict[str, list[str]] | None = None,
    conflict: str | None = None,
    status: int = 200,
    differences: list[tuple[str, str, str]] | None = None,
) -> tuple[str, int]:
    knowledge = kb()
    form = qf.step_form_class(knowledge, step)(formdata=qf.draft_formdata(draft.values))
    form.version.data = str(assessment.version)
    answers = qf.draft_to_answers(knowledge, draft.values)
    shown = []
    for q in qf.step_questions(knowledge, step):
        same_step = _same_step_condition(q)
        if not same_step and not qf.visible(q, answers):
            continue
        shown.append(
            {
                "q": q,
                "fields": [form[name] for name in qf.field_names(q)],
                "default": qf.preselected(q),
                # until the step is first posted; then an empty choice is the person's own
                "default_options": qf.preselected_options(q) if q.key not in draft.values else [],
                "default_note": qf.default_note(knowledge, q),
                "condition": describe(q.show_if, knowledge) if same_step else None,
                "condition_data": condition_data(q.show_if) if same_step else None,
            }
        )
    steps = _step_ids()
    index = steps.index(step)
    html = render_template(
        "questionnaire/step.html",
        assessment=assessment,
        step=knowledge.steps[index],
        steps=knowledge.steps,
        index=index,
        done=set(draft.steps_done),
        shown=shown,
        form=form,
        errors=errors or {},
        conflict=conflict,
        differences=differences or [],
        criteria={c.id: c for c in knowledge.criteria},
        priority_prefix=qf.PRIORITY_PREFIX,
    )
    return html, status


@bp.route("/<step>", methods=["GET", "POST"])
def step(assessment_id: int, step: str) -> str | Response | tuple[str, int]:
    assessment = get_assessment(assessment_id, "editor")
    steps = _step_ids()
    if step not in steps:
        abort(404)
    draft = _draft(assessment)
    if request.method == "GET":
        return _render_step(assessment, step, draft)

    form = qf.step_form_class(kb(), step)()
    if not form.validate():  # only the CSRF token and the hidden version are checked here
        abort(400)
    typed = draft.with_values(qf.raw_step_values(kb(), step, request.form))
    action = request.form.get("action", "next")
    errors: dict[str, list[str]] = {}
    if action == "next":
        fields = {name for q in qf.step_questions(kb(), step) for name in qf.field_names(q)}
        errors = _errors_by_field(_engine_errors(typed), fields)
        if not errors:
            typed = typed.with_step_done(step, steps)
    try:
        svc.save_draft(db.session, assessment, typed, submitted_version(), actor())
    except svc.Conflict as exc:
        db.session.rollback()
        assessment = get_assessment(assessment_id, "editor")
        # the notice itself begins "Not saved."
        differences = _differences(step, _draft(assessment), typed)
        message = (
            f"{_first_upper(str(exc))}. Your input is shown below; save again to keep it, "
            "or open the assessment to see the newer state."
        )
        return _render_step(assessment, step, typed, conflict=message, status=409, differences=differences)
    db.session.commit()
    if errors:
        return _render_step(assessment, step, typed, errors=errors, status=422)
    index = steps.index(step)
    if action == "draft":
        flash("Draft saved. Resume whenever you like.", "success")
        return redirect(url_for("assessments.show", assessment_id=assessment_id))
    if action == "back":
        return redirect(url_for(".step", assessment_id=assessment_id, step=steps[max(0, index - 1)]))
    if action.startswith("goto:") and action[5:] in steps:
        return redirect(url_for(".step", assessment_id=assessment_id, step=action[5:]))
    if action == "goto:review":
        return redirect(url_for(".review", assessment_id=assessment_id))
    if index + 1 < len(steps):
        return redirect(url_for(".step", assessment_id=assessment_id, step=steps[index + 1]))
    return redirect(url_for(".review", assessment_id=assessment_id))


def _review_sections(draft: Draft) -> list[dict[str, Any]]:
    knowledge = kb()
    answers = qf.draft_to_answers(knowledge, draft.values)
    sections = []
    for s in knowledge.steps:
        rows = []
        for q in qf.step_questions(knowledge, s.id):
            if not qf.visible(q, answers):
                continue
            rows.append({"q": q, "value": answers.get(q.key)})
        sections.append({"step": s, "rows": rows})
    return sections


def _review_error(err: dict[str, str], step_of: dict[str, str]) -> dict[str, Any]:
    """An engine error as the review lists it: the question's label and the message in people's words."""
    q = kb().question_by_key.get(err["key"].split("[", 1)[0].split(".", 1)[0])
    return {
        "key": err["key"],
        "label": q.label if q else err["key"],
        "message": field_message(kb(), err["key"], err["message"]),
        "step": step_of.get(qf.error_field(err["key"])),
    }


@bp.route("/review", methods=["GET", "POST"])
def review(assessment_id: int) -> str | Response | tuple[str, int]:
    assessment = get_assessment(assessment_id, "editor")
    draft = _draft(assessment)
    form = SaveRevisionForm()
    conflict = None
    status = 200
    errors = _engine_errors(draft)
    if form.validate_on_submit() and not errors:
        try:
            svc.save_revision(
                db.session,
                assessment,
                qf.draft_to_answers(kb(), draft.values),
                form.base_revision.data if form.base_revision.data is not None else -1,
                form.label.data,
                actor(),
                kb(),
                version=submitted_version(),
            )
        except svc.Conflict as exc:
            db.session.rollback()
            assessment = get_assessment(assessment_id, "editor")
            draft = _draft(assessment)
            conflict = f"{_first_upper(str(exc))}. Below are the answers as they stand now; check them and save again."
            status = 409
        except svc.Unchanged as exc:
            db.session.rollback()
            # the draft holds nothing the revision does not: closed, so the report does not offer to resume it
            assessment = get_assessment(assessment_id, "editor")
            svc.discard_draft(db.session, assessment, assessment.version, actor())
            db.session.commit()
            flash(
                f"Not saved: these answers are the same as revision {exc.number}, so it still stands. "
                "The draft is closed.",
                "error",
            )
            return redirect(url_for("assessments.show", assessment_id=assessment_id))
        else:
            db.session.commit()
            flash(f"Saved as revision {assessment.latest_revision_number}.", "success")
            return redirect(url_for("assessments.show", assessment_id=assessment_id))
    elif request.method == "POST":
        status = 422
    if request.method == "GET" or conflict:  # after a refusal, a second save starts from what is shown now
        form.base_revision.data, form.base_revision.raw_data = draft.base_revision, None
    form.version.data = str(assessment.version)
    step_of = qf.step_of_field(kb())
    return (
        render_template(
            "questionnaire/review.html",
            assessment=assessment,
            sections=_review_sections(draft),
            errors=[_review_error(e, step_of) for e in errors],
            form=form,
            conflict=conflict,
            steps=kb().steps,
            done=set(draft.steps_done),
            discard_form=VersionForm(),
            kb=kb(),
        ),
        status,
    )


@bp.post("/discard")
def discard(assessment_id: int) -> Response:
    assessment = get_assessment(assessment_id, "editor")
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    return carry_out(
        lambda: svc.discard_draft(db.session, assessment, submitted_version(), actor()),
        done="Draft discarded.",
        to=url_for("assessments.show", assessment_id=assessment_id),
        refused=(svc.Conflict,),
        refusal="Not discarded: {}.",
        refused_to=url_for(".review", assessment_id=assessment_id),
    )
