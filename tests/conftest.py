"""Shared fixtures: a valid answers document, and an app on a fresh SQLite database per test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from advisor import create_app
from advisor.engine import KnowledgeBase, default_knowledge_base
from advisor.extensions import db
from advisor.services import accounts
from tests.helpers import BASE_ANSWERS
from tests.postgres import PostgresServer, running_server


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge_base()


@pytest.fixture
def answers() -> dict[str, Any]:
    """A complete, valid answers document; tests change what they need."""
    return dict(BASE_ANSWERS)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole session, started on first use."""
    with running_server() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_test_url(postgres: PostgresServer) -> str:
    """A database the app tests share; each test gets its tables created afresh."""
    return postgres.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A brand-new database with nothing in it, on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The app on SQLite and on PostgreSQL, with a fresh schema for every test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_test_url")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


PASSWORD = "correct horse battery staple"


def make_user(app: Flask, email: str, *, admin: bool = False) -> int:
    """An account with its personal workspace, straight through the service layer."""
    with app.app_context():
        user = accounts.create_user(db.session, email, PASSWORD, is_admin=admin)
        db.session.commit()
        return user.id


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "the sign-in page carries a CSRF token"
    response = client.post("/login", data={"csrf_token": token.group(1), "email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def anonymous(app: Flask) -> FlaskClient:
    """A client that has not signed in (an administrator exists, so set-up is done)."""
    make_user(app, "admin@example.com", admin=True)
    return app.test_client()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A client signed in as the owner of a personal workspace."""
    make_user(app, "owner@example.com")
    client = app.test_client()
    sign_in(client, "owner@example.com")
    return client


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
