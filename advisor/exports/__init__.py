"""Renderers that turn an evaluation result into files people take away.

``FORMATS`` maps each export format of a stored revision (contract §7) to a function
``render(doc: ExportDocument) -> Export``. The renderers are pure: they read only the
``ExportDocument`` and touch no database, network or file outside the app's resources.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from advisor.engine import KnowledgeBase
from advisor.engine.wording import format_answer
from advisor.exports.document import ExportDocument
from advisor.report.summary import STATUS_LABELS


@dataclass(frozen=True)
class Export:
    """A rendered file: its bytes, media type and a safe ASCII download name."""

    content: bytes
    mimetype: str
    filename: str


SLUG_LENGTH = 60  # enough to tell assessments apart in a downloads folder


def slug(text: str, room: int = SLUG_LENGTH) -> str:
    """``Zürich payments (EU)`` → ``zurich-payments-eu``: ASCII letters and digits, other runs as one "-", at most
    ``room`` characters ("" when nothing usable is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:room].rstrip("-")


def file_stem(doc: ExportDocument) -> str:
    """``payments-platform-rev-3-2026-12-02``: the title, the revision and the day (UTC) the file is as of, so
    files of one assessment sort by revision and then by day in a folder; ``assessment-12-rev-3-…`` when the title
    has no ASCII letter or digit. Only ASCII letters, digits and "-", so the name is safe in a Content-Disposition
    header. The export id is in the file, not in its name: two downloads on one day may share a name."""
    return stem_of(doc.title, doc.assessment_id, doc.revision_number, doc.as_of_time)


def stem_of(title: str, assessment_id: int, revision_number: int, moment: dt.datetime) -> str:
    """``file_stem`` for a file made without an export document (the starter policy bundle)."""
    name = slug(title) or f"assessment-{int(assessment_id)}"
    return f"{name}-rev-{int(revision_number)}-{day(moment)}"


def utc(moment: dt.datetime) -> dt.datetime:
    """Stored times are UTC; some databases hand them back without a zone."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 with its UTC offset, to the second."""
    return None if moment is None else utc(moment).isoformat(timespec="seconds")


def when(moment: dt.datetime | None) -> str:
    """A time for people: ``2026-05-04 13:20 UTC``."""
    return "—" if moment is None else utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def minute(moment: dt.datetime) -> str:
    """``2026-05-04 13:20``, in UTC."""
    return utc(moment).strftime("%Y-%m-%d %H:%M")


def day(moment: dt.datetime) -> str:
    return utc(moment).strftime("%Y-%m-%d")


def detail_text(detail: Mapping[str, Any], kb: KnowledgeBase) -> str:
    """An audit entry's details on one line, as the web activity page shows them (``key: value; …``), in
    people's words: a checklist item's title (its id once the knowledge base no longer has it) and status
    labels, ``status: To do → Done``, an export's ids listed. The JSON export keeps the raw ids."""
    parts = []
    for k, v in detail.items():
        if v in (None, "", []) or (k == "after" and "before" in detail):  # a bundle made for no team names none
            continue
        if k == "item":
            item = kb.item_by_id.get(str(v))
            parts.append(f"item: {item.title if item else v}")
        elif k == "export_ids" and isinstance(v, list):
            kept = f" (the last {len(v)} of {detail['count']})" if int(detail.get("count", 1)) > len(v) else ""
            parts.append(f"export id{'s' if len(v) > 1 else ''}{kept}: {', '.join(str(i) for i in v)}")
        elif k == "before" and "after" in detail:
            parts.append(f"status: {STATUS_LABELS.get(v, v)} → {STATUS_LABELS.get(detail['after'], detail['after'])}")
        elif isinstance(v, list):  # a sign-off's deciders, a scan's items: the values, not Python's brackets
            parts.append(f"{k}: {', '.join(str(i) for i in v)}")
        else:
            parts.append(f"{k}: {v}")
    return "; ".join(parts)


def action_text(action: str) -> str:
    return action.replace("_", " ")


def criteria_labels(kb: KnowledgeBase) -> dict[str, str]:
    return {c.id: c.label for c in kb.criteria}


def readable_answers(kb: KnowledgeBase, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The answers as (question, answer) in questionnaire order, with the knowledge base's labels.

    Priorities and statuses are left out: the decision drivers and the checklist show them.
    """

    skip = ("priorities", "status")
    rows = []
    for question in kb.questions:
        if question.key in skip or question.key not in answers:
            continue
        text = format_answer(kb, question.key, answers[question.key])
        rows.append((question.label, text))
    rows += [(key, str(value)) for key, value in answers.items() if key not in skip and key not in kb.question_by_key]
    return rows


Renderer = Callable[[ExportDocument], Export]

# every export format of a stored revision (contract §7), in the order people are offered them, with its label:
# the one list the web pages, the API's model, the command line and FORMATS are built from
FORMAT_LABELS: dict[str, str] = {
    "pdf": "PDF",
    "markdown": "Markdown",
    "csv": "CSV checklist",
    "compliance_csv": "CSV compliance mapping",
    "csv_tables": "CSV tables (zip)",
    "xlsx": "Excel workbook (XLSX)",
    "json": "JSON",
    "adr": "Decision records (zip)",
    "oscal": "OSCAL (zip)",
}
FORMAT_NAMES: tuple[str, ...] = tuple(FORMAT_LABELS)

if TYPE_CHECKING:
    FORMATS: dict[str, Renderer]


def __getattr__(name: str) -> Any:
    """``FORMATS``, made when first asked for: the PDF renderer loads WeasyPrint, which takes longer than the
    whole of `advisor evaluate` should, so the command line's light path never imports the renderers."""
    if name != "FORMATS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from advisor.exports import adr, csv_export, json_export, markdown, oscal, pdf, xlsx

    renderers: dict[str, Renderer] = {
        "pdf": pdf.render,
        "markdown": markdown.render,
        "csv": csv_export.render,
        "compliance_csv": csv_export.render_mapping,
        "csv_tables": csv_export.render_tables,
        "xlsx": xlsx.render,
        "json": json_export.render,
        "adr": adr.render,
        "oscal": oscal.render,
    }
    formats = {fmt: renderers[fmt] for fmt in FORMAT_NAMES}
    return globals().setdefault("FORMATS", formats)  # one mapping, whichever thread asks first


__all__ = ["FORMATS", "FORMAT_LABELS", "FORMAT_NAMES", "Export", "ExportDocument", "Renderer", "file_stem", "stem_of"]
