"""`advisor db upgrade` on an empty database; models and migrations agree; down and up again.

Runs on SQLite and on a real PostgreSQL server.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
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


def test_upgrade_keeps_rows_gives_page_keys_and_never_reuses_ids(empty_database_url: str, tmp_path: Path) -> None:
    """An existing database: its rows survive the table rebuilds (no cascade), revisions get page keys,
    and on SQLite every table hands out ids with AUTOINCREMENT from then on."""
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "8f3c2a61d0b4"]).exit_code == 0
    engine = sa.create_engine(empty_database_url)
    rows = [
        "insert into users (id, email, password_hash, is_admin, disabled, must_change_password, session_nonce)"
        " values (1, 'a@example.com', 'x', true, false, false, 'n')",
        "insert into workspaces (id, name, personal_for_id) values (1, 'w', 1)",
        "insert into memberships (workspace_id, user_id, role) values (1, 1, 'owner')",
        "insert into assessments (id, workspace_id, title, description, archived, draft, latest_revision_number,"
        " version) values (1, 1, 't', '', false, '{}', 2, 1)",
        "insert into revisions (assessment_id, number, answers, result, statuses, engine_version,"
        " knowledge_base_version, recommended, checklist_ids) values"
        " (1, 1, '{}', '{}', '{}', '1', '1', '{}', '[]'), (1, 2, '{}', '{}', '{}', '1', '1', '{}', '[]')",
        "insert into checklist_statuses (assessment_id, item_id, status, note, owner, version)"
        " values (1, 'x', 'done', '', '', 1)",
    ]
    try:
        with engine.begin() as conn:
            for statement in rows:
                conn.execute(sa.text(statement))
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with engine.connect() as conn:
            for table in ("users", "workspaces", "memberships", "assessments", "checklist_statuses"):
                assert conn.execute(sa.text(f"select count(*) from {table}")).scalar() == 1, table  # noqa: S608
            keys = conn.execute(sa.text("select page_key from revisions")).scalars().all()
            assert len(keys) == 2
            assert len(set(keys)) == 2
            assert all(re.fullmatch(r"[0-9a-f]{32}", k) for k in keys)
            if conn.dialect.name == "sqlite":
                tables = conn.execute(sa.text("select name, sql from sqlite_master where type = 'table'")).all()
                ours = {
                    name: sql for name, sql in tables if name != "alembic_version" and not name.startswith("sqlite")
                }
                assert ours
                assert all("AUTOINCREMENT" in sql for sql in ours.values()), ours
        assert runner.invoke(args=["db", "check"]).exit_code == 0
    finally:
        engine.dispose()
        with app.app_context():
            from advisor.extensions import db

            db.engine.dispose()


def test_drafts_become_one_document_and_flat_again_on_downgrade(empty_database_url: str, tmp_path: Path) -> None:
    """c39574cd4d5f: a flat draft's form values, ``_steps_done`` and ``_base_revision`` become
    ``values``, ``steps_done`` and ``base_revision``; the empty starting draft becomes no draft."""
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "5360435d90a6"]).exit_code == 0
    engine = sa.create_engine(empty_database_url)
    assessments = sa.table("assessments", sa.column("id", sa.Integer()), sa.column("draft", sa.JSON()))
    flat = {
        1: {"experience": "expert", "compliance": ["gdpr"], "_steps_done": ["context"], "_base_revision": 1},
        2: {"experience": "novice"},  # begun from the empty starting draft: no meta keys
        3: {},
        4: None,  # JSON null, as the ORM writes a dropped draft; 5 is left SQL NULL, as a row inserted without one
    }

    def drafts() -> dict[int, object]:
        with engine.connect() as conn:
            return {row.id: row.draft for row in conn.execute(sa.select(assessments.c.id, assessments.c.draft))}

    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "insert into users (id, email, password_hash, is_admin, disabled, must_change_password,"
                    " session_nonce) values (1, 'a@example.com', 'x', true, false, false, 'n')"
                )
            )
            conn.execute(sa.text("insert into workspaces (id, name, personal_for_id) values (1, 'w', 1)"))
            for assessment_id in (*flat, 5):
                conn.execute(
                    sa.text(
                        "insert into assessments (id, workspace_id, title, description, archived,"
                        " latest_revision_number, version) values (:id, 1, 't', '', false, :latest, 1)"
                    ),
                    {"id": assessment_id, "latest": 1 if assessment_id == 1 else 0},
                )
            for assessment_id, draft in flat.items():
                conn.execute(assessments.update().where(assessments.c.id == assessment_id).values(draft=draft))

        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        assert drafts() == {
            1: {
                "values": {"experience": "expert", "compliance": ["gdpr"]},
                "steps_done": ["context"],
                "base_revision": 1,
            },
            2: {"values": {"experience": "novice"}, "steps_done": [], "base_revision": 0},
            3: None,
            4: None,
            5: None,
        }

        assert runner.invoke(args=["db", "downgrade", "5360435d90a6"]).exit_code == 0
        assert drafts() == {
            1: flat[1],
            2: {"experience": "novice", "_steps_done": [], "_base_revision": 0},  # what the flat reader assumed
            3: None,  # as the flat reader took it: nothing answered, no revision to start from
            4: None,
            5: None,
        }
    finally:
        engine.dispose()
        with app.app_context():
            from advisor.extensions import db

            db.engine.dispose()


# a status of assessment 1 whose note each migration must keep
KEPT_STATUS = (
    "insert into checklist_statuses (assessment_id, item_id, status, note, owner, version)"
    " values (1, 'x', 'done', 'kept', '', 1)"
)


def owner_and_assessment(latest_revision: int) -> tuple[str, ...]:
    """SQL for one user, their workspace and one assessment (id 1), valid from 7b1e5c0a9d24 on."""
    return (
        "insert into users (id, email, password_hash, is_admin, disabled, must_change_password,"
        " session_nonce) values (1, 'a@example.com', 'x', true, false, false, 'n')",
        "insert into workspaces (id, name, personal_for_id) values (1, 'w', 1)",
        "insert into assessments (id, workspace_id, title, description, archived, latest_revision_number,"  # noqa: S608
        f" version) values (1, 1, 't', '', false, {int(latest_revision)}, 1)",
    )


def test_statuses_gain_the_review_columns_empty_and_lose_them_on_downgrade(
    empty_database_url: str, tmp_path: Path
) -> None:
    """7b1e5c0a9d24: existing statuses need no review; downgrading drops the columns and keeps the rows."""
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "c39574cd4d5f"]).exit_code == 0
    engine = sa.create_engine(empty_database_url)

    def columns() -> set[str]:
        with engine.connect() as conn:
            return {c["name"] for c in sa.inspect(conn).get_columns("checklist_statuses")}

    try:
        with engine.begin() as conn:
            for statement in (
                *owner_and_assessment(latest_revision=0),
                KEPT_STATUS,
            ):
                conn.execute(sa.text(statement))
        assert not {"review_reason", "review_since"} & columns()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with engine.connect() as conn:
            row = conn.execute(sa.text("select note, review_reason, review_since from checklist_statuses")).one()
        assert tuple(row) == ("kept", None, None)
        assert runner.invoke(args=["db", "downgrade", "c39574cd4d5f"]).exit_code == 0
        assert not {"review_reason", "review_since"} & columns()
        with engine.connect() as conn:
            assert conn.execute(sa.text("select note from checklist_statuses")).scalar_one() == "kept"
    finally:
        engine.dispose()
        with app.app_context():
            from advisor.extensions import db

            db.engine.dispose()


def test_revisions_gain_their_close_calls_from_the_stored_results(empty_database_url: str, tmp_path: Path) -> None:
    """a4c1d2e3f5b6: each revision's close calls are read from its result: the engine's own flag where it
    wrote one, else a margin under 5 points (engine 1.x); downgrading drops the column and keeps the rows."""
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "7b1e5c0a9d24"]).exit_code == 0
    engine = sa.create_engine(empty_database_url)
    # the flag wins over the margin either way; without one, under 5 points is a close call
    flagged = {
        "decisions": [
            {"id": "hosting", "margin": 0.2, "close_call": True},
            {"id": "clusters", "margin": 0.01, "close_call": False},
        ]
    }
    v1 = {
        "decisions": [
            {"id": "hosting", "margin": 0.049},
            {"id": "clusters", "margin": 0.05},
            {"id": "x", "margin": None},
        ]
    }
    try:
        with engine.begin() as conn:
            for statement in (*owner_and_assessment(latest_revision=3),):
                conn.execute(sa.text(statement))
            for number, result in enumerate((flagged, v1, {"decisions": []}), start=1):
                conn.execute(
                    sa.text(
                        "insert into revisions (assessment_id, number, answers, result, statuses, engine_version,"
                        " knowledge_base_version, recommended, checklist_ids, page_key) values"
                        " (1, :number, '{}', :result, '{}', '1', '1', '{}', '[]', :key)"
                    ),
                    {"number": number, "result": json.dumps(result), "key": f"{number:032x}"},
                )
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with engine.connect() as conn:
            rows = conn.execute(sa.text("select number, close_calls from revisions order by number")).all()
        stored = {number: json.loads(calls) if isinstance(calls, str) else calls for number, calls in rows}
        assert stored == {1: ["hosting"], 2: ["hosting"], 3: []}
        assert runner.invoke(args=["db", "downgrade", "7b1e5c0a9d24"]).exit_code == 0
        with engine.connect() as conn:
            assert "close_calls" not in {c["name"] for c in sa.inspect(conn).get_columns("revisions")}
            assert conn.execute(sa.text("select count(*) from revisions")).scalar_one() == 3
    finally:
        engine.dispose()
        with app.app_context():
            from advisor.extensions import db

            db.engine.dispose()


def test_statuses_gain_a_due_date_and_evidence_its_table_and_lose_both_on_downgrade(
    empty_database_url: str, tmp_path: Path
) -> None:
    """c7e3f1a9b2d4: existing statuses have no due date and no evidence; evidence can be stored (its kind and
    scan result checked); downgrading drops the column and the table and keeps the statuses."""
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "b5d2e4f6a7c8"]).exit_code == 0
    engine = sa.create_engine(empty_database_url)

    def schema() -> tuple[set[str], bool]:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            return {c["name"] for c in inspector.get_columns("checklist_statuses")}, inspector.has_table("evidence")

    try:
        with engine.begin() as conn:
            for statement in (
                *owner_and_assessment(latest_revision=0),
                KEPT_STATUS,
            ):
                conn.execute(sa.text(statement))
        columns, table = schema()
        assert "due_on" not in columns
        assert not table
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        assert "due_on" in schema()[0]
        assert schema()[1]
        with engine.begin() as conn:
            assert tuple(conn.execute(sa.text("select note, due_on from checklist_statuses")).one()) == ("kept", None)
            conn.execute(
                sa.text(
                    'insert into evidence (assessment_id, item_id, kind, text, tool, "check", result)'
                    " values (1, 'x', 'scan', 'detail', 'kube-bench', '5.2.2', 'fail')"
                )
            )
            assert conn.execute(sa.text("select added_at from evidence")).scalar_one() is not None
        for wrong in (
            "kind, text) values (1, 'x', 'photo', 'y')",
            "kind, text, result) values (1, 'x', 'scan', '', 'ok')",
        ):
            with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
                conn.execute(sa.text(f"insert into evidence (assessment_id, item_id, {wrong}"))
        assert runner.invoke(args=["db", "downgrade", "b5d2e4f6a7c8"]).exit_code == 0
        columns, table = schema()
        assert "due_on" not in columns
        assert not table
        with engine.connect() as conn:
            assert conn.execute(sa.text("select note from checklist_statuses")).scalar_one() == "kept"
    finally:
        engine.dispose()
        with app.app_context():
            from advisor.extensions import db

            db.engine.dispose()


def test_scan_imports_arrive_with_evidence_kept_and_go_on_downgrade(empty_database_url: str, tmp_path: Path) -> None:
    """d8f4a2b6c1e3: evidence saved before stays (no report named); an assessment holds a report's digest once;
    downgrading drops the imports and the kept readings, and keeps the evidence."""
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "c7e3f1a9b2d4"]).exit_code == 0
    engine = sa.create_engine(empty_database_url)

    def tables() -> set[str]:
        with engine.connect() as conn:
            return {t for t in ("scan_imports", "pending_scans") if sa.inspect(conn).has_table(t)}

    imported = (
        "insert into scan_imports (assessment_id, file_name, tool, source, benchmarks, cluster, scanned_at, digest,"
        " passed, failed, not_evaluated, items) values (1, 'kb.json', 'kube-bench', 'cluster', '[]', 'prod',"
        " '2026-11-30 02:00:00+00:00', :digest, 1, 0, 0, 1)"
    )
    try:
        with engine.begin() as conn:
            for statement in owner_and_assessment(latest_revision=0):
                conn.execute(sa.text(statement))
            conn.execute(
                sa.text("insert into evidence (assessment_id, item_id, kind, text) values (1, 'x', 'text', 'kept')")
            )
        assert tables() == set()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        assert tables() == {"scan_imports", "pending_scans"}
        with engine.begin() as conn:
            assert tuple(conn.execute(sa.text("select text, scan_id from evidence")).one()) == ("kept", None)
            conn.execute(sa.text(imported), {"digest": "a" * 64})
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(sa.text(imported), {"digest": "a" * 64})
        assert runner.invoke(args=["db", "downgrade", "c7e3f1a9b2d4"]).exit_code == 0
        assert tables() == set()
        with engine.connect() as conn:
            assert conn.execute(sa.text("select text from evidence")).scalar_one() == "kept"
    finally:
        engine.dispose()
        with app.app_context():
            from advisor.extensions import db

            db.engine.dispose()


def test_status_history_starts_with_each_row_as_it_stands(empty_database_url: str, tmp_path: Path) -> None:
    """e9a3c5d7f1b2: each status row saved before gets one history entry, the row as it stands at its last change;
    downgrading drops the history and keeps the statuses."""
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "d8f4a2b6c1e3"]).exit_code == 0
    engine = sa.create_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            for statement in (*owner_and_assessment(latest_revision=0), KEPT_STATUS):
                conn.execute(sa.text(statement))
            conn.execute(sa.text("update checklist_statuses set due_on = '2026-12-31', updated_by = 'a@example.com'"))
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with engine.connect() as conn:
            row = conn.execute(sa.text("select item_id, changed_by, version, state from status_changes")).one()
        state = row.state if isinstance(row.state, dict) else json.loads(row.state)
        assert (row.item_id, row.changed_by, row.version) == ("x", "a@example.com", 1)
        assert (state["status"], state["note"], state["due_on"]) == ("done", "kept", "2026-12-31")
        assert runner.invoke(args=["db", "downgrade", "d8f4a2b6c1e3"]).exit_code == 0
        with engine.connect() as conn:
            assert not sa.inspect(conn).has_table("status_changes")
            assert conn.execute(sa.text("select note from checklist_statuses")).scalar_one() == "kept"
    finally:
        engine.dispose()
        with app.app_context():
            from advisor.extensions import db

            db.engine.dispose()


SIGN_OFFS_BEFORE = "d5f7b9c1e3a6"  # the revision before e6a8c0d2f4b7


def test_sign_offs_arrive_empty_hold_one_signature_per_role_and_go_on_downgrade(
    empty_database_url: str, tmp_path: Path
) -> None:
    """e6a8c0d2f4b7: revisions saved before have no sign-off; a revision holds one signature per role, of a known
    role; downgrading drops the table and keeps the revisions."""
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", SIGN_OFFS_BEFORE]).exit_code == 0
    engine = sa.create_engine(empty_database_url)

    def has_table() -> bool:
        with engine.connect() as conn:
            return sa.inspect(conn).has_table("sign_offs")

    signature = (
        "insert into sign_offs (assessment_id, revision_id, role, signed_by, signed_at, statement)"
        " values (1, 1, :role, 'a@example.com', '2026-12-02 20:00:00+00:00', '')"
    )
    try:
        with engine.begin() as conn:
            for statement in owner_and_assessment(latest_revision=1):
                conn.execute(sa.text(statement))
            conn.execute(
                sa.text(
                    "insert into revisions (id, assessment_id, number, answers, result, statuses, engine_version,"
                    " knowledge_base_version, recommended, checklist_ids, page_key) values"
                    " (1, 1, 1, '{}', '{}', '{}', '1', '1', '{}', '[]', 'k')"
                )
            )
        assert not has_table()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with engine.begin() as conn:
            assert conn.execute(sa.text("select count(*) from sign_offs")).scalar_one() == 0
            conn.execute(sa.text(signature), {"role": "assessor"})
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(sa.text(signature), {"role": "assessor"})
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(sa.text(signature), {"role": "reviewer"})
        assert runner.invoke(args=["db", "downgrade", SIGN_OFFS_BEFORE]).exit_code == 0
        assert not has_table()
        with engine.connect() as conn:
            assert conn.execute(sa.text("select count(*) from revisions")).scalar_one() == 1
    finally:
        engine.dispose()
        with app.app_context():
            from advisor.extensions import db

            db.engine.dispose()


def test_statuses_may_be_inherited_and_not_applicable_again_on_downgrade(
    empty_database_url: str, tmp_path: Path
) -> None:
    """d5f7b9c1e3a6: the status check admits 'inherited' (and still refuses what it does not know, and a verification
    result it does not know); downgrading makes inherited items not applicable, their attestation kept as the note."""
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "c4e6a8b0d2f5"]).exit_code == 0
    engine = sa.create_engine(empty_database_url)
    inherited = (
        "insert into checklist_statuses (assessment_id, item_id, status, note, owner, version)"
        " values (1, 'y', 'inherited', 'AWS SOC 2 Type II, 2026, CC6.1', '', 1)"
    )

    def refused(statement: str) -> bool:
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(statement))
        except sa.exc.IntegrityError:
            return True
        return False

    try:
        with engine.begin() as conn:
            for statement in (*owner_and_assessment(latest_revision=0), KEPT_STATUS):
                conn.execute(sa.text(statement))
        assert refused(inherited)
        assert runner.invoke(args=["db", "upgrade", "d5f7b9c1e3a6"]).exit_code == 0
        assert _versions(empty_database_url) == ["d5f7b9c1e3a6"]
        assert not refused(inherited)
        assert refused(inherited.replace("'y', 'inherited'", "'z', 'borrowed'"))
        assert refused("update checklist_statuses set verification_result = 'maybe' where item_id = 'x'")
        with engine.connect() as conn:
            rows = conn.execute(sa.text("select id, item_id, status, note from checklist_statuses order by id")).all()
        assert [tuple(r)[1:] for r in rows] == [
            ("x", "done", "kept"),
            ("y", "inherited", "AWS SOC 2 Type II, 2026, CC6.1"),
        ]

        assert runner.invoke(args=["db", "downgrade", "c4e6a8b0d2f5"]).exit_code == 0
        with engine.connect() as conn:
            after = conn.execute(sa.text("select id, item_id, status, note from checklist_statuses order by id")).all()
        # the inherited item is not applicable now, under the same id, its attestation the reason
        assert [tuple(r) for r in after] == [
            (rows[0].id, "x", "done", "kept"),
            (rows[1].id, "y", "not_applicable", "AWS SOC 2 Type II, 2026, CC6.1"),
        ]
        assert refused(inherited.replace("'y'", "'w'"))
    finally:
        engine.dispose()
        with app.app_context():
            from advisor.extensions import db

            db.engine.dispose()
