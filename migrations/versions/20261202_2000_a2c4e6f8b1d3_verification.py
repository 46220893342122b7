"""verification apart from implementation: a done item's test result, procedure, tester and time

Revision ID: a2c4e6f8b1d3
Revises: f1b4d6e8a2c3
Create Date: 2026-12-02 20:00:00

Statuses saved before this have no test recorded. Downgrading drops the four columns and with them the test
results (the status history keeps them, as long as it is there).
"""

import sqlalchemy as sa
from alembic import op

revision = "a2c4e6f8b1d3"
down_revision = "f1b4d6e8a2c3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite rebuilds the table for the check: keep its ids never reused
    with op.batch_alter_table("checklist_statuses", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("verification_result", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("verification_procedure", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("verified_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            "verification_known",
            "verification_result IS NULL OR verification_result IN ('pass', 'fail', 'not_tested')",
        )


def downgrade() -> None:
    with op.batch_alter_table("checklist_statuses", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_constraint("verification_known", type_="check")
        batch_op.drop_column("verified_at")
        batch_op.drop_column("verified_by")
        batch_op.drop_column("verification_procedure")
        batch_op.drop_column("verification_result")
