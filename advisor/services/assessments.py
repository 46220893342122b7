"""Create and change assessments, revisions and checklist statuses, refusing stale writes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Final, Literal, TypedDict

from sqlalchemy import Integer, Select, and_, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload
from sqlalchemy.orm.exc import StaleDataError

from advisor.engine import KnowledgeBase, evaluate
from advisor.engine.result import close_call
from advisor.engine.schema import STATUSES
from advisor.models import (
    Assessment,
    ChecklistStatus,
    Draft,
    Evidence,
    Membership,
    Revision,
    ScanImport,
    User,
    Workspace,
    limits,
)
from advisor.report.summary import ACCEPTANCE_MONTHS, acceptance_state, latest_expiry, today
from advisor.services import DbSession, Refused
from advisor.services.audit import record
from advisor.services.review import flag_for_review


class Conflict(Exception):
    """Someone else saved first; the caller shows the newer state instead of overwriting it."""


class Unchanged(Exception):
    """The answers, knowledge base and engine are those of the latest revision: a new one would repeat it."""

    def __init__(self, number: int) -> None:
        super().__init__(f"the answers are the same as revision {number}, evaluated with the same knowledge base")
        self.number = number


class StatusRefused(Refused):
    """A status that may not be recorded as asked; ``field`` names what to correct."""


class AcceptanceRefused(StatusRefused):
    """A risk acceptance that may not be recorded or decided as asked; ``field`` names what to correct."""


class _Keep(Enum):
    KEEP = "keep"


KEEP: Final = _Keep.KEEP  # a field left as the item has it (``set_status``'s due date)
Keep = Literal[_Keep.KEEP]


def _check_version(current: int, expected: int, what: str) -> None:
    if current != expected:
        raise Conflict(f"{what} was changed by someone else after you opened it")


def flush(session: DbSession, what: str) -> None:
    """Flush, turning a lost race (stale version or duplicate key) into a Conflict."""
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as exc:
        session.rollback()
        raise Conflict(f"{what} was changed by someone else at the same moment") from exc


def create_assessment(
    session: DbSession, workspace_id: int, title: str, description: str, actor: str | None
) -> Assessment:
    assessment = Assessment(
        workspace_id=workspace_id,
        title=title,
        description=description,
        created_by=actor,
        updated_by=actor,
        latest_revision_number=0,
    )
    session.add(assessment)
    session.flush()
    record(session, workspace_id, assessment.id, actor, "created", title=title)
    return assessment


SCOPE_LISTS = ("clusters", "systems", "regulated")


def scope_from(
    clusters: str, systems: str, regulated: str, period_start: dt.date | None, period_end: dt.date | None
) -> dict[str, Any] | None:
    """The scope as stored, from the form's text (one name a line, or comma-separated); None when it states
    nothing. ScopeRefused when the period ends before it starts."""
    if period_start and period_end and period_end < period_start:
        raise ScopeRefused("period_end", "the assessment period ends before it starts")
    lists = {
        name: [part.strip()[: limits.LABEL] for part in re.split(r"[\n,]", text) if part.strip()][:100]
        for name, text in zip(SCOPE_LISTS, (clusters, systems, regulated), strict=True)
    }
    if not any(lists.values()) and not period_start and not period_end:
        return None
    return {
        **lists,
        "period_start": period_start.isoformat() if period_start else None,
        "period_end": period_end.isoformat() if period_end else None,
    }


class ScopeRefused(Refused):
    """A scope that cannot be stored as given; ``field`` names what to correct."""


def update_details(
    session: DbSession,
    assessment: Assessment,
    title: str,
    description: str,
    expected_version: int,
    actor: str | None,
    *,
    scope: dict[str, Any] | Keep | None = KEEP,
) -> None:
    """Change the title, description and (unless ``scope`` is KEEP) the scope."""
    _check_version(assessment.version, expected_version, "This assessment")
    assessment.title, assessment.description, assessment.updated_by = title, description, actor
    changed = {}
    if scope is not KEEP and scope != assessment.scope:
        assessment.scope = scope
        changed = {"scope": scope}
    flush(session, "This assessment")
    record(session, assessment.workspace_id, assessment.id, actor, "details_edited", title=title, **changed)


def saved_draft(assessment: Assessment) -> Draft | None:
    return None if assessment.draft is None else Draft.from_json(assessment.draft)


def changed_by(assessment: Assessment, actor: str | None) -> str:
    """Who changed the assessment's answers last and when, in words: "you, in another tab or window, at 10:42"
    when it was ``actor``; the draft's own stamp when it has one, else the assessment's."""
    draft = saved_draft(assessment)
    by, at = assessment.updated_by, assessment.updated_at
    if draft is not None and draft.updated_at is not None:
        by, at = draft.updated_by, dt.datetime.fromisoformat(draft.updated_at)
    who = "you, in another tab or window" if by is not None and by == actor else (by or "someone else")
    if at is None:
        return who
    at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)  # SQLite hands back naive UTC
    return f"{who}, at {at.astimezone(dt.UTC):%H:%M} UTC"


def save_draft(
    session: DbSession, assessment: Assessment, draft: Draft, expected_version: int, actor: str | None
) -> None:
    if assessment.version != expected_version:
        raise Conflict(f"the answers were changed by {changed_by(assessment, actor)}, after you opened this page")
    draft = replace(draft, updated_by=actor, updated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    assessment.draft = draft.to_json()
    assessment.updated_by = actor
    flush(session, "This assessment")


def discard_draft(session: DbSession, assessment: Assessment, expected_version: int, actor: str | None) -> None:
    _check_version(assessment.version, expected_version, "This assessment")
    assessment.draft = None
    assessment.updated_by = actor
    flush(session, "This assessment")


def current_statuses(assessment: Assessment) -> dict[str, str]:
    return {s.item_id: s.status for s in assessment.statuses}


def save_revision(
    session: DbSession,
    assessment: Assessment,
    answers: Mapping[str, Any],
    base_revision: int,
    label: str | None,
    actor: str | None,
    kb: KnowledgeBase,
    *,
    version: int | None = None,
) -> Revision:
    """Evaluate the answers and store them as the next revision; AnswersError if they are invalid, Conflict
    if a revision was saved since ``base_revision`` or (given ``version``) the assessment changed since."""
    if assessment.latest_revision_number != base_revision:
        raise Conflict(
            f"revision {assessment.latest_revision_number} was saved by {changed_by(assessment, actor)}, "
            f"after you started from revision {base_revision}"
        )
    if version is not None and assessment.version != version:
        raise Conflict(f"the answers were changed by {changed_by(assessment, actor)}, after you opened this page")
    document = {k: v for k, v in answers.items() if k != "status"}
    result = evaluate(document, kb)
    previous = latest_revision(session, assessment)
    if previous is not None and (previous.answers, previous.knowledge_base_version, previous.engine_version) == (
        result["answers"],
        result["knowledge_base_version"],
        result["engine_version"],
    ):
        raise Unchanged(previous.number)
    number = base_revision + 1
    revision = Revision(
        assessment=assessment,
        number=number,
        label=(label or "").strip() or None,
        answers=result["answers"],
        result=result,
        statuses=current_statuses(assessment),
        engine_version=result["engine_version"],
        knowledge_base_version=result["knowledge_base_version"],
        recommended={d["id"]: d["recommended"] for d in result["decisions"]},
        checklist_ids=[item["id"] for item in result["checklist"]],
        close_calls=[d["id"] for d in result["decisions"] if close_call(d)],
        author=actor,
    )
    session.add(revision)
    assessment.latest_revision_number = number
    assessment.draft = None
    assessment.updated_by = actor
    if previous is not None:
        flag_for_review(assessment.statuses, previous.result, result, number)
    flush(session, "This assessment")
    record(
        session,
        assessment.workspace_id,
        assessment.id,
        actor,
        "revised",
        revision=number,
        label=revision.label,
        knowledge_base=revision.knowledge_base_version,
    )
    return revision


def confirm_status(
    session: DbSession, assessment: Assessment, item_id: str, expected_version: int, actor: str | None
) -> ChecklistStatus:
    """Someone checked a status flagged for review and it still holds: clear the flag."""
    row = _status_row(session, assessment, item_id)
    _check_version(row.version if row else 0, expected_version, "This checklist item")
    if row is None or not row.needs_review:
        raise Conflict("this item's status no longer needs review")
    reason = row.review_reason
    row.review_reason, row.review_since, row.updated_by = None, None, actor
    flush(session, "This checklist item")
    record(
        session,
        assessment.workspace_id,
        assessment.id,
        actor,
        "status_confirmed",
        item=item_id,
        status=row.status,
        reason=reason,
    )
    return row


def _status_row(session: DbSession, assessment: Assessment, item_id: str) -> ChecklistStatus | None:
    return session.scalar(
        select(ChecklistStatus).where(
            ChecklistStatus.assessment_id == assessment.id, ChecklistStatus.item_id == item_id
        )
    )


def set_status(
    session: DbSession,
    assessment: Assessment,
    item_id: str,
    status: str,
    note: str,
    owner: str,
    expected_version: int,
    actor: str | None,
    *,
    justification: str | None = None,
    expires: dt.date | None = None,
    due_on: dt.date | Keep | None = KEEP,
    on: dt.date | None = None,
) -> ChecklistStatus:
    """Record progress on an item; ``expected_version`` is 0 when no status was recorded yet. ``due_on`` sets
    the day the item should be settled by (None clears it; ``KEEP``, the default, leaves it as it is).

    Accepting a risk needs a justification and an expiry date after ``on`` (today) and at most
    ``summary.ACCEPTANCE_MONTHS`` ahead; None keeps what the item holds. A new or changed acceptance is a
    request, approved by another owner (``decide_acceptance``); any other status drops the acceptance."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    if status == "not_applicable" and not note.strip():  # the applicability statement an auditor reads
        raise StatusRefused("note", f"{item_id} is marked not applicable: say why it does not apply, in its note")
    if status == "inherited" and not note.strip():  # what the statement relies on: the provider's word, named
        raise StatusRefused(
            "note",
            f"{item_id} is marked inherited from the provider: name the provider's attestation relied on "
            "(report, period, control), in its note",
        )
    row = _status_row(session, assessment, item_id)
    _check_version(row.version if row else 0, expected_version, "This checklist item")
    before = row.status if row else "todo"
    if row is None:
        row = ChecklistStatus(assessment_id=assessment.id, item_id=item_id)
        session.add(row)
    requested = _record_acceptance(row, status, justification, expires, on or today(), actor)
    if status != before:  # a new status is a fresh claim: whatever made the old one doubtful no longer applies
        row.review_reason, row.review_since = None, None
    if status != "done":  # a test verifies a done item; reopened, it must be tested again once done
        row.verification_result = row.verification_procedure = row.verified_by = None
        row.verified_at = None
    due_before = row.due_on
    if due_on is not KEEP:
        row.due_on = due_on
    row.status, row.note, row.owner, row.updated_by = status, note, owner, actor
    flush(session, "This checklist item")
    due = {"due_on": row.due_on.isoformat() if row.due_on else "cleared"} if row.due_on != due_before else {}
    record(
        session,
        assessment.workspace_id,
        assessment.id,
        actor,
        "status_changed",
        item=item_id,
        before=before,
        after=status,
        owner=owner,
        **due,
    )
    if requested:
        record(
            session,
            assessment.workspace_id,
            assessment.id,
            actor,
            "acceptance_requested",
            item=item_id,
            justification=row.acceptance_justification,
            expires=row.acceptance_expires.isoformat() if row.acceptance_expires else None,
        )
    return row


