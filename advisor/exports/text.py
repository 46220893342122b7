"""Escaping helpers shared by the text export formats."""

from __future__ import annotations

import re

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


def csv_cell(value: object) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is prefixed with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
