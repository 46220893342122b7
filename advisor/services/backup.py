"""Back up every table to one JSON file, and restore it into an empty database, losslessly.

Rows are written in primary-key order with timestamps in UTC, so backing up a restored
database gives a byte-identical file.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from advisor.engine.result import close_call
from advisor.models import Base
from advisor.services import DbSession

FORMAT = "advisor-backup"
FORMAT_VERSION = 2  # 2: drafts as one document (models.Draft); 1 is still read (see _drafts_as_documents)


def _tables() -> list[sa.Table]:
    return list(Base.metadata.sorted_tables)  # parents before children


def _dump_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def backup(session: DbSession) -> str:
    data: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION, "tables": {}}
    for table in _tables():
        keys = list(table.primary_key.columns)
        rows = session.execute(sa.select(table).order_by(*keys)).mappings()
        data["tables"][table.name] = [{k: _dump_value(v) for k, v in row.items()} for row in rows]
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


class RestoreError(ValueError):
    """The file cannot be restored here; the message says why (which table, row and column)."""


def _kind(value: Any) -> str:
    """The JSON type of a parsed value, for messages: ``an array``, ``a string``…"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    for kind, name in ((dict, "an object"), (list, "an array"), (str, "a string"), (int, "an integer")):
        if isinstance(value, kind):
            return name
    return "a number"


def _show(value: Any) -> str:
    """A value as JSON, shortened for a message."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (a leading byte-order mark is allowed), nothing else."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise RestoreError("the file is UTF-32 encoded; a backup is UTF-8 (convert it back, e.g. with iconv)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RestoreError(
            "the file is UTF-16 encoded (as PowerShell's > writes it); a backup is UTF-8: "
            "write it with `advisor backup FILE` or convert it back, e.g. with iconv"
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise RestoreError(
            f"the file holds NUL bytes (the first at byte {nul}): it is not UTF-8 JSON "
            "(UTF-16 without a byte-order mark, or not a backup at all)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RestoreError(
            f"the file is not valid UTF-8: byte {data[exc.start]:#04x} at offset {exc.start} "
            f"(line {line}): {exc.reason}"
        ) from exc


def _parse(text: str) -> dict[str, Any]:
    """The top level of a backup: the right format and version, and a ``tables`` object."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RestoreError(f"not a backup file: it is not JSON ({exc})") from exc
    except RecursionError as exc:
        raise RestoreError("not a backup file: its JSON is nested too deeply") from exc
    if not isinstance(data, dict):
        raise RestoreError(f"not an advisor backup file: it holds {_kind(data)}, not an object")
    if data.get("format") != FORMAT:
        found = _show(data["format"]) if "format" in data else "missing"
        raise RestoreError(f'not an advisor backup file: its "format" is {found}, not "{FORMAT}"')
    version = data.get("format_version")
    if type(version) is not int or version not in (1, FORMAT_VERSION):
        raise RestoreError(f"backup format version {_show(version)} is not supported (expected 1 or {FORMAT_VERSION})")
    if "tables" not in data:
        raise RestoreError('the backup has no "tables" object')
    if not isinstance(data["tables"], dict):
        raise RestoreError(f'"tables" must be an object mapping table names to rows, not {_kind(data["tables"])}')
    unknown = sorted(set(data["tables"]) - {t.name for t in _tables()})
    if unknown:
        raise RestoreError(f"unknown tables in the backup: {', '.join(unknown)}")
    if version == 1:
        _drafts_as_documents(data["tables"].get("assessments"))
    _close_calls_read_from_results(data["tables"].get("revisions"))
    return data


def _close_calls_read_from_results(rows: Any) -> None:
    """A backup taken before revisions recorded their close calls: each is read from the stored result, as
    the database migration did. Rows of the wrong shape are left for the checks to name."""
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict) and "close_calls" not in row and isinstance(row.get("result"), dict):
            decisions = row["result"].get("decisions")
            if isinstance(decisions, list):
                row["close_calls"] = [d["id"] for d in decisions if isinstance(d, dict) and "id" in d and close_call(d)]


