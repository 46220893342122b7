"""Assessments: create, report, revisions, compare, re-evaluate, checklist status, clone, archive, delete."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs lag behind

from advisor.engine import AnswersError, evaluate
from advisor.engine.result import close_call, reason
from advisor.engine.schema import PRIORITIES
from advisor.engine.wording import format_answer, sentence
from advisor.exports import FORMAT_LABELS, FORMAT_NAMES, detail_text
from advisor.exports.document import scope_lines
from advisor.extensions import db
from advisor.forms.assessment import (
    STATUS_LABELS,
    AcceptanceDecisionForm,
    BulkStatusForm,
    BundleForm,
    EditDetailsForm,
    EvidenceForm,
    NewAssessmentForm,
    RemoveEvidenceForm,
    SaveRevisionForm,
    SignOffForm,
    StatusForm,
    VerificationForm,
    VersionForm,
)
from advisor.models import Assessment, limits
from advisor.report import summary
from advisor.services import assessments as svc
from advisor.services import audit, history, removed, signoff, workspaces
from advisor.services import evidence as proof
from advisor.services.compare import compare_results, has_changes
from advisor.views.common import (
    access_context,
    actor,
    carry_out,
    download,
    get_assessment,
    get_report_rows,
    int_or,
    kb,
    refuse_fast_exports,
    refused_on,
    role_for,
    submitted_version,
    wants_json,
)
from advisor.views.readonly import read_only
from advisor.views.report_page import report_page

bp = Blueprint("assessments", __name__, url_prefix="/assessments")
ACTIVITY_PAGE = 100  # entries per page of the activity tab, newest first
BUNDLE_INTRO = (
    "A zip of Kubernetes manifests (a kustomize tree) that puts this revision's guardrails in place: namespaces "
    "with Pod Security labels, network policies, team roles, admission policies. Apply its audit overlay first, "
    "then its enforce overlay. The names you give become namespace, role and group names."
)


@bp.app_context_processor
def labels() -> dict[str, Any]:
    return {
        "STATUS_LABELS": STATUS_LABELS,
        "FORMAT_LABELS": FORMAT_LABELS,
        "BUNDLE_INTRO": BUNDLE_INTRO,
        "TOPIC_LABELS": summary.TOPIC_LABELS,
        "PHASE_LABELS": summary.PHASE_LABELS,
        "RESPONSIBILITY_LABELS": summary.RESPONSIBILITY_LABELS,
        "PRIORITIES": PRIORITIES,
        "OPEN": summary.OPEN,
        "finished": summary.finished,
        "still_open": summary.still_open,
        "acceptance_state": summary.acceptance_state,
        "overdue": summary.overdue,
        "due_label": summary.due_label,
        "OVERDUE": summary.OVERDUE,
        "DISAGREEING": summary.DISAGREEING,
        "EVIDENCE_KIND_LABELS": summary.EVIDENCE_KIND_LABELS,
        "SCAN_RESULT_LABELS": summary.SCAN_RESULT_LABELS,
        "scanner_disagrees": summary.scanner_disagrees,
        "scan_fails": summary.scan_fails,
        "scope_lines": scope_lines,
        "SCAN_STATUS_LABELS": summary.SCAN_STATUS_LABELS,
        "VERIFICATION_LABELS": summary.VERIFICATION_LABELS,
        "DISAGREES": summary.DISAGREES,
        "EVIDENCE_LIMITS": {"link": limits.EVIDENCE_LINK, "text": limits.EVIDENCE_TEXT},
        "ACCEPTANCE_LABELS": summary.ACCEPTANCE_LABELS,
        "START_HERE_INTRO": summary.START_HERE_INTRO,
        "MAPPING_INTRO": summary.MAPPING_INTRO,
        "NOT_ANSWERED": summary.NOT_ANSWERED,
        "format_answer": format_answer,
        "lead": summary.lead,
        "reason": reason,
        "close_call": close_call,
    }


@bp.app_template_filter("sentence")
def sentence_filter(text: str | None) -> str:
    return sentence(text)


@bp.app_template_filter("code")
def code_filter(text: str) -> Any:
    return summary.inline_code(text)


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response:
    form = NewAssessmentForm()
    writable = [
        m.workspace for m in workspaces.memberships(db.session, current_user) if workspaces.allows(m.role, "editor")
    ]
    form.workspace.choices = [SelectChoice(w.id, w.name) for w in writable]
    if request.method == "GET" and request.args.get("workspace", "").isdigit():
        form.workspace.data = int(request.args["workspace"])
    if form.validate_on_submit():
        assessment = svc.create_assessment(
            db.session, form.workspace.data, form.title.data or "", form.description.data or "", actor()
        )
        db.session.commit()
        first = kb().steps[0].id
        return redirect(url_for("questionnaire.step", assessment_id=assessment.id, step=first))
    return render_template("assessments/details.html", form=form, assessment=None)


@bp.route("/<int:assessment_id>/details", methods=["GET", "POST"])
def details(assessment_id: int) -> str | Response | tuple[str, int]:
    assessment = get_assessment(assessment_id, "editor")
    form = EditDetailsForm(obj=assessment if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(assessment.version)
        stated = assessment.scope or {}
        for name in svc.SCOPE_LISTS:
            form[f"scope_{name}"].data = "\n".join(stated.get(name) or [])
        for name in ("period_start", "period_end"):
            form[name].data = dt.date.fromisoformat(stated[name]) if stated.get(name) else None
    if form.validate_on_submit():
        try:
            scope = svc.scope_from(
                form.scope_clusters.data or "",
                form.scope_systems.data or "",
                form.scope_regulated.data or "",
                form.period_start.data,
                form.period_end.data,
            )
            svc.update_details(
                db.session,
                assessment,
                form.title.data or "",
                form.description.data or "",
                submitted_version(),
                actor(),
                scope=scope,
            )
        except svc.ScopeRefused as exc:
            refused_on(form[exc.field], exc)
            return render_template(
                "assessments/details.html", form=form, assessment=assessment, **access_context(assessment)
            ), 422
        except svc.Conflict as exc:
            db.session.rollback()
            return _conflict_form(
                "assessments/details.html", exc, form=form, assessment=get_assessment(assessment_id, "editor")
            )
        db.session.commit()
        flash("Details saved.", "success")
        return redirect(url_for("assessments.show", assessment_id=assessment.id))
    return render_template("assessments/details.html", form=form, assessment=assessment, **access_context(assessment))


def _conflict_form(template: str, exc: Exception, **context: Any) -> tuple[str, int]:
    """Show the form again with what the user typed, say why it was refused, and carry the new version."""
    assessment: Assessment = context["assessment"]
    context["form"].version.data = str(assessment.version)
    context["conflict"] = str(exc)
    return render_template(template, **context), 409


@bp.get("/<int:assessment_id>")
@read_only
def show(assessment_id: int) -> str:
    rows = get_report_rows(assessment_id, None)
    if rows.revision_id is not None:
        return report_page(rows)
    try:
        assessment = rows.assessment(db.session)
    except LookupError:  # deleted since
        abort(404)
    return render_template("assessments/empty.html", assessment=assessment, **access_context(assessment))


@bp.get("/<int:assessment_id>/revisions/<int:number>")
@read_only
def revision(assessment_id: int, number: int) -> str:
    rows = get_report_rows(assessment_id, number if number <= limits.MAX_ID else 0)
    if rows.revision_id is None:
        abort(404)
    return report_page(rows)


@bp.get("/<int:assessment_id>/revisions")
def revisions(assessment_id: int) -> str:
    assessment = get_assessment(assessment_id)
    return render_template(
        "assessments/revisions.html",
        assessment=assessment,
        revisions=list(assessment.revisions),
        sign_offs=signoff.sign_offs_by_revision(db.session, assessment.id),
        **access_context(assessment),
    )


@bp.get("/<int:assessment_id>/compare")
def compare(assessment_id: int) -> str | Response:
    assessment = get_assessment(assessment_id)
    a = svc.get_revision(db.session, assessment, int_or(request.args.get("a"), 0))
    b = svc.get_revision(db.session, assessment, int_or(request.args.get("b"), 0))
    if a is None or b is None:
        flash("Choose two revisions of this assessment to compare.", "error")
        return redirect(url_for("assessments.revisions", assessment_id=assessment.id))
    diff = compare_results(kb(), a.result, b.result, a.statuses, b.statuses)
    return render_template(
        "assessments/compare.html", assessment=assessment, a=a, b=b, diff=diff, **access_context(assessment)
    )


@bp.route("/<int:assessment_id>/reevaluate", methods=["GET", "POST"])
def reevaluate(assessment_id: int) -> str | Response | tuple[str, int]:
    """Show what the current knowledge base would change; save it as a new revision only when asked."""
    assessment = get_assessment(assessment_id, "editor" if request.method == "POST" else "viewer")
    latest = svc.latest_revision(db.session, assessment)
    if latest is None:
        abort(404)
    form = SaveRevisionForm()
    if form.validate_on_submit():
        return carry_out(
            lambda: svc.save_revision(
                db.session, assessment, latest.answers, form.base_revision.data or 0, form.label.data, actor(), kb()
            ),
            done=lambda: f"Re-evaluated and saved as revision {assessment.latest_revision_number}.",
            to=url_for("assessments.show", assessment_id=assessment_id),
            refused=(svc.Conflict, svc.Unchanged),
            refusal="Not saved: {}. Here is the latest state.",
        )
    try:
        fresh = evaluate(latest.answers, kb())
    except AnswersError as exc:
        return render_template(
            "assessments/reevaluate.html",
            assessment=assessment,
            revision=latest,
            errors=exc.errors,
            **access_context(assessment),
        )
    statuses = svc.current_statuses(assessment)
    diff = compare_results(kb(), latest.result, fresh, statuses, statuses)
    form.base_revision.data = latest.number
    if not form.label.data:
        form.label.data = f"Re-evaluated with knowledge base {fresh['knowledge_base_version']}"
    return render_template(
        "assessments/reevaluate.html",
        assessment=assessment,
        revision=latest,
        diff=diff,
        changed=has_changes(diff),
        form=form,
        errors=None,
        **access_context(assessment),
    )


def _back_to_report(assessment_id: int) -> str:
    """The report page a checklist form came from (``next``), or the latest report: never another address."""
    back = request.form.get("next", "")
    if not re.fullmatch(r"/assessments/\d+(/revisions/\d+)?", back):
        back = url_for("assessments.show", assessment_id=assessment_id)
    return back


def _problems(form: FlaskForm) -> str:
    """A refused form's errors on one line, each after its field's label, for a flash message."""
    return "; ".join(f"{form[f].label.text}: {', '.join(e)}" for f, e in form.errors.items())


def _echo(typed: str) -> str:
    """What the person typed, shortened, to quote in a ``carry_out`` refusal (braces doubled: it is a format)."""
    return (typed[:200] + ("…" if len(typed) > 200 else "")).replace("{", "{{").replace("}", "}}")


@bp.post("/<int:assessment_id>/checklist")
def bulk_status(assessment_id: int) -> Response:
    """Set the status, owner or note of every item ticked on the report at once: all of them, or none."""
    assessment = get_assessment(assessment_id, "editor")
    back = _back_to_report(assessment_id) + "#checklist"
    form = BulkStatusForm()
    if not form.validate():
        flash(
            "Not saved: " + "; ".join(f"{form[f].label.text}: {', '.join(e)}" for f, e in form.errors.items()), "error"
        )
        return redirect(back)
    known = {i.id for i in kb().items}
    versions: dict[str, int] = {}
    for ticked in request.form.getlist("items"):
        item_id, _, version = ticked.partition(":")
        if item_id in known and version.isdigit():
            versions[item_id] = int(version)
    if not versions:
        flash("Nothing changed: tick the items to change first.", "error")
        return redirect(back)
    if form.status.data == "accepted_risk":
        flash(
            "Nothing changed: a risk is accepted item by item, each with its own justification and end date "
            "(the item's status form), for another owner to approve.",
            "error",
        )
        return redirect(back)
    if not (form.status.data or form.owner.data or form.note.data):
        flash("Nothing changed: choose a status, or type an owner or a note, to set on the ticked items.", "error")
        return redirect(back)
    try:
        return _set_several(assessment, versions, form, back)
    except svc.StatusRefused as exc:  # one of the items may not take it (not applicable without a reason)
        db.session.rollback()
        flash(f"Nothing was changed: {exc}.", "error")
        return redirect(back)


def _set_several(assessment: Assessment, versions: dict[str, int], form: BulkStatusForm, back: str) -> Response:
    return carry_out(
        lambda: svc.set_statuses(
            db.session,
            assessment,
            versions,
            actor(),
            status=form.status.data or None,
            owner=(form.owner.data or "").strip() or None,
            note=(form.note.data or "").strip() or None,
        ),
        done=f"{len(versions)} item{'s' if len(versions) != 1 else ''} updated.",
        to=back,
        refused=(svc.Conflict,),
        refusal="Nothing was changed: {}. The page now shows the newer state; tick the items again.",
    )


def _counts_html(assessment: Assessment, back: str) -> str | None:
    """The report's progress and counts as they stand after a save, for the page to show without a reload."""
    shown = re.search(r"/revisions/(\d+)$", back)
    number = int(shown.group(1)) if shown else assessment.latest_revision_number
    revision = svc.get_revision(db.session, assessment, number)
    if revision is None:
        return None
    statuses = summary.statuses_by_item(list(assessment.statuses))
    return render_template("assessments/_counts.html", counts=summary.counts(revision.result, statuses))


