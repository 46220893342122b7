"""Pages that only read run without a database transaction.

A transaction costs two extra round trips to PostgreSQL per request (BEGIN before the first
statement, ROLLBACK at the end). The busiest pages (the report, a shared report, the dashboard)
only read, so their requests use the connection in autocommit mode: each statement still sees
one consistent snapshot, exactly as under PostgreSQL's default READ COMMITTED isolation, where
every statement of a transaction takes a fresh snapshot anyway.

A view is marked with ``@read_only``; a flush (an ORM write) during such a request is refused,
so a later change that makes one of these pages write fails loudly in the tests instead of
writing outside a transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from advisor.extensions import db

View = TypeVar("View", bound=Callable[..., Any])
MARK = "_advisor_read_only"


class WriteInReadOnlyRequest(RuntimeError):
    """A view marked read-only tried to write."""


def read_only(view: View) -> View:
    """Mark a view that never writes: its request runs in autocommit mode."""
    setattr(view, MARK, True)
    return view


def _before_request() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, MARK, False):
        g.read_only = True
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _refuse_flush(session: Session, *_: Any) -> None:
    if has_request_context() and g.get("read_only") and (session.new or session.dirty or session.deleted):
        raise WriteInReadOnlyRequest(f"{request.endpoint} is marked read-only but tried to write")


def init_app(app: Flask) -> None:
    """Register before anything else touches the database in a request (the sign-in gate does)."""
    app.before_request(_before_request)
    if not event.contains(Session, "before_flush", _refuse_flush):
        event.listen(Session, "before_flush", _refuse_flush)
