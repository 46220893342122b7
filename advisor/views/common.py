"""Helpers shared by the views: loading objects, the acting user, versions from forms."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request

from advisor.engine import KnowledgeBase
from advisor.extensions import db
from advisor.models import Assessment


def kb() -> KnowledgeBase:
    knowledge: KnowledgeBase = current_app.extensions["advisor.kb"]
    return knowledge


def actor() -> str | None:
    """Who is acting; accounts arrive with the access-control work, until then nobody is named."""
    return None


def get_assessment(assessment_id: int) -> Assessment:
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        abort(404)
    return assessment


def int_or(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def submitted_version() -> int:
    """The version the user's page was built from; -1 (always stale) when missing or garbled."""
    return int_or(request.form.get("version"), -1)


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"
