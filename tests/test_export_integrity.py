"""Issue 16, integrity: every download carries the SHA-256 of its bytes (Repr-Digest), every file names its export
id, assessment, revision and as-of time, the ADR zip checks itself (SHA256SUMS), the PDF is PDF/A-3b with the JSON
export attached and bookmarks, and the activity log keeps the ids of the exports it counts."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import re
import subprocess
import zipfile
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from advisor.exports import FORMATS, Export, adr, detail_text, json_export, markdown, pdf
from advisor.exports.document import ExportDocument
from advisor.exports.text import md_escape
from advisor.extensions import db
from advisor.models import AuditEvent
from advisor.services.audit import EXPORT_IDS_KEPT
from tests.test_exports import EXPORT_ID, make_doc, squash
from tests.web import new_assessment_with_revision

# the as-of time of make_doc's export (the day after AT), as each format writes it
AS_OF_ISO = "2026-05-05T13:20:00+00:00"


@pytest.fixture(scope="module")
def doc() -> ExportDocument:
    return make_doc()


@pytest.fixture(scope="module")
def pdf_export(doc: ExportDocument) -> Export:
    return pdf.render(doc)


def digest_of(content: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(content).digest()).decode('ascii')}:"


# --- identity inside the files -------------------------------------------------------------------


def test_json_export_has_a_header_object_naming_the_export(doc: ExportDocument) -> None:
    data = json.loads(json_export.render(doc).content)
    assert list(data)[:3] == ["format", "format_version", "export"], "a header, before the content"
    assert data["export"] == {
        "id": EXPORT_ID,
        "as_of": AS_OF_ISO,
        "exported_at": AS_OF_ISO,
        "exported_by": "erin@example.com",
    }
    assert data["format_version"] == 1, "an additive key: the format's version stays"
    assert (data["assessment"]["id"], data["assessment"]["title"], data["revision"]["number"]) == (12, doc.title, 2)


def test_json_schema_describes_the_export_object_and_still_takes_older_files(doc: ExportDocument) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(json_export.schema(), format_checker=jsonschema.FormatChecker())
    data = json.loads(json_export.render(doc).content)
    validator.validate(data)
    older = {k: v for k, v in data.items() if k != "export"}
    assert validator.is_valid(older), "exports made before the key was added stay valid"
    for bad in ({**data["export"], "id": "not-a-uuid"}, {**data["export"], "extra": 1}, {"id": EXPORT_ID}):
        assert not validator.is_valid({**data, "export": bad}), bad


def test_as_of_is_the_documents_own_when_it_differs_from_the_export_time(doc: ExportDocument) -> None:
    earlier = dataclasses.replace(doc, as_of=doc.exported_at.replace(day=1))
    assert json.loads(json_export.render(earlier).content)["export"]["as_of"] == "2026-05-01T13:20:00+00:00"
    assert "as of 2026-05-01T13:20:00+00:00." in markdown.render(earlier).content.decode("utf-8")
    assert markdown.render(earlier).filename.endswith("-rev-2-2026-05-01.md"), "the file is named by its as-of day"


def test_markdown_names_the_export_at_the_top(doc: ExportDocument) -> None:
    lines = markdown.render(doc).content.decode("utf-8").splitlines()
    assert lines[0] == f"# {md_escape(doc.title)}"
    assert lines[2] == f"Export `{EXPORT_ID}` of assessment 12, revision 2, as of {AS_OF_ISO}."


def adr_archive(doc: ExportDocument) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(adr.render(doc).content))
    assert archive.testzip() is None
    return archive


def test_adr_readme_names_the_export(doc: ExportDocument) -> None:
    readme = adr_archive(doc).read("README.md").decode("utf-8")
    assert f"Export `{EXPORT_ID}` of assessment 12, revision 2, as of {AS_OF_ISO}." in readme
    assert md_escape(doc.title) in readme


def test_adr_zip_carries_a_sha256sums_manifest_of_every_other_file(doc: ExportDocument) -> None:
    archive = adr_archive(doc)
    names = archive.namelist()
    assert names[-1] == "SHA256SUMS"
    manifest = archive.read("SHA256SUMS").decode("ascii")
    assert manifest.endswith("\n")
    listed = [re.fullmatch(r"([0-9a-f]{64})  (\S+)", line) for line in manifest.splitlines()]
    assert all(listed), manifest
    recomputed = {name: hashlib.sha256(archive.read(name)).hexdigest() for name in names[:-1]}
    assert {m.group(2): m.group(1) for m in listed if m} == recomputed, "every other file, each with its digest"
    assert len(listed) == len(names) - 1


def test_adr_manifest_verifies_with_sha256sum(doc: ExportDocument, tmp_path: Any) -> None:
    adr_archive(doc).extractall(tmp_path)
    checked = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=tmp_path, capture_output=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (tmp_path / "README.md").write_text("changed\n", encoding="utf-8")
    tampered = subprocess.run(["sha256sum", "--check", "SHA256SUMS"], cwd=tmp_path, capture_output=True)
    assert tampered.returncode == 1, "a changed file fails the check"


def test_pdf_names_the_export_on_the_cover_and_in_every_footer(pdf_export: Export) -> None:
    pages = [squash(page.extract_text()) for page in PdfReader(io.BytesIO(pdf_export.content)).pages]
    cover = pages[0]
    for fact in ("Assessmentid12", f"Export{EXPORT_ID},asof{AS_OF_ISO}", "Revision2of3"):
        assert fact in cover, fact
    footer = f"Export{EXPORT_ID}·assessment12,revision2·asof2026-05-0513:20UTC"
    assert [n for n, text in enumerate(pages[1:], start=1) if footer not in text] == [], "every page after the cover"


# --- PDF/A, the attached JSON, bookmarks -----------------------------------------------------------


def test_pdf_is_pdf_a_3b(pdf_export: Export) -> None:
    reader = PdfReader(io.BytesIO(pdf_export.content))
    xmp = reader.xmp_metadata
    assert xmp is not None
    described = {
        (attr.localName, attr.value)
        for node in xmp.rdf_root.getElementsByTagNameNS("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "Description")
        for attr in node.attributes.values()
        if attr.namespaceURI == "http://www.aiim.org/pdfa/ns/id/"
    }
    assert described == {("part", "3"), ("conformance", "B")}
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert [intent.get_object()["/S"] for intent in intents] == ["/GTS_PDFA1"], "an sRGB output intent"
    assert "/DestOutputProfile" in intents[0].get_object()


def test_pdf_attaches_the_json_export_of_the_same_document(pdf_export: Export, doc: ExportDocument) -> None:
    reader = PdfReader(io.BytesIO(pdf_export.content))
    json_file = json_export.render(doc)
    assert dict(reader.attachments) == {json_file.filename: [json_file.content]}, "the very bytes of the download"
    assert json.loads(json_file.content)["export"]["id"] == EXPORT_ID, "one export id: the PDF's and its JSON's"
    # the catalogue's associated files (PDF/A-3); WeasyPrint 70 lists the one attachment there twice
    [spec] = {s.idnum: s.get_object() for s in reader.trailer["/Root"]["/AF"]}.values()
    assert spec["/AFRelationship"] == "/Data"
    assert spec["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"  # the name /application#2Fjson


def outline_titles(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    found: list[tuple[int, str, int]] = []

    def walk(entries: list[Any], depth: int) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, depth + 1)
            else:
                page = reader.get_destination_page_number(entry)
                found.append((depth, str(entry.title), -1 if page is None else page))

    walk(reader.outline, 0)
    return found


def test_pdf_bookmarks_lead_to_every_part(pdf_export: Export, doc: ExportDocument) -> None:
    bookmarks = outline_titles(PdfReader(io.BytesIO(pdf_export.content)))
    top = [title for depth, title, _ in bookmarks if depth == 0]
    assert top == [
        doc.title,  # the cover
        "Contents",
        "Summary",
        "Decisions",
        "Checklist",
        "Applicability statement",
        "Compliance mapping",
        "References",
        "Appendix A: Answers",
        "Appendix B: Activity",
    ]
    assert bookmarks[0][2] == 0, "the cover is the first page"
    second = [title for depth, title, _ in bookmarks if depth == 1]
    for n, d in enumerate(doc.result["decisions"], start=1):
        assert f"{n}. {d['label']}" in second, d["id"]
    from advisor.report.summary import compliance_mapping, framework_names, grouped_checklist

    for _, label, _ in grouped_checklist(doc.result):
        assert label in second, label
    for fw in compliance_mapping(doc.result, framework_names(doc.kb, doc.result)):
        assert fw.label in second, fw.label
    assert "Why" not in second, "the small headings inside a decision are left out"
    pages = [page for _, _, page in bookmarks]
    assert pages == sorted(pages), "in reading order"


# --- the download header ----------------------------------------------------------------------------


def test_every_download_carries_the_digest_of_its_bytes(app: Flask, client: FlaskClient) -> None:
    """Web, share link and API, every format: ``Repr-Digest`` is the SHA-256 of exactly the body sent."""
    from tests.test_api import token_for
    from tests.test_sharing import make_link

    app.config["EXPORT_LIMIT"] = app.config["PDF_EXPORT_LIMIT"] = "1000 per minute"
    assessment_id = new_assessment_with_revision(client)
    token = make_link(client, assessment_id)
    api_headers = token_for(app, "owner@example.com")
    for fmt in FORMATS:
        for who, url, headers in (
            (client, f"/assessments/{assessment_id}/export?format={fmt}", {}),
            (app.test_client(), f"/share/{token}/export?format={fmt}", {}),
            (app.test_client(), f"/api/v1/assessments/{assessment_id}/export?format={fmt}", api_headers),
        ):
            response = who.get(url, headers=headers)
            assert response.status_code == 200, url
            assert response.headers["Repr-Digest"] == digest_of(response.get_data()), url
            assert "Content-Encoding" not in response.headers, url


def test_the_openapi_document_declares_the_digest(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    answer = document["paths"]["/api/v1/assessments/{assessment_id}/export"]["get"]["responses"]["200"]
    pattern = re.compile(answer["headers"]["Repr-Digest"]["schema"]["pattern"])
    assert pattern.fullmatch(digest_of(b"any file"))


def test_the_digest_is_rfc_9530_shaped() -> None:
    from advisor.views.common import repr_digest

    assert repr_digest(b"") == "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"
    assert repr_digest(b'{"hello": "world"}') == "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"


# --- the activity log --------------------------------------------------------------------------------


def export_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "exported").order_by(AuditEvent.id))
        )


def test_the_activity_log_names_each_export_id(app: Flask, client: FlaskClient) -> None:
    app.config["EXPORT_LIMIT"] = "1000 per minute"
    assessment_id = new_assessment_with_revision(client)
    ids = []
    for _ in range(EXPORT_IDS_KEPT + 5):
        response = client.get(f"/assessments/{assessment_id}/export?format=json")
        ids.append(json.loads(response.data)["export"]["id"])
    assert len(set(ids)) == len(ids), "a new id per export"
    [event] = export_events(app)
    assert event.detail["count"] == EXPORT_IDS_KEPT + 5, "repeats still collapse into one counted entry"
    assert event.detail["export_ids"] == ids[-EXPORT_IDS_KEPT:], "the latest ids, oldest first, bounded"
    markdown_file = client.get(f"/assessments/{assessment_id}/export?format=markdown").data.decode("utf-8")
    newest = export_events(app)[-1]
    assert newest.detail.get("count", 1) == 1
    assert f"Export `{newest.detail['export_ids'][0]}`" in markdown_file, "the entry names the file's id"
    activity = client.get(f"/assessments/{assessment_id}/activity").data.decode("utf-8")
    assert f"export ids (the last {EXPORT_IDS_KEPT} of {EXPORT_IDS_KEPT + 5}): " in activity
    assert ids[-1] in activity
    assert ids[0] not in activity


def test_detail_text_lists_export_ids(doc: ExportDocument) -> None:
    one = {"format": "pdf", "revision": 2, "via": "web", "export_ids": [EXPORT_ID]}
    assert detail_text(one, doc.kb) == f"format: pdf; revision: 2; via: web; export id: {EXPORT_ID}"
    two = {"format": "pdf", "count": 2, "export_ids": ["a", "b"]}
    assert detail_text(two, doc.kb) == "format: pdf; count: 2; export ids: a, b"
    older = {"format": "pdf", "count": 3}  # an entry made before export ids were kept
    assert detail_text(older, doc.kb) == "format: pdf; count: 3"