def _record_acceptance(
    row: ChecklistStatus,
    status: str,
    justification: str | None,
    expires: dt.date | None,
    on: dt.date,
    actor: str | None,
) -> bool:
    """Apply an acceptance's fields to ``row`` for the new ``status``; True when it is a new request."""
    if status != "accepted_risk":
        _drop_acceptance(row)
        return False
    if row.status == "accepted_risk" and justification is None and expires is None:
        return False  # the acceptance is left as it is (an owner or note changed): its approval stands
    why = (justification if justification is not None else row.acceptance_justification or "").strip()
    until = expires if expires is not None else row.acceptance_expires
    if not why:
        raise AcceptanceRefused("justification", "say why the risk is accepted: a justification is needed")
    if until is None:
        raise AcceptanceRefused("expires", "give the date the acceptance ends")
    if row.status == "accepted_risk" and why == row.acceptance_justification and until == row.acceptance_expires:
        return False  # the same acceptance: its approval stands
    latest = latest_expiry(on)
    if not on < until <= latest:
        raise AcceptanceRefused(
            "expires",
            f"the acceptance must end after today and at most {ACCEPTANCE_MONTHS} months ahead, "
            f"by {latest.isoformat()} (it was {until.isoformat()})",
        )
    row.acceptance_justification, row.acceptance_expires = why, until
    row.acceptance_requested_by = actor
    row.acceptance_approved_by = row.acceptance_approved_at = None
    return True