@bp.post("/<int:assessment_id>/checklist/<item_id>")
def set_status(assessment_id: int, item_id: str) -> Response | tuple[Any, int]:
    assessment = get_assessment(assessment_id, "editor")
    known = {i.id for i in kb().items}
    if item_id not in known:
        abort(404)
    form = StatusForm()
    back = _back_to_report(assessment_id)
    if not form.validate():
        message = "; ".join(f"{form[f].label.text}: {', '.join(e)}" for f, e in form.errors.items())
        if wants_json():
            return {"errors": [{"key": f, "message": ", ".join(e)} for f, e in form.errors.items()]}, 400
        flash(f"Not saved: {message}", "error")
        return redirect(f"{back}#item-{item_id}"), 303
    flagged = svc.set_status_current(db.session, assessment_id, item_id)["review_reason"] is not None
    try:
        row = svc.set_status(
            db.session,
            assessment,
            item_id,
            form.status.data or "todo",
            (form.note.data or "").strip(),
            (form.owner.data or "").strip(),
            form.version.data if form.version.data is not None else -1,
            actor(),
            justification=(form.justification.data or "").strip() or None,
            expires=form.expires.data,
            due_on=form.due_on.data if "due_on" in request.form else svc.KEEP,
        )
    except svc.StatusRefused as exc:
        db.session.rollback()
        if wants_json():  # the form's values are fine; what they ask for is not: 422, as the questionnaire's
            return {"errors": [{"key": exc.field, "message": str(exc)}]}, 422
        flash(f"Not saved: {exc}.", "error")
        return redirect(f"{back}#item-{item_id}"), 303
    except svc.Conflict as exc:
        db.session.rollback()
        current = svc.set_status_current(db.session, assessment_id, item_id)
        if wants_json():
            return {"errors": [{"key": "version", "message": str(exc)}], "current": current}, 409
        flash(
            f"Not saved: {exc}. The item now shows the newer state; your input was: "
            f"status “{STATUS_LABELS.get(form.status.data or '', '')}”, owner “{form.owner.data}”, "
            f"note “{form.note.data}”.",
            "error",
        )
        return redirect(f"{back}#item-{item_id}"), 303
    db.session.commit()
    if wants_json():
        return {
            "counts_html": _counts_html(assessment, back),
            "item_id": item_id,
            "status": row.status,
            "note": row.note,
            "owner": row.owner,
            "version": row.version,
            "needs_review": row.needs_review,
            "open": summary.still_open(row, summary.today()),  # what the page's Open filter reads
            "overdue": summary.overdue(row, summary.today()),  # and its Overdue filter
            # and its Scanner disagrees filter, and the item's notice of it
            "scanner_disagrees": summary.scanner_disagrees(
                row.status, summary.current_evidence(proof.evidence_of(db.session, assessment.id, item_id))
            ),
            "due_on": row.due_on.isoformat() if row.due_on else None,
            "due_label": summary.due_label(row, summary.today()),
            "status_label": summary.ACCEPTANCE_LABELS.get(
                summary.acceptance_state(row, summary.today()) or "", STATUS_LABELS[row.status]
            ),
            "review_reason": row.review_reason,
            "review_cleared": flagged and not row.needs_review,  # the page drops its "needs review" notice
        }, 200
    cleared = flagged and not row.needs_review
    flash("Status saved; it no longer needs review." if cleared else "Status saved.", "success")
    return redirect(f"{back}#item-{item_id}"), 303


