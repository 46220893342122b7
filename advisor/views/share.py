"""Read-only share links: made and revoked by editors, opened by anyone holding the link."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs lag behind

from advisor.exports import FORMAT_NAMES
from advisor.extensions import db
from advisor.forms.auth import PlainForm, ShareForm
from advisor.models import Assessment, ShareLink
from advisor.services import assessments as svc
from advisor.services import sharing
from advisor.views.common import access_context, actor, download, get_assessment, kb, refuse_fast_exports, refused_on
from advisor.views.readonly import read_only
from advisor.views.report_page import report_page

bp = Blueprint("share", __name__)


def _form(assessment: Assessment, *, fresh: bool = False) -> ShareForm:
    form = ShareForm(formdata=None) if fresh else ShareForm()
    form.revision.choices = [SelectChoice("latest", "The latest revision, whichever it is")] + [
        SelectChoice(str(n), f"Revision {n} only") for n in range(assessment.latest_revision_number, 0, -1)
    ]
    return form


def _page(assessment: Assessment, form: ShareForm, new_url: str | None = None, status: int = 200) -> tuple[str, int]:
    html = render_template(
        "assessments/sharing.html",
        assessment=assessment,
        links=sharing.links(db.session, assessment),
        form=form,
        plain=PlainForm(),
        new_url=new_url,
        is_live=sharing.is_live,
        **access_context(assessment),
    )
    return html, status


@bp.route("/assessments/<int:assessment_id>/sharing", methods=["GET", "POST"])
def manage(assessment_id: int) -> tuple[str, int]:
    assessment = get_assessment(assessment_id, "editor")
    form = _form(assessment)
    if form.validate_on_submit():
        pinned = None if form.revision.data == "latest" else int(form.revision.data or 0)
        try:
            raw, _ = sharing.create_link(
                db.session,
                assessment,
                form.days.data or 0,
                pinned,
                form.label.data or "",
                actor(),
                frozen=form.mode.data == "frozen",
            )
        except sharing.SharingError as exc:
            refused_on(form.days, exc)
            return _page(assessment, form, status=422)
        db.session.commit()
        # the token is shown this once; only its hash is stored
        return _page(assessment, _form(assessment, fresh=True), new_url=url_for(".view", token=raw, _external=True))
    return _page(assessment, form, status=422 if form.errors else 200)


@bp.post("/assessments/<int:assessment_id>/sharing/<int:link_id>/revoke")
def revoke(assessment_id: int, link_id: int) -> Response:
    assessment = get_assessment(assessment_id, "editor")
    link = db.session.get(ShareLink, link_id)
    if link is None or link.assessment_id != assessment.id:
        abort(404)
    if not PlainForm().validate_on_submit():
        abort(400)
    sharing.revoke(db.session, assessment, link, actor())
    db.session.commit()
    flash("Link revoked: it no longer opens anything.", "success")
    return redirect(url_for(".manage", assessment_id=assessment_id))


def _shared(token: str) -> tuple[ShareLink, Assessment, int]:
    """The live link, its assessment and the revision it shows; 404 for anything else."""
    link = sharing.resolve(db.session, token)
    assessment = db.session.get(Assessment, link.assessment_id) if link else None
    if link is None or assessment is None:
        abort(404)
    number = link.revision_number or assessment.latest_revision_number
    if not number:
        abort(404)
    return link, assessment, number


def reader(link: ShareLink) -> str:
    """Who downloads through a link, as the activity log names them."""
    return f"share link “{link.label}”" if link.label else f"share link {link.id}"


@bp.get("/share/<token>")
@read_only
def view(token: str) -> str:
    link = sharing.resolve(db.session, token)
    rows = svc.report_rows(db.session, link.assessment_id, link.revision_number, None) if link else None
    if rows is None or rows.revision_id is None:
        abort(404)
    return report_page(rows, shared=link, share_token=token)


@bp.get("/share/<token>/export")
def export(token: str) -> Response:
    """The shared revision as a file, for the auditor holding the link."""
    from advisor.services import exports

    link, assessment, number = _shared(token)
    fmt = request.args.get("format", "pdf")
    if fmt not in FORMAT_NAMES:
        abort(404)
    refuse_fast_exports(f"link:{link.id}", fmt)
    who = reader(link)
    try:
        # the reader is not a member: the file carries the assessment's own trail, not who is in the workspace
        rendered = exports.export(
            db.session,
            assessment,
            number,
            fmt,
            who,
            "share link",
            kb(),
            workspace_events=False,
            as_of=link.frozen_at,  # a frozen link's files show what its page shows
        )
    except LookupError:
        abort(404)
    return download(db.session, rendered)


@bp.get("/share/<token>/bundle")
def bundle(token: str) -> Response:
    """The shared revision's starter policy bundle, made without names (placeholders): the reader downloads what
    members do, but may not name the workspace's teams for it."""
    from advisor.services import bundles

    link, assessment, number = _shared(token)
    refuse_fast_exports(f"link:{link.id}", bundles.FORMAT)
    try:
        rendered = bundles.export_bundle(db.session, assessment, number, (), (), reader(link), "share link", kb())
    except LookupError:
        abort(404)
    return download(db.session, rendered)
