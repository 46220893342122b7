"""Back up every table to one JSON file, and restore it into an empty database, losslessly.

Rows are written in primary-key order with timestamps in UTC, so backing up a restored
database gives a byte-identical file.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from advisor.models import Base
from advisor.services import DbSession

FORMAT = "advisor-backup"
FORMAT_VERSION = 1


def _tables() -> list[sa.Table]:
    return list(Base.metadata.sorted_tables)  # parents before children


def _dump_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).isoformat()
    return value


def _load_value(column: sa.Column[Any], value: Any) -> Any:
    if value is not None and isinstance(column.type, sa.DateTime):
        return dt.datetime.fromisoformat(value)
    return value


def backup(session: DbSession) -> str:
    data: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION, "tables": {}}
    for table in _tables():
        keys = list(table.primary_key.columns)
        rows = session.execute(sa.select(table).order_by(*keys)).mappings()
        data["tables"][table.name] = [{k: _dump_value(v) for k, v in row.items()} for row in rows]
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


class RestoreError(ValueError):
    """The file cannot be restored here; the message says why."""


def restore(session: DbSession, text: str) -> dict[str, int]:
    """Load a backup into an empty database; returns the number of rows per table."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RestoreError(f"not a backup file: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RestoreError("not an advisor backup file")
    if data.get("format_version") != FORMAT_VERSION:
        raise RestoreError(
            f"backup format version {data.get('format_version')} is not supported (expected {FORMAT_VERSION})"
        )
    tables = data.get("tables", {})
    unknown = sorted(set(tables) - {t.name for t in _tables()})
    if unknown:
        raise RestoreError(f"unknown tables in the backup: {', '.join(unknown)}")
    for table in _tables():
        if session.execute(sa.select(sa.func.count()).select_from(table)).scalar():
            raise RestoreError(f"the database is not empty (table {table.name} has rows); restore needs an empty one")
    counts = {}
    for table in _tables():
        rows = tables.get(table.name, [])
        if rows:
            columns = table.columns
            session.execute(table.insert(), [{k: _load_value(columns[k], v) for k, v in row.items()} for row in rows])
        counts[table.name] = len(rows)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":  # let new rows continue after the restored ids
        for table in _tables():
            if "id" in table.columns and counts[table.name]:
                # table names come from our own metadata, never from the file
                statement = (
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))"  # noqa: S608
                )
                session.execute(sa.text(statement))
    session.flush()
    return counts
