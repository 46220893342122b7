"""drafts as one document: the form's values apart from the steps done and the base revision

Revision ID: c39574cd4d5f
Revises: 5360435d90a6
Create Date: 2026-12-02 04:00:00

A draft was one flat object mixing the form's values with ``_steps_done`` and ``_base_revision``;
it becomes ``{"values": {...}, "steps_done": [...], "base_revision": n}`` (advisor.models.Draft), so
the app reads one shape only. The empty draft a new assessment used to start with holds nothing and
becomes no draft; a draft without ``_base_revision`` started from the latest revision, which it still
is (saving a revision drops the draft).
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "c39574cd4d5f"
down_revision = "5360435d90a6"
branch_labels = None
depends_on = None

assessments = sa.table(
    "assessments",
    sa.column("id", sa.Integer()),
    sa.column("draft", sa.JSON()),
    sa.column("latest_revision_number", sa.Integer()),
)

Stored = dict[str, Any] | None  # None: no draft


def _rewrite(change: Callable[[dict[str, Any], int], Stored]) -> None:
    bind = op.get_bind()
    query = sa.select(assessments.c.id, assessments.c.draft, assessments.c.latest_revision_number)
    # filtered here, not in SQL: "no draft" may be stored as SQL NULL or as JSON null
    for assessment_id, draft, latest in bind.execute(query).all():
        if draft is not None:
            bind.execute(
                assessments.update()
                .where(assessments.c.id == assessment_id)
                .values(draft=change(draft, latest))
            )


def _document(flat: dict[str, Any], latest: int) -> Stored:
    if not flat:
        return None
    return {
        "values": {k: v for k, v in flat.items() if not k.startswith("_")},  # "_" marked what was no form value
        "steps_done": flat.get("_steps_done", []),
        "base_revision": flat.get("_base_revision", latest),
    }


def _flat(document: dict[str, Any], _latest: int) -> Stored:
    return {
        **document["values"],
        "_steps_done": document["steps_done"],
        "_base_revision": document["base_revision"],
    }


def upgrade() -> None:
    _rewrite(_document)


def downgrade() -> None:
    _rewrite(_flat)