def _drop_acceptance(row: ChecklistStatus) -> None:
    """The item no longer accepts a risk: nothing of the acceptance stays on it (the activity log keeps it)."""
    row.acceptance_justification = row.acceptance_expires = None
    row.acceptance_requested_by = row.acceptance_approved_by = row.acceptance_approved_at = None


def decide_acceptance(
    session: DbSession,
    assessment: Assessment,
    item_id: str,
    approve: bool,
    expected_version: int,
    actor: str | None,
    reason: str = "",
    on: dt.date | None = None,
) -> ChecklistStatus:
    """An owner's decision on a requested acceptance. Approval must come from someone other than the one who
    asked (four eyes); a rejection (by any owner, the requester withdrawing it included) sets the item back
    to To do. The caller checks the owner role."""
    row = _status_row(session, assessment, item_id)
    _check_version(row.version if row else 0, expected_version, "This checklist item")
    state = acceptance_state(row, on or today())
    if row is None or state != "requested":
        raise AcceptanceRefused(
            "decision",
            "only a requested acceptance can be decided"
            + ("; an expired one is asked for again with a new end date" if state == "expired" else ""),
        )
    if approve:
        if row.acceptance_justification is None or row.acceptance_expires is None:
            raise AcceptanceRefused(
                "decision", "this acceptance has no justification or end date yet: ask for it again with both"
            )
        if actor is not None and actor == row.acceptance_requested_by:
            raise AcceptanceRefused(
                "decision", "you asked for this acceptance; another owner of the workspace must approve it"
            )
        row.acceptance_approved_by, row.acceptance_approved_at = actor, dt.datetime.now(dt.UTC)
    else:
        row.status = "todo"
        _drop_acceptance(row)
    row.updated_by = actor
    flush(session, "This checklist item")
    record(
        session,
        assessment.workspace_id,
        assessment.id,
        actor,
        "acceptance_approved" if approve else "acceptance_rejected",
        item=item_id,
        **({"reason": reason} if reason else {}),
    )
    return row


