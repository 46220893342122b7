"""The data every export format renders: one stored revision with its context, as plain values.

Built from the database by ``advisor.services.exports.build_document``; the renderers
take only this, so they are pure functions of it and easy to test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.engine import KnowledgeBase


@dataclass(frozen=True)
class StatusRecord:
    status: str  # todo | in_progress | done | not_applicable | accepted_risk
    owner: str = ""
    note: str = ""
    updated_by: str | None = None
    updated_at: dt.datetime | None = None
    review_reason: str | None = None  # why a later revision put the status in doubt; None: it needs no review

    @property
    def needs_review(self) -> bool:
        return self.review_reason is not None

    def label(self, labels: Mapping[str, str]) -> str:
        """The status in words, with "needs review" and its reason when a later revision put it in doubt."""
        words = labels.get(self.status, self.status)
        return f"{words} — needs review: {self.review_reason}" if self.needs_review else words


@dataclass(frozen=True)
class AuditRecord:
    at: dt.datetime
    actor: str | None
    action: str  # created, revised, status_changed, shared, share_revoked, exported, member_added, ...
    detail: dict[str, Any]


@dataclass(frozen=True)
class ExportDocument:
    assessment_id: int
    title: str  # user text: escape it in every format
    description: str  # user text
    workspace: str  # user text
    revision_number: int
    revision_label: str | None  # user text
    revision_created_at: dt.datetime
    revision_author: str | None
    latest_revision_number: int
    engine_version: str
    knowledge_base_version: str
    exported_at: dt.datetime
    exported_by: str | None
    result: Mapping[str, Any]  # the contract §4 result exactly as stored with the revision (engine 1.x or 2.x)
    kb: KnowledgeBase  # the app's knowledge base: labels and descriptions the renderers show
    # current checklist progress, per item id (items without an entry are "todo")
    statuses: dict[str, StatusRecord] = field(default_factory=dict)
    audit: list[AuditRecord] = field(default_factory=list)  # newest first

    def status_of(self, item_id: str) -> StatusRecord:
        return self.statuses.get(item_id, StatusRecord("todo"))
