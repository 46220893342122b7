"""due dates and evidence: a checklist item's due date, and the links, texts and scan results that show it done

Revision ID: c7e3f1a9b2d4
Revises: b5d2e4f6a7c8
Create Date: 2026-12-02 16:00:00

Statuses saved before this have no due date. Evidence entries are added or removed, never changed;
the scan columns (tool, benchmark, check, result, cluster, scanned_at, scan_id) stay empty until
scanner reports are imported. Downgrading drops the table with its entries.
"""

import sqlalchemy as sa
from alembic import op

revision = "c7e3f1a9b2d4"
down_revision = "b5d2e4f6a7c8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checklist_statuses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("tool", sa.String(length=200), nullable=True),
        sa.Column("benchmark", sa.String(length=200), nullable=True),
        sa.Column("check", sa.String(length=200), nullable=True),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("cluster", sa.String(length=200), nullable=True),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scan_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('link', 'text', 'scan')", name=op.f("ck_evidence_kind_known")),
        sa.CheckConstraint(
            "result IS NULL OR result IN ('pass', 'fail', 'not_evaluated')", name=op.f("ck_evidence_result_known")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_evidence_assessment_id_assessments"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_assessment_id_item_id", ["assessment_id", "item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_assessment_id_item_id")
    op.drop_table("evidence")
    with op.batch_alter_table("checklist_statuses", schema=None) as batch_op:
        batch_op.drop_column("due_on")
