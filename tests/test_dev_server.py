"""``advisor run``, the development server: where to begin on an empty database, and one log line per request."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from advisor.app_cli import WithoutRequestLines
from tests.postgres import free_port

ADVISOR = str(Path(sys.executable).with_name("advisor"))


def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "FLASK_"))}
    return {**env, "ADVISOR_INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONUNBUFFERED": "1"}


def serve_and_ask(tmp_path: Path, *paths: str) -> tuple[str, str]:
    """Start ``advisor run``, ask for ``paths``, stop it: what it wrote to standard output and error."""
    port = free_port()
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        server = subprocess.Popen(
            [ADVISOR, "run", "--port", str(port)], env=environment(tmp_path), stdout=stdout, stderr=stderr
        )
        try:
            deadline = time.monotonic() + 30
            while "Running on" not in err.read_text(errors="replace"):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"advisor run did not start:\n{err.read_text()}")
                time.sleep(0.1)
            for path in paths:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
                    response.read()
            time.sleep(0.3)  # the log lines follow the response
        finally:
            server.terminate()
            server.wait(timeout=20)
    return out.read_text(), err.read_text()


def test_an_empty_database_says_where_to_create_the_administrator_and_each_request_is_logged_once(
    tmp_path: Path,
) -> None:
    subprocess.run([ADVISOR, "db", "upgrade"], env=environment(tmp_path), check=True, capture_output=True)
    out, err = serve_and_ask(tmp_path, "/healthz", "/setup")
    hints = [line for line in out.splitlines() if "/setup" in line]
    assert len(hints) == 1, out
    assert hints[0].startswith("No account yet: open http://127.0.0.1:")
    assert hints[0].endswith("/setup to create the administrator.")
    assert "Running on http://127.0.0.1:" in err, "werkzeug's start-up banner stays"
    access = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert [(a["route"], a["status"]) for a in access] == [("/healthz", 200), ("/setup", 200)]
    assert "HTTP/1.1" not in err, "no second line per request from the development server"

    subprocess.run(
        [ADVISOR, "create-user", "admin@example.com", "--admin", "--password-stdin"],
        input=b"a long enough password 42\n",
        env=environment(tmp_path),
        check=True,
        capture_output=True,
    )
    out, _ = serve_and_ask(tmp_path, "/healthz")
    assert "/setup" not in out, "with an account there is nothing to set up"


def test_only_the_request_lines_are_dropped() -> None:
    def record(msg: str, *args: object) -> logging.LogRecord:
        return logging.LogRecord("werkzeug", logging.INFO, __file__, 1, msg, args, None)

    keep = WithoutRequestLines()
    assert not keep.filter(record('127.0.0.1 - - [02/Dec/2026 08:32:50] "%s" %s %s', "GET / HTTP/1.1", "200", "-"))
    assert keep.filter(record("127.0.0.1 - - [02/Dec/2026 08:32:50] code %d, message %s", 400, "Bad request"))
    assert keep.filter(record(" * Running on http://127.0.0.1:5000"))