def _drafts_as_documents(rows: Any) -> None:
    """A version 1 file holds each draft as one flat object, the form's values beside ``_steps_done`` and
    ``_base_revision``: rewritten as the database migration rewrote stored drafts, so a backup taken before
    the upgrade restores with its drafts. Rows of the wrong shape are left for the checks to name."""
    for row in rows if isinstance(rows, list) else []:
        flat = row.get("draft") if isinstance(row, dict) else None
        if isinstance(flat, dict):
            row["draft"] = (
                {
                    "values": {k: v for k, v in flat.items() if not k.startswith("_")},
                    "steps_done": flat.get("_steps_done", []),
                    "base_revision": flat.get("_base_revision", row.get("latest_revision_number", 0)),
                }
                if flat
                else None  # the empty draft a new assessment started with holds nothing
            )


_INTEGER_BITS = ((sa.BigInteger, 64), (sa.SmallInteger, 16), (sa.Integer, 32))


def _load_value(column: sa.Column[Any], value: Any, where: str) -> Any:
    """``value`` from the file as the column holds it; RestoreError if it cannot be."""
    place = f"{where}, column {column.name}"
    if value is None:
        if not column.nullable:
            raise RestoreError(f"{place}: must not be null")
        return None
    kind = column.type
    if isinstance(kind, sa.Boolean):
        if not isinstance(value, bool):
            raise RestoreError(f"{place}: expected true or false, got {_kind(value)} ({_show(value)})")
    elif isinstance(kind, sa.Integer):
        if type(value) is not int:
            raise RestoreError(f"{place}: expected an integer, got {_kind(value)} ({_show(value)})")
        bits = next(n for cls, n in _INTEGER_BITS if isinstance(kind, cls))
        if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise RestoreError(f"{place}: {value} is out of range for a {bits}-bit integer")
    elif isinstance(kind, sa.Date):
        if not isinstance(value, str):
            raise RestoreError(f"{place}: expected an ISO 8601 date string, got {_kind(value)} ({_show(value)})")
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise RestoreError(f"{place}: {_show(value)} is not an ISO 8601 date") from exc
    elif isinstance(kind, sa.DateTime):
        if not isinstance(value, str):
            raise RestoreError(
                f"{place}: expected an ISO 8601 date and time string, got {_kind(value)} ({_show(value)})"
            )
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise RestoreError(f"{place}: {_show(value)} is not an ISO 8601 date and time") from exc
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # written in UTC
    elif isinstance(kind, sa.String):
        if not isinstance(value, str):
            raise RestoreError(f"{place}: expected a string, got {_kind(value)} ({_show(value)})")
        if kind.length is not None and len(value) > kind.length:
            raise RestoreError(f"{place}: {len(value)} characters, the column holds at most {kind.length}")
        if "\x00" in value:
            raise RestoreError(f"{place}: holds a NUL character, which the database cannot store")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RestoreError(
                f"{place}: holds a lone surrogate ({value[exc.start]!a}), which is not valid Unicode"
            ) from exc
    return value  # JSON columns take any JSON value


def _unique_keys(table: sa.Table) -> list[tuple[str, ...]]:
    """The column sets whose values must be unique: primary key, unique constraints and unique indexes."""
    keys = [tuple(c.name for c in table.primary_key.columns)]  # first, so a copied row is named by its key
    keys += sorted(
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, sa.UniqueConstraint)
    )
    keys += [tuple(c.name for c in index.columns) for index in table.indexes if index.unique and index.columns]
    return [key for key in dict.fromkeys(keys) if key]


