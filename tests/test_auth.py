"""Accounts: first-run set-up, sign-in, passwords, throttling, sessions, API tokens, the CLI."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from advisor import create_app
from advisor.cli import cli
from advisor.extensions import db
from advisor.models import ApiToken, User, UserSession, Workspace
from advisor.services import accounts
from tests.conftest import PASSWORD, make_user, sign_in
from tests.helpers import BASE_ANSWERS
from tests.web import csrf_token, html


def test_fresh_instance_leads_every_page_to_setup(app: Flask) -> None:
    client = app.test_client()
    for path in ("/", "/assessments/new", "/login", "/workspaces/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == "/setup"
    assert client.get("/healthz").status_code == 200


def test_setup_creates_the_administrator_once(app: Flask) -> None:
    client = app.test_client()
    page = html(client.get("/setup"))
    short = client.post(
        "/setup",
        data={"csrf_token": csrf_token(page), "email": "a@example.com", "password": "short", "confirm": "short"},
    )
    assert short.status_code == 422
    assert "Use at least 12 characters." in html(short)
    assert 'value="a@example.com"' in html(short), "the email typed is kept"
    done = client.post(
        "/setup",
        data={"csrf_token": csrf_token(page), "email": "Admin@Example.com", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert done.status_code == 302
    assert client.get("/").status_code == 200, "signed in straight away"
    assert client.get("/setup").status_code == 404
    assert app.test_client().get("/setup").status_code == 404, "gone for everyone, for good"
    with app.app_context():
        admin = db.session.execute(sa.select(User)).scalar_one()
        assert (admin.email, admin.is_admin) == ("admin@example.com", True)
        assert PASSWORD not in admin.password_hash
        assert admin.password_hash.startswith("scrypt:")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "Use at least 12 characters."),
        ("Qwerty123456", "common passwords"),
        ("1234567890123", "common passwords"),
        ("me@example.com", "must not be the email address"),
    ],
)
def test_password_rules(password: str, problem: str) -> None:
    assert any(problem in p for p in accounts.password_problems(password, "me@example.com"))


def test_a_good_password_passes() -> None:
    assert accounts.password_problems("violet tractor umbrella 42", "me@example.com") == []


def test_sign_in_failures_say_the_same_thing(anonymous: FlaskClient) -> None:
    page = html(anonymous.get("/login"))
    wrong_password = anonymous.post(
        "/login",
        data={"csrf_token": csrf_token(page), "email": "admin@example.com", "password": "not the password at all"},
    )
    unknown = anonymous.post(
        "/login", data={"csrf_token": csrf_token(page), "email": "nobody@example.com", "password": PASSWORD}
    )
    assert wrong_password.status_code == unknown.status_code == 401
    message = "The email or password is not correct, or the account is disabled."
    assert message in html(wrong_password)
    assert message in html(unknown)
    assert 'value="admin@example.com"' in html(wrong_password)
    assert "not the password" not in html(wrong_password), "a password is never echoed"


def test_session_is_renewed_at_sign_in(anonymous: FlaskClient) -> None:
    anonymous.get("/login")
    with anonymous.session_transaction() as before:
        before["planted"] = "by an attacker who fixed this session"
    sign_in(anonymous, "admin@example.com")
    with anonymous.session_transaction() as after:
        assert "planted" not in after, "nothing from before sign-in survives"
        assert after["_user_id"].startswith("1:")
        assert after.permanent


def test_session_cookie_flags(app: Flask, anonymous: FlaskClient) -> None:
    sign_in(anonymous, "admin@example.com")
    cookie = anonymous.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure
    assert cookie.expires is not None
    lifetime = cookie.expires - dt.datetime.now(dt.UTC)  # the idle limit, renewed with every request
    assert dt.timedelta(minutes=119) < lifetime <= dt.timedelta(minutes=121)


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_sign_out_ends_the_session_on_the_server(app: Flask, client: FlaskClient) -> None:
    """Issue 10.3: a cookie captured before signing out opens nothing afterwards."""
    other_device = app.test_client()
    sign_in(other_device, "owner@example.com")
    captured = _session_cookie(client)
    assert client.get("/account").status_code == 200
    page = html(client.get("/account"))
    assert client.post("/logout", data={"csrf_token": csrf_token(page)}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", captured)
    response = replay.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert other_device.get("/account").status_code == 200, "signing out here leaves the other device signed in"


def test_a_sign_in_ends_after_session_hours_however_busy(app: Flask, client: FlaskClient) -> None:
    """ADVISOR_SESSION_HOURS is an absolute limit from signing in, not renewed by activity."""
    assert client.get("/account").status_code == 200
    with app.app_context():
        rows = db.session.scalars(db.select(UserSession)).all()
        assert len(rows) == 1
        expires = accounts.now() - dt.timedelta(seconds=1)
        db.session.execute(db.update(UserSession).values(expires_at=expires))
        db.session.commit()
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_sign_in_lasts_session_hours_and_idle_minutes(tmp_path: Path) -> None:
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path / "i"), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.db'}"}
    )
    assert app.config["SESSION_LIFETIME"] == dt.timedelta(hours=8)
    assert app.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(minutes=120)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ADVISOR_SESSION_HOURS", "1")
        env.setenv("ADVISOR_SESSION_IDLE_MINUTES", "90")
        app = create_app(
            {"INSTANCE_PATH": str(tmp_path / "i"), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.db'}"}
        )
    assert app.config["SESSION_LIFETIME"] == dt.timedelta(hours=1)
    assert app.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(hours=1), "idle never outlasts the sign-in"


def test_an_idle_session_lapses(app: Flask, client: FlaskClient) -> None:
    """The session cookie's signed timestamp is checked on every request against the idle limit."""
    assert client.get("/account").status_code == 200
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(seconds=1)
    time.sleep(2.1)
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_signing_in_clears_out_ended_sign_ins(app: Flask, client: FlaskClient) -> None:
    page = html(client.get("/account"))
    client.post("/logout", data={"csrf_token": csrf_token(page)})
    sign_in(client, "owner@example.com")
    with app.app_context():
        rows = db.session.scalars(db.select(UserSession)).all()
        assert [r.ended_at for r in rows] == [None]


