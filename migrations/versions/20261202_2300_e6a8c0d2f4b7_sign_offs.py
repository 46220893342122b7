"""sign-offs: an assessor signs a revision off, an owner who did not author it approves it

Revision ID: e6a8c0d2f4b7
Revises: d5f7b9c1e3a6
Create Date: 2026-12-02 23:00:00

A new table; revisions saved before it have no sign-off, and their decision records stay "proposed".
"""

import sqlalchemy as sa
from alembic import op

revision = "e6a8c0d2f4b7"
down_revision = "d5f7b9c1e3a6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_offs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("signed_by", sa.String(length=200), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.CheckConstraint("role IN ('assessor', 'approver')", name=op.f("ck_sign_offs_role_known")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_sign_offs_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revisions.id"], name=op.f("fk_sign_offs_revision_id_revisions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_offs")),
        sa.UniqueConstraint("revision_id", "role", name="uq_sign_offs_revision_id_role"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("sign_offs", schema=None) as batch_op:
        batch_op.create_index("ix_sign_offs_assessment_id", ["assessment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sign_offs", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_offs_assessment_id")
    op.drop_table("sign_offs")
