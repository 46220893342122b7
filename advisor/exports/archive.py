"""The zips exports are (ADR records, CSV tables, OSCAL): the same bytes for the same export, and a SHA-256
manifest (``SHA256SUMS``, the last entry) covering every other file, so whoever unpacks one can check it with
``sha256sum -c SHA256SUMS`` (issue 16)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Mapping

MANIFEST = "SHA256SUMS"
MIMETYPE = "application/zip"


def manifest(files: Mapping[str, bytes]) -> str:
    """``sha256sum``'s format, one ``<hex>  <path>`` line per file, so ``sha256sum -c`` verifies the unpacked zip."""
    return "".join(f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in files.items())


def zip_with_manifest(files: Mapping[str, bytes], dated: dt.datetime) -> bytes:
    """``files`` zipped in order, then their manifest; every entry dated ``dated`` (UTC; a zip dates nothing
    before 1980) with the same mode, so the same files give the same bytes."""
    stamp = max(dated.astimezone(dt.UTC).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    entries = {**files, MANIFEST: manifest(files).encode("ascii")}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return out.getvalue()
