"""governed risk acceptance: a justification, an expiry date, who asked and who approved

Revision ID: b5d2e4f6a7c8
Revises: a4c1d2e3f5b6
Create Date: 2026-12-02 15:00:00

An ``accepted_risk`` status saved before this had none of these: it stays as it was, an acceptance
nobody approved, so it counts as open (as it did) until someone records a justification and an
expiry date and another owner approves it.
"""

import sqlalchemy as sa
from alembic import op

revision = "b5d2e4f6a7c8"
down_revision = "a4c1d2e3f5b6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checklist_statuses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acceptance_justification", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("acceptance_expires", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("acceptance_requested_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("acceptance_approved_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("acceptance_approved_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checklist_statuses", schema=None) as batch_op:
        batch_op.drop_column("acceptance_approved_at")
        batch_op.drop_column("acceptance_approved_by")
        batch_op.drop_column("acceptance_requested_by")
        batch_op.drop_column("acceptance_expires")
        batch_op.drop_column("acceptance_justification")
