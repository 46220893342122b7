"""Use cases: answers → engine → stored revisions. Services flush; the caller commits."""

from typing import Any

from sqlalchemy.orm import Session, scoped_session

# a plain session, or Flask-SQLAlchemy's request-scoped proxy for one
DbSession = Session | scoped_session[Any]


class Refused(ValueError):
    """What was asked cannot be done as asked; ``field`` names what to correct, the message says why (for
    people: a form shows it under that field, the API answers it under that key)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
