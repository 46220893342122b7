"""The XLSX export (issue 16), opened with openpyxl: its sheets, their rows against the document, the
spreadsheet conveniences (frozen header, filters, the status drop-down, real dates) and that no user text
becomes a formula."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from advisor.engine.schema import STATUSES
from advisor.exports import FORMATS, detail_text, xlsx
from advisor.exports import tables as t
from advisor.exports.document import ExportDocument
from tests.test_exports import AT, make_doc

EXPORT_ID = "5f0c3c1e-2b8a-4d7e-9a43-1c2d3e4f5a6b"
SHEETS = [
    *("Checklist", "References", "Decisions", "Framework mappings", "Evidence", "Exceptions"),
    *("Removed items", "History", "About this export"),
]
EVIL = '=HYPERLINK("http://evil")'


def workbook(doc: ExportDocument) -> Workbook:
    return load_workbook(io.BytesIO(FORMATS["xlsx"](doc).content))


def records(ws: Worksheet) -> list[dict[str, Any]]:
    """The sheet's rows as dicts by header."""
    header, *rows = ws.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def as_read(value: t.Cell) -> Any:
    """A table's cell as openpyxl reads it back: times without their (UTC) zone, dates as midnight, "" as None."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return None if value == "" else value


@pytest.fixture(scope="module")
def doc() -> ExportDocument:
    return dataclasses.replace(make_doc(note=EVIL), export_id=EXPORT_ID)


@pytest.fixture(scope="module")
def book(doc: ExportDocument) -> Workbook:
    return workbook(doc)


def test_the_workbook_has_a_sheet_per_table_each_filtered_under_a_frozen_header(book: Workbook) -> None:
    assert book.sheetnames == SHEETS
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(row=1, column=ws.max_column).column_letter}{ws.max_row}", ws.title
        assert all(cell.font.bold for cell in ws[1]), ws.title
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert all(xlsx.WIDTH[0] <= w <= xlsx.WIDTH[1] for w in widths), ws.title


def test_each_sheet_holds_its_table_of_the_document(book: Workbook, doc: ExportDocument) -> None:
    for table, ws in zip(t.all_tables(doc), book.worksheets, strict=False):
        assert ws.title == table.sheet
        header, *rows = ws.iter_rows(values_only=True)
        assert header == table.columns
        assert rows == [tuple(as_read(v) for v in row) for row in table.rows], table.sheet


def test_the_sheets_rows_are_the_documents(book: Workbook, doc: ExportDocument) -> None:
    checklist = doc.result["checklist"]
    rows = records(book["Checklist"])
    assert [(r["id"], r["status"]) for r in rows] == [(i["id"], doc.status_of(i["id"]).status) for i in checklist]
    assert (rows[0]["status_label"], rows[0]["owner"], rows[0]["updated_by"]) == (
        "Done",
        doc.status_of(checklist[0]["id"]).owner,
        "alice@example.com",
    )
    assert [(r["item_id"], r["label"], r["url"]) for r in records(book["References"])] == [
        (i["id"], ref["label"], ref["url"]) for i in checklist for ref in i["references"]
    ], "the CSV's neutralising quote is not needed: every cell is a string cell"
    assert [(r["item_id"], r["decision"]) for r in records(book["Decisions"])] == [
        (i["id"], d) for i in checklist for d in i["decisions"]
    ]
    mapped = [
        (r["framework"], r["requirement"], r["item_id"], r["status"]) for r in records(book["Framework mappings"])
    ]
    expected = [
        (view["framework"], req["requirement"], item_id, doc.status_of(item_id).status)
        for view in doc.result["frameworks"]
        for req in view["requirements"]
        for item_id in req["items"]
    ]
    assert [m for m in mapped if m[2]] == expected
    assert [(r["item_id"], r["kind"], r["text"]) for r in records(book["Evidence"])] == [
        (i["id"], e.kind, e.text) for i in checklist for e in doc.status_of(i["id"]).evidence
    ]
    (exception,) = records(book["Exceptions"])
    accepted = doc.status_of(checklist[2]["id"])
    assert (exception["item_id"], exception["status"], exception["justification"]) == (
        checklist[2]["id"],
        "accepted_risk",
        accepted.acceptance_justification,
    )
    assert (exception["expires"], exception["requested_by"], exception["approved_by"]) == (
        dt.datetime(2026, 9, 30),
        "bob@example.com",
        "carol@example.com",
    )
    history = records(book["History"])
    assert [(r["at"], r["actor"], r["action"]) for r in history] == [
        (a.at.replace(tzinfo=None), a.actor, a.action) for a in doc.audit
    ]
    assert history[1]["details"] == detail_text(doc.audit[1].detail, doc.kb)


def test_a_not_applicable_item_is_an_exception_justified_by_its_note(doc: ExportDocument) -> None:
    item = doc.result["checklist"][0]["id"]
    marked = dataclasses.replace(doc.status_of(item), status="not_applicable", note="No public endpoint at all")
    (row, _) = records(workbook(dataclasses.replace(doc, statuses={**doc.statuses, item: marked}))["Exceptions"])
    assert (row["item_id"], row["status_label"], row["justification"]) == (
        item,
        "Not applicable",
        "No public endpoint at all",
    )
    assert (row["expires"], row["requested_by"], row["approved_by"], row["updated_by"]) == (
        None,
        None,
        None,
        "alice@example.com",
    )


def test_the_status_column_offers_the_statuses(book: Workbook) -> None:
    ws = book["Checklist"]
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"' + ",".join(STATUSES) + '"'
    assert not validation.showDropDown, "openpyxl's showDropDown=True hides the arrow"
    column = next(c.column_letter for c in ws[1] if c.value == "status")
    assert str(validation.sqref) == f"{column}2:{column}{ws.max_row}"


def test_times_and_dates_are_real_dates(book: Workbook) -> None:
    ws = book["Checklist"]
    header = [c.value for c in ws[1]]
    updated = ws.cell(row=2, column=header.index("updated_at") + 1)
    assert (updated.data_type, updated.is_date, updated.value) == ("d", True, AT.replace(tzinfo=None))
    assert updated.number_format == xlsx.TIME_FORMAT
    expires = ws.cell(row=4, column=header.index("acceptance_expires") + 1)
    assert (expires.is_date, expires.value, expires.number_format) == (True, dt.datetime(2026, 9, 30), "yyyy-mm-dd")
    due = ws.cell(row=3, column=header.index("due_on") + 1)
    assert (due.is_date, due.value) == (True, dt.datetime(2026, 5, 1))


def test_the_workbook_says_which_assessment_revision_and_export(book: Workbook, doc: ExportDocument) -> None:
    as_of = doc.as_of_time.replace(tzinfo=None)
    assert (book.properties.identifier, book.properties.created) == (EXPORT_ID, as_of)
    assert book.properties.title == f"{doc.title} — revision 2"
    custom = {p.name: p.value for p in book.custom_doc_props}  # type: ignore[attr-defined]
    assert custom == {
        "assessment_id": 12,
        "assessment_title": doc.title,
        "revision": 2,
        "export_id": EXPORT_ID,
        "as_of": as_of,
    }
    about = dict(book["About this export"].iter_rows(min_row=2, values_only=True))
    assert (about["Assessment id"], about["Assessment title"], about["Revision"]) == (12, doc.title, 2)
    assert (about["Export id"], about["As of (UTC)"]) == (EXPORT_ID, as_of)


def test_no_user_text_is_a_formula(book: Workbook) -> None:
    note = book["Checklist"]["J2"]
    assert book["Checklist"]["J1"].value == "note"
    assert (note.value, note.data_type, note.quotePrefix) == (EVIL, "s", True), "text, and kept text when edited"
    evil = workbook(make_doc(evil=True))
    for ws in evil.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    assert cell.quotePrefix, (ws.title, cell.coordinate)
    with zipfile.ZipFile(io.BytesIO(FORMATS["xlsx"](make_doc(evil=True)).content)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets
    assert not [s for s in sheets if re.search(r"<f[ >]", s)], "no formula element in any sheet"


def test_characters_a_workbook_cannot_hold_are_dropped() -> None:
    book = workbook(make_doc(note="bell\x07 and\x00 null", owner="a\x1bb"))
    assert (book["Checklist"]["J2"].value, book["Checklist"]["I2"].value) == ("bell and null", "ab")


def test_a_result_without_statuses_frameworks_or_history_still_fills_every_sheet() -> None:
    bare = dataclasses.replace(make_doc(), statuses={}, audit=[], result={**make_doc().result, "frameworks": []})
    book = workbook(bare)
    assert book.sheetnames == SHEETS
    assert book["Exceptions"].max_row == 1
    assert book["History"].auto_filter.ref == "A1:E1"
    (validation,) = book["Checklist"].data_validations.dataValidation
    assert str(validation.sqref).endswith(str(book["Checklist"].max_row))
