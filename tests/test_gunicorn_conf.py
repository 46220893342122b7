"""gunicorn as the image runs it (advisor/gunicorn_conf.py): share-link tokens never reach a log.

The app's own JSON request log names route patterns only; gunicorn's access log prints the
request line, the path, the query and headers such as Referer, and its error log the URL of a
request that failed. The served test starts the Dockerfile's CMD for real.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from advisor import gunicorn_conf
from advisor.extensions import db
from tests.conftest import make_user, sign_in
from tests.servers import app_environment, dockerfile_instruction, get, gunicorn, migrated_sqlite
from tests.web import csrf_token, html, new_assessment_with_revision

pytestmark = pytest.mark.timeout(180)


def share_link(folder: Path, secret_key: str) -> tuple[str, str]:
    """A real share link on a fresh database: (database URL, token)."""
    app, url = migrated_sqlite(folder, secret_key)
    make_user(app, "owner@example.com")
    client = app.test_client()
    sign_in(client, "owner@example.com")
    assessment_id = new_assessment_with_revision(client, "Payments platform")
    page = html(client.get(f"/assessments/{assessment_id}/sharing"))
    response = client.post(
        f"/assessments/{assessment_id}/sharing",
        data={"csrf_token": csrf_token(page), "label": "Auditor", "revision": "latest", "days": "7"},
    )
    found = re.search(r'<code class="secret"[^>]*>http://localhost/share/([^<]+)</code>', html(response))
    assert found, html(response)
    with app.app_context():
        db.engine.dispose()
    return url, found.group(1)


def test_gunicorn_access_log_never_shows_share_tokens(tmp_path: Path) -> None:
    secret_key = secrets.token_hex(32)
    url, token = share_link(tmp_path / "db", secret_key)
    env = app_environment(
        ADVISOR_DATABASE_URL=url,
        ADVISOR_SECRET_KEY=secret_key,
        ADVISOR_INSTANCE_PATH=str(tmp_path / "instance"),
        WEB_CONCURRENCY="1",
    )
    with gunicorn(env, tmp_path / "served") as server:
        page = f"{server.base}/share/{token}"
        status, body = get(page)
        assert status == 200
        assert b"Payments platform" in body
        # the export link on the shared report, followed the way a browser does: with the page as Referer
        status, body = get(f"{page}/export?format=csv", headers={"Referer": page})
        assert status == 200
        assert body.startswith(b"\xef\xbb\xbf"), "the checklist as CSV"
        assert get(f"{server.base}/share/{token}x")[0] == 404, "an unknown token is logged too"
        # the image's HEALTHCHECK, pointed at this server's port
        healthcheck = dockerfile_instruction("HEALTHCHECK")
        assert healthcheck[0] == "python"
        probe = [sys.executable, *(a.replace("127.0.0.1:8000", f"127.0.0.1:{server.port}") for a in healthcheck[1:])]
        assert subprocess.run(probe, capture_output=True, timeout=30, check=False).returncode == 0
    stdout, stderr = server.output()
    everything = stdout + stderr
    assert token not in everything
    assert token[:12] not in everything, "not even part of it"
    access = [line for line in stdout.splitlines() if '"GET ' in line]
    assert any('"GET /share/[redacted] HTTP/1.1" 200' in line for line in access), stdout
    assert any('"GET /share/[redacted]/export?format=csv HTTP/1.1" 200' in line for line in access), stdout
    assert any(f'"http://127.0.0.1:{server.port}/share/[redacted]"' in line for line in access), "Referer"
    assert any('"GET /share/[redacted] HTTP/1.1" 404' in line for line in access)
    assert '"route":"/share/<token>/export"' in stderr, "the app's own request log, route patterns only"
    # the healthcheck probe, on a closed port, fails as it must
    closed = [sys.executable, *(a.replace("127.0.0.1:8000", f"127.0.0.1:{server.port}") for a in healthcheck[1:])]
    assert subprocess.run(closed, capture_output=True, timeout=30, check=False).returncode != 0


def _logged(logger: logging.Logger, emit: Callable[[], object]) -> str:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    logger.addHandler(handler)
    try:
        emit()
    finally:
        logger.removeHandler(handler)
    return "\n".join(lines)


def test_every_access_log_atom_and_error_line_is_redacted() -> None:
    """A custom access_log_format with every atom that can carry the URL: none shows the token."""
    token = "tok3n-" + secrets.token_urlsafe(16)
    cfg = Config()
    cfg.set("logger_class", "advisor.gunicorn_conf.RedactingLogger")
    cfg.set("accesslog", "-")
    cfg.set(
        "access_log_format",
        '"%(r)s" %(U)s ?%(q)s "%(f)s" %({referer}i)s %({x-original-url}i)s %({raw_uri}e)s %({location}o)s %(s)s',
    )
    logger = gunicorn_conf.RedactingLogger(cfg)
    raw_uri = f"/share/{token}/export?format=csv&next=%2Fshare%2F{token}"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": f"/share/{token}/export",
        "QUERY_STRING": f"format=csv&next=%2Fshare%2F{token}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://advisor.example/share/{token}",
        "REMOTE_ADDR": "127.0.0.1",
    }
    request = SimpleNamespace(
        headers=[("Referer", f"https://advisor.example/share/{token}"), ("X-Original-URL", f"/SHARE/{token}")]
    )
    response = SimpleNamespace(status="302 FOUND", sent=0, headers=[("Location", f"/share/{token}/export")])
    access = _logged(logger.access_log, lambda: logger.access(response, request, environ, dt.timedelta(milliseconds=3)))
    assert token not in access
    assert access.count("[redacted]") == 10, access  # r: 2, U, q, f, referer, x-original-url, raw_uri: 2, location
    assert '"GET /share/[redacted]/export?format=csv&next=%2Fshare%2F[redacted] HTTP/1.1"' in access
    error = _logged(logger.error_log, lambda: logger.exception("Error handling request %s", raw_uri))
    assert token not in error
    assert "Error handling request /share/[redacted]/export" in error


def test_the_apps_error_log_is_redacted_under_gunicorn() -> None:
    """Flask reports an unhandled error as "Exception on <path> [GET]" to the logger named after the app."""
    token = secrets.token_urlsafe(32)
    app_log = logging.getLogger("advisor")
    assert any(isinstance(f, gunicorn_conf.RedactShareTokens) for f in app_log.filters)

    def fail() -> None:
        try:
            raise LookupError(f"no link for /share/{token}")
        except LookupError:
            app_log.exception("Exception on %s [%s]", f"/share/{token}/export", "GET")

    logged = _logged(app_log, fail)
    assert token not in logged
    assert "Exception on /share/[redacted]/export [GET]" in logged
    assert "LookupError: no link for /share/[redacted]" in logged


def test_production_under_gunicorn_counts_its_workers(tmp_path: Path) -> None:
    """Item 9 as the image runs: two workers (the default), SQLite and memory:// throttling are refused."""
    key = tmp_path / "secret-key"
    key.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    env = app_environment(
        ADVISOR_ENV="production",
        ADVISOR_SECRET_KEY_FILE=str(key),
        ADVISOR_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    command = dockerfile_instruction("CMD")
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", *command[1:], "--bind", "127.0.0.1:0"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0, "the workers refuse to boot, so gunicorn stops"
    assert "refusing to start in production mode" in done.stderr
    assert "SQLite cannot be shared by 2 instances or workers" in done.stderr
    assert "ADVISOR_RATELIMIT_STORAGE_URL is memory://, so each of the 2 instances or workers" in done.stderr
    assert "ADVISOR_SECRET_KEY is not set" not in done.stderr, "the key from the file counts"


def test_configuration_of_the_image(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    gunicorn_conf.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=3)))  # type: ignore[arg-type]
    assert os.environ["WEB_CONCURRENCY"] == "3", "--workers counts too"
    assert dockerfile_instruction("CMD") == ["gunicorn", "-c", "python:advisor.gunicorn_conf"]
    assert gunicorn_conf.wsgi_app == "advisor:create_app()"
    assert gunicorn_conf.bind == ["0.0.0.0:8000"]
    assert gunicorn_conf.worker_tmp_dir == "/tmp"  # noqa: S108 (the image's writable in-memory /tmp)
    assert gunicorn_conf.accesslog == "-", "an access log is kept, redacted"
    assert gunicorn_conf.logger_class is gunicorn_conf.RedactingLogger
    assert gunicorn_conf.control_socket_disable is True
