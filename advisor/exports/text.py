"""Escaping helpers shared by the text export formats."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")
_CODE_SPAN = re.compile(r"(`[^`]*`)")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def md_escape(text: object) -> str:
    """Escape Markdown and HTML specials so text renders literally, on one line."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def md_prose(text: object) -> str:
    """Knowledge-base prose keeps its `code` spans; raw HTML outside them is neutralised; lines are joined."""
    flat = " ".join(str(text).split())
    parts = _CODE_SPAN.split(flat)
    return "".join(
        part if i % 2 else part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        for i, part in enumerate(parts)
    )


FORMULA_STARTS = ("=", "+", "-", "@")
_SEPARATOR = re.compile(r"([;,\t\r\n])")  # kept in the split: odd indices are separators


def _live(piece: str) -> bool:
    """Would a spreadsheet read this (a cell, or a piece of one after a separator) as a formula?

    Leading spaces and quotes are skipped: some spreadsheets trim them on import.
    """
    return piece.startswith(FORMULA_PREFIXES) or piece.lstrip(' "').startswith(FORMULA_STARTS)


def csv_cell(value: object) -> str:
    """The value as text no spreadsheet reads as a formula, however it splits the cell: a cell
    starting with = + - @, a tab or a carriage return, and every piece after a ; , tab or line
    break that does, is prefixed with a quote (a spreadsheet splitting on its locale's separator,
    or ignoring the quotes, makes a cell of each piece)."""
    text = "" if value is None else str(value)
    if _live(text):
        text = "'" + text
    pieces = _SEPARATOR.split(text)
    return "".join("'" + p if i and not i % 2 and _live(p) else p for i, p in enumerate(pieces))


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV with CRLF line ends (RFC 4180) and every cell quoted; every cell goes through ``csv_cell``."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return out.getvalue()
