"""The starter policy bundle of a stored revision (issue 17), made for the teams and applications named, and recorded
in the activity log like every export. The caller commits and delivers the file, as for ``services.exports``."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from advisor.bundle import build_bundle
from advisor.bundle.build import files_only
from advisor.engine import KnowledgeBase
from advisor.exports import Export, stem_of
from advisor.exports.archive import MIMETYPE
from advisor.models import Assessment
from advisor.services import DbSession
from advisor.services import assessments as svc
from advisor.services.accounts import now
from advisor.services.audit import record_export

FORMAT = "bundle"  # as the activity log names it, beside the export formats


def bundle_name(title: str, assessment_id: int, revision_number: int, moment: dt.datetime) -> str:
    """``payments-platform-rev-3-2026-12-02-bundle.zip``: named as the other downloads are."""
    return f"{stem_of(title, assessment_id, revision_number, moment)}-bundle.zip"


def export_bundle(
    session: DbSession,
    assessment: Assessment,
    number: int,
    teams: Sequence[str],
    apps: Sequence[str],
    actor: str | None,
    via: str,
    kb: KnowledgeBase,
) -> Export:
    """Revision ``number``'s bundle as a zip, recorded with the names it was made for; LookupError if the revision
    does not exist. The names are checked already (``advisor.bundle.names``)."""
    revision = svc.get_revision(session, assessment, number)
    if revision is None:
        raise LookupError(f"assessment {assessment.id} has no revision {number}")
    made = now()
    # the export's id in controls.json and the README, as in every other export: a bundle found in a repository
    # later leads back to its entry in the activity log
    export_id = str(uuid.uuid4())
    export = {
        "id": export_id,
        "assessment_id": assessment.id,
        "revision": number,
        "made_at": made.isoformat(timespec="seconds"),
    }
    content = build_bundle(revision.result, kb, teams=teams, apps=apps, export=export).to_zip(made)
    record_export(session, assessment, actor, FORMAT, number, via, export_id, teams=list(teams), apps=list(apps))
    session.flush()
    return Export(content, MIMETYPE, bundle_name(assessment.title, assessment.id, number, made))


def files_by_item(result: Mapping[str, Any], kb: KnowledgeBase) -> dict[str, list[str]]:
    """Each checklist item's files in the bundle made for no names (placeholders): what the report links it to."""
    bundle = files_only(result, kb)
    found = {str(item["id"]): bundle.files_for_item(str(item["id"])) for item in result["checklist"]}
    return {item_id: paths for item_id, paths in found.items() if paths}
