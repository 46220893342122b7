"""Running in production: readiness, one JSON log line per request, and refusing unsafe settings."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, g, request

from advisor.config import GeneratedSecretKey

bp = Blueprint("ops", __name__)
access_log = logging.getLogger("advisor.access")


class UnsafeConfiguration(RuntimeError):
    """Production mode found a setting that must not be used there; the message says which and why."""


def check_production(app: Flask, environ: Mapping[str, str] | None = None) -> None:
    """In production mode (ADVISOR_ENV=production), refuse to start with an unsafe configuration.

    Reads the resolved configuration (a secret key or URL from a ``_FILE`` counts like one set
    directly); the environment says whether production mode is on and how many processes run.
    """
    env = os.environ if environ is None else environ
    if env.get("ADVISOR_ENV", "").lower() != "production":
        return
    problems = []
    key = app.config.get("SECRET_KEY")
    if not key or isinstance(key, GeneratedSecretKey):
        problems.append(
            "ADVISOR_SECRET_KEY is not set: every instance needs the same explicit secret key"
            " (ADVISOR_SECRET_KEY_FILE naming a mounted secret file, or ADVISOR_SECRET_KEY)"
        )
    elif len(key) < 32:
        problems.append("ADVISOR_SECRET_KEY is shorter than 32 characters")
    if app.debug or env.get("FLASK_DEBUG", "").lower() in ("1", "true", "yes"):
        problems.append("debug mode is on: it shows stack traces and runs an interactive debugger")
    instances = max(int(env.get("ADVISOR_INSTANCES", "1") or 1), int(env.get("WEB_CONCURRENCY", "1") or 1))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and instances > 1:
        problems.append(f"SQLite cannot be shared by {instances} instances or workers: use PostgreSQL")
    if str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://") and instances > 1:
        problems.append(
            f"ADVISOR_RATELIMIT_STORAGE_URL is memory://, so each of the {instances} instances or workers"
            " would count sign-in attempts on its own and the throttling multiplies:"
            " point every instance at one shared store, e.g. redis://advisor-redis:6379/0"
            " (ADVISOR_RATELIMIT_STORAGE_URL_FILE may name a file holding the URL with its password)"
        )
    if problems:
        raise UnsafeConfiguration("refusing to start in production mode:\n" + "\n".join(f"  - {p}" for p in problems))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        entry.update(getattr(record, "fields", {}) or {"message": record.getMessage()})
        return json.dumps(entry, separators=(",", ":"))


def init_app(app: Flask) -> None:
    if not access_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        """Method, route pattern (never the URL with its ids or tokens), status, time, user: no secrets or answers."""
        started = g.get("request_started")
        # only a user this request already loaded: logging must never query the database itself
        user = g.get("api_user") or g.get("_login_user")
        access_log.info(
            "request",
            extra={
                "fields": {
                    "method": request.method,
                    "route": request.url_rule.rule if request.url_rule else None,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
                    "user_id": getattr(user, "id", None),
                }
            },
        )
        return response


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
