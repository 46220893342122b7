"""Real servers for the deployment tests: gunicorn as the image runs it, and Redis as the manifests configure it.

Everything listens on 127.0.0.1 on a free port, in a temporary folder, and is stopped at the end.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import yaml
from flask import Flask

from tests.postgres import free_port

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ROOT / "deploy" / "kubernetes"
START_TIMEOUT = 30.0


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} in {START_TIMEOUT} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --- gunicorn, started with the image's command -------------------------------------------------


def dockerfile_instruction(name: str) -> list[str]:
    """The exec form (a JSON list) of the final stage's CMD or HEALTHCHECK ... CMD instruction."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    final = re.split(r"^FROM ", text, flags=re.MULTILINE)[-1]
    pattern = r"^CMD (\[.*\])$" if name == "CMD" else r"^HEALTHCHECK .*?CMD (\[.*\])$"
    found = re.search(pattern, final, re.MULTILINE)
    assert found, f"the Dockerfile's final stage has a {name} in exec form"
    command: list[str] = json.loads(found.group(1))
    return command


def app_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any ADVISOR_* setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_") and k != "WEB_CONCURRENCY"}
    env.update(settings)
    return env


class Gunicorn:
    def __init__(self, process: subprocess.Popen[bytes], port: int, stdout: Path, stderr: Path) -> None:
        self.process, self.port, self.stdout, self.stderr = process, port, stdout, stderr
        self.base = f"http://127.0.0.1:{port}"

    def output(self) -> tuple[str, str]:
        return self.stdout.read_text(errors="replace"), self.stderr.read_text(errors="replace")


@contextmanager
def gunicorn(env: Mapping[str, str], folder: Path, name: str = "gunicorn") -> Iterator[Gunicorn]:
    """The Dockerfile's CMD (gunicorn -c python:advisor.gunicorn_conf), bound to a loopback port instead."""
    command = dockerfile_instruction("CMD")
    assert command[0] == "gunicorn"
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    stdout, stderr = folder / f"{name}.out", folder / f"{name}.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *command[1:], "--bind", f"127.0.0.1:{port}"],
            env=dict(env),
            cwd=folder,
            stdout=out,
            stderr=err,
        )
    server = Gunicorn(process, port, stdout, stderr)
    try:
        _wait_for_port(port, process, "gunicorn", stderr)
        deadline = time.monotonic() + START_TIMEOUT
        while get(server.base + "/healthz")[0] != 200:  # the workers have loaded the app
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn never answered /healthz:\n{server.output()[1]}")
            time.sleep(0.1)
        yield server
    finally:
        _stop(process)


def get(
    url: str, headers: Mapping[str, str] | None = None, opener: urllib.request.OpenerDirector | None = None
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310 (loopback test URLs)
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


class Browser:
    """One client with its cookies, signing in through the real form (CSRF token included)."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def sign_in(self, base: str, email: str, password: str) -> int:
        status, body = get(base + "/login", opener=self.opener)
        assert status == 200, body
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
        assert token, "the sign-in page carries a CSRF token"
        data = urllib.parse.urlencode({"csrf_token": token.group(1).decode(), "email": email, "password": password})
        request = urllib.request.Request(base + "/login", data=data.encode(), method="POST")  # noqa: S310
        try:
            with self.opener.open(request, timeout=20) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code


# --- Redis, configured as deploy/kubernetes/redis.yaml configures it ----------------------------


def redis_conf_from_manifests() -> str:
    """The redis.conf the Kubernetes ConfigMap ships."""
    for doc in yaml.safe_load_all((MANIFESTS / "redis.yaml").read_text(encoding="utf-8")):
        if doc and doc["kind"] == "ConfigMap":
            text: str = doc["data"]["redis.conf"]
            return text
    raise AssertionError("redis.yaml holds the ConfigMap with redis.conf")


class Redis:
    def __init__(self, port: int, password: str) -> None:
        self.port, self.password = port, password
        self.url = f"redis://:{password}@127.0.0.1:{port}/0"


@contextmanager
def redis_server(folder: Path, password: str) -> Iterator[Redis]:
    """redis-server with the manifests' redis.conf and a password file, on a loopback port, keeping nothing."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: run scripts/install-system-deps.sh (make test does)")
    folder.mkdir(parents=True, exist_ok=True)
    auth = folder / "auth.conf"
    auth.write_text(f"requirepass {password}\n", encoding="utf-8")
    auth.chmod(0o600)
    conf = redis_conf_from_manifests()
    included = re.search(r"^include (\S+)$", conf, re.MULTILINE)
    assert included, "redis.conf takes its password from an included file"
    (folder / "redis.conf").write_text(conf.replace(included.group(1), str(auth)), encoding="utf-8")
    port = free_port()
    log = folder / "redis.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                binary,
                str(folder / "redis.conf"),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(folder),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, process, "redis-server", log)
        yield Redis(port, password)
    finally:
        _stop(process)


# --- a database the served app and the test share -------------------------------------------------


def migrated_sqlite(folder: Path, secret_key: str) -> tuple[Flask, str]:
    """A migrated SQLite database, and an app on it in this process for setting things up."""
    from advisor import create_app
    from advisor.cli import cli

    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'advisor.sqlite3'}"
    app = create_app({"INSTANCE_PATH": str(folder / "setup"), "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret_key})
    result = app.test_cli_runner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return app, url
