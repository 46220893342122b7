"""baseline: empty schema

Revision ID: 19e01f2e9df4
Revises:
Create Date: 2026-11-23 13:46:42

The starting point every later migration builds on; it creates no tables.
"""

revision = "19e01f2e9df4"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