class _Checked:
    """Rows checked so far, for the uniqueness and foreign-key checks of the tables after them."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self._present: dict[tuple[str, tuple[str, ...]], set[tuple[Any, ...]]] = {}

    def present(self, table: str, columns: tuple[str, ...]) -> set[tuple[Any, ...]]:
        key = (table, columns)
        if key not in self._present:
            self._present[key] = {tuple(row.get(c) for c in columns) for row in self.rows.get(table, [])}
        return self._present[key]


def _check_table(table: sa.Table, rows: Any, checked: _Checked) -> list[dict[str, Any]]:
    """The table's rows, converted, after checking every value; RestoreError naming the first problem."""
    if not isinstance(rows, list):
        raise RestoreError(f"table {table.name}: expected a list of rows (JSON objects), got {_kind(rows)}")
    names = list(table.columns.keys())
    required = [c.name for c in table.columns if not c.nullable and c.default is None and c.server_default is None]
    loaded = []
    for index, row in enumerate(rows):
        where = f"table {table.name}, row {index}"
        if not isinstance(row, dict):
            raise RestoreError(f"{where}: expected an object of column values, got {_kind(row)}")
        unknown = [k for k in row if k not in table.columns]
        if unknown:
            raise RestoreError(
                f"{where}: unknown column{'s' if len(unknown) > 1 else ''} {', '.join(map(_show, unknown))} "
                f"(the columns are {', '.join(names)})"
            )
        missing = [name for name in required if name not in row]
        if missing:
            raise RestoreError(
                f"{where}: missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
            )
        loaded.append({k: _load_value(table.columns[k], v, where) for k, v in row.items()})
    checked.rows[table.name] = loaded
    for columns in _unique_keys(table):
        seen: dict[tuple[Any, ...], int] = {}
        for index, row in enumerate(loaded):
            values = tuple(row.get(c) for c in columns)
            if None in values:
                continue  # NULLs never clash
            if values in seen:
                shown = ", ".join(f"{c}={_show(rows[index].get(c))}" for c in columns)
                raise RestoreError(f"table {table.name}, row {index}: duplicate {shown} (as in row {seen[values]})")
            seen[values] = index
    for fk in table.foreign_key_constraints:
        local = tuple(fk.column_keys)
        parent = fk.referred_table.name
        remote = tuple(element.column.name for element in fk.elements)
        present = checked.present(parent, remote)
        for index, row in enumerate(loaded):
            values = tuple(row.get(c) for c in local)
            if None not in values and values not in present:
                target = ", ".join(f"{r}={_show(v)}" for r, v in zip(remote, values, strict=True))
                raise RestoreError(
                    f"table {table.name}, row {index}, column {', '.join(local)}: refers to no row of table "
                    f"{parent} (none with {target} in the backup)"
                )
    return loaded


def _database_says(exc: sa.exc.SQLAlchemyError) -> str:
    """The database's own words, without the statement and its parameters (which hold password hashes)."""
    cause = getattr(exc, "orig", None) or exc
    text = " ".join(str(cause).split())
    return text if len(text) <= 300 else text[:297] + "…"


def restore(session: DbSession, content: str | bytes) -> dict[str, int]:
    """Load a backup into an empty database; returns the number of rows per table.

    Everything in the file is checked before the first row is written: the format, every table,
    row, column and value (type, length, NULLs), duplicate keys and references between rows. What
    only the database checks is reported as a RestoreError naming the table. On any RestoreError
    the caller rolls back: nothing is left half-restored.
    """
    data = _parse(decode(content) if isinstance(content, bytes) else content)
    checked = _Checked()
    for table in _tables():  # parents before children, so references can be checked
        _check_table(table, data["tables"].get(table.name, []), checked)
    for table in _tables():
        try:
            in_use = session.execute(sa.select(sa.func.count()).select_from(table)).scalar()
        except sa.exc.SQLAlchemyError as exc:
            raise RestoreError(
                f"cannot read table {table.name} ({_database_says(exc)}); run `advisor db upgrade` first"
            ) from exc
        if in_use:
            raise RestoreError(f"the database is not empty (table {table.name} has rows); restore needs an empty one")
    counts = {}
    for table in _tables():
        rows = checked.rows[table.name]
        batches: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:  # one statement per set of columns: executemany takes its columns from the first row
            batches.setdefault(tuple(sorted(row)), []).append(row)
        try:
            for batch in batches.values():
                session.execute(table.insert(), batch)
        except sa.exc.SQLAlchemyError as exc:
            raise RestoreError(f"table {table.name}: the database refused the rows: {_database_says(exc)}") from exc
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
