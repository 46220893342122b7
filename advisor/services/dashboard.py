"""The dashboard's page of assessments, in a fixed, small number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import defer, load_only

from advisor.engine.schema import DONE_STATUSES
from advisor.models import Assessment, ChecklistStatus, Revision
from advisor.report.summary import acceptance_state, today
from advisor.services import DbSession

PER_PAGE = 20
# the dashboard's filters, for the page's menus and the API's query model: each value with its label
SORT_LABELS = {"updated": "Last updated", "created": "Newest", "title": "Title"}
SHOW_LABELS = {"active": "Active", "archived": "Archived", "all": "All"}
SHOW = tuple(SHOW_LABELS)
_ORDER = {
    "updated": (Assessment.updated_at.desc(), Assessment.id.desc()),
    "created": (Assessment.created_at.desc(), Assessment.id.desc()),
    "title": (func.lower(Assessment.title), Assessment.id),
}


@dataclass(frozen=True)
class DashboardQuery:
    q: str = ""
    show: str = "active"
    since: dt.date | None = None
    sort: str = "updated"
    page: int = 1
    workspace: int | None = None


@dataclass(frozen=True)
class Row:
    assessment: Assessment
    revision: Revision | None
    done: int
    total: int
    needs_review: int = 0  # settled statuses a newer revision put in doubt: not counted as done
    draft_steps: tuple[str, ...] = ()  # the steps a draft has done (Draft.steps_done), for one not yet saved
    acceptances_requested: int = 0  # risk acceptances waiting for another owner's approval
    acceptances_expired: int = 0  # approved acceptances past their end date: open again


class _Acceptance(NamedTuple):
    """The columns summary.acceptance_state reads, without loading whole rows."""

    status: str
    needs_review: bool
    acceptance_approved_by: str | None
    acceptance_expires: dt.date | None


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int
    page: int
    pages: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def dashboard_page(
    session: DbSession, query: DashboardQuery, workspace_ids: list[int], per_page: int = PER_PAGE
) -> Page:
    """A page of the assessments in ``workspace_ids`` (the ones the user may see) that match the query."""
    visible = [query.workspace] if query.workspace in workspace_ids else workspace_ids
    filters: list[ColumnElement[bool]] = [Assessment.workspace_id.in_(visible)]
    text = query.q.replace("\x00", "").strip()  # no title holds a NUL, and PostgreSQL refuses it in a query
    if text:
        pattern = f"%{_escape_like(text)}%"
        if session.get_bind().dialect.name == "sqlite":
            # SQLite's LIKE already ignores ASCII case, as far as its lower() goes; ILIKE would add lower() per row
            filters.append(Assessment.title.like(pattern, escape="\\"))
        else:
            filters.append(Assessment.title.ilike(pattern, escape="\\"))
    if query.show == "active":
        filters.append(Assessment.archived.is_(False))
    elif query.show == "archived":
        filters.append(Assessment.archived.is_(True))
    if query.since is not None:
        filters.append(Assessment.updated_at >= dt.datetime.combine(query.since, dt.time.min))

    total = session.scalar(select(func.count()).select_from(Assessment).where(*filters)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, query.page), pages)
    order = _ORDER.get(query.sort, _ORDER["updated"])
    # pick the page's ids from assessments alone, then join the revisions of those few rows only:
    # joining first would look up a revision for every row skipped on a deep page
    page_ids = select(Assessment.id).where(*filters).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    latest = and_(Revision.assessment_id == Assessment.id, Revision.number == Assessment.latest_revision_number)
    stmt = (
        # the draft's steps only, read inside the database: a whole draft document per row would be much more
        select(Assessment, Revision, Assessment.draft["steps_done"])
        .outerjoin(Revision, latest)
        .where(Assessment.id.in_(page_ids.scalar_subquery()))
        .options(
            defer(Assessment.draft),
            load_only(
                Revision.number,
                Revision.label,
                Revision.recommended,
                Revision.close_calls,
                Revision.checklist_ids,
                Revision.created_at,
                Revision.knowledge_base_version,
            ),
        )
        .order_by(*order)
    )
    found = session.execute(stmt).all()
    ids = [a.id for a, _, _ in found]
    done: dict[int, set[str]] = {i: set() for i in ids}
    review: dict[int, set[str]] = {i: set() for i in ids}
    accepted: dict[int, dict[str, str]] = {i: {} for i in ids}  # item → requested | approved | expired
    on = today()
    if ids:
        for assessment_id, item_id, status, reason, approved_by, expires in session.execute(
            select(
                ChecklistStatus.assessment_id,
                ChecklistStatus.item_id,
                ChecklistStatus.status,
                ChecklistStatus.review_reason,
                ChecklistStatus.acceptance_approved_by,
                ChecklistStatus.acceptance_expires,
            ).where(
                ChecklistStatus.assessment_id.in_(ids),
                ChecklistStatus.status.in_((*DONE_STATUSES, "accepted_risk"))
                | ChecklistStatus.review_reason.is_not(None),
            )
        ):
            if status == "accepted_risk":
                state = acceptance_state(_Acceptance(status, reason is not None, approved_by, expires), on)
                accepted[assessment_id][item_id] = state or ""
            if reason is not None:
                review[assessment_id].add(item_id)
            elif status in DONE_STATUSES:
                done[assessment_id].add(item_id)
    rows = [
        Row(
            a,
            r,
            len(done[a.id].intersection(r.checklist_ids)) if r else 0,
            len(r.checklist_ids) if r else 0,
            len(review[a.id].intersection(r.checklist_ids)) if r else 0,
            tuple(steps or ()),
            _count(accepted[a.id], "requested", r),
            _count(accepted[a.id], "expired", r),
        )
        for a, r, steps in found
    ]
    return Page(rows, total, page, pages)


def _count(states: dict[str, str], state: str, revision: Revision | None) -> int:
    """How many of the revision's items have an acceptance in ``state``."""
    items = set(revision.checklist_ids) if revision else set()
    return sum(1 for item, found in states.items() if found == state and item in items)
