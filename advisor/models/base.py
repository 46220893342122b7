"""Declarative base with a naming convention, so migrations name every constraint."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from sqlalchemy import JSON, DateTime, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

IntPK = Annotated[int, mapped_column(primary_key=True)]
Created = Annotated[dt.datetime, mapped_column(DateTime(timezone=True), server_default=func.now())]
Updated = Annotated[dt.datetime, mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())]
Actor = Annotated[str | None, mapped_column(String(200))]
# SQLite reuses the highest rowid once its row is deleted; AUTOINCREMENT never hands out an id twice,
# as PostgreSQL's sequences do not: an id names one row for the life of the database.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class Base(DeclarativeBase):
    __table_args__: Any = NEVER_REUSE_IDS  # a model with table arguments of its own ends them with NEVER_REUSE_IDS

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dict[str, Any]: JSON, list[Any]: JSON},
    )
