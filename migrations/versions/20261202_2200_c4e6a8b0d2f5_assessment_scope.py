"""assessment scope: the clusters, systems, regulated namespaces and period an assessment covers

Revision ID: c4e6a8b0d2f5
Revises: b3d5f7a9c2e4
Create Date: 2026-12-02 22:00:00

Assessments saved before this state no scope (null) until an editor gives one on their details page.
"""

import sqlalchemy as sa
from alembic import op

revision = "c4e6a8b0d2f5"
down_revision = "b3d5f7a9c2e4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.JSON(), nullable=True))


def downgrade() -> None:
    # SQLite rebuilds the table to drop a column: keep its ids never reused
    with op.batch_alter_table("assessments", schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("scope")
