"""inherited status: a checklist item inherited from the provider, on the strength of its attestation

Revision ID: d5f7b9c1e3a6
Revises: c4e6a8b0d2f5
Create Date: 2026-12-02 22:30:00

Only the check constraint on checklist_statuses.status changes (status_changes keeps each row as JSON, unchecked).
Downgrading makes every inherited item not applicable, its note (the attestation named) kept as the reason: the
closest status before this one that also leaves the item off the to-do list without counting it as implemented.
The status history keeps the inherited entries as they were recorded.
"""

import sqlalchemy as sa
from alembic import op

revision = "d5f7b9c1e3a6"
down_revision = "c4e6a8b0d2f5"
branch_labels = None
depends_on = None

BEFORE = ("todo", "in_progress", "done", "not_applicable", "accepted_risk")
AFTER = (*BEFORE, "inherited")


def _known(statuses: tuple[str, ...]) -> str:
    return f"status IN ({', '.join(repr(s) for s in statuses)})"


def upgrade() -> None:
    # SQLite rebuilds the table for the check: keep its ids never reused
    with op.batch_alter_table("checklist_statuses", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_constraint("status_known", type_="check")
        batch_op.create_check_constraint("status_known", _known(AFTER))


def downgrade() -> None:
    op.execute("UPDATE checklist_statuses SET status = 'not_applicable' WHERE status = 'inherited'")
    with op.batch_alter_table("checklist_statuses", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_constraint("status_known", type_="check")
        batch_op.create_check_constraint("status_known", _known(BEFORE))
