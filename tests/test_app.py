"""The app factory, configuration, health check, pages, headers and error pages."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advisor import create_app
from advisor.extensions import db
from tests.conftest import make_user, sign_in
from tests.web import new_assessment_with_revision


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_empty_dashboard_invites_a_first_assessment(client: FlaskClient, app: Flask) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    kb = app.extensions["advisor.kb"]
    assert f"(knowledge base {kb.version})" in html
    assert html.count('href="/assessments/new"') == 1, "one New assessment button, not three"
    assert "New assessment</a>" in html
    head = html.split("<body")[0]
    assert "https://" not in head, "no external assets"
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/advisor.js" defer>'], (
        "one script, no inline code"
    )
    assert " style=" not in html


def test_static_assets_are_served_locally(client: FlaskClient) -> None:
    with client.get("/static/css/advisor.css") as response:
        assert response.status_code == 200
        assert b"@import" not in response.data
        assert b"url(http" not in response.data


def test_pages_name_their_icon_so_browsers_ask_for_no_other(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    found = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert found, "without a named icon, browsers fetch /favicon.ico and log a 404"
    with client.get(found.group(1)) as icon:
        assert icon.status_code == 200
        assert icon.mimetype == "image/svg+xml"
        assert b"http://www.w3.org/2000/svg" in icon.data
        assert b"href" not in icon.data, "nothing fetched from elsewhere"


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for path in ("/", "/healthz", "/nowhere"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers
    secure = client.get("/healthz", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_not_found_page_in_the_apps_look(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "404" in html
    assert "Kubernetes architecture advisor" in html


def test_method_not_allowed(client: FlaskClient) -> None:
    response = client.post("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_unexpected_error_shows_no_stack_trace(tmp_path: Path) -> None:
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path / "i"), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.db'}"}
    )
    with app.app_context():
        db.create_all()
    make_user(app, "admin@example.com", admin=True)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals: /etc/passwd")

    client = app.test_client()
    sign_in(client, "admin@example.com")
    response = client.get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Traceback" not in html
    assert "secret internals" not in html
    assert "Something went wrong on our side" in html


def test_secret_key_generated_once_with_private_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADVISOR_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    first = create_app({"INSTANCE_PATH": str(instance)})
    key_file = instance / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert len(first.config["SECRET_KEY"]) == 64
    second = create_app({"INSTANCE_PATH": str(instance)})
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    other = create_app({"INSTANCE_PATH": str(tmp_path / "other")})
    assert other.config["SECRET_KEY"] != first.config["SECRET_KEY"], "never a hard-coded default"


def test_secret_key_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_SECRET_KEY", "k" * 40)
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance")})
    assert app.config["SECRET_KEY"] == "k" * 40
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_damaged_secret_key_file_stops_start_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADVISOR_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "secret_key").write_text("short\n")
    with pytest.raises(RuntimeError, match="holds no usable secret key"):
        create_app({"INSTANCE_PATH": str(instance)})


def test_database_url_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_DATABASE_URL", f"sqlite:///{tmp_path / 'chosen.db'}")
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance")})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("chosen.db")


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADVISOR_DATABASE_URL", raising=False)
    instance = tmp_path / "instance"
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'advisor.sqlite3'}"


def test_instance_path_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_INSTANCE_PATH", str(tmp_path / "elsewhere"))
    app = create_app()
    assert app.instance_path == str(tmp_path / "elsewhere")


def test_error_pages_in_the_apps_look(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024
    responses = {
        400: client.post("/assessments/new", data={"title": "no CSRF token"}),
        403: client.get("/admin/users"),
        404: client.get("/assessments/424242"),
        405: client.delete("/"),
        413: client.post("/assessments/new", data={"title": "x" * 5000}),
    }
    for code, response in responses.items():
        assert response.status_code == code
        body = response.get_data(as_text=True)
        assert f"<h1>{code} · " in body
        assert 'href="/static/css/advisor.css"' in body
        assert "Traceback" not in body


def test_api_errors_are_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json() == {
        "errors": [{"key": "(request)", "message": "There is nothing here, or it is not yours to see."}]
    }


def test_sqlite_file_is_private(tmp_path: Path) -> None:
    db_file = tmp_path / "data" / "advisor.sqlite3"
    create_app({"INSTANCE_PATH": str(tmp_path / "i"), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}"})
    assert stat.S_IMODE(db_file.stat().st_mode) == 0o600
    db_file.chmod(0o644)
    create_app({"INSTANCE_PATH": str(tmp_path / "i"), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}"})
    assert stat.S_IMODE(db_file.stat().st_mode) == 0o600, "tightened again at start-up"


def test_the_current_page_is_marked_in_the_navigation_and_the_tabs(client: FlaskClient) -> None:
    def current(page: str) -> list[str]:
        return re.findall(r'<a href="([^"]*)" aria-current="page">', page)

    assert current(client.get("/").get_data(as_text=True)) == ["/"]
    assert current(client.get("/account").get_data(as_text=True)) == ["/account"]
    assessment_id = new_assessment_with_revision(client)
    for tab in ("", "/revisions", "/activity", "/sharing"):
        url = f"/assessments/{assessment_id}{tab}"
        assert current(client.get(url).get_data(as_text=True)) == [url], url
    with client.get("/static/css/advisor.css") as response:
        assert 'nav.tabs a[aria-current="page"]' in response.get_data(as_text=True), "seen, not only announced"
