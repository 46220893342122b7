"""`advisor backup` / `advisor restore`: everything, losslessly, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
        data={
            **{"csrf_token": csrf_token(page), "status": "done", "note": "Läuft ✓", "owner": "ops", "version": "0"},
            "due_on": "2026-03-31",
        },
    )
    for kind, text in (("link", "https://wiki.example.com/psa?x=1&y=ü"), ("text", "Geprüft ✓")):
        client.post(
            f"/assessments/{assessment_id}/checklist/psa-restricted-enforce/evidence",
            data={"csrf_token": csrf_token(page), "kind": kind, "text": text},
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
    assert tables["checklist_statuses"][0]["due_on"] == "2026-03-31"
    assert [e["kind"] for e in tables["evidence"]] == ["link", "text"], "evidence is backed up too"
    assert {e["action"] for e in tables["audit_events"]} >= {"created", "revised", "status_changed", "shared"}
    assert tables["assessments"][0]["draft"]["values"]["experience"] == "expert", "drafts survive too"

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
    assert "Geprüft ✓" in page
    # and new rows get new ids after the restored ones
    new_id = new_assessment_with_revision(client2, "After restore")
    assert new_id > assessment_id


def test_a_version_1_backup_restores_its_flat_drafts_as_documents(
    app: Flask, client: FlaskClient, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A backup taken before drafts became one document still restores, and its draft opens."""
    assessment_id = populate(client)
    current = tmp_path / "current.json"
    assert app.test_cli_runner().invoke(cli, ["backup", str(current)]).exit_code == 0
    data = json.loads(current.read_text(encoding="utf-8"))
    assert data["format_version"] == 2
    row = data["tables"]["assessments"][0]
    document = row["draft"]
    # as version 1 wrote it: form values and "_" meta keys side by side
    row["draft"] = {**document["values"], "_steps_done": document["steps_done"], "_base_revision": 2}
    data["format_version"] = 1
    old = tmp_path / "version-1.json"
    old.write_text(json.dumps(data), encoding="utf-8")

    other = fresh_app(app, tmp_path, request)
    restored = other.test_cli_runner().invoke(cli, ["restore", str(old)])
    assert restored.exit_code == 0, restored.output
    again = tmp_path / "again.json"
    assert other.test_cli_runner().invoke(cli, ["backup", str(again)]).exit_code == 0
    unstamped = {k: v for k, v in document.items() if k not in ("updated_by", "updated_at")}  # version 1 had none
    assert json.loads(again.read_text(encoding="utf-8"))["tables"]["assessments"][0]["draft"] == {
        **unstamped,
        "base_revision": 2,
    }
    client2 = other.test_client()
    sign_in(client2, "owner@example.com")
    page = client2.get(f"/assessments/{assessment_id}/answers/context")
    assert page.status_code == 200
    assert re.search(r'value="expert"[^>]*checked', page.get_data(as_text=True)), "the draft's answer is shown"


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


# --- writing the file: always private, always whole (security review, issue 10, item 13) ---------


