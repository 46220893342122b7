"""`advisor db upgrade` on an empty database; models and migrations agree; down and up again."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner


def _version(db_file: Path) -> list[tuple[str]]:
    with sqlite3.connect(db_file) as conn:
        return conn.execute("select version_num from alembic_version").fetchall()


def test_upgrade_check_downgrade_upgrade(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    db_file = tmp_path / "test.sqlite3"
    assert not db_file.exists()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert len(_version(db_file)) == 1

    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output  # non-zero when models and migrations differ

    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    assert _version(db_file) == []
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert len(_version(db_file)) == 1


def test_migration_files_sort_by_date() -> None:
    versions = sorted((Path(__file__).parent.parent / "migrations" / "versions").glob("*.py"))
    assert versions, "the migrations folder holds at least the baseline"
    for path in versions:
        assert re.match(r"\d{8}_\d{4}_[0-9a-f]+_", path.name), path.name
