"""CSV exports of a stored revision: the checklist, one row per item with its current status; the
compliance mapping, one row per requirement of each ticked framework and checklist item answering it; and
the tables zip, every table of ``advisor.exports.tables`` as a CSV file (the checklist's long tables: its
references, decisions, framework mappings, evidence, exceptions and the activity log).

Every row starts with the assessment's id and title, the revision, the export's id and the moment it is as
of; times are ISO 8601 in UTC with their offset, dates ``YYYY-MM-DD``; a code sits beside its label; no cell
holds a list but the checklist's ``evidence`` (in words, one entry a line; the evidence table has them one a row).

Encoding: UTF-8 with a byte-order mark, so Excel opens it as UTF-8 rather than the
system code page (other tools skip the BOM); CRLF line ends as RFC 4180 says; every cell
quoted. Every cell goes through ``text.csv_cell``, so no text ever becomes a formula: a cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'``,
and so is every piece of a cell after a ``;``, ``,``, tab or line break, since a spreadsheet
that splits on its locale's separator (or ignores the quotes) makes a cell of each piece.
"""

from __future__ import annotations

import datetime as dt

from advisor.exports import Export, file_stem, iso, utc
from advisor.exports import tables as t
from advisor.exports.archive import zip_with_manifest
from advisor.exports.document import ExportDocument
from advisor.exports.text import csv_text

MIMETYPE = "text/csv"  # bytes in UTF-8; Response(mimetype=...) adds "; charset=utf-8" to text/* itself
ZIP_MIMETYPE = "application/zip"
BOM = "\ufeff"
COLUMNS = (*t.CONTEXT_COLUMNS, *t.CHECKLIST_COLUMNS)
MAPPING_COLUMNS = (*t.CONTEXT_COLUMNS, *t.MAPPING_COLUMNS)


def csv_value(cell: t.Cell) -> str:
    """ISO 8601 for times (UTC, with the offset) and dates; "" for none."""
    if isinstance(cell, dt.datetime):
        return iso(cell) or ""
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return "" if cell is None else str(cell)


def table_csv(doc: ExportDocument, table: t.Table) -> str:
    columns, rows = t.with_context(doc, table)
    return csv_text(columns, ([csv_value(c) for c in row] for row in rows))


def to_csv(doc: ExportDocument) -> str:
    return table_csv(doc, t.checklist(doc))


def render(doc: ExportDocument) -> Export:
    return Export((BOM + to_csv(doc)).encode("utf-8"), MIMETYPE, f"{file_stem(doc)}.csv")


def to_mapping_csv(doc: ExportDocument) -> str:
    return table_csv(doc, t.mapping(doc))


def render_mapping(doc: ExportDocument) -> Export:
    return Export((BOM + to_mapping_csv(doc)).encode("utf-8"), MIMETYPE, f"{file_stem(doc)}-compliance.csv")


def render_tables(doc: ExportDocument) -> Export:
    """A zip of one CSV file per table (``checklist.csv``, ``references.csv``, …), each as the checklist CSV is
    written; the zip's entries carry the export's as-of time, so the same export gives the same bytes."""
    files = {f"{table.file}.csv": (BOM + table_csv(doc, table)).encode("utf-8") for table in t.all_tables(doc)}
    return Export(zip_with_manifest(files, utc(doc.as_of_time)), ZIP_MIMETYPE, f"{file_stem(doc)}-tables.zip")
