"""The JSON API (contract §7), authenticated with personal API tokens, with the web's access rules."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Request, Response, current_app, g, request, url_for
from flask.json.provider import DefaultJSONProvider
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from spectree import Response as SpecResponse
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType
from werkzeug.exceptions import HTTPException
from werkzeug.sansio.response import Response as SansIOResponse

from advisor.engine import ENGINE_VERSION, AnswersError, evaluate
from advisor.engine.answers_file import text_problem
from advisor.exports.json_export import sign_off_data
from advisor.extensions import csrf, db
from advisor.models import Assessment, ChecklistStatus, Evidence, Revision, ScanImport, User, limits
from advisor.report.summary import acceptance_state, current_evidence, overdue, scan_status, scanner_disagrees, today
from advisor.scanners.preview import ImportPreview
from advisor.services import Refused, accounts, history, removed, scan_imports, signoff, workspaces
from advisor.services import assessments as svc
from advisor.services import evidence as proof
from advisor.services.dashboard import DashboardQuery, dashboard_page
from advisor.views import api_models as models
from advisor.views.common import download, export_wait, kb

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: cross-site requests cannot carry them

Json = tuple[dict[str, Any], int] | tuple[dict[str, Any], int, dict[str, str]]
FILE_ENDPOINTS = frozenset({"api.import_scans"})  # their body is files (multipart/form-data), not a JSON object


class StrictJSONProvider(DefaultJSONProvider):
    """Request bodies that parse but cannot be kept are refused as malformed (400), not left to fail later:
    JSON nested deeper than Python can follow, and escapes of half a surrogate pair ("\\ud800")."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            data = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("nested too deeply to read") from None
        problem = text_problem(data)
        if problem:
            raise ValueError(problem)
        return data


def init_app(app: Flask) -> None:
    app.json = StrictJSONProvider(app)


class ApiError(HTTPException):
    """An error answered as contract JSON: {"errors": [{"key", "message"}]}."""

    def __init__(self, status: int, errors: list[dict[str, str]], headers: dict[str, str] | None = None) -> None:
        super().__init__()
        self.code = status
        self.errors = errors
        self.headers = headers or {}


def fail(status: int, key: str, message: str) -> ApiError:
    return ApiError(status, [{"key": key, "message": message}])