def test_backup_over_an_existing_readable_file_makes_it_private(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    populate(client)
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "backup.json"
    target.write_text("an older backup\n", encoding="utf-8")
    target.chmod(0o644)  # world-readable, as an earlier `advisor backup - > file` or a copy may have left it
    result = app.test_cli_runner().invoke(cli, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600, "the file holds password hashes"
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "advisor-backup"
    assert sorted(p.name for p in target.parent.iterdir()) == ["backup.json"], "no temporary file left"


def test_backup_that_fails_midway_leaves_the_old_file_intact(
    app: Flask, client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    populate(client)
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "backup.json"
    target.write_text("the previous backup\n", encoding="utf-8")

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    result = app.test_cli_runner().invoke(cli, ["backup", str(target)])
    assert result.exit_code != 0
    assert "No space left on device" in result.output
    assert not isinstance(result.exception, OSError), "a message, not a traceback"
    assert target.read_text(encoding="utf-8") == "the previous backup\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["backup.json"], "no temporary file left"


# --- restoring a malformed file: a clear error, exit code 2, nothing changed -----------------------


def row_counts(app: Flask) -> dict[str, int]:
    import sqlalchemy as sa

    from advisor.models import Base

    with app.app_context():
        return {
            t.name: db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }


def refuse(app: Flask, path: Path, content: bytes, *fragments: str) -> None:
    """Restoring ``content`` answers exit code 2 and a message holding every fragment, and changes nothing."""
    path.write_bytes(content)
    result = app.test_cli_runner().invoke(cli, ["restore", str(path)])
    shown = content[:80]
    assert result.exit_code == 2, (shown, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), (shown, result.exception)  # never a traceback
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, (shown, fragment, result.output)
    assert not any(row_counts(app).values()), (shown, "the failed restore left rows behind")


def test_restore_refuses_undecodable_and_non_backup_files(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    header = '{"format": "advisor-backup", "format_version": 1, "tables": {}}'
    cases: list[tuple[bytes, tuple[str, ...]]] = [
        (b"", ("not a backup file",)),
        (b"not json", ("not a backup file", "line 1 column 1")),
        (
            b'{"format": "advisor-backup", "format_version": 1, "tables": {"users": [\xff]}}',
            ("not valid UTF-8", "0xff"),
        ),
        (header.encode("utf-16"), ("UTF-16",)),  # PowerShell's `>` writes UTF-16 with a byte-order mark
        (header.encode("utf-16-le"), ("NUL",)),  # and without one
        (b"[" * 100_000, ("not a backup file",)),  # nested too deeply for the parser
        (b"[]", ("not an advisor backup file", "array")),
        (b'"advisor-backup"', ("not an advisor backup file", "string")),
        (b'{"format": "x"}', ("not an advisor backup file",)),
        (b'{"format_version": 1, "tables": {}}', ("not an advisor backup file",)),
        (b'{"format": "advisor-backup", "format_version": 9}', ("format version 9",)),
        (b'{"format": "advisor-backup", "format_version": "1", "tables": {}}', ('format version "1"',)),
        (b'{"format": "advisor-backup", "format_version": true, "tables": {}}', ("format version true",)),
        (b'{"format": "advisor-backup", "format_version": 1}', ('no "tables"',)),
        (b'{"format": "advisor-backup", "format_version": 1, "tables": []}', ('"tables" must be an object', "array")),
        (
            b'{"format": "advisor-backup", "format_version": 1, "tables": {"secrets": []}}',
            ("unknown tables", "secrets"),
        ),
    ]
    for content, fragments in cases:
        refuse(app, path, content, *fragments)
    from_stdin = app.test_cli_runner().invoke(cli, ["restore", "-"], input=header.encode("utf-16"))
    assert from_stdin.exit_code == 2
    assert "UTF-16" in from_stdin.output
    # a UTF-8 byte-order mark (as Notepad writes) is harmless
    path.write_bytes(b"\xef\xbb\xbf" + header.encode("utf-8"))
    assert app.test_cli_runner().invoke(cli, ["restore", str(path)]).exit_code == 0


def test_restore_names_the_table_row_and_column_that_is_wrong(
    app: Flask, client: FlaskClient, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    populate(client)
    good = tmp_path / "good.json"
    assert app.test_cli_runner().invoke(cli, ["backup", str(good)]).exit_code == 0
    valid = json.loads(good.read_text(encoding="utf-8"))
    other = fresh_app(app, tmp_path, request)  # empty, and every refused restore must leave it so
    path = tmp_path / "bad.json"

    def case(change: Callable[[dict[str, Any]], object], *fragments: str) -> None:
        data = copy.deepcopy(valid)
        change(data["tables"])
        refuse(other, path, json.dumps(data).encode("utf-8"), *fragments)

    def setter(table: str, index: int, column: str, value: object) -> Callable[[dict[str, Any]], object]:
        return lambda t: t[table][index].__setitem__(column, value)

    case(lambda t: t.__setitem__("users", {"id": 1}), "table users", "list of rows", "object")
    case(lambda t: t["users"].__setitem__(0, [1, "owner@example.com"]), "table users, row 0", "array")
    case(setter("users", 0, "colour", "blue"), "table users, row 0", "unknown column", "colour")
    case(lambda t: t["users"][0].pop("email"), "table users, row 0", "missing", "email")
    case(lambda t: t["assessments"][0].pop("id"), "table assessments, row 0", "missing", "id")
    case(setter("users", 0, "email", None), "table users, row 0, column email", "null")
    case(setter("users", 0, "id", "1"), "table users, row 0, column id", "integer", '"1"')
    case(setter("users", 0, "id", 1.5), "table users, row 0, column id", "integer")
    case(setter("users", 0, "id", 2**40), "table users, row 0, column id", "out of range")
    case(setter("assessments", 0, "latest_revision_number", True), "column latest_revision_number", "integer")
    case(setter("users", 0, "is_admin", "yes"), "table users, row 0, column is_admin", "true or false")
    case(setter("users", 0, "created_at", "last Tuesday"), "column created_at", "date and time", "last Tuesday")
    case(setter("users", 0, "created_at", 1700000000), "table users, row 0, column created_at", "string")
    case(setter("users", 0, "email", ["x"]), "table users, row 0, column email", "string")
    case(setter("users", 0, "email", "x" * 300), "table users, row 0, column email", "254")
    case(setter("assessments", 0, "title", "nul\u0000byte"), "table assessments, row 0, column title", "NUL")
    case(setter("assessments", 0, "title", "half \ud800 pair"), "table assessments, row 0, column title", "surrogate")
    case(lambda t: t["users"].append(dict(t["users"][0])), "table users, row 1", "duplicate", "id", "row 0")
    case(
        lambda t: t["users"].append({**t["users"][0], "id": 77}),
        "table users, row 1",
        "duplicate",
        "email",
        "row 0",
    )
    case(setter("assessments", 0, "workspace_id", 999), "table assessments, row 0, column workspace_id", "999")
    case(lambda t: t.__setitem__("workspaces", []), "row 0, column workspace_id", "no row of table workspaces")
    # what only the database checks (a CHECK constraint): its refusal, named by table, rolled back
    case(setter("checklist_statuses", 0, "status", "bogus"), "table checklist_statuses", "status_known")
    case(setter("revisions", 0, "number", 0), "table revisions", "number_positive")

    # and the untouched file still restores
    restored = other.test_cli_runner().invoke(cli, ["restore", str(good)])
    assert restored.exit_code == 0, restored.output
    assert row_counts(other) == {name: len(rows) for name, rows in valid["tables"].items()}
