"""trigram index for the dashboard's title search (PostgreSQL only)

Revision ID: 8f3c2a61d0b4
Revises: 5ca33b872965
Create Date: 2026-11-23 17:20:00

"""

from alembic import op

revision = "8f3c2a61d0b4"
down_revision = "5ca33b872965"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_assessments_title_trgm",
        "assessments",
        ["title"],
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_assessments_title_trgm", table_name="assessments")
