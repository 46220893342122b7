"""Items a later revision dropped (issue 16): statuses belong to the assessment, so an exception or a "not
applicable" outlives the revision that listed its item. Such an item stays listed under "Removed since an earlier
revision", with its last status and any exception, until an editor closes its record.

Worth keeping, hence listed: any status but ``todo``, a note, or evidence. A plain ``todo`` with none of these
says nothing an auditor would miss."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import select

from advisor.engine import KnowledgeBase
from advisor.exports.document import RemovedItem, StatusRecord
from advisor.models import Assessment, ChecklistStatus, Revision
from advisor.report.summary import today
from advisor.services import DbSession, Refused
from advisor.services.assessments import _check_version, _status_row, flush
from advisor.services.audit import record
from advisor.services.evidence import evidence_of


class CloseRefused(Refused):
    """Nothing to close: the item is on the latest checklist, was never on one, or holds nothing worth keeping."""


def dropped(checklists: Sequence[tuple[int, Sequence[str]]], number: int) -> dict[str, tuple[int, int]]:
    """Per item on a checklist before revision ``number`` and not on its own: the last revision before it that
    had the item, and the first after that one (the revision that dropped it)."""
    ordered = sorted((n, ids) for n, ids in checklists if n <= number)
    numbers = [n for n, _ in ordered]
    shown = {i for n, ids in ordered if n == number for i in ids}
    last_on: dict[str, int] = {}
    for n, ids in ordered:
        if n < number:
            last_on.update(dict.fromkeys(ids, n))
    return {item: (last, next(n for n in numbers if n > last)) for item, last in last_on.items() if item not in shown}


def worth_keeping(record: StatusRecord | None) -> bool:
    return record is not None and (record.status != "todo" or bool(record.note.strip()) or bool(record.evidence))


def removed_items(
    session: DbSession,
    assessment_id: int,
    number: int,
    rows: Sequence[ChecklistStatus],
    records: Mapping[str, StatusRecord],
    kb: KnowledgeBase,
) -> list[RemovedItem]:
    """The items revision ``number`` dropped (or an earlier one did) whose records are worth keeping and not
    closed for that removal, by the revision that dropped them, then title. ``rows`` are the status rows (current
    or as of a moment), ``records`` the same as plain records with their evidence.

    One query for the checklists' item ids (the revisions' denormalised ``checklist_ids``, never their results);
    a second for the titles, only when something is listed, reading the results of the revisions last having one."""
    checklists = session.execute(
        select(Revision.number, Revision.checklist_ids).where(
            Revision.assessment_id == assessment_id, Revision.number <= number
        )
    ).all()
    closed = {row.item_id: row.closed_removed_since for row in rows}
    kept = {
        item: where
        for item, where in dropped([(n, list(ids)) for n, ids in checklists], number).items()
        if worth_keeping(records.get(item)) and closed.get(item) != where[1]
    }
    if not kept:
        return []
    titles: dict[str, str] = {}
    wanted = {last for last, _ in kept.values()}
    for n, result in session.execute(
        select(Revision.number, Revision.result).where(
            Revision.assessment_id == assessment_id, Revision.number.in_(wanted)
        )
    ):
        for entry in result.get("checklist", []):
            if kept.get(entry["id"], (None,))[0] == n:
                titles[entry["id"]] = str(entry.get("title") or entry["id"])
    found = [
        RemovedItem(
            item,
            titles.get(item) or (kb.item_by_id[item].title if item in kb.item_by_id else item),
            last,
            since,
            records[item],
        )
        for item, (last, since) in kept.items()
    ]
    return sorted(found, key=lambda r: (r.removed_since, r.title.casefold(), r.item_id))


def close(
    session: DbSession,
    assessment: Assessment,
    item_id: str,
    expected_version: int,
    actor: str | None,
    kb: KnowledgeBase,
) -> ChecklistStatus:
    """Close the record of an item the latest revision dropped: it is no longer listed as removed. Its status stays
    as it is, shown again should the item come back. Conflict on a stale version, CloseRefused when the item is not
    listed as removed on the latest revision."""
    from advisor.services.exports import status_records  # it builds documents with this module: import late

    row = _status_row(session, assessment, item_id)
    _check_version(row.version if row else 0, expected_version, "This checklist item")
    records = status_records([row] if row else [], evidence_of(session, assessment.id, item_id), today())
    listed = {
        r.item_id: r
        for r in removed_items(
            session, assessment.id, assessment.latest_revision_number, [row] if row else [], records, kb
        )
    }
    if item_id not in listed:
        raise CloseRefused("item_id", "the item is not listed as removed on the latest revision")
    if row is None:  # evidence and no status: a todo row holds the closure
        row = ChecklistStatus(assessment_id=assessment.id, item_id=item_id, status="todo", updated_by=actor)
        session.add(row)
    removed = listed[item_id]
    row.closed_at = dt.datetime.now(dt.UTC)
    row.closed_by = actor
    row.closed_removed_since = removed.removed_since
    row.updated_by = actor
    flush(session, "This checklist item")
    record(
        session,
        assessment.workspace_id,
        assessment.id,
        actor,
        "removed_item_closed",
        item=item_id,
        title=removed.title,
        status=row.status,
        last_on=removed.last_on,
        removed_since=removed.removed_since,
    )
    return row
