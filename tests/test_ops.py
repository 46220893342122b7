"""Readiness, request logs and the production-mode safety checks."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advisor import create_app
from advisor.cli import cli
from advisor.ops import UnsafeConfiguration, check_production


def test_readyz_follows_the_database_and_migrations(empty_database_url: str, tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    client = app.test_client()
    before = client.get("/readyz")
    assert before.status_code == 503
    assert before.get_json()["migrations"] == "not current"
    assert app.test_cli_runner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ok", "database": "reachable", "migrations": "current"}
    with app.app_context():
        from advisor.extensions import db

        db.engine.dispose()


def test_readyz_fails_when_the_database_is_unreachable(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "SQLALCHEMY_DATABASE_URI": url})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    assert app.test_client().get("/healthz").status_code == 200, "the process itself is alive"


def test_one_json_line_per_request_without_secrets(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("advisor.access")
    logger.propagate = True
    try:
        with caplog.at_level(logging.INFO, logger="advisor.access"):
            client.get("/assessments/424242?token=SECRET-IN-URL")
    finally:
        logger.propagate = False
    record = next(r for r in caplog.records if r.name == "advisor.access")
    fields = record.fields  # type: ignore[attr-defined]
    assert fields["method"] == "GET"
    assert fields["route"] == "/assessments/<int:assessment_id>"
    assert fields["status"] == 404
    assert fields["duration_ms"] >= 0
    assert isinstance(fields["user_id"], int)
    line = logger.handlers[0].format(record)
    assert json.loads(line)["route"] == "/assessments/<int:assessment_id>"
    assert "SECRET-IN-URL" not in line


@pytest.mark.parametrize(
    ("environ", "problem"),
    [
        ({}, "ADVISOR_SECRET_KEY is not set"),
        ({"ADVISOR_SECRET_KEY": "short"}, "shorter than 32 characters"),
        ({"ADVISOR_SECRET_KEY": "k" * 40, "FLASK_DEBUG": "1"}, "debug mode is on"),
        ({"ADVISOR_SECRET_KEY": "k" * 40, "WEB_CONCURRENCY": "4"}, "SQLite cannot be shared by 4 instances"),
    ],
)
def test_production_mode_refuses_unsafe_settings(
    app: Flask, environ: dict[str, str], problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:////tmp/x.db"
    with pytest.raises(UnsafeConfiguration, match=problem):
        check_production(app, {"ADVISOR_ENV": "production", **environ})


def test_production_mode_accepts_a_safe_configuration(app: Flask) -> None:
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://advisor@db/advisor"
    check_production(app, {"ADVISOR_ENV": "production", "ADVISOR_SECRET_KEY": "k" * 40, "WEB_CONCURRENCY": "4"})


def test_the_app_will_not_start_unsafe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_ENV", "production")
    monkeypatch.delenv("ADVISOR_SECRET_KEY", raising=False)
    with pytest.raises(UnsafeConfiguration, match="refusing to start in production mode"):
        create_app({"INSTANCE_PATH": str(tmp_path / "i")})
