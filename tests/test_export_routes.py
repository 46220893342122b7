"""Exports from the web, from a share link and from the command line: access, formats, audit entries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from advisor.cli import cli
from advisor.extensions import db
from advisor.models import AuditEvent
from tests.web import STEP_ANSWERS, csrf_token, form_post, html, new_assessment_with_revision, save_revision


def exported(app: Flask) -> list[tuple[str | None, dict]]:  # type: ignore[type-arg]
    with app.app_context():
        events = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "exported")).scalars()
        return [(e.actor, dict(e.detail)) for e in events]


def test_web_export_of_any_revision(app: Flask, client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client, label="First")
    form_post(
        client, f"/assessments/{assessment_id}/answers/context", {**STEP_ANSWERS["context"], "experience": "expert"}
    )
    assert save_revision(client, assessment_id, "Second").status_code == 302
    first = client.get(f"/assessments/{assessment_id}/export?format=json&revision=1")
    assert first.status_code == 200
    body = json.loads(first.data)
    assert body["revision"]["number"] == 1
    assert body["result"]["answers"]["experience"] == "novice"
    days = {dt.datetime.now(dt.UTC).date().isoformat()}  # the day the file is as of (either, at midnight)
    latest = client.get(f"/assessments/{assessment_id}/export?format=csv")
    days.add(dt.datetime.now(dt.UTC).date().isoformat())
    rows = list(csv.DictReader(io.StringIO(latest.data.decode("utf-8-sig"))))
    assert rows
    assert latest.headers["Content-Disposition"] in {
        f'attachment; filename="shop-platform-rev-2-{d}.csv"' for d in days
    }
    assert client.get(f"/assessments/{assessment_id}/export?format=exe").status_code == 404
    assert client.get(f"/assessments/{assessment_id}/export?format=json&revision=5").status_code == 404
    assert [d["format"] for _, d in exported(app)] == ["json", "csv"]
    assert {who for who, _ in exported(app)} == {"owner@example.com"}
    report = html(client.get(f"/assessments/{assessment_id}/revisions/1"))
    assert f"/assessments/{assessment_id}/export?format=pdf&amp;revision=1" in report


def test_share_link_holder_can_export_the_shared_revision_only(app: Flask, client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client, label="First")
    page = html(client.get(f"/assessments/{assessment_id}/sharing"))
    created = html(
        client.post(
            f"/assessments/{assessment_id}/sharing",
            data={"csrf_token": csrf_token(page), "label": "Auditor", "revision": "1", "days": "2"},
        )
    )
    token = created.split("/share/")[1].split("<")[0]
    form_post(
        client, f"/assessments/{assessment_id}/answers/context", {**STEP_ANSWERS["context"], "experience": "expert"}
    )
    assert save_revision(client, assessment_id, "Second").status_code == 302
    auditor = app.test_client()
    shared = auditor.get(f"/share/{token}/export?format=json")
    assert shared.status_code == 200
    assert json.loads(shared.data)["revision"]["number"] == 1, "the pinned revision, not the latest"
    assert f"/share/{token}/export?format=pdf" in html(auditor.get(f"/share/{token}"))
    assert exported(app)[-1][0] == "share link “Auditor”"


def test_cli_export(app: Flask, client: FlaskClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assessment_id = new_assessment_with_revision(client)
    target = tmp_path / "out.md"
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["export", str(assessment_id), "--format", "markdown", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "Shop platform" in target.read_text(encoding="utf-8")
    missing = runner.invoke(cli, ["export", "999", "--format", "json"])
    assert missing.exit_code == 2
    who, detail = exported(app)[-1]
    [export_id] = detail.pop("export_ids")
    assert (who, detail) == ("command line", {"format": "markdown", "revision": 1, "via": "command line"})
    assert f"Export `{export_id}` of assessment {assessment_id}, revision 1" in target.read_text(encoding="utf-8")


def test_cli_exports_a_workbook(app: Flask, client: FlaskClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    assessment_id = new_assessment_with_revision(client)
    target = tmp_path / "out.xlsx"
    result = app.test_cli_runner().invoke(cli, ["export", str(assessment_id), "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    book = load_workbook(target)
    assert book.sheetnames[0] == "Checklist"
    assert book.properties.title == "Shop platform — revision 1"
    who, detail = exported(app)[-1]
    [export_id] = detail.pop("export_ids")
    assert (who, detail) == ("command line", {"format": "xlsx", "revision": 1, "via": "command line"})
    assert export_id in book.custom_doc_props["export_id"].value  # the workbook names its export


def test_every_export_format_sends_one_charset(app: Flask, client: FlaskClient) -> None:
    """Content-Type carries at most one charset (issue 10, item 16): not ``text/csv; charset=utf-8; charset=utf-8``."""
    from advisor.exports import FORMATS
    from tests.test_api import token_for
    from tests.test_sharing import make_link

    assessment_id = new_assessment_with_revision(client)
    token = make_link(client, assessment_id)
    api_headers = token_for(app, "owner@example.com")
    expected = {
        "pdf": "application/pdf",
        "markdown": "text/markdown; charset=utf-8",
        "csv": "text/csv; charset=utf-8",
        "compliance_csv": "text/csv; charset=utf-8",
        "csv_tables": "application/zip",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "json": "application/json",
        "adr": "application/zip",
        "oscal": "application/zip",
    }
    assert set(expected) == set(FORMATS)
    for fmt, content_type in expected.items():
        for who, url, headers in (
            (client, f"/assessments/{assessment_id}/export?format={fmt}", {}),
            (app.test_client(), f"/share/{token}/export?format={fmt}", {}),
            (app.test_client(), f"/api/v1/assessments/{assessment_id}/export?format={fmt}", api_headers),
        ):
            response = who.get(url, headers=headers)
            assert response.status_code == 200, url
            assert response.headers["Content-Type"].lower().count("charset") <= 1, (url, response.content_type)
            assert response.headers["Content-Type"] == content_type, url
            assert response.headers["Cache-Control"] == "no-store", url