@bp.post("/<int:assessment_id>/checklist/<item_id>/acceptance")
def decide_acceptance(assessment_id: int, item_id: str) -> Response:
    """An owner approves a requested risk acceptance (never their own request) or rejects it."""
    assessment = get_assessment(assessment_id, "owner")
    form = AcceptanceDecisionForm()
    back = _back_to_report(assessment_id)
    if not form.validate():
        abort(400)
    approve = form.decision.data == "approve"
    try:
        svc.decide_acceptance(
            db.session,
            assessment,
            item_id,
            approve,
            form.version.data if form.version.data is not None else -1,
            actor(),
            (form.reason.data or "").strip(),
        )
    except (svc.AcceptanceRefused, svc.Conflict) as exc:
        db.session.rollback()
        flash(f"Not recorded: {exc}.", "error")
        return redirect(f"{back}#item-{item_id}", 303)
    db.session.commit()
    flash("Acceptance approved." if approve else "Acceptance rejected: the item is To do again.", "success")
    return redirect(f"{back}#item-{item_id}", 303)


@bp.post("/<int:assessment_id>/checklist/<item_id>/confirm")
def confirm_status(assessment_id: int, item_id: str) -> Response | tuple[Any, int]:
    """A status flagged "needs review" was checked and still holds."""
    assessment = get_assessment(assessment_id, "editor")
    if item_id not in {i.id for i in kb().items}:
        abort(404)
    form = VersionForm()
    back = _back_to_report(assessment_id)
    if not form.validate():
        abort(400)
    return carry_out(
        lambda: svc.confirm_status(db.session, assessment, item_id, submitted_version(), actor()),
        done="Status confirmed: it no longer needs review.",
        to=f"{back}#item-{item_id}",
        refused=(svc.Conflict,),
        refusal="Not confirmed: {}. The item shows the newer state.",
    )


