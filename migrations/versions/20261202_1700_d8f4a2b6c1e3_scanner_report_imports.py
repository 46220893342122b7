"""scanner report imports: the record of each imported report, and reports waiting for their preview's confirmation

Revision ID: d8f4a2b6c1e3
Revises: c7e3f1a9b2d4
Create Date: 2026-12-02 17:00:00

Evidence entries of kind scan now name their report (scan_id, removed with it). Entries saved before this
have no report: none was imported then. Downgrading drops both tables, and with them the record of which
files were imported.
"""

import sqlalchemy as sa
from alembic import op

revision = "d8f4a2b6c1e3"
down_revision = "c7e3f1a9b2d4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("scan", sa.JSON(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_pending_scans_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_scans")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("pending_scans", schema=None) as batch_op:
        batch_op.create_index("ix_pending_scans_assessment_id", ["assessment_id"], unique=False)
    op.create_table(
        "scan_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("tool", sa.String(length=20), nullable=False),
        sa.Column("tool_version", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("benchmarks", sa.JSON(), nullable=False),
        sa.Column("cluster", sa.String(length=200), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("not_evaluated", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_scan_imports_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_imports")),
        sa.UniqueConstraint("assessment_id", "digest", name=op.f("uq_scan_imports_assessment_id")),
        sqlite_autoincrement=True,
    )
    # SQLite rebuilds the table to add the key: keep its ids never reused
    with op.batch_alter_table("evidence", schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_scan_id_scan_imports"), "scan_imports", ["scan_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    # SQLite rebuilds the table to add the key: keep its ids never reused
    with op.batch_alter_table("evidence", schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_evidence_scan_id_scan_imports"), type_="foreignkey")
    op.drop_table("scan_imports")
    with op.batch_alter_table("pending_scans", schema=None) as batch_op:
        batch_op.drop_index("ix_pending_scans_assessment_id")
    op.drop_table("pending_scans")
