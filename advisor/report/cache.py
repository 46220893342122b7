"""Rendered report pages kept in memory, so a report is laid out once, not on every read.

A report's body (summary, decisions, checklist) takes most of its rendering time, yet it changes
only when the revision, the checklist statuses, the reader's permission to edit or the address
change; the page around it only when the assessment's row, its workspace, the reader or the
share link do. Each entry is stored under a digest of exactly those inputs (``body_key``,
``page_key``), so an entry can never be stale: any change makes a new key, and entries nobody
asks for age out of a cache bounded in bytes (``ADVISOR_FRAGMENT_CACHE_MB``, 0 turns it off).
Each process keeps its own; nothing is shared between processes.

Keys start from the revision's random key (``Revision.page_key``), never from ids or stamps alone:
an id can name another tenant's row after a deletion, and two fresh assessments have equal status
stamps. Deleting an assessment also drops its entries here (``forget``); other processes' copies
can no longer be reached and age out.

The one per-session value, the CSRF token of the page's forms, is rendered as a placeholder that
is random per process (so no stored text can contain it) and put in on the way out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import threading
from collections.abc import Callable
from typing import Any

from cachetools import LRUCache
from markupsafe import Markup

from advisor.engine import ENGINE_VERSION


class FragmentCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.placeholder = "csrf-" + secrets.token_hex(16)
        self._entries: LRUCache[str, str] = LRUCache(maxsize=max(max_bytes, 1), getsizeof=len)
        self._lock = threading.Lock()
        self.hits = 0

    def __len__(self) -> int:
        return len(self._entries)

    def forget(self, assessment_id: int) -> int:
        """Drop every entry stored for an assessment (keys made by ``key(assessment_id, ...)``)."""
        prefix = f"{assessment_id}:"
        with self._lock:
            gone = [k for k in self._entries if k.startswith(prefix)]
            for k in gone:
                del self._entries[k]
        return len(gone)

    def get_or_render(self, key: str, render: Callable[[], str]) -> str:
        """The stored fragment for ``key``, or ``render()``'s output, stored when it fits."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self.hits += 1
                return found
        html = render()
        if 0 < len(html) <= self.max_bytes:
            with self._lock:
                self._entries[key] = html
        return html

    def with_csrf(self, html: str, token: Callable[[], str]) -> Markup:
        """The fragment with this session's CSRF token where the placeholder stands.

        ``token`` is called only when the fragment holds a form: a page without one (a share
        link's, read anonymously) must not start a session just to carry a token.
        """
        if self.placeholder in html:
            html = html.replace(self.placeholder, token())
        return Markup(html)  # noqa: S704 - rendered by Jinja with autoescape


def key(assessment_id: int, *parts: Any) -> str:
    """The assessment's id (for ``forget``), then a digest of the inputs a fragment is rendered from."""
    encoded = json.dumps(parts, separators=(",", ":"), default=str).encode()
    return f"{assessment_id}:{hashlib.blake2b(encoded, digest_size=20).hexdigest()}"


def body_key(
    assessment_id: int,
    revision_key: str | None,
    kb_version: str,
    can_edit: bool,
    path: str,
    statuses_stamp: tuple[Any, ...],
    on: dt.date,
    approver: str | None,
) -> str:
    """A report body's key: the revision (its random ``Revision.page_key``), the knowledge base its labels come
    from, the reader's right to edit (the status forms), the address, the checklist statuses, the day (an
    acceptance expires by the calendar, with no change to any row) and, for an owner, who reads it (the owner
    who asked for an acceptance is not offered to approve it)."""
    return key(
        assessment_id, "report-body", revision_key, kb_version, can_edit, path, statuses_stamp, on.isoformat(), approver
    )


def page_key(
    assessment_id: int,
    body: str,
    frame_stamp: tuple[Any, ...],
    role: str | None,
    reader: tuple[Any, ...] | None,
    link: tuple[Any, ...] | None,
) -> str:
    """A whole report page's key: its body's key and what the frame around it shows: whether the revision
    is outdated (the engine version), the assessment's row and workspace, the role, the reader, the share link."""
    return key(assessment_id, "report-page", body, ENGINE_VERSION, frame_stamp, role, reader, link)