@bp.post("/<int:assessment_id>/checklist/<item_id>/verification")
def verify(assessment_id: int, item_id: str) -> Response:
    """Someone other than who marked a done item done records its test: result, procedure."""
    from advisor.services import verification

    assessment = get_assessment(assessment_id, "editor")
    if item_id not in kb().item_by_id:
        abort(404)
    form = VerificationForm()
    back = f"{_back_to_report(assessment_id)}#item-{item_id}"
    if not form.validate():
        problems = _problems(form)
        flash(f"Test not recorded: {problems}", "error")
        return redirect(back, 303)
    typed = _echo(form.procedure.data or "")
    return carry_out(
        lambda: verification.record_verification(
            db.session,
            assessment,
            item_id,
            form.result.data or "",
            form.procedure.data or "",
            submitted_version(),
            actor(),
        ),
        done="Test recorded.",
        to=back,
        refused=(verification.VerificationRefused, svc.Conflict),
        refusal="Test not recorded: {}. You typed: “" + typed + "”.",
    )


@bp.post("/<int:assessment_id>/revisions/<int:number>/sign-off")
def sign_off(assessment_id: int, number: int) -> Response:
    """An editor signs the latest revision off as its assessor; an owner who neither saved it nor signed it off
    approves it."""
    form = SignOffForm()
    assessment = get_assessment(assessment_id, "owner" if form.role.data == "approver" else "editor")
    back = f"{_back_to_report(assessment_id)}#sign-off"
    if not form.validate():
        flash(f"Not signed: {_problems(form)}", "error")
        return redirect(back, 303)
    typed = _echo(form.statement.data or "")
    approving = form.role.data == "approver"
    return carry_out(
        lambda: signoff.sign(
            db.session,
            assessment,
            number if number <= limits.MAX_ID else 0,
            form.role.data or "",
            form.statement.data or "",
            actor(),
        ),
        done="Revision approved: its decisions are accepted." if approving else "Revision signed off.",
        to=back,
        refused=(signoff.SignOffRefused, svc.Conflict, LookupError),
        refusal="Not signed: {}." + (f" You typed: “{typed}”." if typed else ""),
    )


