"""Scanner results on an assessment: the imported reports, and importing more (upload → preview → confirm)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from advisor.extensions import db
from advisor.forms.scans import ScanConfirmForm, ScanUploadForm
from advisor.models import Assessment
from advisor.scanners import TOOL_NAMES
from advisor.scanners.preview import ImportPreview
from advisor.services import scan_imports, workspaces
from advisor.views.common import actor, get_assessment, kb, role_for

bp = Blueprint("scans", __name__, url_prefix="/assessments")
# the routes that take report files: above the app's usual request size (see `larger_uploads`)
UPLOAD_ENDPOINTS = frozenset({"scans.preview", "api.import_scans"})


def larger_uploads() -> None:
    """Scanner reports run to megabytes: the routes that take them accept up to MAX_SCAN_UPLOAD, every other
    route the usual MAX_CONTENT_LENGTH. Runs before CSRF protection reads the form."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["MAX_SCAN_UPLOAD"]


def _page(
    assessment: Assessment,
    form: ScanUploadForm | ScanConfirmForm,
    shown: ImportPreview | None = None,
    *,
    pending: list[int] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    role = role_for(assessment)
    confirm = form if isinstance(form, ScanConfirmForm) else None
    return (
        render_template(
            "assessments/scans.html",
            assessment=assessment,
            imports=scan_imports.imports_of(db.session, assessment.id),
            describe=scan_imports.describe,
            upload=form if isinstance(form, ScanUploadForm) else ScanUploadForm(formdata=None),
            confirm=confirm,
            preview=shown,
            pending=",".join(map(str, pending or [])),
            TOOL_NAMES=TOOL_NAMES,
            max_upload=current_app.config["MAX_SCAN_UPLOAD"],
            role=role,
            can_edit=workspaces.allows(role, "editor"),
        ),
        status,
    )


@bp.get("/<int:assessment_id>/scans")
def index(assessment_id: int) -> tuple[str, int]:
    """The reports imported so far; for editors, the form to import more."""
    return _page(get_assessment(assessment_id), ScanUploadForm(formdata=None))


def _files() -> list[tuple[str | None, bytes]]:
    """The uploaded files' names and bytes; each upload's spooled file closed once read."""
    read: list[tuple[str | None, bytes]] = []
    uploads: list[FileStorage] = request.files.getlist("files")
    for upload in uploads:
        try:
            if upload.filename:
                read.append((upload.filename, upload.read()))
        finally:
            upload.close()
    return read


@bp.post("/<int:assessment_id>/scans/preview")
def preview(assessment_id: int) -> tuple[str, int]:
    """Read the uploaded reports and show what importing them would do; nothing is imported yet."""
    assessment = get_assessment(assessment_id, "editor")
    form = ScanUploadForm()
    if not form.validate():
        return _page(assessment, form, status=422)
    try:
        reports = scan_imports.read_reports(_files(), max_bytes=current_app.config["MAX_SCAN_UPLOAD"])
        shown = scan_imports.preview(
            db.session, assessment, kb(), reports, cluster=form.cluster.data, scanned_at=form.scanned_at.data
        )
    except scan_imports.ImportRefused as exc:
        db.session.rollback()
        field = form.files if exc.field == "file" else form[exc.field]
        field.errors = [*field.errors, str(exc)]
        return _page(assessment, form, status=422)
    pending = scan_imports.keep_pending(db.session, assessment, reports, actor())
    db.session.commit()
    confirm = ScanConfirmForm(formdata=None, cluster=form.cluster.data, scanned_at=form.scanned_at.data)
    return _page(assessment, confirm, shown, pending=pending)


def _ids(text: str | None) -> list[int]:
    return [int(part) for part in (text or "").split(",") if part.strip().isdigit()][: scan_imports.MAX_FILES]


@bp.post("/<int:assessment_id>/scans/import")
def confirm(assessment_id: int) -> Response | tuple[str, int]:
    """Import what a preview showed; a refusal shows the preview again with what was typed and why."""
    assessment = get_assessment(assessment_id, "editor")
    form = ScanConfirmForm()
    ids = _ids(form.pending.data)
    who = actor()
    try:
        reports = scan_imports.pending(db.session, assessment, ids, who)
    except scan_imports.ImportRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("scans.index", assessment_id=assessment.id), 303)
    if not form.validate():
        shown = scan_imports.preview(db.session, assessment, kb(), reports)
        return _page(assessment, form, shown, pending=ids, status=422)
    try:
        outcome = scan_imports.import_reports(
            db.session, assessment, kb(), reports, who, cluster=form.cluster.data, scanned_at=form.scanned_at.data
        )
    except scan_imports.ImportRefused as exc:
        db.session.rollback()
        if exc.field not in ("cluster", "scanned_at"):
            flash(str(exc), "error")
            return redirect(url_for("scans.index", assessment_id=assessment.id), 303)
        form[exc.field].errors = [str(exc)]
        shown = scan_imports.preview(db.session, assessment, kb(), reports)
        return _page(assessment, form, shown, pending=ids, status=422)
    scan_imports.drop_pending(db.session, ids)
    db.session.commit()
    flash(_done(outcome), "success")
    return redirect(url_for("scans.index", assessment_id=assessment.id), 303)


def _done(outcome: scan_imports.ImportOutcome) -> str:
    n = len(outcome.imported)
    parts = [f"Imported {n} report{'s' if n != 1 else ''}" if n else "Nothing new imported"]
    if n:
        parts.append(f"{len(outcome.items)} checklist item{'s' if len(outcome.items) != 1 else ''} got evidence")
    if outcome.skipped:
        parts.append(f"already imported before: {', '.join(outcome.skipped)}")
    disagreements = len(outcome.preview.disagreements) if outcome.preview else 0
    if disagreements and n:
        parts.append(
            f"the scans disagree with {disagreements} item{'s' if disagreements != 1 else ''} (see the report)"
        )
    return "; ".join(parts) + "."
