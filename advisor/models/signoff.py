"""Sign-off of a revision (issue 16): an assessor signs it off, then an owner who neither authored it nor signed
it off approves it. Approval makes the revision's decision records "accepted", with both names and the date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from advisor.models.base import NEVER_REUSE_IDS, Actor, Base, IntPK

SIGN_OFF_ROLES = ("assessor", "approver")  # in the order they sign


class SignOff(Base):
    """One person's signature on one revision in one role; never changed or deleted, except with its assessment."""

    __tablename__ = "sign_offs"
    __table_args__ = (
        UniqueConstraint("revision_id", "role", name="uq_sign_offs_revision_id_role"),
        CheckConstraint("role IN ('assessor', 'approver')", name="role_known"),
        Index("ix_sign_offs_assessment_id", "assessment_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[IntPK]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))
    signed_by: Mapped[Actor]
    # set by the service, not the database, so a record's time and the activity log's agree to the microsecond
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    statement: Mapped[str] = mapped_column(Text, default="")  # user text: what the signer attests, in their words


@event.listens_for(SignOff, "before_update")
def _sign_offs_are_immutable(mapper: Any, connection: Any, target: SignOff) -> None:
    raise ValueError(f"sign-off {target.id} ({target.role} of revision row {target.revision_id}) is immutable")
