"""Faults: PostgreSQL stops mid-run and comes back; SQLite is killed mid-write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from advisor import create_app
from advisor.extensions import db
from tests.conftest import make_user, sign_in
from tests.postgres import running_server
from tests.web import html, new_assessment_with_revision


def test_postgres_outage_gives_503_then_recovers_without_restart(tmp_path: Path) -> None:
    with running_server() as server:
        url = server.create_database()
        app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "i"), "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
        make_user(app, "owner@example.com")
        client = app.test_client()
        sign_in(client, "owner@example.com")
        saved = new_assessment_with_revision(client, "Written before the outage")

        server.pause()
        try:
            down = client.get("/")
            assert down.status_code == 503
            page = html(down)
            assert "The service is unavailable for a moment" in page
            assert "Traceback" not in page
            assert "OperationalError" not in page
            assert down.headers["Retry-After"] == "5"
            api = client.get("/api/v1/assessments", headers={"Authorization": "Bearer adv_x"})
            assert api.status_code == 503
            assert api.get_json()["errors"][0]["message"].startswith("The service is unavailable")
            assert client.get("/readyz").status_code == 503
            assert client.get("/healthz").status_code == 200
        finally:
            server.resume()

        deadline = time.monotonic() + 20
        while client.get("/").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        back = client.get("/")
        assert back.status_code == 200, "recovered without a restart"
        assert "Written before the outage" in html(back), "the acknowledged write survived"
        assert client.get(f"/assessments/{saved}").status_code == 200
        with app.app_context():
            db.engine.dispose()


WRITER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
n = 0
while True:
    conn.execute("BEGIN")
    for _ in range(50):
        conn.execute("INSERT INTO t (batch, payload) VALUES (?, ?)", (n, "x" * 200))
    conn.execute("COMMIT")
    n += 1
    if n == 5:
        print("ready", flush=True)
"""


def test_sqlite_killed_mid_write_leaves_a_consistent_database(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, payload TEXT NOT NULL)")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(0.2)
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=10)
        if writer.stdout:
            writer.stdout.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        counts = conn.execute("SELECT batch, count(*) FROM t GROUP BY batch").fetchall()
    assert counts, "committed batches survive"
    assert all(n == 50 for _, n in counts), "every transaction is whole or absent: no partial batch"
