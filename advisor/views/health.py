"""Liveness endpoint for load balancers and orchestrators."""

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """The process is up and answering; says nothing about the database."""
    return {"status": "ok"}, 200
