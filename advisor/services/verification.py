"""Verification apart from implementation (issue 16): a done item is tested by someone other than the person
who marked it done, who records the result (pass, fail, not tested), how it was tested, and when.

Whoever marked the item done is read from the status history (``models.StatusChange``): the first change of the
latest run of changes that left it done. A change of status away from done clears the test (``set_status``);
the history keeps it.
"""

from __future__ import annotations

from sqlalchemy import select

from advisor.models import VERIFICATION_RESULTS, Assessment, ChecklistStatus, StatusChange, limits
from advisor.services import DbSession, Refused
from advisor.services.accounts import now
from advisor.services.assessments import _check_version, _status_row, flush
from advisor.services.audit import record


class VerificationRefused(Refused):
    """A test that may not be recorded as asked; ``field`` is ``result`` or ``procedure``."""


def marked_done_by(session: DbSession, assessment_id: int, item_id: str) -> str | None:
    """Who marked the item done: the author of the first change of its latest run of changes leaving it done;
    None when it is not done (or nobody is known)."""
    changes = session.scalars(
        select(StatusChange)
        .where(StatusChange.assessment_id == assessment_id, StatusChange.item_id == item_id)
        .order_by(StatusChange.id.desc())
    )
    author = None
    for change in changes:
        if change.state.get("status") != "done":
            break
        author = change.changed_by
    return author


def record_verification(
    session: DbSession,
    assessment: Assessment,
    item_id: str,
    result: str,
    procedure: str,
    expected_version: int,
    actor: str | None,
) -> ChecklistStatus:
    """Record the test of a done item; VerificationRefused when the item is not done, the tester marked it
    done, the result is unknown, or a pass or fail says nothing of how it was tested; Conflict when the item
    changed since ``expected_version``."""
    row = _status_row(session, assessment, item_id)
    _check_version(row.version if row else 0, expected_version, "This checklist item")
    if result not in VERIFICATION_RESULTS:
        raise VerificationRefused(
            "result", f"got {result!r}; a test result is one of {', '.join(VERIFICATION_RESULTS)}"
        )
    if row is None or row.status != "done":
        raise VerificationRefused("result", "only a done item is tested: mark it done first")
    implementer = marked_done_by(session, assessment.id, item_id)
    if actor is not None and actor == implementer:
        raise VerificationRefused(
            "result", "you marked this item done: someone else tests it, so the test is a second pair of eyes"
        )
    procedure = procedure.strip()
    if result != "not_tested" and not procedure:
        raise VerificationRefused("procedure", "say how it was tested: the procedure is what makes the result evidence")
    if len(procedure) > limits.NOTE:
        raise VerificationRefused("procedure", f"at most {limits.NOTE} characters (this is {len(procedure)})")
    row.verification_result, row.verification_procedure = result, procedure or None
    row.verified_by, row.verified_at, row.updated_by = actor, now(), actor
    flush(session, "This checklist item")
    record(
        session,
        assessment.workspace_id,
        assessment.id,
        actor,
        "verified",
        item=item_id,
        result=result,
        procedure=procedure,
        implemented_by=implementer,
    )
    return row
