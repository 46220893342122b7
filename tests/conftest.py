"""Shared fixtures: a valid answers document, and an app on a fresh SQLite database per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from advisor import create_app
from advisor.engine import KnowledgeBase, default_knowledge_base


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge_base()


@pytest.fixture
def answers() -> dict[str, Any]:
    """A complete, valid answers document; tests change what they need."""
    return {
        "experience": "intermediate",
        "automation": "partial",
        "infrastructure": "public_cloud",
        "air_gapped": False,
        "applications": 4,
        "services": 8,
        "tenancy": "single_team",
        "sensitivity": "moderate",
    }


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        }
    )
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
