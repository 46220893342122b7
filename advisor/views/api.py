"""The JSON API (contract §7), authenticated with personal API tokens, with the web's access rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request, url_for
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from advisor.engine import AnswersError, evaluate
from advisor.engine.answers_file import text_problem
from advisor.engine.schema import STATUSES
from advisor.extensions import csrf, db
from advisor.models import Assessment, User, limits
from advisor.services import accounts, workspaces
from advisor.services import assessments as svc
from advisor.services.dashboard import SHOW, DashboardQuery, dashboard_page
from advisor.views.common import MAX_ID, download, export_wait, int_or, kb

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: cross-site requests cannot carry them

Json = tuple[dict[str, Any], int] | tuple[dict[str, Any], int, dict[str, str]]


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


# what each text field of a request body may hold, as on the web forms
TEXT_LIMITS = {
    "title": limits.TITLE,
    "description": limits.DESCRIPTION,
    "label": limits.LABEL,
    "owner": limits.OWNER,
    "note": limits.NOTE,
}


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


def _type_ok(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


_TYPE_NAMES = {str: "a string", int: "an integer", dict: "an object"}


def json_body(what: str = "a JSON object") -> dict[str, Any]:
    """The request's JSON object, or a 400 saying what is wrong with the body."""
    if not request.is_json:
        raise fail(400, "(body)", f"Send {what} with Content-Type: application/json.")
    try:
        data = current_app.json.loads(request.get_data(cache=True))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError among them
        raise fail(400, "(body)", f"not valid JSON: {exc}. Send {what}.") from None
    if not isinstance(data, dict):
        raise fail(400, "(body)", f"Send {what}, not {type(data).__name__}.")
    return data


def body_object(allowed: Mapping[str, type], required: tuple[str, ...]) -> dict[str, Any]:
    """The JSON body as an object with known keys of the right types and lengths, or a 400 naming every problem."""
    data = json_body()
    errors = [
        {"key": k, "message": f"unknown key; allowed keys: {', '.join(allowed)}"} for k in data if k not in allowed
    ]
    errors += [{"key": k, "message": "is required"} for k in required if k not in data]
    errors += [
        {"key": k, "message": f"expected {_TYPE_NAMES[kind]}"}
        for k, kind in allowed.items()
        if k in data and data[k] is not None and not _type_ok(data[k], kind)
    ]
    errors += [
        {"key": k, "message": f"at most {limit} characters (got {len(data[k])})"}
        for k, limit in TEXT_LIMITS.items()
        if isinstance(data.get(k), str) and len(data[k]) > limit
    ]
    if errors:
        raise ApiError(400, errors)
    return data


def assessment_for(assessment_id: int, needed: str = "viewer") -> Assessment:
    """Another workspace's assessment answers 404, like an absent one; too small a role answers 403."""
    assessment = db.session.get(Assessment, assessment_id) if assessment_id <= MAX_ID else None
    role = workspaces.role_of(db.session, api_user(), assessment.workspace_id) if assessment else None
    if assessment is None or role is None:
        raise fail(404, "id", f"no assessment {assessment_id} that this token may see")
    if not workspaces.allows(role, needed):
        raise fail(403, "id", f"your role in this workspace is {role}; this needs {needed}")
    return assessment


def answers_errors(exc: AnswersError) -> ApiError:
    return ApiError(400, [{"key": f"answers.{e['key']}", "message": e["message"]} for e in exc.errors])


def statuses_json(assessment: Assessment) -> dict[str, Any]:
    return {
        s.item_id: {
            "status": s.status,
            "note": s.note,
            "owner": s.owner,
            "version": s.version,
            "updated_by": s.updated_by,
            "updated_at": s.updated_at.isoformat() if s.updated_at else None,
        }
        for s in sorted(assessment.statuses, key=lambda s: s.item_id)
    }


def revision_json(revision: Any) -> dict[str, Any]:
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
    }


@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    from advisor.views.openapi import document

    return document(url_for("api.openapi", _external=True).rsplit("/api/v1/", 1)[0])


@bp.post("/evaluate")
@token_required
def evaluate_answers() -> Json:
    """Evaluate an answers document; nothing is stored."""
    data = json_body("the answers document as a JSON object")
    try:
        return dict(evaluate(data, kb())), 200
    except AnswersError as exc:
        return {"errors": exc.errors}, 400


@bp.get("/assessments")
@token_required
def list_assessments() -> Json:
    page_number = int_or(request.args.get("page"), 1)
    if not 1 <= page_number <= 100_000:
        raise fail(400, "page", "a page number from 1 to 100000")
    show = request.args.get("show", "active")
    if show not in SHOW:
        raise fail(400, "show", f"allowed: {', '.join(SHOW)}")
    memberships = workspaces.memberships(db.session, api_user())
    names = {m.workspace_id: m.workspace.name for m in memberships}
    query = DashboardQuery(q=request.args.get("q", "")[:200], show=show, page=page_number)
    page = dashboard_page(db.session, query, list(names))
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
    return {"items": items, "page": page.page, "pages": page.pages, "total": page.total}, 200


