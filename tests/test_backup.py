"""`advisor backup` / `advisor restore`: everything, losslessly, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advisor import create_app
from advisor.cli import cli
from advisor.extensions import db
from tests.conftest import sign_in
from tests.postgres import PostgresServer
from tests.web import csrf_token, form_post, html, new_assessment_with_revision, save_revision


def fresh_app(app: Flask, tmp_path: Path, request: pytest.FixtureRequest) -> Flask:
    """An app on a new, empty database of the same kind as ``app``'s."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        url = server.create_database()
    other = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "other"), "SQLALCHEMY_DATABASE_URI": url})
    with other.app_context():
        db.create_all()

    def close() -> None:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()

    request.addfinalizer(close)  # no connection left for the garbage collector to find open
    return other


def populate(client: FlaskClient) -> int:
    assessment_id = new_assessment_with_revision(client, "Backed up “plan” <ü>", label="Design review")
    page = html(client.get(f"/assessments/{assessment_id}"))
    client.post(
        f"/assessments/{assessment_id}/checklist/psa-restricted-enforce",
        data={"csrf_token": csrf_token(page), "status": "done", "note": "Läuft ✓", "owner": "ops", "version": "0"},
    )
    form_post(
        client, f"/assessments/{assessment_id}/answers/hosting", {"infrastructure": "on_prem", "air_gapped": "true"}
    )
    assert save_revision(client, assessment_id, "Air gap").status_code == 302
    sharing = html(client.get(f"/assessments/{assessment_id}/sharing"))
    client.post(
        f"/assessments/{assessment_id}/sharing",
        data={"csrf_token": csrf_token(sharing), "label": "auditor", "revision": "1", "days": "9"},
    )
    account = html(client.get("/account"))
    client.post("/account/tokens", data={"csrf_token": csrf_token(account), "name": "ci"})
    form_post(client, f"/assessments/{assessment_id}/answers/context", {"experience": "expert", "action": "draft"})
    return assessment_id


def test_backup_restore_round_trip_is_identical(
    app: Flask, client: FlaskClient, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    assessment_id = populate(client)
    first = tmp_path / "first.json"
    result = app.test_cli_runner().invoke(cli, ["backup", str(first)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(first.stat().st_mode) == 0o600, "the file holds password hashes"
    data = json.loads(first.read_text(encoding="utf-8"))
    tables = data["tables"]
    assert len(tables["revisions"]) == 2
    assert len(tables["checklist_statuses"]) == 1
    assert {e["action"] for e in tables["audit_events"]} >= {"created", "revised", "status_changed", "shared"}
    assert tables["assessments"][0]["draft"]["experience"] == "expert", "drafts survive too"

    other = fresh_app(app, tmp_path, request)
    runner = other.test_cli_runner()
    restored = runner.invoke(cli, ["restore", str(first)])
    assert restored.exit_code == 0, restored.output
    second = tmp_path / "second.json"
    assert runner.invoke(cli, ["backup", str(second)]).exit_code == 0
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")

    # the restored instance works: the same people sign in and see the same report
    client2 = other.test_client()
    sign_in(client2, "owner@example.com")
    page = html(client2.get(f"/assessments/{assessment_id}"))
    assert "Backed up “plan” &lt;ü&gt;" in page
    assert "Läuft ✓" in page
    # and new rows get new ids after the restored ones
    new_id = new_assessment_with_revision(client2, "After restore")
    assert new_id > assessment_id


def test_restore_refuses_a_database_in_use(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    populate(client)
    file = tmp_path / "b.json"
    app.test_cli_runner().invoke(cli, ["backup", str(file)])
    again = app.test_cli_runner().invoke(cli, ["restore", str(file)])
    assert again.exit_code == 2
    assert "the database is not empty" in again.output


def test_restore_refuses_other_files(app: Flask, tmp_path: Path) -> None:
    for content, message in (
        ("not json", "not a backup file"),
        ('{"format": "x"}', "not an advisor backup file"),
        ('{"format": "advisor-backup", "format_version": 9}', "format version 9"),
    ):
        path = tmp_path / "bad.json"
        path.write_text(content)
        result = app.test_cli_runner().invoke(cli, ["restore", str(path)])
        assert result.exit_code == 2
        assert message in result.output
