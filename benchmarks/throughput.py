"""Report page and revision-save throughput under gunicorn, against the framework floor.

The floor is a bare Flask route returning a static page as large as the report, served by
the same gunicorn settings in the same run. Goal (issue 6): the report page reaches at
least half the floor's throughput. Loopback only, bounded in time.

    python benchmarks/throughput.py [SECONDS] [CLIENTS]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import BASE_ANSWERS  # noqa: E402
from tests.postgres import _free_port, running_server  # noqa: E402

BIN = Path(sys.executable).parent
PASSWORD = "throughput passphrase, long enough"
GUNICORN = ["--workers", "2", "--threads", "4"]


def serve(app: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    out = log.open("wb")
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", *GUNICORN, app],
        env=env,
        stdout=out,
        stderr=out,
        cwd=str(ROOT / "benchmarks"),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/healthz", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.2)
    return process, base


def rate(make_call: Callable[[], Callable[[], int]], seconds: float, clients: int) -> float:
    """Successful requests per second over ``seconds`` with ``clients`` threads."""
    done = [0] * clients

    def worker(n: int) -> None:
        call = make_call()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if call() < 400:
                done[n] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    return sum(done) / (time.perf_counter() - started)


def main(seconds: float = 10.0, clients: int = 4) -> None:
    with tempfile.TemporaryDirectory() as tmp, running_server() as pg:
        env = {
            **os.environ,
            "ADVISOR_DATABASE_URL": pg.create_database(),
            "ADVISOR_INSTANCE_PATH": f"{tmp}/i",
            "ADVISOR_SECRET_KEY": "s" * 64,
            "ADVISOR_LOGIN_LIMIT_PER_ADDRESS": "1000 per minute",
        }
        advisor = str(BIN / "advisor")
        subprocess.run([advisor, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run(
            [advisor, "create-user", "t@example.com", "--password-stdin"],
            env=env,
            check=True,
            input=PASSWORD + "\n",
            text=True,
            capture_output=True,
        )
        token = subprocess.run(
            [advisor, "create-token", "t@example.com", "--name", "t"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        app, base = serve("advisor:create_app()", env, Path(tmp) / "app.log")
        try:
            auth = {"Authorization": f"Bearer {token}"}
            created = requests.post(
                f"{base}/api/v1/assessments", json={"title": "T", "answers": BASE_ANSWERS}, headers=auth, timeout=30
            ).json()
            report_url = f"{base}/assessments/{created['id']}"

            def signed_in() -> requests.Session:
                s = requests.Session()
                page = s.get(f"{base}/login", timeout=30).text
                csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
                form = {"csrf_token": csrf, "email": "t@example.com", "password": PASSWORD}
                s.post(f"{base}/login", data=form, timeout=30)
                return s

            def report_call() -> Callable[[], int]:
                s = signed_in()
                return lambda: s.get(report_url, timeout=30).status_code

            report_bytes = len(signed_in().get(report_url, timeout=30).content)
            report_rps = rate(report_call, seconds, clients)

            def save_call() -> Callable[[], int]:
                s = requests.Session()
                s.headers.update(auth)

                def call() -> int:
                    latest = s.get(f"{base}/api/v1/assessments/{created['id']}", timeout=30).json()["latest_revision"]
                    return s.post(
                        f"{base}/api/v1/assessments/{created['id']}/revisions",
                        json={"answers": BASE_ANSWERS, "base_revision": latest},
                        timeout=30,
                    ).status_code

                return call

            save_rps = rate(save_call, seconds, clients)
        finally:
            app.terminate()
            app.wait(timeout=30)
        floor_env = {**env, "FLOOR_BYTES": str(report_bytes)}
        floor, floor_base = serve("floor_app:create_app()", floor_env, Path(tmp) / "floor.log")
        try:

            def floor_call() -> Callable[[], int]:
                s = requests.Session()
                return lambda: s.get(floor_base + "/", timeout=30).status_code

            floor_rps = rate(floor_call, seconds, clients)
        finally:
            floor.terminate()
            floor.wait(timeout=30)
    figures = {
        "report_page_bytes": report_bytes,
        "floor_rps": round(floor_rps, 1),
        "report_rps": round(report_rps, 1),
        "report_ratio": round(report_rps / floor_rps, 2),
        "revision_save_rps": round(save_rps, 1),
        "revision_save_ratio": round(save_rps / floor_rps, 2),
        "goal": "report_ratio >= 0.5",
        "goal_met": report_rps / floor_rps >= 0.5,
    }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    args = sys.argv[1:3]
    main(float(args[0]) if args else 10.0, int(args[1]) if len(args) > 1 else 4)