def test_secure_cookies_and_hsts_behind_a_tls_proxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_HTTPS", "1")
    monkeypatch.setenv("ADVISOR_PROXY_FIX", "1")
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path / "i"), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.db'}"}
    )
    with app.app_context():
        db.create_all()
    make_user(app, "admin@example.com", admin=True)
    client = app.test_client()
    https = "https://advisor.example"
    page = html(client.get("/login", base_url=https))
    # over HTTPS, Flask-WTF also checks that the Referer is this site (browsers send it: Referrer-Policy same-origin)
    response = client.post(
        "/login",
        base_url=https,
        headers={"Referer": f"{https}/login"},
        data={"csrf_token": csrf_token(page), "email": "admin@example.com", "password": PASSWORD},
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    # the TLS-terminating proxy says the original request was HTTPS: ProxyFix makes the app see it so
    proxied = client.get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" in client.get("/healthz").headers, "HTTPS mode: always"


def test_sign_out_ends_the_session(client: FlaskClient) -> None:
    page = html(client.get("/"))
    response = client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert response.headers["Location"] == "/login"
    assert client.get("/").headers["Location"].startswith("/login")


def test_sign_out_needs_a_post_with_csrf(client: FlaskClient) -> None:
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def _sign_in_attempt(client: FlaskClient, email: str, password: str) -> Any:
    page = html(client.get("/login"))
    return client.post("/login", data={"csrf_token": csrf_token(page), "email": email, "password": password})


def test_failures_to_one_account_grow_its_delay(app: Flask, anonymous: FlaskClient) -> None:
    """Issue 10.8: after the free failures, each one makes the account wait longer; nothing blocks it for a day."""
    codes = [_sign_in_attempt(anonymous, "admin@example.com", "wrong password!!").status_code for _ in range(6)]
    assert codes == [401, 401, 401, 401, 401, 429]
    blocked = _sign_in_attempt(anonymous, "admin@example.com", PASSWORD)
    assert blocked.status_code == 429, "even the right password waits until the delay has passed"
    assert re.search(r"wait [01] seconds", html(blocked))
    assert int(blocked.headers["Retry-After"]) <= 1
    time.sleep(1.1)
    assert _sign_in_attempt(anonymous, "admin@example.com", "wrong password!!").status_code == 401
    second = _sign_in_attempt(anonymous, "admin@example.com", PASSWORD)
    assert second.status_code == 429
    assert 1 <= int(second.headers["Retry-After"]) <= 2, "the delay doubles with each failure"
    other = _sign_in_attempt(anonymous, "someone@example.com", "wrong password!!")
    assert other.status_code == 401, "another account is not slowed down by this one's failures"
    time.sleep(2.1)
    assert _sign_in_attempt(anonymous, "admin@example.com", PASSWORD).status_code == 302


def test_account_delays_are_capped_and_cleared_by_success(app: Flask, anonymous: FlaskClient) -> None:
    from advisor.extensions import limiter
    from advisor.services.throttle import SignInDelays

    with app.app_context():
        delays = SignInDelays(limiter.storage, free_failures=2, max_seconds=60)
        assert [delays.failed("x@example.com") for _ in range(12)] == [0, 1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60]
        assert 58 <= delays.wait("X@example.com ") <= 60, "the address is normalised"
        delays.succeeded("x@example.com")
        assert delays.wait("x@example.com") == 0
        assert delays.failed("x@example.com") == 0, "a success starts the count again"


def test_successful_sign_ins_use_up_no_allowance(app: Flask, anonymous: FlaskClient) -> None:
    """Only failures count, per account and per address."""
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per minute"
    for _ in range(6):
        client = app.test_client()
        assert _sign_in_attempt(client, "admin@example.com", PASSWORD).status_code == 302


def test_unknown_and_known_accounts_are_slowed_alike(app: Flask, anonymous: FlaskClient) -> None:
    known = [_sign_in_attempt(anonymous, "admin@example.com", "wrong password!!") for _ in range(6)]
    unknown = [_sign_in_attempt(anonymous, "nobody@example.com", "wrong password!!") for _ in range(6)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    token = re.compile(r'value="[A-Za-z0-9._-]{40,}"')
    assert token.sub("", html(known[-1]).replace("admin@", "nobody@")) == token.sub("", html(unknown[-1]))


def test_throttling_per_address(app: Flask, anonymous: FlaskClient) -> None:
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per minute"
    page = html(anonymous.get("/login"))
    codes = [
        anonymous.post(
            "/login",
            data={"csrf_token": csrf_token(page), "email": f"u{i}@example.com", "password": "wrong password!!"},
        ).status_code
        for i in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    refused = anonymous.post(
        "/login", data={"csrf_token": csrf_token(page), "email": "u9@example.com", "password": "x"}
    )
    assert "Too many requests" in html(refused)
    assert 1 <= int(refused.headers["Retry-After"]) <= 61


def test_disabled_account_cannot_sign_in_and_loses_its_session(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        user = accounts.find_user(db.session, "owner@example.com")
        assert user is not None
        accounts.set_disabled(user, True)
        db.session.commit()
    assert client.get("/").headers["Location"].startswith("/login")
    page = html(client.get("/login"))
    response = client.post(
        "/login", data={"csrf_token": csrf_token(page), "email": "owner@example.com", "password": PASSWORD}
    )
    assert response.status_code == 401


def test_change_password_signs_out_other_sessions(app: Flask, client: FlaskClient) -> None:
    other_device = app.test_client()
    sign_in(other_device, "owner@example.com")
    page = html(client.get("/account/password"))
    new = "a different long passphrase"
    weak = client.post(
        "/account/password",
        data={"csrf_token": csrf_token(page), "current": PASSWORD, "password": "letmein", "confirm": "letmein"},
    )
    assert weak.status_code == 422
    wrong = client.post(
        "/account/password",
        data={"csrf_token": csrf_token(page), "current": "not it at all", "password": new, "confirm": new},
    )
    assert "The current password is not correct." in html(wrong)
    done = client.post(
        "/account/password", data={"csrf_token": csrf_token(page), "current": PASSWORD, "password": new, "confirm": new}
    )
    assert done.status_code == 302
    assert client.get("/").status_code == 200, "this session goes on"
    assert other_device.get("/").headers["Location"].startswith("/login"), "the other one ended"
    with app.app_context():
        user = accounts.find_user(db.session, "owner@example.com")
        assert user is not None
        assert accounts.authenticate(db.session, "owner@example.com", new) is not None


def test_admin_creates_and_resets_accounts_with_one_time_passwords(app: Flask, anonymous: FlaskClient) -> None:
    sign_in(anonymous, "admin@example.com")
    page = html(anonymous.get("/admin/users"))
    created = anonymous.post("/admin/users", data={"csrf_token": csrf_token(page), "email": "new@example.com"})
    temporary = re.search(
        r'One-time password for new@example.com:</strong> <code class="secret">([^<]+)</code>', html(created)
    )
    assert temporary
    newcomer = app.test_client()
    sign_in(newcomer, "new@example.com", temporary.group(1))
    forced = newcomer.get("/")
    assert forced.headers["Location"] == "/account/password", "a one-time password must be changed first"
    form = html(newcomer.get("/account/password"))
    newcomer.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(form),
            "current": temporary.group(1),
            "password": "my own long passphrase",
            "confirm": "my own long passphrase",
        },
    )
    assert newcomer.get("/").status_code == 200
    with app.app_context():
        user = accounts.find_user(db.session, "new@example.com")
        assert user is not None
        assert db.session.execute(sa.select(Workspace).where(Workspace.personal_for_id == user.id)).scalar_one()
        user_id = user.id
        raw, _ = accounts.create_api_token(db.session, user, "CI gate")
        db.session.commit()
    bearer = {"Authorization": f"Bearer {raw}"}
    assert newcomer.get("/api/v1/assessments", headers=bearer).status_code == 200
    reset = anonymous.post(f"/admin/users/{user_id}/reset", data={"csrf_token": csrf_token(page)})
    assert "One-time password for new@example.com" in html(reset)
    assert newcomer.get("/").headers["Location"].startswith("/login"), "a reset ends the user's sessions"
    assert app.test_client().get("/api/v1/assessments", headers=bearer).status_code == 401, "and its API tokens"
    with app.app_context():
        tokens = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user_id)).all()
        assert [t.revoked_at is not None for t in tokens] == [True]


