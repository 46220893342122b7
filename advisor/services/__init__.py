"""Use cases: answers → engine → stored revisions. Services flush; the caller commits."""

from typing import Any

from sqlalchemy.orm import Session, scoped_session

# a plain session, or Flask-SQLAlchemy's request-scoped proxy for one
DbSession = Session | scoped_session[Any]