@bp.post("/<int:assessment_id>/checklist/<item_id>/close")
def close_removed(assessment_id: int, item_id: str) -> Response:
    """An item the latest revision dropped was looked at: its record is closed and no longer listed as removed.
    Not checked against the knowledge base: a newer one may have dropped the item too."""
    assessment = get_assessment(assessment_id, "editor")
    form = VersionForm()
    back = _back_to_report(assessment_id)
    if not form.validate():
        abort(400)
    return carry_out(
        lambda: removed.close(db.session, assessment, item_id, submitted_version(), actor(), kb()),
        done="Closed: the item is no longer listed as removed.",
        to=f"{back}#removed",
        refused=(svc.Conflict, removed.CloseRefused),
        refusal="Not closed: {}.",
    )


@bp.post("/<int:assessment_id>/checklist/<item_id>/evidence")
def add_evidence(assessment_id: int, item_id: str) -> Response:
    """An editor adds a link or a text to an item's evidence."""
    assessment = get_assessment(assessment_id, "editor")
    if item_id not in kb().item_by_id:
        abort(404)
    form = EvidenceForm()
    back = f"{_back_to_report(assessment_id)}#item-{item_id}"
    if not form.validate():
        problems = _problems(form)
        flash(f"Evidence not added: {problems}", "error")
        return redirect(back, 303)
    typed = form.text.data or ""
    shown = _echo(typed)
    return carry_out(
        lambda: proof.add_evidence(db.session, assessment, item_id, form.kind.data or "", typed, actor()),
        done="Evidence added.",
        to=back,
        refused=(proof.EvidenceRefused,),
        refusal="Evidence not added: {}. You typed: “" + shown + "”.",
    )


