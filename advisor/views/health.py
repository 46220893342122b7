"""The probes of load balancers and orchestrators: liveness (``/healthz``) and readiness (``/readyz``)."""

from typing import Any

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """The process is up and answering; says nothing about the database."""
    return {"status": "ok"}, 200


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Ready when the database answers and its schema is at the migrations' head."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask import current_app

    from advisor.extensions import db, migrate

    try:
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # any failure to reach the database means not ready
        current_app.logger.warning("readiness: database unreachable: %s", type(exc).__name__)
        return {"status": "unavailable", "database": "unreachable"}, 503
    config = migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    if current != heads:
        return {"status": "unavailable", "database": "reachable", "migrations": "not current"}, 503
    return {"status": "ok", "database": "reachable", "migrations": "current"}, 200
