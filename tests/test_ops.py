"""Readiness, request logs and the production-mode safety checks."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advisor import create_app
from advisor.cli import cli
from advisor.config import UnsafeConfiguration, check_production


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


KEY = "k" * 40
POSTGRES = "postgresql+psycopg://advisor@db/advisor"
REDIS = "redis://:password@advisor-redis:6379/0"


@pytest.mark.parametrize(
    ("settings", "environ", "problem"),
    [
        ({}, {}, "ADVISOR_SECRET_KEY is not set"),
        ({"SECRET_KEY": "short"}, {}, "shorter than 32 characters"),
        ({"SECRET_KEY": KEY}, {"FLASK_DEBUG": "1"}, "debug mode is on"),
        ({"SECRET_KEY": KEY}, {"WEB_CONCURRENCY": "4"}, "SQLite cannot be shared by 4 instances"),
        (
            {"SECRET_KEY": KEY, "SQLALCHEMY_DATABASE_URI": POSTGRES},
            {"WEB_CONCURRENCY": "2"},
            "ADVISOR_RATELIMIT_STORAGE_URL is memory://, so each of the 2 instances or workers",
        ),
        (
            {"SECRET_KEY": KEY, "SQLALCHEMY_DATABASE_URI": POSTGRES, "RATELIMIT_STORAGE_URI": "memory://"},
            {"ADVISOR_INSTANCES": "3"},
            "point every instance at one shared store, e.g. redis://",
        ),
    ],
)
def test_production_mode_refuses_unsafe_settings(
    app: Flask, settings: dict[str, str], environ: dict[str, str], problem: str
) -> None:
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:////tmp/x.db"
    app.config.update(settings)
    with pytest.raises(UnsafeConfiguration, match=problem):
        check_production(app, {"ADVISOR_ENV": "production", **environ})


def test_production_mode_accepts_a_safe_configuration(app: Flask) -> None:
    app.config.update(SQLALCHEMY_DATABASE_URI=POSTGRES, SECRET_KEY=KEY, RATELIMIT_STORAGE_URI=REDIS)
    check_production(app, {"ADVISOR_ENV": "production", "WEB_CONCURRENCY": "4"})


def test_one_process_may_throttle_in_memory(app: Flask) -> None:
    app.config.update(SQLALCHEMY_DATABASE_URI=POSTGRES, SECRET_KEY=KEY, RATELIMIT_STORAGE_URI="memory://")
    check_production(app, {"ADVISOR_ENV": "production", "WEB_CONCURRENCY": "1"})


def test_the_app_will_not_start_unsafe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_ENV", "production")
    monkeypatch.delenv("ADVISOR_SECRET_KEY", raising=False)
    monkeypatch.delenv("ADVISOR_SECRET_KEY_FILE", raising=False)
    with pytest.raises(UnsafeConfiguration, match="refusing to start in production mode"):
        create_app({"INSTANCE_PATH": str(tmp_path / "i")})


def secret_file(folder: Path, name: str, value: str) -> str:
    path = folder / name
    path.write_text(value + "\n", encoding="utf-8")  # `echo value > file`, as a Secret often holds it
    path.chmod(0o440)
    return str(path)


def production_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **variables: str) -> None:
    for name in list(os.environ):
        if name.startswith("ADVISOR_") or name in ("WEB_CONCURRENCY", "FLASK_DEBUG"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ADVISOR_ENV", "production")
    monkeypatch.setenv("ADVISOR_INSTANCE_PATH", str(tmp_path / "instance"))
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def test_production_accepts_secrets_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The manifests' way: every secret in a mounted file, several workers, the shared store."""
    production_environment(
        monkeypatch,
        tmp_path,
        ADVISOR_SECRET_KEY_FILE=secret_file(tmp_path, "secret-key", KEY),
        ADVISOR_DATABASE_URL_FILE=secret_file(tmp_path, "database-url", POSTGRES),
        ADVISOR_RATELIMIT_STORAGE_URL_FILE=secret_file(tmp_path, "ratelimit-storage-url", REDIS),
        WEB_CONCURRENCY="2",
    )
    app = create_app()
    assert app.config["SECRET_KEY"] == KEY
    assert app.config["SQLALCHEMY_DATABASE_URI"] == POSTGRES
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 5, "PostgreSQL's pool settings apply"
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS


def test_production_refuses_a_short_key_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    production_environment(monkeypatch, tmp_path, ADVISOR_SECRET_KEY_FILE=secret_file(tmp_path, "key", "short"))
    with pytest.raises(UnsafeConfiguration, match="shorter than 32 characters"):
        create_app()


def test_production_refuses_memory_throttling_with_several_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    production_environment(
        monkeypatch,
        tmp_path,
        ADVISOR_SECRET_KEY_FILE=secret_file(tmp_path, "secret-key", KEY),
        ADVISOR_DATABASE_URL_FILE=secret_file(tmp_path, "database-url", POSTGRES),
        WEB_CONCURRENCY="2",
    )
    with pytest.raises(UnsafeConfiguration) as refused:
        create_app()
    message = str(refused.value)
    assert "ADVISOR_RATELIMIT_STORAGE_URL is memory://" in message
    assert "redis://" in message
    assert "SQLite" not in message
