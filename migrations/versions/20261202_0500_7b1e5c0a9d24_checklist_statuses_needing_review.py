"""checklist statuses needing review: why a later revision put a settled status in doubt, and which revision

Revision ID: 7b1e5c0a9d24
Revises: c39574cd4d5f
Create Date: 2026-12-02 05:00:00

Both columns are NULL for every existing status: nothing needs review until a new revision says so.
"""

import sqlalchemy as sa
from alembic import op

revision = "7b1e5c0a9d24"
down_revision = "c39574cd4d5f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checklist_statuses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("review_since", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checklist_statuses", schema=None) as batch_op:
        batch_op.drop_column("review_since")
        batch_op.drop_column("review_reason")
