"""The advisor served by gunicorn on a throwaway PostgreSQL, for the load test and the benchmarks.

Loopback only: the database and gunicorn listen on 127.0.0.1 ports chosen at random.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.postgres import free_port, running_server  # noqa: E402

BIN = Path(sys.executable).parent
EMAIL = "bench@example.com"
PASSWORD = "benchmark passphrase, long enough"
GUNICORN_OPTIONS = ["--workers", "2", "--threads", "4"]


@dataclass(frozen=True)
class Stack:
    base: str  # http://127.0.0.1:PORT
    token: str  # a personal API token of EMAIL
    env: dict[str, str]
    process: subprocess.Popen[bytes]  # the gunicorn master
    tmp: Path


def serve(app: str, env: dict[str, str], log: Path, health: str = "/healthz") -> tuple[subprocess.Popen[bytes], str]:
    """Start gunicorn on a free loopback port and wait (30 s at most) until ``health`` answers."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", *GUNICORN_OPTIONS, app],
            env=env,
            stdout=out,
            stderr=out,
            cwd=str(ROOT / "benchmarks"),
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(base + health, timeout=5).status_code == 200:
                return process, base
        except requests.RequestException:  # not listening yet, or still importing the app
            pass
        time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"gunicorn did not become ready at {base}{health}; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=30)


@contextmanager
def served_advisor() -> Iterator[Stack]:
    """A migrated database with one account and its token, and the app under gunicorn."""
    with tempfile.TemporaryDirectory() as tmp, running_server() as server:
        env = {
            **os.environ,
            "ADVISOR_DATABASE_URL": server.create_database(),
            "ADVISOR_INSTANCE_PATH": f"{tmp}/instance",
            "ADVISOR_SECRET_KEY": "s" * 64,
            "ADVISOR_LOGIN_LIMIT_PER_ADDRESS": "1000 per minute",
            # the load test exports as fast as it can, from one account
            "ADVISOR_EXPORT_LIMIT": "100000 per minute",
        }
        advisor = str(BIN / "advisor")
        subprocess.run([advisor, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run(
            [advisor, "create-user", EMAIL, "--password-stdin"],
            env=env,
            check=True,
            input=PASSWORD + "\n",
            text=True,
            capture_output=True,
        )
        token = subprocess.run(
            [advisor, "create-token", EMAIL, "--name", "bench"], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()
        process, base = serve("advisor:create_app()", env, Path(tmp) / "gunicorn.log", health="/readyz")
        try:
            yield Stack(base, token, env, process, Path(tmp))
        finally:
            stop(process)


def signed_in(base: str) -> requests.Session:
    """A browser-like session signed in as EMAIL."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=30).text
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    session.post(f"{base}/login", data={"csrf_token": csrf, "email": EMAIL, "password": PASSWORD}, timeout=30)
    return session


def api_session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session