@bp.errorhandler(ApiError)
def api_error(exc: ApiError) -> Json:
    headers = {"WWW-Authenticate": 'Bearer realm="advisor"'} if exc.code == 401 else {}
    return {"errors": exc.errors}, exc.code or 400, {**headers, **exc.headers}


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        user = accounts.user_for_api_token(db.session, raw.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            db.session.rollback()
            raise fail(401, "Authorization", "Send a valid personal API token: 'Authorization: Bearer <token>'.")
        db.session.commit()  # records the token's last use
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped


def api_user() -> User:
    user: User = g.api_user
    return user


def assessment_for(assessment_id: int, needed: str = "viewer") -> Assessment:
    """Another workspace's assessment answers 404, like an absent one; too small a role answers 403."""
    found = None
    if assessment_id <= limits.MAX_ID:  # a larger id cannot exist (and PostgreSQL refuses to compare with it)
        found = workspaces.assessment_with_role(db.session, assessment_id, api_user())
    if found is None or found[1] is None:
        raise fail(404, "id", f"no assessment {assessment_id} that this token may see")
    assessment, role = found
    if not workspaces.allows(role, needed):
        raise fail(403, "id", f"your role in this workspace is {role}; this needs {needed}")
    return assessment


def answers_errors(exc: AnswersError) -> ApiError:
    return ApiError(400, [{"key": f"answers.{e['key']}", "message": e["message"]} for e in exc.errors])


# --- the API's description: spectree validates requests and responses against views.api_models --------

_WORDS = {
    "missing": "is required",
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "int_parsing": "expected a whole number",
    "dict_type": "expected an object",
}
_BODIES = {
    model.__name__: model
    for model in (models.NewAssessment, models.NewRevision, models.StatusChange, models.CloseRemoved)
}


def _problem(error: ErrorDetails, model_name: str) -> dict[str, str]:
    """One of pydantic's errors in the contract's words, keyed on the field."""
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "extra_forbidden":
        message = f"unknown key; allowed keys: {', '.join(_BODIES[model_name].model_fields)}"
    elif kind == "string_too_long":
        message = f"at most {ctx['max_length']} characters (got {len(error['input'])})"
    elif kind == "value_error":
        message = str(ctx["error"])
    elif kind == "greater_than_equal":
        message = f"at least {ctx['ge']}"
    elif kind == "less_than_equal":
        message = f"at most {ctx['le']}"
    else:
        message = _WORDS.get(kind, error["msg"])
    return {"key": ".".join(str(part) for part in error["loc"]) or "(body)", "message": message}


def _refuse_invalid(req: Request, _resp: Any, error: Exception | None, _view: Any, _adapter: Any) -> None:
    """Runs after spectree's checks, before the view: an unreadable body is named as such (spectree reads it as
    empty), then every field's problem is answered in the contract's shape."""
    if req.method in ("POST", "PATCH") and req.endpoint not in FILE_ENDPOINTS:
        require_json_object()
    if isinstance(error, ValidationError):
        raise ApiError(400, [_problem(e, error.title) for e in error.errors()])


def _refuse_unlike_its_model(req: Request, _resp: Any, error: Exception | None, _view: Any, _a: Any) -> None:
    if error is not None:  # our bug, not the client's: a 500 that is logged, never a body the document denies
        raise RuntimeError(f"{req.method} {req.path} answered a body its model refuses: {error}")


spec = SpecTree(
    "flask",
    mode="strict",  # only the routes decorated below; the web pages are not part of the API
    title="Kubernetes architecture advisor API",
    version="1",
    description=f"Contract v1 (engine {ENGINE_VERSION}). Authenticate with a personal API token: "
    '`Authorization: Bearer <token>`. Errors are `{"errors": [{"key", "message"}]}`.',
    security_schemes=[SecurityScheme(name="token", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer"))],
    security={"token": []},
    validation_error_status=400,
    validation_error_model=models.Errors,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    before=_refuse_invalid,
    after=_refuse_unlike_its_model,
)

_MEANINGS = {
    400: "Invalid request",
    401: "No token, or not a valid one",
    403: "Your role does not allow this",
    404: "Absent, or not yours to see",
    409: "Stale write: someone saved first",
    413: "Body too large",
    429: "Too many requests: wait as long as Retry-After says",
}


def replies(ok: int, model: Any, meaning: str, *errors: int) -> SpecResponse:
    """The answers an operation gives: ``ok`` with ``model``, and each error code with the contract's errors."""
    codes = {f"HTTP_{code}": (models.Errors, _MEANINGS[code]) for code in (401, *errors)}
    return SpecResponse(**{f"HTTP_{ok}": (model, meaning)}, **codes)


Reply = tuple[SansIOResponse, int, dict[str, str]]


def reply(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    """A JSON answer handed to spectree as text: it checks the text against the operation's model in one pass,
    where a dict would first be walked, value by value, for model instances (most of an answer's time)."""
    return current_app.json.response(body), status, headers or {}


def require_json_object() -> None:
    """A 400 saying what is wrong with the body as a whole, unless it is a JSON object."""
    if not request.is_json:
        raise fail(400, "(body)", "Send a JSON object with Content-Type: application/json.")
    data = request.get_json(silent=True)  # spectree has read it already: the parsed body is cached
    if data is None:  # unreadable (or a bare null): parse it again, only to say why
        try:
            data = current_app.json.loads(request.get_data(cache=True))
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError among them
            raise fail(400, "(body)", f"not valid JSON: {exc}. Send a JSON object.") from None
    if not isinstance(data, dict):
        raise fail(400, "(body)", f"Send a JSON object, not {type(data).__name__}.")


@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    """The API's description; public, and not part of itself."""
    return openapi_document(url_for("api.openapi", _external=True).rsplit("/api/v1/", 1)[0])


def openapi_document(server: str) -> dict[str, Any]:
    """The document spectree writes from the models, with this server's address and the export's file types
    (a file is not a JSON model)."""
    from advisor.exports import adr, csv_export, json_export, markdown, pdf, xlsx

    binary, text = {"type": "string", "format": "binary"}, {"type": "string"}
    files = {
        pdf.MIMETYPE: binary,
        markdown.MIMETYPE: text,
        csv_export.MIMETYPE: text,
        json_export.MIMETYPE: {"type": "object"},
        adr.MIMETYPE: binary,  # the ADR zip, and the CSV tables zip (the same media type)
        xlsx.MIMETYPE: binary,
    }
    document: dict[str, Any] = copy.deepcopy(spec.spec)
    document["servers"] = [{"url": server}]
    export_ok = document["paths"]["/api/v1/assessments/{assessment_id}/export"]["get"]["responses"]["200"]
    export_ok["content"] = {media: {"schema": schema} for media, schema in files.items()}
    export_ok["headers"] = {
        "Repr-Digest": {
            "description": "RFC 9530: the SHA-256 of the file's exact bytes, `sha-256=:<base64>:`",
            "schema": {"type": "string", "pattern": "^sha-256=:[A-Za-z0-9+/]{43}=:$"},
        },
        "Content-Disposition": {
            "description": "`attachment` with the file name: title, revision and the day it is as of",
            "schema": {"type": "string"},
        },
    }
    # the reports are files: a multipart body, read by the view (a pydantic model holds no file)
    document["paths"]["/api/v1/assessments/{assessment_id}/scans"]["post"]["requestBody"] = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "array",
                            "items": binary,
                            "description": "One or more scanner reports (JSON), each a part named file; "
                            f"at most {scan_imports.MAX_FILES}.",
                        }
                    },
                }
            }
        },
    }
    return document


