"""An assessment as it stood at a moment (issue 16): its statuses, notes and evidence then, the revision that was
its latest then, and its activity up to then.

Statuses come from their history (``models.StatusChange``: the whole row after each change); evidence from the
entries added by then, and those removed since, read back from the activity log, which keeps everything a removed
entry held. The rows returned are plain, unsaved model objects: pages and exports read them like current ones,
and nothing can store them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from advisor.models import Assessment, AuditEvent, ChecklistStatus, Evidence, Revision, StatusChange
from advisor.models.history import TRACKED
from advisor.services import DbSession, Refused
from advisor.services.accounts import now
from advisor.services.audit import as_utc
from advisor.services.evidence import evidence_of

_DATES = ("acceptance_expires", "due_on")
_TIMES = ("acceptance_approved_at", "closed_at")


class AsOfRefused(Refused):
    """A moment no state can be shown for (``field`` is ``as_of``)."""


def moment_or_none(text: str | None) -> dt.datetime | None:
    """An ``as_of`` value (ISO 8601; UTC when it names no offset) as a time, None when absent; AsOfRefused when
    it is not a time."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise AsOfRefused("as_of", f"{text[:40]!r} is not a time: give it as ISO 8601, e.g. 2026-11-30T17:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def check_moment(assessment: Assessment, moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; AsOfRefused when it is before the assessment existed or ahead of the clock."""
    moment = as_utc(moment).astimezone(dt.UTC)
    if moment > now():
        raise AsOfRefused("as_of", "the time is in the future: give a moment up to now (ISO 8601, UTC unless it says)")
    if moment < as_utc(assessment.created_at):
        created = as_utc(assessment.created_at).isoformat(timespec="seconds")
        raise AsOfRefused("as_of", f"the assessment did not exist yet: it was created at {created}")
    return moment


def _value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _DATES:
        return dt.date.fromisoformat(value)
    if name in _TIMES:
        return dt.datetime.fromisoformat(value)
    return value


def row_from(change: StatusChange) -> ChecklistStatus:
    """The status row as this change left it, as an unsaved object."""
    state = {name: _value(name, change.state.get(name)) for name in TRACKED}
    return ChecklistStatus(
        assessment_id=change.assessment_id,
        item_id=change.item_id,
        version=change.version,
        updated_by=change.changed_by,
        updated_at=as_utc(change.changed_at),
        **state,
    )


def statuses_as_of(session: DbSession, assessment_id: int, moment: dt.datetime) -> list[ChecklistStatus]:
    """Each item's status row as it stood at ``moment`` (items without one then are "todo"), in one query."""
    last = (
        select(func.max(StatusChange.id))
        .where(StatusChange.assessment_id == assessment_id, StatusChange.changed_at <= moment)
        .group_by(StatusChange.item_id)
    )
    changes = session.scalars(select(StatusChange).where(StatusChange.id.in_(last)).order_by(StatusChange.item_id))
    return [row_from(change) for change in changes]


def _removed_entry(event: AuditEvent) -> Evidence:
    detail = event.detail
    scanned = detail.get("scanned_at")
    return Evidence(
        assessment_id=event.assessment_id,
        item_id=detail["item"],
        kind=detail["kind"],
        text=detail.get("text") or "",
        added_by=detail.get("added_by"),
        added_at=dt.datetime.fromisoformat(detail["added_at"]),
        **{name: detail.get(name) for name in ("tool", "benchmark", "check", "result", "cluster")},
        scanned_at=dt.datetime.fromisoformat(scanned) if scanned else None,
    )


def evidence_as_of(session: DbSession, assessment_id: int, moment: dt.datetime) -> list[Evidence]:
    """The evidence entries an assessment held at ``moment``, oldest first: those added by then and still held,
    and those added by then and removed since."""
    held = [e for e in evidence_of(session, assessment_id) if as_utc(e.added_at) <= moment]
    removals = session.scalars(
        select(AuditEvent).where(
            AuditEvent.assessment_id == assessment_id,
            AuditEvent.action == "evidence_removed",
            AuditEvent.created_at > moment,
        )
    )
    removed = [
        entry
        for entry in (_removed_entry(event) for event in removals if event.detail.get("added_at"))
        if as_utc(entry.added_at) <= moment
    ]
    return sorted([*held, *removed], key=lambda e: as_utc(e.added_at))


def latest_revision_as_of(session: DbSession, assessment: Assessment, moment: dt.datetime) -> Revision | None:
    """The revision that was the latest at ``moment``; None when none had been saved by then."""
    return session.scalar(
        select(Revision)
        .where(Revision.assessment_id == assessment.id, Revision.created_at <= moment)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def revision_number(
    session: DbSession, assessment: Assessment, requested: int | None, as_of: dt.datetime | None
) -> int:
    """The revision an export shows: the one asked for, else the latest at ``as_of`` (AsOfRefused when none had
    been saved by then), else the latest."""
    if requested is not None:
        return requested
    if as_of is None:
        return assessment.latest_revision_number
    then = latest_revision_as_of(session, assessment, check_moment(assessment, as_of))
    if then is None:
        raise AsOfRefused("as_of", "no revision had been saved by then")
    return then.number
