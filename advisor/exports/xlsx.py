"""The XLSX export (issue 16): the tables of ``advisor.exports.tables`` as a workbook auditors filter and sort.

One sheet per table (Checklist, References, Decisions, Framework mappings, Evidence, Exceptions, History),
each with a bold, frozen header row, an autofilter and widths from its contents; the Checklist's status
column offers the status codes as a drop-down. Dates and times are real dates (times in UTC: a workbook
holds no time zone). The assessment, revision, export id and as-of time are the workbook's properties
(title, identifier, created, and custom properties by those names) and the last sheet, About this export.

No text becomes a formula: openpyxl makes a formula of any string starting with "=", so every string is
written as a string cell, and one a spreadsheet would read as a formula once edited also gets Excel's quote
prefix (kept as text, shown without the quote). Characters XML cannot hold are dropped.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.packaging.custom import CustomPropertyList, DateTimeProperty, IntProperty, StringProperty
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from advisor.engine.schema import STATUSES
from advisor.exports import Export, file_stem, utc
from advisor.exports import tables as t
from advisor.exports.document import ExportDocument
from advisor.exports.text import FORMULA_PREFIXES, FORMULA_STARTS

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CELL = 32_767  # the most characters a cell holds
WIDTH = (8, 60)  # a column's narrowest and widest, in characters
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"  # UTC
BOLD = Font(bold=True)


def naive_utc(moment: dt.datetime) -> dt.datetime:
    """A workbook cell has no time zone (openpyxl refuses an aware time): UTC, the zone dropped."""
    return utc(moment).replace(tzinfo=None)


def formula_like(text: str) -> bool:
    """Would a spreadsheet read this as a formula were it typed in (some trim leading spaces and quotes)?"""
    return text.startswith(FORMULA_PREFIXES) or text.lstrip(' "').startswith(FORMULA_STARTS)


def put(ws: Worksheet, row: int, column: int, value: t.Cell) -> Cell:
    """Write one value: a string always as a string cell, times and dates as dates."""
    cell = ws.cell(row=row, column=column)
    if not isinstance(cell, Cell):  # a merged cell holds nothing; no sheet here merges cells
        raise TypeError(f"{cell.coordinate} is merged")
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL]
        cell.value = text
        cell.data_type = "s"  # after the value: openpyxl makes a formula of a string starting with "="
        if formula_like(text):
            cell.quotePrefix = True
    elif isinstance(value, dt.datetime):
        cell.value = naive_utc(value)
        cell.number_format = TIME_FORMAT
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        cell.value = value
    return cell


def shown_length(value: t.Cell) -> int:
    if isinstance(value, dt.datetime):
        return len(TIME_FORMAT)
    if isinstance(value, dt.date):
        return len(DATE_FORMAT)
    return max((len(line) for line in str(value or "").splitlines()), default=0)


def fill(ws: Worksheet, columns: Sequence[str], rows: Sequence[Sequence[t.Cell]]) -> None:
    """The header and rows, the header frozen and filtered, each column as wide as its contents (within WIDTH)."""
    for k, name in enumerate(columns, start=1):
        put(ws, 1, k, name).font = BOLD
    for r, row in enumerate(rows, start=2):
        for k, value in enumerate(row, start=1):
            put(ws, r, k, value)
    ws.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    for k, name in enumerate(columns):
        longest = max([len(name), *(shown_length(row[k]) for row in rows)])
        ws.column_dimensions[get_column_letter(k + 1)].width = min(max(longest + 2, WIDTH[0]), WIDTH[1])


def status_drop_down(ws: Worksheet, table: t.Table) -> None:
    """The status column offers the status codes (kept to them: a status typed in by hand must be one)."""
    column = get_column_letter(table.columns.index("status") + 1)
    listed = DataValidation(type="list", formula1=f'"{",".join(STATUSES)}"', allow_blank=False)
    listed.error, listed.errorTitle = f"One of: {', '.join(STATUSES)}", "Status"
    listed.add(f"{column}2:{column}{max(len(table.rows), 1) + 1}")
    ws.add_data_validation(listed)


def about(doc: ExportDocument) -> list[tuple[str, t.Cell]]:
    return [
        ("Assessment id", doc.assessment_id),
        ("Assessment title", doc.title),
        ("Workspace", doc.workspace),
        ("Revision", doc.revision_number),
        ("Revision label", doc.revision_label or ""),
        ("Revision created at (UTC)", t.moment(doc.revision_created_at)),
        ("Revision author", doc.revision_author or ""),
        ("Latest revision", doc.latest_revision_number),
        ("Export id", doc.export_id),
        ("As of (UTC)", t.moment(doc.as_of_time)),
        ("Exported at (UTC)", t.moment(doc.exported_at)),
        ("Exported by", doc.exported_by or ""),
        ("Engine version", doc.engine_version),
        ("Knowledge base version", doc.knowledge_base_version),
        ("Sign-off", doc.sign_off.status.replace("_", " ")),
        *((label, text) for label, text in doc.sign_off.lines()),
    ]


def properties(wb: Workbook, doc: ExportDocument) -> None:
    """The assessment, revision, export id and as-of time where a program reading the file finds them."""
    as_of = naive_utc(doc.as_of_time)
    wb.properties.title = f"{ILLEGAL_CHARACTERS_RE.sub('', doc.title)} — revision {doc.revision_number}"
    wb.properties.subject = "Kubernetes architecture checklist"
    wb.properties.creator = "Kubernetes architecture advisor"
    wb.properties.identifier = doc.export_id
    wb.properties.created = as_of
    custom: CustomPropertyList[Any] = wb.custom_doc_props  # type: ignore[attr-defined]  # openpyxl 3.1's; not in its stubs
    custom.append(IntProperty(name="assessment_id", value=doc.assessment_id))
    custom.append(StringProperty(name="assessment_title", value=ILLEGAL_CHARACTERS_RE.sub("", doc.title)))
    custom.append(IntProperty(name="revision", value=doc.revision_number))
    custom.append(StringProperty(name="export_id", value=doc.export_id))
    custom.append(DateTimeProperty(name="as_of", value=as_of))


def to_xlsx(doc: ExportDocument) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]  # the default sheet; every sheet is named below
    for table in t.all_tables(doc):
        ws = wb.create_sheet(table.sheet)
        fill(ws, table.columns, table.rows)
        if table.file == "checklist":
            status_drop_down(ws, table)
    fill(wb.create_sheet("About this export"), ("field", "value"), about(doc))
    properties(wb, doc)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def render(doc: ExportDocument) -> Export:
    return Export(to_xlsx(doc), MIMETYPE, f"{file_stem(doc)}.xlsx")
