"""frozen share links: a link may show the assessment as it stood when the link was made

Revision ID: f1b4d6e8a2c3
Revises: e9a3c5d7f1b2
Create Date: 2026-12-02 19:00:00

Links made before this are live (frozen_at empty): they show statuses as they are, as they always did.
"""

import sqlalchemy as sa
from alembic import op

revision = "f1b4d6e8a2c3"
down_revision = "e9a3c5d7f1b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.drop_column("frozen_at")