@bp.post("/evaluate")
@token_required
@spec.validate(resp=replies(200, models.Result, "The result", 413))
def evaluate_answers(json: models.Answers) -> Reply:
    """Evaluate an answers document; nothing is stored"""
    try:
        return reply(dict(evaluate(json.root, kb())))
    except AnswersError as exc:
        return reply({"errors": exc.errors}, 400)


@bp.get("/assessments")
@token_required
@spec.validate(resp=replies(200, models.AssessmentPage, "The page"))
def list_assessments(query: models.ListQuery) -> Reply:
    """A page of the assessments this token may see"""
    memberships = workspaces.memberships(db.session, api_user())
    names = {m.workspace_id: m.workspace.name for m in memberships}
    wanted = DashboardQuery(q=query.q[: limits.SEARCH], show=query.show, page=query.page)
    page = dashboard_page(db.session, wanted, list(names))
    items = [
        {
            "id": row.assessment.id,
            "title": row.assessment.title,
            "workspace": {"id": row.assessment.workspace_id, "name": names[row.assessment.workspace_id]},
            "archived": row.assessment.archived,
            "latest_revision": row.assessment.latest_revision_number,
            "recommended": row.revision.recommended if row.revision else None,
            "checklist": {"done": row.done, "total": row.total},
            "updated_at": row.assessment.updated_at.isoformat(),
        }
        for row in page.rows
    ]
    return reply({"items": items, "page": page.page, "pages": page.pages, "total": page.total})


