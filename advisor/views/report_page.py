"""The report page of a revision, as members and share-link readers see it; rendered pages come from
the report cache (advisor.report.cache)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from flask import abort, current_app, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from advisor.engine import ENGINE_VERSION, KnowledgeBase
from advisor.extensions import db
from advisor.forms.assessment import BundleForm
from advisor.models import Assessment, Revision, ShareLink
from advisor.report import cache as report_cache
from advisor.report import summary
from advisor.services import assessments as svc
from advisor.services import bundles, exports, history, removed, signoff, workspaces
from advisor.services.audit import as_utc
from advisor.views.common import kb


def report_page(rows: svc.ReportRows, *, shared: ShareLink | None = None, share_token: str | None = None) -> str:
    """The report of ``rows.revision_id``; ``rows.role`` None means a read-only share link.

    Rendered pages come from the report cache (advisor.report.cache) at two levels, keyed by the
    plain values ``rows`` holds. The body (summary, decisions, checklist) is keyed by the revision,
    the status stamp, the edit right and the address, so readers with the same right share it. The
    whole page adds what the frame shows: the assessment's version (raised by every change to its
    row), its workspace's name, the reader, the share link. Only a page not yet stored loads the
    assessment and revision objects. Every CSRF token is a placeholder until the page goes out.
    """
    knowledge = kb()
    cache: report_cache.FragmentCache = current_app.extensions["advisor.fragments"]
    wanted = summary.ChecklistFilter.from_args(request.args)
    # a frozen link measures acceptances and due dates against the day it was made, as its files do
    frozen = frozen_moment(shared)
    on = frozen.date() if frozen else summary.today()
    approver = current_user.email if workspaces.allows(rows.role, "owner") else None
    body_key = report_cache.body_key(
        rows.assessment_id,
        rows.page_key,
        knowledge.version,
        workspaces.allows(rows.role, "editor"),
        request.path + wanted.query,  # a filtered checklist is another body
        rows.statuses_stamp,
        on,
        approver,
    )
    page_key = report_cache.page_key(
        rows.assessment_id, body_key, rows.frame_stamp, rows.role, reader_stamp(), link_stamp(shared)
    )
    render = functools.partial(
        render_report,
        rows,
        body_key,
        knowledge,
        cache,
        wanted,
        on=on,
        approver=approver,
        shared=shared,
        share_token=share_token,
    )
    try:
        # a page with a message to flash is one of a kind: shown once, never stored
        page = render() if session.get("_flashes") else cache.get_or_render(page_key, render)
    except LookupError:  # deleted between reading the stamps and loading it
        abort(404)
    return cache.with_csrf(page, generate_csrf)


def frozen_moment(shared: ShareLink | None) -> dt.datetime | None:
    """The moment a frozen share link shows the assessment as of (UTC); None off a link, or for a live one."""
    return as_utc(shared.frozen_at) if shared is not None and shared.frozen_at is not None else None


def reader_stamp() -> tuple[Any, ...] | None:
    """The signed-in reader as the page's frame may show them; None for an anonymous one."""
    return (current_user.id, current_user.email, current_user.is_admin) if current_user.is_authenticated else None


def link_stamp(shared: ShareLink | None) -> tuple[Any, ...] | None:
    """The share link as its page shows it; None off a share link."""
    return (shared.id, shared.label, shared.expires_at, shared.frozen_at) if shared else None


def render_report(
    rows: svc.ReportRows,
    body_key: str,
    knowledge: KnowledgeBase,
    cache: report_cache.FragmentCache,
    wanted: summary.ChecklistFilter,
    *,
    on: dt.date,
    approver: str | None,
    shared: ShareLink | None,
    share_token: str | None,
) -> str:
    """The whole report page, its body from the cache when stored; LookupError when the assessment or
    revision is gone. The assessment and revision are loaded here, once, and only when a page is rendered."""
    assessment, revision = rows.objects(db.session)
    can_edit = workspaces.allows(rows.role, "editor")
    body = cache.get_or_render(
        body_key,
        functools.partial(
            render_report_body,
            assessment,
            revision,
            knowledge,
            wanted,
            on=on,
            approver=approver,
            can_edit=can_edit,
            shared=shared,
            share_token=share_token,
            csrf_value=cache.placeholder if can_edit else "",
            has_evidence=rows.statuses_stamp[3] > 0,
        ),
    )
    return render_template(
        "assessments/report.html",
        body=Markup(body),  # noqa: S704 - rendered by Jinja with autoescape
        csrf_token=lambda: cache.placeholder,
        assessment=assessment,
        revision=revision,
        outdated=revision.knowledge_base_version != knowledge.version or revision.engine_version != ENGINE_VERSION,
        kb_version=knowledge.version,
        engine_version=ENGINE_VERSION,
        is_latest=revision.number == assessment.latest_revision_number,
        role=rows.role,
        can_edit=can_edit,
        can_own=workspaces.allows(rows.role, "owner"),
        shared=shared,
        share_token=share_token,
        # a frozen link shows the signatures given by the moment it was made, as its files do
        sign_off=signoff.sign_off_of(db.session, revision.id, frozen_moment(shared)),
        reader=current_user.email if current_user.is_authenticated else None,
    )


def render_report_body(
    assessment: Assessment,
    revision: Revision,
    knowledge: KnowledgeBase,
    wanted: summary.ChecklistFilter,
    *,
    on: dt.date,
    approver: str | None,
    can_edit: bool,
    shared: ShareLink | None,
    share_token: str | None,
    csrf_value: str,
    has_evidence: bool = True,
) -> str:
    """The report's body (summary, decisions, checklist): everything in it comes from what ``body_key`` digests.
    ``has_evidence`` false (the stamp counted no entries) spares the query for them."""
    result = revision.result
    moment = frozen_moment(shared)
    if moment is not None:  # the link shows what stood when it was made
        rows, entries = (
            history.statuses_as_of(db.session, assessment.id, moment),
            history.evidence_as_of(db.session, assessment.id, moment),
        )
    else:
        rows, entries = list(assessment.statuses), list(assessment.evidence) if has_evidence else []
    statuses = summary.statuses_by_item(rows)
    evidence = summary.evidence_by_item(summary.current_evidence(entries))
    # what earlier revisions listed and this one dropped, kept until closed: the status stamp covers closing
    records = exports.status_records(rows, entries, on)
    gone = removed.removed_items(db.session, assessment.id, revision.number, rows, records, knowledge)
    return render_template(
        "assessments/_report_body.html",
        assessment=assessment,
        revision=revision,
        result=result,
        statuses=statuses,
        evidence=evidence,
        removed=gone,
        **summary.report_contents(result, statuses, knowledge, wanted, on, evidence),
        approver=approver,
        criteria=knowledge.criteria,
        scanner_checks={i.id: i.controls for i in knowledge.items if i.controls},
        can_edit=can_edit,
        shared=shared,
        share_token=share_token,
        csrf_value=csrf_value,
        bundle=BundleForm(formdata=None),
        bundle_files=bundle_files(result, knowledge),
    )


def bundle_files(result: Mapping[str, Any], knowledge: KnowledgeBase) -> dict[str, list[str]]:
    """Each item's files in the starter bundle, made once per body (the revision's result and the knowledge base's
    version are in its key). A stored result its engine shaped otherwise may trip a generator: the report then
    shows no files rather than failing."""
    try:
        return bundles.files_by_item(result, knowledge)
    except Exception:  # the report outranks its links to the bundle
        current_app.logger.exception("no starter bundle links for this report")
        return {}
