"""server-side sessions, a random page key per revision, ids never reused on SQLite

Revision ID: d10a5e55c0de
Revises: 8f3c2a61d0b4
Create Date: 2026-12-02 02:15:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "d10a5e55c0de"
down_revision = "8f3c2a61d0b4"
branch_labels = None
depends_on = None

# parents before children; on SQLite each is rebuilt with AUTOINCREMENT (env.py turns foreign keys off
# for the run, so rebuilding a parent does not cascade into its children)
TABLES = (
    "users",
    "api_tokens",
    "workspaces",
    "assessments",
    "memberships",
    "audit_events",
    "checklist_statuses",
    "revisions",
    "share_links",
)


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL's sequences never hand out an id twice
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page_key", sa.String(length=32), nullable=True))
    revisions = sa.table("revisions", sa.column("id", sa.Integer()), sa.column("page_key", sa.String()))
    bind = op.get_bind()
    for (revision_id,) in bind.execute(sa.select(revisions.c.id)).all():
        bind.execute(
            revisions.update().where(revisions.c.id == revision_id).values(page_key=secrets.token_hex(16))
        )
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.alter_column("page_key", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_revisions_page_key"), ["page_key"])

    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_revisions_page_key"), type_="unique")
        batch_op.drop_column("page_key")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
