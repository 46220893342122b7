"""Sign-off of a revision (issue 16). An editor signs the latest revision off as its assessor; then an owner of the
workspace who neither saved that revision nor signed it off approves it. Approval fixes the revision's decision
records as "accepted", with both names and the day, on every export. Signatures are never changed or withdrawn:
a revision that needs more work is followed by a new one, which is signed off afresh.

The caller checks the role: editor to sign off, owner to approve."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from advisor.exports.document import Signature, SignOffRecord
from advisor.models import SIGN_OFF_ROLES, Assessment, Revision, SignOff, limits
from advisor.services import DbSession, Refused
from advisor.services.accounts import now
from advisor.services.assessments import flush, get_revision
from advisor.services.audit import as_utc, record


class SignOffRefused(Refused):
    """A signature that may not be given as asked; ``field`` is ``role``, ``revision`` or ``statement``."""


def sign_off_of(session: DbSession, revision_id: int, until: dt.datetime | None = None) -> SignOffRecord:
    """The revision's signatures, or those given up to ``until``."""
    stmt = select(SignOff).where(SignOff.revision_id == revision_id)
    if until is not None:
        stmt = stmt.where(SignOff.signed_at <= until)
    return _record({s.role: _signature(s) for s in session.scalars(stmt)})


def sign_offs_by_revision(session: DbSession, assessment_id: int) -> dict[int, SignOffRecord]:
    """Every signed revision's sign-off, by revision row id, in one query (the revisions page)."""
    found: dict[int, dict[str, Signature]] = {}
    for s in session.scalars(select(SignOff).where(SignOff.assessment_id == assessment_id)):
        found.setdefault(s.revision_id, {})[s.role] = _signature(s)
    return {rid: _record(roles) for rid, roles in found.items()}


def _signature(row: SignOff) -> Signature:
    return Signature(row.role, row.signed_by, as_utc(row.signed_at), row.statement)


def _record(by_role: dict[str, Signature]) -> SignOffRecord:
    return SignOffRecord(by_role.get("assessor"), by_role.get("approver"))


def sign(
    session: DbSession,
    assessment: Assessment,
    number: int,
    role: str,
    statement: str,
    actor: str | None,
) -> SignOff:
    """Sign revision ``number`` off as ``role``; LookupError when there is no such revision, SignOffRefused when
    it is not the latest, the role is unknown or already signed, the approver comes before the assessor or is
    the revision's author or its assessor, or nobody is named; Conflict when someone signed at the same moment."""
    revision = get_revision(session, assessment, number)
    if revision is None:
        raise LookupError(f"assessment {assessment.id} has no revision {number}")
    if role not in SIGN_OFF_ROLES:
        raise SignOffRefused("role", f"got {role!r}; a sign-off is given as one of {', '.join(SIGN_OFF_ROLES)}")
    if actor is None:
        raise SignOffRefused("role", "a sign-off names who gives it: sign in, or name an account")
    if number != assessment.latest_revision_number:
        raise SignOffRefused(
            "revision",
            f"revision {number} is not the latest (revision {assessment.latest_revision_number} is): "
            "only the latest revision is signed off",
        )
    statement = statement.strip()
    if len(statement) > limits.NOTE:
        raise SignOffRefused("statement", f"at most {limits.NOTE} characters (this is {len(statement)})")
    given = sign_off_of(session, revision.id)
    _check_four_eyes(revision, role, given, actor)
    signature = SignOff(
        assessment_id=assessment.id,
        revision_id=revision.id,
        role=role,
        signed_by=actor,
        signed_at=now(),
        statement=statement,
    )
    session.add(signature)
    # a new version of the assessment, so cached report pages show the signature: setting the same who alone would
    # change nothing, so the when changes too
    assessment.updated_by, assessment.updated_at = actor, signature.signed_at
    flush(session, "This revision's sign-off")
    record(
        session,
        assessment.workspace_id,
        assessment.id,
        actor,
        "revision_approved" if role == "approver" else "revision_signed_off",
        revision=number,
        **({"statement": statement} if statement else {}),
        **({"deciders": [given.assessor.by if given.assessor else None, actor]} if role == "approver" else {}),
    )
    return signature


def _check_four_eyes(revision: Revision, role: str, given: SignOffRecord, actor: str) -> None:
    done = given.assessor if role == "assessor" else given.approver
    if done is not None:
        raise SignOffRefused(
            "role", f"revision {revision.number} was {_words(role)} by {done.by} on {done.at:%Y-%m-%d}"
        )
    if role != "approver":
        return
    if given.assessor is None:
        raise SignOffRefused("role", "the assessor signs the revision off first; then an owner approves it")
    if actor == revision.author:
        raise SignOffRefused("role", "you saved this revision: an owner who did not author it approves it")
    if actor == given.assessor.by:
        raise SignOffRefused("role", "you signed this revision off as its assessor: another owner approves it")


def _words(role: str) -> str:
    return "approved" if role == "approver" else "signed off"
