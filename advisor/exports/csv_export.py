"""CSV export of a stored revision's checklist, one row per item, with its current status.

Encoding: UTF-8 with a byte-order mark, so Excel opens it as UTF-8 rather than the
system code page (other tools skip the BOM); CRLF line ends as RFC 4180 says; every cell
quoted. Every cell goes through ``safe_cell``, so no text ever becomes a formula: a cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'``,
and so is every piece of a cell after a ``;``, ``,``, tab or line break, since a spreadsheet
that splits on its locale's separator (or ignores the quotes) makes a cell of each piece.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from advisor.exports import Export, file_stem
from advisor.exports.document import ExportDocument
from advisor.exports.result import references_text
from advisor.exports.text import FORMULA_PREFIXES

MIMETYPE = "text/csv"  # bytes in UTF-8; Response(mimetype=...) adds "; charset=utf-8" to text/* itself
BOM = "\ufeff"
COLUMNS = ("id", "topic", "priority", "title", "status", "owner", "note", "references", "why", "how", "decisions")
FORMULA_STARTS = ("=", "+", "-", "@")
_SEPARATOR = re.compile(r"([;,\t\r\n])")  # kept in the split: odd indices are separators


def _live(piece: str) -> bool:
    """Would a spreadsheet read this (a cell, or a piece of one after a separator) as a formula?

    Leading spaces and quotes are skipped: some spreadsheets trim them on import.
    """
    return piece.startswith(FORMULA_PREFIXES) or piece.lstrip(' "').startswith(FORMULA_STARTS)


def safe_cell(value: object) -> str:
    """The value as text that no spreadsheet reads as a formula, however it splits the cell."""
    text = "" if value is None else str(value)
    if _live(text):
        text = "'" + text
    pieces = _SEPARATOR.split(text)
    return "".join("'" + p if i and not i % 2 and _live(p) else p for i, p in enumerate(pieces))


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV with CRLF line ends and every cell quoted; every cell goes through ``safe_cell``."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()


def to_csv(doc: ExportDocument) -> str:
    rows = []
    for item in doc.result["checklist"]:
        st = doc.status_of(item["id"])
        rows.append(
            [
                *(item["id"], item["topic"], item["priority"], item["title"], st.status, st.owner, st.note),
                *(references_text(item), item["why"], item["how"], " ".join(item["decisions"])),
            ]
        )
    return csv_text(COLUMNS, rows)


def render(doc: ExportDocument) -> Export:
    return Export((BOM + to_csv(doc)).encode("utf-8"), MIMETYPE, f"{file_stem(doc)}.csv")
