"""Imported scanner reports: the record of each import, and reports read and waiting for their preview's
confirmation (issue 15)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from advisor.models import limits
from advisor.models.base import NEVER_REUSE_IDS, Actor, Base, Created, IntPK


class ScanImport(Base):
    """One scanner report imported into an assessment: where it came from and what it held. Kept for the life
    of the assessment, so importing the same file again (the same digest) changes nothing, and every scan
    evidence entry (``Evidence.scan_id``) names its report."""

    __tablename__ = "scan_imports"
    __table_args__ = (UniqueConstraint("assessment_id", "digest"), NEVER_REUSE_IDS)

    id: Mapped[IntPK]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    file_name: Mapped[str] = mapped_column(String(limits.SCAN_FIELD))
    tool: Mapped[str] = mapped_column(String(20))
    tool_version: Mapped[str | None] = mapped_column(String(limits.SCAN_FIELD))
    source: Mapped[str] = mapped_column(String(20))  # cluster | manifests
    benchmarks: Mapped[list[Any]]  # the benchmarks its findings belong to ("" for the tool's own ids)
    cluster: Mapped[str] = mapped_column(String(limits.SCAN_FIELD))  # the report's own, else the one given
    scanned_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the file's bytes, hex
    passed: Mapped[int]
    failed: Mapped[int]
    not_evaluated: Mapped[int]
    items: Mapped[int]  # checklist items its findings gave evidence to
    imported_by: Mapped[Actor]
    imported_at: Mapped[Created]


class PendingScan(Base):
    """A report uploaded and read for a preview, kept until its import is confirmed or it is a day old: the
    confirmation names it instead of uploading the file again. Holds the reading (``Scan`` as JSON), not the
    file: the digest of the bytes is in it."""

    __tablename__ = "pending_scans"
    __table_args__ = (Index("ix_pending_scans_assessment_id", "assessment_id"), NEVER_REUSE_IDS)

    id: Mapped[IntPK]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    file_name: Mapped[str] = mapped_column(String(limits.SCAN_FIELD))
    scan: Mapped[dict[str, Any]]
    uploaded_by: Mapped[Actor]
    uploaded_at: Mapped[Created]
