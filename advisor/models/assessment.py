"""Assessments, their immutable revisions, and checklist statuses that belong to the assessment."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import DDL, CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advisor.engine.schema import STATUSES
from advisor.models import limits
from advisor.models.base import NEVER_REUSE_IDS, Actor, Base, Created, IntPK, Updated
from advisor.models.workspace import Workspace

_STATUS_LIST = ", ".join(f"'{s}'" for s in STATUSES)
# what an evidence entry is: a URL, a text, or one imported scanner result (advisor.scanners' Result vocabulary)
EVIDENCE_KINDS = ("link", "text", "scan")
TYPED_EVIDENCE_KINDS = ("link", "text")  # what people add by hand; scan entries come from imported reports
SCAN_RESULTS = ("pass", "fail", "not_evaluated")
# a test of a done item by someone other than who marked it done (issue 16): verification apart from implementation
VERIFICATION_RESULTS = ("pass", "fail", "not_tested")


@dataclass(frozen=True)
class Draft:
    """Answers being edited and not yet saved as a revision: the document ``Assessment.draft`` holds
    (``to_json``), read back with ``from_json``. Saving a revision drops it, so no draft outlives its base."""

    values: dict[str, Any]  # the form's raw values by field name: strings, lists for multiple choices
    base_revision: int  # the revision the answers started from: saving refuses if a newer one was saved since
    steps_done: tuple[str, ...] = ()  # the steps left with valid answers, in questionnaire order
    # who saved it last and when (ISO 8601, UTC), to say so when another tab's save is refused; drafts saved
    # before these keys existed have neither
    updated_by: str | None = None
    updated_at: str | None = None

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Draft:
        return cls(
            dict(document["values"]),
            document["base_revision"],
            tuple(document["steps_done"]),
            document.get("updated_by"),
            document.get("updated_at"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "values": self.values,
            "steps_done": list(self.steps_done),
            "base_revision": self.base_revision,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at,
        }

    def with_values(self, values: Mapping[str, Any]) -> Draft:
        return replace(self, values={**self.values, **values})

    def with_step_done(self, step: str, order: Sequence[str]) -> Draft:
        return replace(self, steps_done=tuple(sorted({*self.steps_done, step}, key=order.index)))


class Assessment(Base):
    """A planning exercise: its title, a draft being answered, and the revisions saved so far."""

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_archived_updated_at", "archived", "updated_at"),
        Index("ix_assessments_updated_at", "updated_at"),
        Index("ix_assessments_workspace_id_updated_at", "workspace_id", "updated_at"),
        # the dashboard's title search (ILIKE '%…%') on PostgreSQL; SQLite scans, which is fast enough there
        Index(
            "ix_assessments_title_trgm",
            "title",
            postgresql_using="gin",
            postgresql_ops={"title": "gin_trgm_ops"},
            info={"only_on": "postgresql"},  # migrations/env.py leaves it out of other databases' comparison
        ).ddl_if(dialect="postgresql"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[IntPK]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(limits.TITLE))
    description: Mapped[str] = mapped_column(Text, default="")
    # what the assessment covers (issue 16): {"clusters", "systems", "regulated": lists of names; "period_start",
    # "period_end": ISO days or null}; None until someone states it (services.assessments.scope_from)
    scope: Mapped[dict[str, Any] | None]
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[Created]
    updated_at: Mapped[Updated]
    created_by: Mapped[Actor]
    updated_by: Mapped[Actor]
    # answers being edited and not yet saved as a revision: a Draft's JSON document; None when there is none
    draft: Mapped[dict[str, Any] | None]
    latest_revision_number: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    revisions: Mapped[list[Revision]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True, order_by="Revision.number"
    )
    statuses: Mapped[list[ChecklistStatus]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True, order_by="Evidence.id"
    )
    workspace: Mapped[Workspace] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (optimistic locking)


class Revision(Base):
    """One saved evaluation, exactly as it was computed; never changed once written."""

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("assessment_id", "number", name="uq_revisions_assessment_id_number"),
        CheckConstraint("number >= 1", name="number_positive"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[IntPK]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    number: Mapped[int]
    label: Mapped[str | None] = mapped_column(String(limits.LABEL))
    answers: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any]]
    # statuses as they stood when the revision was saved, for comparing progress
    statuses: Mapped[dict[str, Any]]
    engine_version: Mapped[str] = mapped_column(String(20))
    knowledge_base_version: Mapped[str] = mapped_column(String(40))
    # denormalised for the dashboard: {decision: alternative} and the checklist's item ids
    recommended: Mapped[dict[str, Any]]
    checklist_ids: Mapped[list[Any]]
    # the decisions whose recommendation was a close call (engine.result.close_call), for the dashboard's badges
    close_calls: Mapped[list[Any]] = mapped_column(server_default="[]")
    author: Mapped[Actor]
    created_at: Mapped[Created]
    # random and never repeated: what cached report pages are keyed on, since ids and stamps can recur
    # (a deleted assessment's ids on another database, two fresh assessments' equal status stamps)
    page_key: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16), unique=True)

    assessment: Mapped[Assessment] = relationship(back_populates="revisions")


@event.listens_for(Revision, "before_update")
def _revisions_are_immutable(mapper: Any, connection: Any, target: Revision) -> None:
    raise ValueError(f"revision {target.number} of assessment {target.assessment_id} is immutable")


class ChecklistStatus(Base):
    """Progress on one checklist item; belongs to the assessment so it carries across revisions."""

    __tablename__ = "checklist_statuses"
    __table_args__ = (
        UniqueConstraint("assessment_id", "item_id", name="uq_checklist_statuses_assessment_id_item_id"),
        CheckConstraint(f"status IN ({_STATUS_LIST})", name="status_known"),
        CheckConstraint(
            "verification_result IS NULL OR verification_result IN "
            f"({', '.join(repr(r) for r in VERIFICATION_RESULTS)})",
            name="verification_known",
        ),
        NEVER_REUSE_IDS,
    )

    id: Mapped[IntPK]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="todo")
    note: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(limits.OWNER), default="")
    updated_by: Mapped[Actor]
    updated_at: Mapped[Updated]
    version: Mapped[int] = mapped_column(default=1)
    # set when a later revision changed why the item is on the list or who does it while its status claimed
    # it settled (done, not applicable, accepted risk): what changed, in words, and the revision that did it.
    # Cleared when the status is changed or confirmed.
    review_reason: Mapped[str | None] = mapped_column(Text)
    review_since: Mapped[int | None]
    # a risk acceptance (status accepted_risk): why, until when, who asked and who approved it. Until another
    # owner of the workspace approves it, it is only requested and the item stays open; past its expiry date it
    # reopens by itself (report.summary.acceptance_state reads these with the day's date).
    acceptance_justification: Mapped[str | None] = mapped_column(Text)
    acceptance_expires: Mapped[dt.date | None] = mapped_column(Date)
    acceptance_requested_by: Mapped[str | None] = mapped_column(String(200))
    acceptance_approved_by: Mapped[str | None] = mapped_column(String(200))
    acceptance_approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # the day the item should be settled by; past it and still open (summary.still_open), it is overdue
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    # the test of a done item: its result, how it was tested, by whom (never who marked it done) and when;
    # cleared when the item stops being done (the history keeps it)
    verification_result: Mapped[str | None] = mapped_column(String(20))
    verification_procedure: Mapped[str | None] = mapped_column(Text)
    verified_by: Mapped[str | None] = mapped_column(String(200))
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # an item a later revision dropped is listed as removed until someone closes its record: who, when, and the
    # revision it was removed since then (services.removed). Closing is for that removal only: an item that comes
    # back and is dropped again is listed again.
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_removed_since: Mapped[int | None]

    assessment: Mapped[Assessment] = relationship(back_populates="statuses")

    @property
    def needs_review(self) -> bool:
        return self.review_reason is not None

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Evidence(Base):
    """Something that shows an item is done: a link, a text, or an imported scanner result. Like the statuses
    it belongs to the assessment, by item id, so it carries across revisions. Never changed in place: an entry
    is added or removed, and both are in the activity log."""

    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_assessment_id_item_id", "assessment_id", "item_id"),
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in EVIDENCE_KINDS)})", name="kind_known"),
        CheckConstraint(
            f"result IS NULL OR result IN ({', '.join(repr(r) for r in SCAN_RESULTS)})", name="result_known"
        ),
        NEVER_REUSE_IDS,
    )

    id: Mapped[IntPK]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    # the URL of a link, the text of a text, the finding's detail of a scan
    text: Mapped[str] = mapped_column(Text)
    added_by: Mapped[Actor]
    added_at: Mapped[Created]
    # an imported scanner result (kind scan): which tool said what about which check, on which cluster, when,
    # and the imported report it came from (models.ScanImport)
    tool: Mapped[str | None] = mapped_column(String(limits.SCAN_FIELD))
    benchmark: Mapped[str | None] = mapped_column(String(limits.SCAN_FIELD))
    check: Mapped[str | None] = mapped_column(String(limits.SCAN_FIELD))
    result: Mapped[str | None] = mapped_column(String(20))
    cluster: Mapped[str | None] = mapped_column(String(limits.SCAN_FIELD))
    scanned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("scan_imports.id", ondelete="CASCADE"))

    assessment: Mapped[Assessment] = relationship(back_populates="evidence")


# the title search index needs the pg_trgm extension (trusted since PostgreSQL 13: the database's owner may add it)
event.listen(
    Assessment.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),  # type: ignore[no-untyped-call]
)