@bp.post("/<int:assessment_id>/evidence/<int:evidence_id>/remove")
def remove_evidence(assessment_id: int, evidence_id: int) -> Response:
    """An editor removes an evidence entry; the activity log keeps what it was."""
    assessment = get_assessment(assessment_id, "editor")
    if not RemoveEvidenceForm().validate():
        abort(400)
    try:
        entry = proof.remove_evidence(db.session, assessment, evidence_id, actor())
    except LookupError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash("Evidence removed; the activity log keeps what it was.", "success")
    return redirect(f"{_back_to_report(assessment_id)}#item-{entry.item_id}", 303)


@bp.post("/<int:assessment_id>/clone")
def clone(assessment_id: int) -> Response:
    assessment = get_assessment(assessment_id, "editor")
    copy = svc.clone(db.session, assessment, actor(), kb())
    db.session.commit()
    flash(f"Cloned into “{copy.title}”.", "success")
    return redirect(url_for("assessments.show", assessment_id=copy.id))


@bp.post("/<int:assessment_id>/archive")
def archive(assessment_id: int) -> Response:
    assessment = get_assessment(assessment_id, "editor")
    archived = request.form.get("archived") == "1"
    return carry_out(
        lambda: svc.set_archived(db.session, assessment, archived, submitted_version(), actor()),
        done="Archived." if archived else "Restored from the archive.",
        to=url_for("assessments.show", assessment_id=assessment_id),
        refused=(svc.Conflict,),
        refusal="Not changed: {}. Here is the latest state.",
    )


