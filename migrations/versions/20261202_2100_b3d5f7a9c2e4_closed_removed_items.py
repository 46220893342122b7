"""closed removed items: an item a later revision dropped stays listed until someone closes its record

Revision ID: b3d5f7a9c2e4
Revises: a2c4e6f8b1d3
Create Date: 2026-12-02 21:00:00

All three columns are NULL for every existing status: nothing is closed until someone closes it.
"""

import sqlalchemy as sa
from alembic import op

revision = "b3d5f7a9c2e4"
down_revision = "a2c4e6f8b1d3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checklist_statuses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("closed_removed_since", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checklist_statuses", schema=None) as batch_op:
        batch_op.drop_column("closed_removed_since")
        batch_op.drop_column("closed_by")
        batch_op.drop_column("closed_at")