@bp.post("/assessments")
@token_required
@spec.validate(resp=replies(201, models.Created, "Created", 403, 404, 413))
def create_assessment(json: models.NewAssessment) -> Reply:
    """Create an assessment with its first revision"""
    title = json.title.strip()
    if not title:
        raise fail(400, "title", f"give a title of 1 to {limits.TITLE} characters")
    user = api_user()
    workspace_id = json.workspace or workspaces.personal_workspace(db.session, user).id
    role = workspaces.role_of(db.session, user, workspace_id) if 0 < workspace_id <= limits.MAX_ID else None
    if role is None:
        raise fail(404, "workspace", f"no workspace {workspace_id} that this token may see")
    if not workspaces.allows(role, "editor"):
        raise fail(403, "workspace", f"your role in this workspace is {role}; creating needs editor")
    assessment = svc.create_assessment(db.session, workspace_id, title, json.description or "", user.email)
    try:
        revision = svc.save_revision(db.session, assessment, json.answers, 0, json.label, user.email, kb())
    except AnswersError as exc:
        db.session.rollback()
        raise answers_errors(exc) from exc
    db.session.commit()
    location = url_for("api.get_assessment", assessment_id=assessment.id)
    return reply(
        {"id": assessment.id, "revision": revision.number, "result": revision.result}, 201, {"Location": location}
    )


@bp.get("/assessments/<int:assessment_id>")
@token_required
@spec.validate(resp=replies(200, models.AssessmentView, "The assessment", 404))
def get_assessment(assessment_id: int) -> Reply:
    """The assessment, its latest revision's answers and result, and checklist statuses"""
    assessment = assessment_for(assessment_id)
    latest = svc.latest_revision(db.session, assessment)
    return reply(
        {
            "id": assessment.id,
            "title": assessment.title,
            "description": assessment.description,
            "workspace": {"id": assessment.workspace_id, "name": assessment.workspace.name},
            "archived": assessment.archived,
            "latest_revision": assessment.latest_revision_number,
            "answers": latest.answers if latest else None,
            "result": latest.result if latest else None,
            "statuses": statuses_json(assessment),
        }
    )


@bp.post("/assessments/<int:assessment_id>/revisions")
@token_required
@spec.validate(resp=replies(201, models.RevisionView, "The new revision", 403, 404, 409, 413))
def add_revision(assessment_id: int, json: models.NewRevision) -> Reply:
    """Save new answers as the next revision"""
    assessment = assessment_for(assessment_id, "editor")
    try:
        revision = svc.save_revision(
            db.session, assessment, json.answers, json.base_revision, json.label, api_user().email, kb()
        )
    except svc.Conflict as exc:
        db.session.rollback()
        raise fail(409, "base_revision", f"{exc}; fetch the assessment and try again") from exc
    except svc.Unchanged as exc:
        db.session.rollback()
        raise fail(409, "answers", f"{exc}; nothing was saved") from exc
    except AnswersError as exc:
        db.session.rollback()
        raise answers_errors(exc) from exc
    db.session.commit()
    location = url_for("api.get_revision", assessment_id=assessment_id, number=revision.number)
    return reply(revision_json(revision), 201, {"Location": location})


@bp.get("/assessments/<int:assessment_id>/revisions/<int:number>")
@token_required
@spec.validate(resp=replies(200, models.RevisionView, "The revision", 404))
def get_revision(assessment_id: int, number: int) -> Reply:
    """One revision as it was stored"""
    assessment = assessment_for(assessment_id)
    revision = svc.get_revision(db.session, assessment, number) if number <= limits.MAX_ID else None
    if revision is None:
        raise fail(404, "number", f"assessment {assessment_id} has no revision {number}")
    return reply(revision_json(revision))


