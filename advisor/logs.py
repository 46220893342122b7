"""One JSON line per request on the ``advisor.access`` logger: what was asked and how it went, never secrets."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from flask import Flask, Response, g, request

access_log = logging.getLogger("advisor.access")


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