@bp.route("/<int:assessment_id>/delete", methods=["GET", "POST"])
def delete(assessment_id: int) -> str | Response:
    assessment = get_assessment(assessment_id, "owner")
    form = VersionForm()
    if form.validate_on_submit():
        return carry_out(
            lambda: svc.delete(db.session, assessment, submitted_version(), actor()),
            done=f"Deleted “{assessment.title}”.",
            to=url_for("main.index"),
            refused=(svc.Conflict,),
            refusal="Not deleted: {}. Check the latest state before deleting.",
            refused_to=url_for("assessments.show", assessment_id=assessment_id),
            then=lambda: current_app.extensions["advisor.fragments"].forget(assessment_id),
        )
    form.version.data = str(assessment.version)
    return render_template("assessments/delete.html", assessment=assessment, form=form, **access_context(assessment))


@bp.get("/<int:assessment_id>/activity")
def activity(assessment_id: int) -> str:
    assessment = get_assessment(assessment_id)
    pages = max(1, math.ceil(audit.trail_length(db.session, assessment) / ACTIVITY_PAGE))
    page = min(max(int_or(request.args.get("page"), 1), 1), pages)
    events = audit.trail(db.session, assessment, ACTIVITY_PAGE, (page - 1) * ACTIVITY_PAGE)
    return render_template(
        "assessments/activity.html",
        assessment=assessment,
        events=events,
        detail_text=detail_text,
        kb=kb(),
        page=page,
        pages=pages,
        role=role_for(assessment),
        can_edit=workspaces.allows(role_for(assessment), "editor"),
    )


@bp.get("/<int:assessment_id>/export")
def export(assessment_id: int) -> Response:
    """Download a revision (the latest unless ?revision=N) in one of the export formats."""
    from advisor.services import exports

    assessment = get_assessment(assessment_id)
    fmt = request.args.get("format", "pdf")
    if fmt not in FORMAT_NAMES:
        abort(404)
    refuse_fast_exports(f"user:{current_user.id}", fmt)
    try:
        as_of = history.moment_or_none(request.args.get("as_of"))
        requested = int_or(request.args.get("revision"), 0) or None
        number = history.revision_number(db.session, assessment, requested, as_of)
        rendered = exports.export(db.session, assessment, number, fmt, actor(), "web", kb(), as_of=as_of)
    except LookupError:
        abort(404)
    except history.AsOfRefused as exc:
        db.session.rollback()
        flash(f"Not exported: {exc}.", "error")
        return redirect(url_for("assessments.show", assessment_id=assessment.id), 303)
    return download(db.session, rendered)


@bp.get("/<int:assessment_id>/bundle")
def bundle(assessment_id: int) -> Response | tuple[str, int]:
    """The revision's starter policy bundle (a zip), made for the team and application names given. A route of its
    own, not a format of ``export``: it takes names no other format takes, and refused names bring the form back
    with what was typed rather than a message on the report."""
    from advisor.services import bundles

    assessment = get_assessment(assessment_id)
    form = BundleForm(formdata=joined_names(request.args))
    if not form.validate():
        context = access_context(assessment)
        return render_template("assessments/bundle.html", assessment=assessment, form=form, **context), 422
    refuse_fast_exports(f"user:{current_user.id}", bundles.FORMAT)
    try:
        requested = int_or(request.args.get("revision"), 0) or None
        number = history.revision_number(db.session, assessment, requested, None)
        rendered = bundles.export_bundle(db.session, assessment, number, form.teams, form.apps, actor(), "web", kb())
    except LookupError:
        abort(404)
    return download(db.session, rendered)


def joined_names(args: MultiDict[str, str]) -> MultiDict[str, str]:
    """The query string with repeated ``team`` and ``app`` values as one text, a name a line: the form's text
    boxes send one value each, a hand-written address (``?team=a&team=b``) may send several, as the API takes."""
    joined = MultiDict(args)
    for name in ("team", "app"):
        if name in args:
            joined.setlist(name, ["\n".join(args.getlist(name))])
    return joined