def test_admin_pages_are_for_administrators(client: FlaskClient) -> None:
    assert client.get("/admin/users").status_code == 403


def test_api_token_shown_once_stored_hashed_and_usable(app: Flask, client: FlaskClient) -> None:
    page = html(client.get("/account"))
    created = html(client.post("/account/tokens", data={"csrf_token": csrf_token(page), "name": "CI gate"}))
    raw = re.search(r'<code class="secret"[^>]*>(adv_[^<]+)</code>', created)
    assert raw
    # selectable text without JavaScript; the script shows the Copy button beside it
    assert '<button type="button" class="button copy" data-copy="new-api-token" hidden>' in created
    assert 'id="new-api-token"' in created
    token = raw.group(1)
    assert token not in html(client.get("/account")), "shown once"
    with app.app_context():
        stored = db.session.execute(sa.select(ApiToken)).scalar_one()
        assert stored.token_hash == accounts.hash_secret(token)
        assert stored.last_used_at is None
        dump = " ".join(str(v) for v in db.session.execute(sa.select(ApiToken.__table__)).one())
        assert token not in dump, "no plaintext secret in the database"
    api = app.test_client()
    ok = api.post("/api/v1/evaluate", json=BASE_ANSWERS, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    assert ok.get_json()["decisions"][0]["id"] == "hosting"
    with app.app_context():
        assert db.session.execute(sa.select(ApiToken)).scalar_one().last_used_at is not None
    assert "last used" not in html(client.get("/account")).lower() or "never" not in html(client.get("/account"))
    bad = api.post("/api/v1/evaluate", json={"experience": "x"}, headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 400
    assert bad.get_json()["errors"][0]["key"] == "experience"
    with app.app_context():
        token_id = db.session.execute(sa.select(ApiToken.id)).scalar_one()
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(page)})
    revoked = api.post("/api/v1/evaluate", json=BASE_ANSWERS, headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401
    assert revoked.get_json()["errors"][0]["key"] == "Authorization"


def test_api_needs_a_token(client: FlaskClient) -> None:
    response = client.post("/api/v1/evaluate", json=BASE_ANSWERS)
    assert response.status_code == 401, "a browser session is not an API credential"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_cli_create_user_and_token(app: Flask) -> None:
    runner = app.test_cli_runner()
    weak = runner.invoke(cli, ["create-user", "cli@example.com", "--password-stdin"], input="short\n")
    assert weak.exit_code == 2
    assert "Use at least 12 characters." in weak.output
    made = runner.invoke(cli, ["create-user", "cli@example.com", "--admin", "--password-stdin"], input=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    assert "created administrator cli@example.com" in made.output
    token = runner.invoke(cli, ["create-token", "cli@example.com", "--name", "pipeline"])
    assert token.exit_code == 0
    raw = token.output.strip()
    assert raw.startswith("adv_")
    with app.app_context():
        assert accounts.user_for_api_token(db.session, raw) is not None
    missing = runner.invoke(cli, ["create-token", "nobody@example.com", "--name", "x"])
    assert missing.exit_code == 2


def test_first_administrator_adopts_assessments_made_before_accounts(app: Flask) -> None:
    with app.app_context():
        workspace = Workspace(name="Assessments from before accounts")
        db.session.add(workspace)
        db.session.commit()
        workspace_id = workspace.id
    make_user(app, "first@example.com", admin=True)
    client = app.test_client()
    sign_in(client, "first@example.com")
    assert client.get(f"/workspaces/{workspace_id}").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/%0A/evil.example",
        "/%0D/evil.example",
        "%0D%0ALocation:%20https://evil.example",
        "/%5Cevil.example",
        "%5C%5Cevil.example",
        "//evil.example",
        "///evil.example",
        "https://evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
        "/%20/evil.example",
        "%7F//evil.example",
        "evil.example",
    ],
)
def test_sign_in_never_redirects_off_site(anonymous: FlaskClient, target: str) -> None:
    """Issue 10.2: a `next` the browser could read as another site goes to the dashboard instead."""
    page = html(anonymous.get("/login"))
    response = anonymous.post(
        f"/login?next={target}",
        data={"csrf_token": csrf_token(page), "email": "admin@example.com", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_in_goes_on_to_the_page_asked_for(anonymous: FlaskClient) -> None:
    page = html(anonymous.get("/login"))
    response = anonymous.post(
        "/login?next=/assessments/new%3Fworkspace%3D1",
        data={"csrf_token": csrf_token(page), "email": "admin@example.com", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/assessments/new?workspace=1"
