"""`advisor db upgrade` on an empty database; models and migrations agree; down and up again.

Runs on SQLite and on a real PostgreSQL server.
"""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from advisor import create_app


def _versions(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return []
            return [row[0] for row in conn.execute(sa.text("select version_num from alembic_version"))]
    finally:
        engine.dispose()


def test_upgrade_check_downgrade_upgrade(empty_database_url: str, tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    runner = app.test_cli_runner()
    assert _versions(empty_database_url) == []
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert len(_versions(empty_database_url)) == 1

    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output  # non-zero when models and migrations differ

    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    assert _versions(empty_database_url) == []
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert len(_versions(empty_database_url)) == 1
    with app.app_context():
        from advisor.extensions import db

        db.engine.dispose()


def test_migration_files_sort_by_date() -> None:
    versions = sorted((Path(__file__).parent.parent / "migrations" / "versions").glob("*.py"))
    assert versions, "the migrations folder holds at least the baseline"
    for path in versions:
        assert re.match(r"\d{8}_\d{4}_[0-9a-f]+_", path.name), path.name