@bp.post("/assessments")
@token_required
def create_assessment() -> Json:
    data = body_object(
        {"title": str, "answers": dict, "workspace": int, "description": str, "label": str}, ("title", "answers")
    )
    title = data["title"].strip()
    if not title:
        raise fail(400, "title", f"give a title of 1 to {limits.TITLE} characters")
    user = api_user()
    workspace_id = data.get("workspace") or workspaces.personal_workspace(db.session, user).id
    role = workspaces.role_of(db.session, user, workspace_id) if 0 < workspace_id <= MAX_ID else None
    if role is None:
        raise fail(404, "workspace", f"no workspace {workspace_id} that this token may see")
    if not workspaces.allows(role, "editor"):
        raise fail(403, "workspace", f"your role in this workspace is {role}; creating needs editor")
    assessment = svc.create_assessment(db.session, workspace_id, title, data.get("description") or "", user.email)
    try:
        revision = svc.save_revision(db.session, assessment, data["answers"], 0, data.get("label"), user.email, kb())
    except AnswersError as exc:
        db.session.rollback()
        raise answers_errors(exc) from exc
    db.session.commit()
    location = url_for("api.get_assessment", assessment_id=assessment.id)
    return {"id": assessment.id, "revision": revision.number, "result": revision.result}, 201, {"Location": location}


@bp.get("/assessments/<int:assessment_id>")
@token_required
def get_assessment(assessment_id: int) -> Json:
    assessment = assessment_for(assessment_id)
    latest = svc.latest_revision(db.session, assessment)
    return {
        "id": assessment.id,
        "title": assessment.title,
        "description": assessment.description,
        "workspace": {"id": assessment.workspace_id, "name": assessment.workspace.name},
        "archived": assessment.archived,
        "latest_revision": assessment.latest_revision_number,
        "answers": latest.answers if latest else None,
        "result": latest.result if latest else None,
        "statuses": statuses_json(assessment),
    }, 200


@bp.post("/assessments/<int:assessment_id>/revisions")
@token_required
def add_revision(assessment_id: int) -> Json:
    assessment = assessment_for(assessment_id, "editor")
    data = body_object({"answers": dict, "base_revision": int, "label": str}, ("answers", "base_revision"))
    try:
        revision = svc.save_revision(
            db.session, assessment, data["answers"], data["base_revision"], data.get("label"), api_user().email, kb()
        )
    except svc.Conflict as exc:
        db.session.rollback()
        raise fail(409, "base_revision", f"{exc}; fetch the assessment and try again") from exc
    except AnswersError as exc:
        db.session.rollback()
        raise answers_errors(exc) from exc
    db.session.commit()
    location = url_for("api.get_revision", assessment_id=assessment_id, number=revision.number)
    return revision_json(revision), 201, {"Location": location}


@bp.get("/assessments/<int:assessment_id>/revisions/<int:number>")
@token_required
def get_revision(assessment_id: int, number: int) -> Json:
    assessment = assessment_for(assessment_id)
    revision = svc.get_revision(db.session, assessment, number) if number <= MAX_ID else None
    if revision is None:
        raise fail(404, "number", f"assessment {assessment_id} has no revision {number}")
    return revision_json(revision), 200


@bp.patch("/assessments/<int:assessment_id>/checklist/<item_id>")
@token_required
def set_status(assessment_id: int, item_id: str) -> Json:
    assessment = assessment_for(assessment_id, "editor")
    if item_id not in kb().item_by_id:
        raise fail(404, "item_id", f"no checklist item {item_id!r}")
    data = body_object({"status": str, "note": str, "owner": str, "base_version": int}, ("status", "base_version"))
    if data["status"] not in STATUSES:
        raise fail(400, "status", f"got {data['status']!r}; allowed: {', '.join(STATUSES)}")
    try:
        row = svc.set_status(
            db.session,
            assessment,
            item_id,
            data["status"],
            (data.get("note") or "").strip(),
            (data.get("owner") or "").strip(),
            data["base_version"],
            api_user().email,
        )
    except svc.Conflict as exc:
        db.session.rollback()
        current = svc.set_status_current(db.session, assessment_id, item_id)
        raise ApiError(
            409, [{"key": "base_version", "message": f"{exc}; the stored version is {current['version']}"}]
        ) from exc
    db.session.commit()
    return {"item_id": item_id, "status": row.status, "note": row.note, "owner": row.owner, "version": row.version}, 200


@bp.get("/assessments/<int:assessment_id>/export")
@token_required
def export(assessment_id: int) -> Response:
    from advisor.services import exports

    assessment = assessment_for(assessment_id)
    fmt = request.args.get("format", "json")
    if fmt not in exports.formats():
        raise fail(400, "format", f"allowed: {', '.join(exports.formats())}")
    wait = export_wait(f"user:{api_user().id}", fmt)
    if wait:
        message = f"too many exports: try again in {wait} seconds"
        raise ApiError(429, [{"key": "format", "message": message}], {"Retry-After": str(wait)})
    number = int_or(request.args.get("revision"), assessment.latest_revision_number)
    try:
        rendered = exports.export(db.session, assessment, number, fmt, api_user().email, "api", kb())
    except LookupError as exc:
        raise fail(404, "revision", str(exc)) from exc
    return download(db.session, rendered)
