"""Evidence on checklist items: links and texts people add, and (later) imported scanner results.

An entry is never changed: it is added or removed, and both are recorded in the activity log, a removal with
everything the entry held, so the log keeps what the evidence was.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select

from advisor.models import EVIDENCE_KINDS, SCAN_RESULTS, Assessment, Evidence, limits
from advisor.services import DbSession, Refused
from advisor.services.audit import as_utc, record

LINK_SCHEMES = ("http", "https")
# whitespace, control characters and what no URL holds unencoded (RFC 3986): a link is shown as a link in every
# format, so it must not be able to end one (a quote in HTML, ``>`` in a Markdown autolink) or hide in blanks
_NOT_IN_A_LINK = re.compile(r"[\x00-\x20\x7f-\x9f<>\"\\^`{|}\s]")


class EvidenceRefused(Refused):
    """An entry that may not be added as asked; ``field`` names what to correct (``kind`` or ``text``)."""


@dataclass(frozen=True)
class ScanFields:
    """Where an imported scanner result came from (an entry of kind ``scan``)."""

    tool: str
    check: str
    result: str  # SCAN_RESULTS
    benchmark: str | None = None
    cluster: str | None = None
    scanned_at: dt.datetime | None = None
    scan_id: int | None = None


def link_problem(text: str) -> str | None:
    """Why ``text`` is not a link this app shows (an http or https URL with a host), or None when it is one."""
    if _NOT_IN_A_LINK.search(text):
        return "a link has no spaces, quotes or angle brackets: paste the address as the browser shows it"
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return "not a web address this app can read"
    if parts.scheme.lower() not in LINK_SCHEMES:
        return f"only http and https links are kept (this one starts {parts.scheme or text[:10]!r})"
    if not host:
        return "the link has no host: give the whole address, starting https://"
    return None


def _checked_text(kind: str, text: str, scan: ScanFields | None) -> str:
    if kind not in EVIDENCE_KINDS:
        raise EvidenceRefused("kind", f"got {kind!r}; evidence is one of {', '.join(EVIDENCE_KINDS)}")
    text = text.strip()
    if kind == "scan":
        if scan is None or scan.result not in SCAN_RESULTS or not scan.tool or not scan.check:
            raise EvidenceRefused("kind", "a scan result needs its tool, check and result")
    elif scan is not None:
        raise EvidenceRefused("kind", "only a scan result has a tool, check and result")
    elif not text:
        raise EvidenceRefused("text", "give the link or the text of the evidence")
    limit = limits.EVIDENCE_LINK if kind == "link" else limits.EVIDENCE_TEXT
    if len(text) > limit:
        raise EvidenceRefused("text", f"at most {limit} characters (this is {len(text)})")
    if kind == "link" and (problem := link_problem(text)):
        raise EvidenceRefused("text", problem)
    return text


def add_evidence(
    session: DbSession,
    assessment: Assessment,
    item_id: str,
    kind: str,
    text: str,
    actor: str | None,
    *,
    scan: ScanFields | None = None,
) -> Evidence:
    """Add an entry to an item (the caller checks the item is on the checklist); EvidenceRefused when the kind,
    the text or the link is not acceptable, or the item holds ``limits.EVIDENCE_PER_ITEM`` entries already."""
    text = _checked_text(kind, text, scan)
    held = session.scalar(  # scan results are bounded by the checks mapped to the item, and not counted
        select(func.count())
        .select_from(Evidence)
        .where(Evidence.assessment_id == assessment.id, Evidence.item_id == item_id, Evidence.kind != "scan")
    )
    if (held or 0) >= limits.EVIDENCE_PER_ITEM:
        raise EvidenceRefused(
            "text", f"an item holds at most {limits.EVIDENCE_PER_ITEM} evidence entries: remove one first"
        )
    entry = Evidence(
        assessment_id=assessment.id,
        item_id=item_id,
        kind=kind,
        text=text,
        added_by=actor,
        **(asdict(scan) if scan else {}),
    )
    session.add(entry)
    session.flush()
    record(session, assessment.workspace_id, assessment.id, actor, "evidence_added", item=item_id, kind=kind, text=text)
    return entry


def remove_evidence(session: DbSession, assessment: Assessment, evidence_id: int, actor: str | None) -> Evidence:
    """Remove an entry of this assessment; LookupError when it has none with that id (removed already, or
    another assessment's). The activity log keeps what was removed."""
    entry = session.scalar(select(Evidence).where(Evidence.id == evidence_id, Evidence.assessment_id == assessment.id))
    if entry is None:
        raise LookupError(f"assessment {assessment.id} has no evidence {evidence_id}")
    scan = {
        name: value.isoformat() if isinstance(value, dt.datetime) else value
        for name in ("tool", "benchmark", "check", "result", "cluster", "scanned_at", "scan_id")
        if (value := getattr(entry, name)) is not None
    }
    added_at = as_utc(entry.added_at).isoformat() if entry.added_at else None
    record(
        session,
        assessment.workspace_id,
        assessment.id,
        actor,
        "evidence_removed",
        item=entry.item_id,
        kind=entry.kind,
        text=entry.text,
        added_by=entry.added_by,
        added_at=added_at,
        **scan,
    )
    session.delete(entry)
    session.flush()
    return entry


def evidence_of(session: DbSession, assessment_id: int, item_id: str | None = None) -> list[Evidence]:
    """Every entry of an assessment (or of one of its items) in one query, oldest first."""
    query = select(Evidence).where(Evidence.assessment_id == assessment_id)
    if item_id is not None:
        query = query.where(Evidence.item_id == item_id)
    return list(session.scalars(query.order_by(Evidence.id)))
