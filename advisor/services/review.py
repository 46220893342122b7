"""Statuses a new revision puts in doubt: a status claiming an item settled (done, not applicable, accepted
risk) needs review when the item is now on the list for other reasons or falls to someone else."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from advisor.engine.schema import SETTLED_STATUSES
from advisor.models import ChecklistStatus

# who carries an item, in the words of a "needs review" reason (engine.schema.RESPONSIBILITIES)
RESPONSIBILITY_WORDS = {
    "customer": "your team",
    "shared": "shared with the vendor or provider",
    "provider": "the provider",
}


def review_reasons(before: Mapping[str, Any] | None, after: Mapping[str, Any], number: int) -> list[str]:
    """Why a settled status of an item needs a second look in revision ``number``, given the item in the
    previous revision's result (None: it was not on the list) and in the new one; empty when nothing changed.
    Results of engines before 2.1 lack the fields compared: nothing is claimed about those."""
    reasons = []
    old_who, new_who = (before or {}).get("responsibility"), after.get("responsibility")
    if old_who and new_who and old_who != new_who:
        old, new = RESPONSIBILITY_WORDS.get(old_who, old_who), RESPONSIBILITY_WORDS.get(new_who, new_who)
        reasons.append(f"Responsibility changed: {old} → {new}.")
    if "included_because" in after and (before is None or before.get("included_because") != after["included_because"]):
        reasons.append(f"Included for different reasons since revision {number}.")
    return reasons


def flag_for_review(
    statuses: Iterable[ChecklistStatus], before: Mapping[str, Any], after: Mapping[str, Any], number: int
) -> None:
    """Mark the settled statuses that revision ``number`` (result ``after``) puts in doubt; a status already
    flagged keeps its first revision and gains the new reasons."""
    old_items = {i["id"]: i for i in before.get("checklist", [])}
    new_items = {i["id"]: i for i in after["checklist"]}
    for row in statuses:
        if row.status not in SETTLED_STATUSES or row.item_id not in new_items:
            continue  # an item off the list is not shown, so nothing it claims is read
        reasons = review_reasons(old_items.get(row.item_id), new_items[row.item_id], number)
        if not reasons:
            continue
        kept = [r for r in reasons if r not in (row.review_reason or "")]
        row.review_reason = " ".join(filter(None, [row.review_reason, *kept]))
        row.review_since = row.review_since or number