@bp.post("/assessments/<int:assessment_id>/revisions/<int:number>/sign-off")
@token_required
@spec.validate(resp=replies(201, models.SignOffView, "Signed", 400, 403, 404, 409, 413))
def sign_off(assessment_id: int, number: int, json: models.SignOffRequest) -> Reply:
    """Sign the latest revision off as its assessor (editors), or approve it (owners who neither saved it nor
    signed it off)"""
    assessment = assessment_for(assessment_id, "owner" if json.role == "approver" else "editor")
    try:
        signed = signoff.sign(
            db.session,
            assessment,
            number if number <= limits.MAX_ID else 0,
            json.role,
            json.statement or "",
            api_user().email,
        )
    except LookupError as exc:
        raise fail(404, "number", f"assessment {assessment_id} has no revision {number}") from exc
    except signoff.SignOffRefused as exc:
        db.session.rollback()
        raise fail(400, exc.field, str(exc)) from exc
    except svc.Conflict as exc:
        db.session.rollback()
        raise fail(409, "role", str(exc)) from exc
    db.session.commit()
    return reply(sign_off_data(signoff.sign_off_of(db.session, signed.revision_id)), 201)


@bp.patch("/assessments/<int:assessment_id>/checklist/<item_id>")
@token_required
@spec.validate(resp=replies(200, models.StatusSaved, "Saved", 403, 404, 409, 413))
def set_status(assessment_id: int, item_id: str, json: models.StatusChange) -> Reply:
    """Set a checklist item's status"""
    assessment = assessment_for(assessment_id, "editor")
    if item_id not in kb().item_by_id:
        raise fail(404, "item_id", f"no checklist item {item_id!r}")
    try:
        expires = dt.date.fromisoformat(json.expires_on) if json.expires_on else None
    except ValueError as exc:
        raise fail(400, "expires_on", f"got {json.expires_on!r}: not a date") from exc
    due_on: dt.date | svc.Keep | None = svc.KEEP  # absent: kept as it is; null: cleared
    if "due_on" in json.model_fields_set:
        try:
            due_on = dt.date.fromisoformat(json.due_on) if json.due_on else None
        except ValueError as exc:
            raise fail(400, "due_on", f"got {json.due_on!r}: not a date") from exc
    return status_change(
        assessment_id,
        item_id,
        svc.StatusRefused,
        lambda: svc.set_status(
            db.session,
            assessment,
            item_id,
            json.status,
            (json.note or "").strip(),
            (json.owner or "").strip(),
            json.base_version,
            api_user().email,
            justification=json.justification,
            expires=expires,
            due_on=due_on,
        ),
    )


@bp.post("/assessments/<int:assessment_id>/checklist/<item_id>/acceptance")
@token_required
@spec.validate(resp=replies(200, models.StatusSaved, "Decided", 400, 403, 404, 409, 413))
def decide_acceptance(assessment_id: int, item_id: str, json: models.AcceptanceDecision) -> Reply:
    """Approve or reject a requested risk acceptance (owners; never one's own request)"""
    assessment = assessment_for(assessment_id, "owner")
    if item_id not in kb().item_by_id:
        raise fail(404, "item_id", f"no checklist item {item_id!r}")
    return status_change(
        assessment_id,
        item_id,
        svc.AcceptanceRefused,
        lambda: svc.decide_acceptance(
            db.session,
            assessment,
            item_id,
            json.decision == "approve",
            json.base_version,
            api_user().email,
            (json.reason or "").strip(),
        ),
    )


@bp.post("/assessments/<int:assessment_id>/checklist/<item_id>/close")
@token_required
@spec.validate(resp=replies(200, models.StatusSaved, "Closed", 400, 403, 404, 409, 413))
def close_removed(assessment_id: int, item_id: str, json: models.CloseRemoved) -> Reply:
    """Close the record of an item the latest revision dropped (editors): it is no longer listed as removed"""
    assessment = assessment_for(assessment_id, "editor")
    return status_change(
        assessment_id,
        item_id,
        removed.CloseRefused,
        lambda: removed.close(db.session, assessment, item_id, json.base_version, api_user().email, kb()),
    )


