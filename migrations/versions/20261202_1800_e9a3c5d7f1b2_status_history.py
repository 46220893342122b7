"""status history: every change to a checklist item's status row, kept as the whole row after it

Revision ID: e9a3c5d7f1b2
Revises: d8f4a2b6c1e3
Create Date: 2026-12-02 18:00:00

Each status row saved before this gets one entry: the row as it stands, at its last change and by whoever
made it (what it was before that was not kept). Downgrading drops the history.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "e9a3c5d7f1b2"
down_revision = "d8f4a2b6c1e3"
branch_labels = None
depends_on = None

TRACKED = (
    "status",
    "note",
    "owner",
    "review_reason",
    "review_since",
    "acceptance_justification",
    "acceptance_expires",
    "acceptance_requested_by",
    "acceptance_approved_by",
    "acceptance_approved_at",
    "due_on",
)


def _plain(value: object) -> object:
    """A value as the app keeps it in a change's state (models.history.state_of): times and days as ISO 8601."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def upgrade() -> None:
    changes = op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_status_changes_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_changes")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_status_changes_assessment_id_item_id_changed_at",
            ["assessment_id", "item_id", "changed_at"],
            unique=False,
        )
    # typed where the database hands back text (SQLite), so days and times come back as Python values
    types = {
        "updated_at": sa.DateTime(timezone=True),
        "acceptance_approved_at": sa.DateTime(timezone=True),
        "acceptance_expires": sa.Date(),
        "due_on": sa.Date(),
    }
    statuses = sa.table(
        "checklist_statuses",
        *(
            sa.column(name, types.get(name))
            for name in ("assessment_id", "item_id", "updated_at", "updated_by", "version", *TRACKED)
        ),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(statuses)).mappings().all()
    if rows:
        op.bulk_insert(
            changes,
            [
                {
                    "assessment_id": row["assessment_id"],
                    "item_id": row["item_id"],
                    "changed_at": row["updated_at"],
                    "changed_by": row["updated_by"],
                    "version": row["version"],
                    "state": {name: _plain(row[name]) for name in TRACKED},
                }
                for row in rows
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_status_changes_assessment_id_item_id_changed_at")
    op.drop_table("status_changes")
