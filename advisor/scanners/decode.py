"""Bytes → JSON value: size limit, encoding (UTF-8 with or without BOM, UTF-16 with BOM), then the JSON itself."""

from __future__ import annotations

import codecs
import json
import math
from typing import Any

from advisor.scanners._model import ScanError

_SAVE_AS = "save the scanner's output as UTF-8 and try again"


def size_text(size: int, *, round_up: bool) -> str:
    """A byte count for people: "61 MB", "2.5 KB", "300 bytes" (rounded away from the limit it is compared to)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            tenths = size * 10 / scale
            value = (math.ceil(tenths) if round_up else math.floor(tenths)) / 10
            return f"{value:g} {unit}"
    return f"{size} bytes" if size != 1 else "1 byte"


def _encoding(data: bytes) -> tuple[str, int]:
    """The codec and BOM length of `data`; ScanError for encodings this app does not read."""
    # UTF-32 first: its little-endian BOM begins with UTF-16's
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ScanError(f"the file is UTF-32 encoded; {_SAVE_AS}")
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", len(codecs.BOM_UTF8)
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    # JSON text begins with an ASCII character, so zero bytes among the first four give a BOM-less wide encoding away
    head = data[:4]
    if len(head) == 4 and head.count(0) == 3:
        raise ScanError(f"the file is UTF-32 encoded; {_SAVE_AS}")
    if len(head) >= 2 and (head[0] == 0) != (head[1] == 0):
        raise ScanError(f"the file looks UTF-16 encoded but has no byte-order mark; {_SAVE_AS}")
    return "utf-8", 0


def decode(data: bytes, *, max_bytes: int) -> Any:
    """Parse a scanner report's bytes into a JSON value, or raise ScanError saying what is wrong with the file."""
    if len(data) > max_bytes:
        raise ScanError(
            f"the file is {size_text(len(data), round_up=True)}; the limit is {size_text(max_bytes, round_up=False)}"
        )
    if not data:
        raise ScanError("the file is empty")
    codec, bom = _encoding(data)
    try:
        body = data[bom:].decode(codec)
    except UnicodeDecodeError as exc:
        name = {"utf-8": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}[codec]
        raise ScanError(
            f"the file is not valid {name} text (byte {exc.start + bom:,} cannot be read); {_SAVE_AS}"
        ) from None
    if not body.strip():
        raise ScanError("the file is empty")
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise ScanError(f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except ValueError:  # an integer of more than 4,300 digits, which Python refuses to convert
        raise ScanError("the file is not valid JSON (it holds a number too long to read)") from None
    except RecursionError:
        raise ScanError("the file's JSON is nested too deeply to read (no scanner report nests like this)") from None