def status_change(
    assessment_id: int, item_id: str, refused: type[Refused], change: Callable[[], ChecklistStatus]
) -> Reply:
    """Make a change to an item's status row and answer the row as stored: 400 naming the field when the service
    refuses it (``refused``; the form's ``expires`` is the API's ``expires_on``), 409 when the version is stale."""
    try:
        row = change()
    except refused as exc:
        db.session.rollback()
        raise fail(400, {"expires": "expires_on"}.get(exc.field, exc.field), str(exc)) from exc
    except svc.Conflict as exc:
        raise stale_status(exc, assessment_id, item_id) from exc
    db.session.commit()
    return reply(status_saved(item_id, row))


def stale_status(exc: svc.Conflict, assessment_id: int, item_id: str) -> ApiError:
    """409 naming the version stored now, after a write based on an older one."""
    db.session.rollback()
    current = svc.set_status_current(db.session, assessment_id, item_id)
    return fail(409, "base_version", f"{exc}; the stored version is {current['version']}")


def status_saved(item_id: str, row: ChecklistStatus) -> dict[str, Any]:
    """An item's status as stored, with its risk acceptance."""
    state = acceptance_state(row, today())
    return {
        "item_id": item_id,
        "status": row.status,
        "note": row.note,
        "owner": row.owner,
        "version": row.version,
        "acceptance": None
        if state is None
        else {
            "state": state,
            "justification": row.acceptance_justification,
            "expires_on": row.acceptance_expires.isoformat() if row.acceptance_expires else None,
            "requested_by": row.acceptance_requested_by,
            "approved_by": row.acceptance_approved_by,
            "approved_at": row.acceptance_approved_at.isoformat() if row.acceptance_approved_at else None,
        },
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "overdue": overdue(row, today()),
        "verification": None
        if row.verification_result is None
        else {
            "result": row.verification_result,
            "procedure": row.verification_procedure,
            "by": row.verified_by,
            "at": _moment(row.verified_at),
        },
    }


@bp.post("/assessments/<int:assessment_id>/checklist/<item_id>/verification")
@token_required
@spec.validate(resp=replies(200, models.StatusSaved, "Recorded", 400, 403, 404, 409, 413))
def verify(assessment_id: int, item_id: str, json: models.VerificationRecord) -> Reply:
    """Record the test of a done item (editors; never whoever marked it done)"""
    from advisor.services import verification

    assessment = assessment_for(assessment_id, "editor")
    if item_id not in kb().item_by_id:
        raise fail(404, "item_id", f"no checklist item {item_id!r}")
    return status_change(
        assessment_id,
        item_id,
        verification.VerificationRefused,
        lambda: verification.record_verification(
            db.session, assessment, item_id, json.result, json.procedure or "", json.base_version, api_user().email
        ),
    )


@bp.post("/assessments/<int:assessment_id>/checklist/<item_id>/evidence")
@token_required
@spec.validate(resp=replies(201, models.EvidenceView, "Added", 403, 404, 413))
def add_evidence(assessment_id: int, item_id: str, json: models.NewEvidence) -> Reply:
    """Add a link or a text to a checklist item's evidence"""
    assessment = assessment_for(assessment_id, "editor")
    if item_id not in kb().item_by_id:
        raise fail(404, "item_id", f"no checklist item {item_id!r}")
    try:
        entry = proof.add_evidence(db.session, assessment, item_id, json.kind, json.text, api_user().email)
    except proof.EvidenceRefused as exc:
        db.session.rollback()
        raise fail(400, exc.field, str(exc)) from exc
    db.session.commit()
    return reply(evidence_json(entry), 201)


@bp.delete("/assessments/<int:assessment_id>/evidence/<int:evidence_id>")
@token_required
@spec.validate(resp=replies(204, None, "Removed; the activity log keeps what it was", 403, 404))
def remove_evidence(assessment_id: int, evidence_id: int) -> Reply:
    """Remove an evidence entry"""
    assessment = assessment_for(assessment_id, "editor")
    try:
        proof.remove_evidence(db.session, assessment, evidence_id, api_user().email)
    except LookupError as exc:
        db.session.rollback()
        raise fail(404, "evidence_id", str(exc)) from exc
    db.session.commit()
    return current_app.response_class(status=204), 204, {}