def set_statuses(
    session: DbSession,
    assessment: Assessment,
    versions: Mapping[str, int],
    actor: str | None,
    *,
    status: str | None = None,
    owner: str | None = None,
    note: str | None = None,
) -> int:
    """One change to several items, all or none: ``versions`` maps each item to the version its page showed;
    a field given as None is left as each item has it. Conflict (nothing changed) when any item moved on."""
    current = {row.item_id: row for row in assessment.statuses}
    for item_id, version in versions.items():
        row = current.get(item_id)
        set_status(
            session,
            assessment,
            item_id,
            status if status is not None else (row.status if row else "todo"),
            note if note is not None else (row.note if row else ""),
            owner if owner is not None else (row.owner if row else ""),
            version,
            actor,
        )
    return len(versions)


_NOT_COPIED = ("id", "assessment_id")


def clone(session: DbSession, assessment: Assessment, actor: str | None, kb: KnowledgeBase) -> Assessment:
    """A new assessment starting from this one's latest answers and checklist progress: statuses, due dates and
    evidence. Copied evidence keeps who added it and when (what an auditor asks); the copy's activity log says
    how many entries were copied."""
    copy = create_assessment(
        session, assessment.workspace_id, f"Copy of {assessment.title}"[: limits.TITLE], assessment.description, actor
    )
    record(session, assessment.workspace_id, assessment.id, actor, "cloned", into=copy.id)
    record(
        session,
        copy.workspace_id,
        copy.id,
        actor,
        "cloned_from",
        source=assessment.id,
        title=assessment.title,
        evidence_copied=len(assessment.evidence),
    )
    latest = latest_revision(session, assessment)
    if latest is not None:
        save_revision(session, copy, latest.answers, 0, f"Cloned from revision {latest.number}", actor, kb)
    else:
        copy.draft = assessment.draft
    for row in assessment.statuses:
        session.add(
            ChecklistStatus(
                assessment_id=copy.id,
                item_id=row.item_id,
                status=row.status,
                note=row.note,
                owner=row.owner,
                updated_by=actor,
                review_reason=row.review_reason,
                review_since=1 if row.needs_review else None,  # the copy's one revision
                due_on=row.due_on,
            )
        )
    # imported reports come along, so the copy's scan entries name its own records and re-importing a file
    # into the copy still changes nothing
    reports: dict[int, ScanImport] = {}
    for report in session.scalars(select(ScanImport).where(ScanImport.assessment_id == assessment.id)):
        reports[report.id] = ScanImport(
            assessment_id=copy.id,
            **{c.key: getattr(report, c.key) for c in ScanImport.__table__.columns if c.key not in _NOT_COPIED},
        )
    session.add_all(reports.values())
    session.flush()
    for entry in assessment.evidence:
        session.add(
            Evidence(
                assessment_id=copy.id,
                scan_id=reports[entry.scan_id].id if entry.scan_id in reports else None,
                **{
                    name: getattr(entry, name)
                    for name in (
                        *("item_id", "kind", "text", "added_by", "added_at", "tool", "benchmark", "check"),
                        *("result", "cluster", "scanned_at"),
                    )
                },
            )
        )
    session.flush()
    return copy


