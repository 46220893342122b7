"""The dashboard: every assessment, searchable, filterable, sortable, page by page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from advisor.extensions import db
from advisor.models import limits
from advisor.services import workspaces
from advisor.services.dashboard import SHOW_LABELS, SORT_LABELS, DashboardQuery, dashboard_page
from advisor.views.common import int_or, kb
from advisor.views.readonly import read_only

bp = Blueprint("main", __name__)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/")
@read_only
def index() -> str:
    args = request.args
    query = DashboardQuery(
        q=args.get("q", "")[: limits.SEARCH],
        show=args.get("show", "active") if args.get("show") in SHOW_LABELS else "active",
        since=_date(args.get("since")),
        sort=args.get("sort", "updated") if args.get("sort") in SORT_LABELS else "updated",
        page=max(1, int_or(args.get("page"), 1)),
        workspace=int_or(args.get("workspace"), 0) or None,
    )
    memberships = workspaces.memberships(db.session, current_user)
    page = dashboard_page(db.session, query, [m.workspace_id for m in memberships])
    decisions = {d.id: d for d in kb().decisions}
    alt_labels = {(d.id, a.id): a.label for d in kb().decisions for a in d.alternatives}
    return render_template(
        "main/index.html",
        page=page,
        query=query,
        show_labels=SHOW_LABELS,
        sort_labels=SORT_LABELS,
        decisions=decisions,
        alt_labels=alt_labels,
        bad_since=bool(args.get("since")) and query.since is None,
        kb=kb(),
        step_ids=[s.id for s in kb().steps],
        editable={m.workspace_id for m in memberships if workspaces.allows(m.role, "editor")},
        workspace_names={m.workspace_id: m.workspace.name for m in memberships},
    )


@bp.get("/my-work")
@read_only
def my_work() -> str:
    """What waits for the signed-in person: acceptances to approve, running out or expired, outdated assessments."""
    from advisor.services.mywork import DUE_SOON, SOON
    from advisor.services.mywork import my_work as find

    return render_template(
        "main/my_work.html",
        work=find(db.session, current_user, kb().version),
        soon_days=SOON.days,
        due_days=DUE_SOON.days,
        kb=kb(),
    )


@bp.get("/schemas/export.schema.json")
def export_schema() -> Response:
    """The JSON Schema of the JSON export, at a stable address for the tools that validate exports."""
    path = Path(__file__).resolve().parent.parent / "exports" / "schema" / "export.schema.json"
    response = Response(path.read_bytes(), mimetype="application/schema+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
