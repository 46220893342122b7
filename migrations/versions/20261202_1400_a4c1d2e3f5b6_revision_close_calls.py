"""revisions remember which decisions were close calls, for the dashboard

Revision ID: a4c1d2e3f5b6
Revises: 7b1e5c0a9d24
Create Date: 2026-12-02 14:00:00

``close_calls`` lists the ids of the decisions whose recommendation led the runner-up by less than
5 points (ties included), read from each stored result: its own ``close_call`` where the engine
wrote one (version 2 results), else its margin (version 1 results did not say). The dashboard reads
this column so it need not load whole results.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "a4c1d2e3f5b6"
down_revision = "7b1e5c0a9d24"
branch_labels = None
depends_on = None

CLOSE_CALL = 0.05  # advisor.engine.result.CLOSE_CALL when this was written

revisions = sa.table(
    "revisions",
    sa.column("id", sa.Integer()),
    sa.column("result", sa.JSON()),
    sa.column("close_calls", sa.JSON()),
)


def _close_calls(result: dict[str, Any]) -> list[str]:
    calls = []
    for decision in result.get("decisions", []):
        if "close_call" in decision:
            close = bool(decision["close_call"])
        else:
            margin = decision.get("margin")
            close = margin is not None and margin < CLOSE_CALL
        if close:
            calls.append(decision["id"])
    return calls


def upgrade() -> None:
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("close_calls", sa.JSON(), nullable=False, server_default="[]"))
    bind = op.get_bind()
    for revision_id, result in bind.execute(sa.select(revisions.c.id, revisions.c.result)).all():
        calls = _close_calls(result)
        if calls:
            bind.execute(sa.update(revisions).where(revisions.c.id == revision_id).values(close_calls=calls))


def downgrade() -> None:
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.drop_column("close_calls")