def set_archived(
    session: DbSession, assessment: Assessment, archived: bool, expected_version: int, actor: str | None
) -> None:
    _check_version(assessment.version, expected_version, "This assessment")
    assessment.archived, assessment.updated_by = archived, actor
    flush(session, "This assessment")
    record(session, assessment.workspace_id, assessment.id, actor, "archived" if archived else "restored")


def delete(session: DbSession, assessment: Assessment, expected_version: int, actor: str | None) -> None:
    _check_version(assessment.version, expected_version, "This assessment")
    # kept on the workspace, since the assessment's own trail goes with it
    record(session, assessment.workspace_id, None, actor, "deleted", assessment=assessment.id, title=assessment.title)
    session.delete(assessment)
    flush(session, "This assessment")


def latest_revision(session: DbSession, assessment: Assessment) -> Revision | None:
    if assessment.latest_revision_number == 0:
        return None
    return get_revision(session, assessment, assessment.latest_revision_number)


def get_revision(session: DbSession, assessment: Assessment, number: int) -> Revision | None:
    return session.scalar(select(Revision).where(Revision.assessment_id == assessment.id, Revision.number == number))


@dataclass(frozen=True)
class ReportRows:
    """What decides which stored report page to serve, read in one light query (plain values, no
    ORM objects): the reader's role, the revision, and stamps of what the page shows. The
    assessment and revision objects are loaded only when a page must be rendered."""

    assessment_id: int
    workspace_id: int
    role: str | None
    revision_id: int | None
    page_key: str | None  # the revision's random key: what cached pages are stored under
    # count of statuses, sum of their versions, latest change; count of evidence entries and their highest id
    statuses_stamp: tuple[int, int, str, int, int]
    frame_stamp: tuple[int, str, str]  # the assessment row's version and latest change, its workspace's name

    def assessment(self, session: DbSession) -> Assessment:
        """The assessment with its workspace (LookupError when it was deleted since the stamps were read)."""
        found = session.get(Assessment, self.assessment_id, options=[joinedload(Assessment.workspace)])
        if found is None:
            raise LookupError(f"assessment {self.assessment_id} is gone")
        return found

    def objects(self, session: DbSession) -> tuple[Assessment, Revision]:
        """The assessment with its workspace, and the revision with the result a report shows (not its
        answers or status snapshot), in one query; LookupError when either was deleted since."""
        stmt = (
            select(Assessment, Revision)
            .join(Revision, Revision.assessment_id == Assessment.id)
            .options(joinedload(Assessment.workspace), defer(Revision.answers), defer(Revision.statuses))
            .where(Assessment.id == self.assessment_id, Revision.id == self.revision_id)
        )
        row = session.execute(stmt).first()
        if row is None:
            raise LookupError(f"assessment {self.assessment_id} or its revision {self.revision_id} is gone")
        return row[0], row[1]


