"""Error pages in the app's look; never a stack trace in a response."""

from __future__ import annotations

import contextlib

from flask import Flask, render_template, request
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from werkzeug.exceptions import HTTPException

from advisor.services.throttle import seconds_until

MESSAGES = {
    400: "The request could not be understood.",
    403: "You may not do that.",
    404: "There is nothing here, or it is not yours to see.",
    405: "That action is not allowed here.",
    413: "What you sent is too large.",
    429: "Too many requests: wait a moment and try again.",
    500: "Something went wrong on our side. Nothing you saved was lost.",
    503: "The service is unavailable for a moment. Try again shortly.",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _render(code: int, name: str):  # type: ignore[no-untyped-def]
    message = MESSAGES.get(code, name)
    if _wants_json():
        return {"errors": [{"key": "(request)", "message": message}]}, code
    return render_template("errors/error.html", code=code, name=name, message=message), code


def _retry_after() -> int:
    """Seconds until the limit that refused this request lets it through again."""
    from advisor.extensions import limiter

    current = limiter.current_limit
    return seconds_until(current.reset_at) if current else 60


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        code = exc.code or 500
        response = _render(code, exc.name)
        if code == 405 and exc.get_response().headers.get("Allow"):
            return (*response, {"Allow": exc.get_response().headers["Allow"]})
        if code == 429:
            wait = getattr(exc, "retry_after", None)
            return (*response, {"Retry-After": str(wait if isinstance(wait, int) else _retry_after())})
        return response

    @app.errorhandler(DataError)
    def unstorable_input(exc: Exception):  # type: ignore[no-untyped-def]
        """Input the database cannot hold (PostgreSQL refuses NUL characters in text): the client's mistake."""
        from flask import g

        from advisor.extensions import db, login_manager

        with contextlib.suppress(Exception):
            db.session.rollback()
        g.setdefault("_login_user", login_manager.anonymous_user())
        message = "The request holds characters that cannot be stored (such as NUL)."
        if _wants_json():
            return {"errors": [{"key": "(request)", "message": message}]}, 400
        return render_template("errors/error.html", code=400, name="Bad Request", message=message), 400

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(SATimeoutError)
    def database_unavailable(exc: Exception):  # type: ignore[no-untyped-def]
        """The database is down or unreachable: a friendly 503, and the pool is ready to reconnect."""
        app.logger.warning("database unavailable on %s %s: %s", request.method, request.path, type(exc).__name__)
        from flask import g

        from advisor.extensions import db, login_manager

        g._login_user = login_manager.anonymous_user()  # the page must not ask the database who is signed in
        with contextlib.suppress(Exception):  # the connection is gone already; the pool reconnects on next use
            db.session.rollback()
        response = _render(503, "Service Unavailable")
        return (*response, {"Retry-After": "5"})

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _render(500, "Internal Server Error")