@bp.get("/assessments/<int:assessment_id>/scans")
@token_required
@spec.validate(resp=replies(200, models.ScanImports, "The reports imported into the assessment", 404))
def list_scans(assessment_id: int) -> Reply:
    """List the scanner reports imported into an assessment"""
    assessment = assessment_for(assessment_id)
    return reply({"imports": [scan_import_json(row) for row in scan_imports.imports_of(db.session, assessment.id)]})


@bp.post("/assessments/<int:assessment_id>/scans")
@token_required
@spec.validate(
    query=models.ScanImportQuery,
    resp=replies(201, models.ScanImportResult, "Imported (200: a dry run, or nothing new)", 400, 403, 404, 413),
)
def import_scans(assessment_id: int, query: models.ScanImportQuery) -> Reply:
    """Import scanner reports as evidence (multipart: one or more parts named file)"""
    assessment = assessment_for(assessment_id, "editor")
    files = []
    for upload in request.files.getlist("file"):
        try:
            files.append((upload.filename, upload.read()))
        finally:
            upload.close()
    try:
        reports = scan_imports.read_reports(files, max_bytes=current_app.config["MAX_SCAN_UPLOAD"])
        if query.dry_run:
            shown = scan_imports.preview(
                db.session, assessment, kb(), reports, cluster=query.cluster, scanned_at=query.scanned_at
            )
            return reply(import_json(shown, [], dry_run=True))
        outcome = scan_imports.import_reports(
            db.session, assessment, kb(), reports, api_user().email, cluster=query.cluster, scanned_at=query.scanned_at
        )
    except scan_imports.ImportRefused as exc:
        db.session.rollback()
        raise fail(400, exc.field, str(exc)) from exc
    db.session.commit()
    assert outcome.preview is not None  # noqa: S101  (import_reports always previews first)
    return reply(import_json(outcome.preview, outcome.imported, dry_run=False), 201 if outcome.imported else 200)


def _moment(value: dt.datetime | None) -> str | None:
    return None if value is None else (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()


def scan_import_json(row: ScanImport) -> dict[str, Any]:
    return {
        **{name: getattr(row, name) for name in ("id", "file_name", "tool", "tool_version", "source", "cluster")},
        "benchmarks": list(row.benchmarks),
        "scanned_at": _moment(row.scanned_at),
        **{name: getattr(row, name) for name in ("digest", "passed", "failed", "not_evaluated", "items")},
        "imported_by": row.imported_by,
        "imported_at": _moment(row.imported_at),
    }


def import_json(shown: ImportPreview, imported: list[ScanImport], *, dry_run: bool) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "imported": [scan_import_json(row) for row in imported],
        "reports": [
            {
                "file_name": r.name,
                **{name: getattr(r.scan, name) for name in ("tool", "tool_version", "source")},
                "benchmarks": list(r.scan.benchmarks),
                "cluster": r.cluster,
                "scanned_at": _moment(r.scanned_at),
                **{name: getattr(r.scan, name) for name in ("digest", "passed", "failed", "not_evaluated")},
                "already_imported": r.already_imported,
                "notes": list(r.scan.notes),
            }
            for r in shown.reports
        ],
        "items": [
            {
                "item_id": i.item_id,
                "title": i.title,
                "status": i.status,
                "scan_status": i.scan_status,
                "disagrees": i.disagrees,
                "checks": [
                    {"tool": f.tool, "benchmark": f.benchmark or None, "check": f.check, "result": f.result}
                    for f in i.findings
                ],
            }
            for i in shown.items
        ],
        "unmatched": shown.unmatched,
    }