def _report_rows_statement() -> Select[Any]:
    """Built once: for ``:assessment_id``, the revision (``:number``, or the latest when NULL), the role
    of ``:user_id`` (NULL for none), and the stamps."""
    assessments, revisions, memberships = Assessment.__table__, Revision.__table__, Membership.__table__
    statuses, workspaces = ChecklistStatus.__table__, Workspace.__table__
    stamp = (
        select(
            statuses.c.assessment_id,
            func.count().label("n"),
            func.sum(statuses.c.version).label("versions"),
            func.max(statuses.c.updated_at).label("changed"),
        )
        .where(statuses.c.assessment_id == bindparam("assessment_id"))
        .group_by(statuses.c.assessment_id)
        .subquery()
    )
    evidence = Evidence.__table__
    proof = (
        select(
            evidence.c.assessment_id,
            func.count().label("n"),
            func.max(evidence.c.id).label("last"),
        )
        .where(evidence.c.assessment_id == bindparam("assessment_id"))
        .group_by(evidence.c.assessment_id)
        .subquery()
    )
    number = func.coalesce(bindparam("number", type_=Integer), assessments.c.latest_revision_number)
    revision = and_(revisions.c.assessment_id == assessments.c.id, revisions.c.number == number)
    member = and_(
        memberships.c.workspace_id == assessments.c.workspace_id, memberships.c.user_id == bindparam("user_id")
    )
    return (
        select(
            assessments.c.workspace_id,
            memberships.c.role,
            revisions.c.id,
            revisions.c.page_key,
            stamp.c.n,
            stamp.c.versions,
            stamp.c.changed,
            proof.c.n,
            proof.c.last,
            assessments.c.version,
            assessments.c.updated_at,
            workspaces.c.name,
        )
        .join(workspaces, workspaces.c.id == assessments.c.workspace_id)
        .outerjoin(revisions, revision)
        .outerjoin(memberships, member)
        .outerjoin(stamp, stamp.c.assessment_id == assessments.c.id)
        .outerjoin(proof, proof.c.assessment_id == assessments.c.id)
        .where(assessments.c.id == bindparam("assessment_id"))
    )


REPORT_ROWS = _report_rows_statement()


def report_rows(session: DbSession, assessment_id: int, number: int | None, user: User | None) -> ReportRows | None:
    """The report of revision ``number`` (None: the latest) as ``user`` may see it; None if no such assessment.

    The status stamp (how many statuses, the sum of their versions, the latest change) differs after
    every status write: each write adds a row or raises a row's version by one, so count + sum only
    grows. Evidence is only added or removed, and ids are never reused: an addition raises the highest id
    (for good, unless the entry is removed again, which restores the earlier set), a removal lowers the count.
    The assessment's version rises with every change to its row (optimistic locking).
    """
    params = {"assessment_id": assessment_id, "number": number, "user_id": user.id if user else None}
    row = session.execute(REPORT_ROWS, params).first()
    if row is None:
        return None
    workspace_id, role, revision_id, page_key, count, versions, changed, entries, last, version, updated_at, name = row
    return ReportRows(
        assessment_id,
        workspace_id,
        role,
        revision_id,
        page_key,
        (count or 0, int(versions or 0), str(changed), entries or 0, last or 0),
        (version, str(updated_at), name),
    )


class StatusState(TypedDict):
    status: str
    note: str
    owner: str
    version: int  # 0: never saved
    review_reason: str | None  # why it needs review; None when it does not
    due_on: str | None  # YYYY-MM-DD


def set_status_current(session: DbSession, assessment_id: int, item_id: str) -> StatusState:
    """The stored state of one item's status, as the page needs it after a refused save."""
    row = session.scalar(
        select(ChecklistStatus).where(
            ChecklistStatus.assessment_id == assessment_id, ChecklistStatus.item_id == item_id
        )
    )
    if row is None:
        return {"status": "todo", "note": "", "owner": "", "version": 0, "review_reason": None, "due_on": None}
    return {
        "status": row.status,
        "note": row.note,
        "owner": row.owner,
        "version": row.version,
        "review_reason": row.review_reason,
        "due_on": row.due_on.isoformat() if row.due_on else None,
    }
