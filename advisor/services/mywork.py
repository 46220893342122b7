"""What waits for one person across their workspaces: items they own that are overdue or due soon, acceptances to
approve, acceptances running out or expired, and assessments whose knowledge base has moved on since their latest
revision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, select

from advisor.models import Assessment, ChecklistStatus, Membership, Revision, User
from advisor.report.summary import acceptance_state, still_open, today
from advisor.services import DbSession
from advisor.services.workspaces import allows

SOON = dt.timedelta(days=30)  # an acceptance ending within this is listed as expiring
DUE_SOON = dt.timedelta(days=14)  # an open item due within this is listed as due soon


@dataclass(frozen=True)
class Entry:
    assessment_id: int
    assessment_title: str
    item_id: str
    row: ChecklistStatus


@dataclass
class MyWork:
    overdue: list[Entry] = field(default_factory=list)  # mine (owner: my email), open, past their due date
    due_soon: list[Entry] = field(default_factory=list)  # mine, open, due within DUE_SOON
    to_approve: list[Entry] = field(default_factory=list)  # requested by someone else, in a workspace I own
    expiring: list[Entry] = field(default_factory=list)  # approved, ending within SOON
    expired: list[Entry] = field(default_factory=list)  # approved, ended: open again
    outdated: list[tuple[Assessment, Revision]] = field(default_factory=list)  # evaluated with an older KB

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.to_approve or self.expiring or self.expired or self.outdated)


def my_work(session: DbSession, user: User, kb_version: str, on: dt.date | None = None) -> MyWork:
    """Two queries: the acceptances and due dates in the user's workspaces (with their assessment's latest
    revision, so an item a newer revision dropped is left out), and the latest revisions of those workspaces'
    active assessments."""
    on = on or today()
    roles = {m.workspace_id: m.role for m in session.scalars(select(Membership).where(Membership.user_id == user.id))}
    work = MyWork()
    if not roles:
        return work
    latest = and_(Revision.assessment_id == Assessment.id, Revision.number == Assessment.latest_revision_number)
    rows = session.execute(
        select(ChecklistStatus, Assessment, Revision.checklist_ids)
        .join(Assessment, ChecklistStatus.assessment_id == Assessment.id)
        .join(Revision, latest)
        .where(
            Assessment.workspace_id.in_(roles),
            Assessment.archived.is_(False),
            (ChecklistStatus.status == "accepted_risk") | ChecklistStatus.due_on.is_not(None),
        )
        .order_by(ChecklistStatus.acceptance_expires, Assessment.title, ChecklistStatus.item_id)
    ).all()
    for row, assessment, items in rows:
        if row.item_id not in items:
            continue
        entry = Entry(assessment.id, assessment.title, row.item_id, row)
        if row.due_on is not None and row.owner.strip().casefold() == user.email.casefold() and still_open(row, on):
            if row.due_on < on:
                work.overdue.append(entry)
            elif row.due_on <= on + DUE_SOON:
                work.due_soon.append(entry)
        state = acceptance_state(row, on)
        if state == "requested":
            if allows(roles[assessment.workspace_id], "owner") and row.acceptance_requested_by != user.email:
                work.to_approve.append(entry)
        elif state == "expired":
            work.expired.append(entry)
        elif state == "approved" and row.acceptance_expires is not None and row.acceptance_expires <= on + SOON:
            work.expiring.append(entry)
    work.outdated = [
        (a, r)
        for a, r in session.execute(
            select(Assessment, Revision)
            .join(Revision, latest)
            .where(
                Assessment.workspace_id.in_(roles),
                Assessment.archived.is_(False),
                Revision.knowledge_base_version != kb_version,
            )
            .order_by(Assessment.title)
        )
    ]
    return work
