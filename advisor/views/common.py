"""Helpers shared by the views: loading objects, the acting user, versions from forms."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

from flask import Response, abort, current_app, flash, g, redirect, request
from flask_login import current_user
from limits import parse_many
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import Field

from advisor.engine import KnowledgeBase
from advisor.exports import Export
from advisor.extensions import db, limiter
from advisor.models import Assessment, limits
from advisor.services import assessments as svc
from advisor.services import workspaces
from advisor.services.throttle import seconds_until


def kb() -> KnowledgeBase:
    knowledge: KnowledgeBase = current_app.extensions["advisor.kb"]
    return knowledge


def actor() -> str | None:
    """Who is acting, as recorded beside what they did."""
    return current_user.email if current_user.is_authenticated else None


def role_for(assessment: Assessment) -> str | None:
    """The signed-in user's role in the assessment's workspace, looked up once per request."""
    cache: dict[int, str | None] = g.setdefault("roles", {})
    if assessment.workspace_id not in cache:
        cache[assessment.workspace_id] = workspaces.role_of(db.session, current_user, assessment.workspace_id)
    return cache[assessment.workspace_id]


def get_assessment(assessment_id: int, needed: str = "viewer") -> Assessment:
    """The assessment, if the user may act on it: 404 outside their workspaces, 403 for too small a role."""
    found = None
    if assessment_id <= limits.MAX_ID and current_user.is_authenticated:
        found = workspaces.assessment_with_role(db.session, assessment_id, current_user)
    if found is None:
        abort(404)
    assessment, role = found
    _check_role(assessment.workspace_id, role, needed)
    return assessment


def get_report_rows(assessment_id: int, number: int | None) -> svc.ReportRows:
    """What decides a report page, in one light query, with the same access rules as ``get_assessment``."""
    rows = None
    if assessment_id <= limits.MAX_ID and current_user.is_authenticated:
        rows = svc.report_rows(db.session, assessment_id, number, current_user)
    if rows is None:
        abort(404)
    _check_role(rows.workspace_id, rows.role, "viewer")
    return rows


def _check_role(workspace_id: int, role: str | None, needed: str) -> None:
    """404 for a non-member (the object's existence is not confirmed), 403 for too small a role."""
    if role is None:
        abort(404)
    if not workspaces.allows(role, needed):
        abort(403)
    g.setdefault("roles", {})[workspace_id] = role


def int_or(value: Any, default: int) -> int:
    """An integer from user input within what the database can hold, else ``default``."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if -limits.MAX_ID <= number <= limits.MAX_ID else default


def submitted_version() -> int:
    """The version the user's page was built from; -1 (always stale) when missing or garbled."""
    return int_or(request.form.get("version"), -1)


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def access_context(assessment: Assessment) -> dict[str, Any]:
    """What the assessment's pages show depends on the user's role: tabs, forms, buttons."""
    role = role_for(assessment)
    return {"role": role, "can_edit": workspaces.allows(role, "editor"), "can_own": workspaces.allows(role, "owner")}


def export_wait(who: str, fmt: str) -> int:
    """Seconds ``who`` (an account, a share link, a token) must wait before exporting ``fmt`` again; 0
    when the export may go ahead, which then counts against ``ADVISOR_EXPORT_LIMIT`` (and, for a PDF,
    the lower ``ADVISOR_PDF_EXPORT_LIMIT``: laying one out takes seconds of a worker's time)."""
    rules = [("export", current_app.config["EXPORT_LIMIT"])]
    if fmt == "pdf":
        rules.append(("export-pdf", current_app.config["PDF_EXPORT_LIMIT"]))
    counted = [(item, scope) for scope, text in rules for item in parse_many(text)]
    strategy = limiter.limiter
    for item, scope in counted:
        if not strategy.test(item, scope, who):
            return seconds_until(strategy.get_window_stats(item, scope, who).reset_time)
    for item, scope in counted:
        strategy.hit(item, scope, who)
    return 0


def refuse_fast_exports(who: str, fmt: str) -> None:
    """A 429 page (with Retry-After) when ``who`` exports faster than the limits allow."""
    wait = export_wait(who, fmt)
    if wait:
        raise TooManyRequests(f"Too many exports: try again in {wait} seconds.", retry_after=wait)


def repr_digest(content: bytes) -> str:
    """The ``Repr-Digest`` field value (RFC 9530) of ``content``: ``sha-256=:<base64 of its SHA-256>:``."""
    return f"sha-256=:{base64.b64encode(hashlib.sha256(content).digest()).decode('ascii')}:"


def download(session: Any, rendered: Export) -> Response:
    """Commit the recorded export and send the file as a download that no cache keeps, with the SHA-256 of its
    bytes (``Repr-Digest``), so whoever receives it can check that the file they keep is the one that was sent.
    Every download (web, share link, API) comes through here. The app applies no content coding, so the
    representation is exactly these bytes."""
    session.commit()
    response = Response(rendered.content, mimetype=rendered.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Repr-Digest"] = repr_digest(rendered.content)
    return response


def carry_out(
    action: Callable[[], object],
    *,
    done: str | Callable[[], str],
    to: str,
    refused: tuple[type[Exception], ...],
    refusal: str = "{}",
    refused_to: str | None = None,
    then: Callable[[], object] | None = None,
) -> WerkzeugResponse:
    """A form's service call the usual way: refused (one of ``refused``) → roll back, say why in ``refusal``
    ("{}" is the reason) and go to ``refused_to`` (else ``to``); done → commit, run ``then``, say ``done`` (or
    what it returns, for words that depend on the outcome), go to ``to``."""
    try:
        action()
    except refused as exc:
        db.session.rollback()
        flash(refusal.format(exc), "error")
        return redirect(refused_to or to)
    db.session.commit()
    if then is not None:
        then()
    flash(done if isinstance(done, str) else done(), "success")
    return redirect(to)


def refused_on(field: Field, exc: Exception) -> None:
    """A service refused what a form asked: undo what it began and show its reason under ``field``, where the
    person fixes it (the page is shown again with everything they typed)."""
    db.session.rollback()
    field.errors = [*field.errors, str(exc)]
