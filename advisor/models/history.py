"""The history of checklist statuses: every change to an item's status row, kept as the whole row after it
(issue 16). ``services.history`` reads it back as the statuses stood at any moment.

Recorded by a mapper hook, not by each service function, so no way of changing a status (a form, the API, a
bulk update, an approval, a new revision flagging it for review, a restore) can skip it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, event, insert, inspect
from sqlalchemy.orm import Mapped, mapped_column

from advisor.models.assessment import ChecklistStatus
from advisor.models.base import NEVER_REUSE_IDS, Actor, Base, IntPK

# the columns of a status row a change can touch, as kept in StatusChange.state (dates as ISO 8601 text)
TRACKED = (
    "status",
    "note",
    "owner",
    "review_reason",
    "review_since",
    "acceptance_justification",
    "acceptance_expires",
    "acceptance_requested_by",
    "acceptance_approved_by",
    "acceptance_approved_at",
    "due_on",
    "verification_result",
    "verification_procedure",
    "verified_by",
    "verified_at",
    "closed_at",
    "closed_by",
    "closed_removed_since",
)


class StatusChange(Base):
    """One change to a checklist item's status row: who, when, and the row as it was after (the row before is
    the previous change's). Never changed or deleted, except with its assessment."""

    __tablename__ = "status_changes"
    __table_args__ = (
        Index("ix_status_changes_assessment_id_item_id_changed_at", "assessment_id", "item_id", "changed_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[IntPK]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[Actor]
    version: Mapped[int]  # the status row's version this change made
    state: Mapped[dict[str, Any]]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def state_of(row: ChecklistStatus) -> dict[str, Any]:
    return {name: _plain(getattr(row, name)) for name in TRACKED}


def _keep(connection: Any, row: ChecklistStatus) -> None:
    connection.execute(
        insert(StatusChange).values(
            assessment_id=row.assessment_id,
            item_id=row.item_id,
            changed_at=dt.datetime.now(dt.UTC),
            changed_by=row.updated_by,
            version=row.version,
            state=state_of(row),
        )
    )


@event.listens_for(ChecklistStatus, "after_insert")
def _kept_when_inserted(mapper: Any, connection: Any, row: ChecklistStatus) -> None:
    _keep(connection, row)


@event.listens_for(ChecklistStatus, "after_update")
def _kept_when_changed(mapper: Any, connection: Any, row: ChecklistStatus) -> None:
    attrs = inspect(row).attrs
    if any(attrs[name].history.has_changes() for name in TRACKED):  # a flush without a net change is no change
        _keep(connection, row)