def evidence_json(entry: Evidence) -> dict[str, Any]:
    moment = _moment
    return {
        "id": entry.id,
        "item_id": entry.item_id,
        "kind": entry.kind,
        "text": entry.text,
        "added_by": entry.added_by,
        "added_at": moment(entry.added_at),
        "tool": entry.tool,
        "benchmark": entry.benchmark,
        "check": entry.check,
        "result": entry.result,
        "cluster": entry.cluster,
        "scanned_at": moment(entry.scanned_at),
    }


@bp.get("/assessments/<int:assessment_id>/export")
@token_required
@spec.validate(
    resp=replies(
        200, None, "The file (adr: a zip of one MADR record per decision; bundle: the starter policy bundle)", 404, 429
    )
)
def export(assessment_id: int, query: models.ExportQuery) -> Response:
    """A revision as a file"""
    from advisor.services import bundles, exports

    assessment = assessment_for(assessment_id)
    wait = export_wait(f"user:{api_user().id}", query.format)
    if wait:
        message = f"too many exports: try again in {wait} seconds"
        raise ApiError(429, [{"key": "format", "message": message}], {"Retry-After": str(wait)})
    as_of = None if query.as_of is None else history.moment_or_none(query.as_of.isoformat())
    try:
        number = history.revision_number(db.session, assessment, query.revision, as_of)
        if query.format == bundles.FORMAT:  # made from the revision's result alone: as_of only chose the revision
            rendered = bundles.export_bundle(
                db.session, assessment, number, query.team, query.app, api_user().email, "api", kb()
            )
        else:
            rendered = exports.export(
                db.session, assessment, number, query.format, api_user().email, "api", kb(), as_of=as_of
            )
    except LookupError as exc:
        raise fail(404, "revision", str(exc)) from exc
    except history.AsOfRefused as exc:
        db.session.rollback()
        raise fail(400, exc.field, str(exc)) from exc
    return download(db.session, rendered)


def statuses_json(assessment: Assessment) -> dict[str, Any]:
    """Each item with a status or evidence (an item with evidence and no status is ``todo``, version 0)."""
    on = today()
    current: dict[str, list[Evidence]] = {}
    for entry in current_evidence(list(assessment.evidence)):
        current.setdefault(entry.item_id, []).append(entry)
    evidence = {item_id: [evidence_json(e) for e in entries] for item_id, entries in current.items()}
    statuses = {
        s.item_id: {
            "status": s.status,
            "note": s.note,
            "owner": s.owner,
            "version": s.version,
            "updated_by": s.updated_by,
            "updated_at": s.updated_at.isoformat() if s.updated_at else None,
            "needs_review": s.needs_review,
            "review_reason": s.review_reason,
            "due_on": s.due_on.isoformat() if s.due_on else None,
            "overdue": overdue(s, on),
            "evidence": evidence.get(s.item_id, []),
            "scan_status": scan_status(list(current.get(s.item_id, []))),
            "scanner_disagrees": scanner_disagrees(s.status, list(current.get(s.item_id, []))),
        }
        for s in assessment.statuses
    }
    for item_id, entries in evidence.items():
        statuses.setdefault(
            item_id,
            {
                **{"status": "todo", "note": "", "owner": "", "version": 0, "updated_by": None, "updated_at": None},
                **{"needs_review": False, "review_reason": None, "due_on": None, "overdue": False},
                "evidence": entries,
                "scan_status": scan_status(list(current[item_id])),
                "scanner_disagrees": False,  # an item without a status is open: no decision to contradict
            },
        )
    return dict(sorted(statuses.items()))


def revision_json(revision: Revision) -> dict[str, Any]:
    return {
        "number": revision.number,
        "label": revision.label,
        "created_at": revision.created_at.isoformat(),
        "author": revision.author,
        "engine_version": revision.engine_version,
        "knowledge_base_version": revision.knowledge_base_version,
        "answers": revision.answers,
        "result": revision.result,
        "statuses": revision.statuses,
        "sign_off": sign_off_data(signoff.sign_off_of(db.session, revision.id)),
    }
