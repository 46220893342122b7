"""Report page and revision-save throughput under gunicorn, against the framework floor.

The floor is a bare Flask route returning a static page as large as the report, served by
the same gunicorn settings in the same run. Goal (issue 6): the report page reaches at
least half the floor's throughput. Loopback only, bounded in time.

    python benchmarks/throughput.py [SECONDS] [CLIENTS]
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable

import requests
from harness import api_session, serve, served_advisor, signed_in, stop

from tests.helpers import BASE_ANSWERS


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
    with served_advisor() as stack:
        base = stack.base
        api = api_session(stack.token)
        created = api.post(f"{base}/api/v1/assessments", json={"title": "T", "answers": BASE_ANSWERS}, timeout=30)
        assessment = created.json()["id"]
        report_url = f"{base}/assessments/{assessment}"
        report_bytes = len(signed_in(base).get(report_url, timeout=30).content)

        def report_call() -> Callable[[], int]:
            session = signed_in(base)
            return lambda: session.get(report_url, timeout=30).status_code

        def save_call() -> Callable[[], int]:
            session = api_session(stack.token)

            def call() -> int:
                latest = session.get(f"{base}/api/v1/assessments/{assessment}", timeout=30).json()["latest_revision"]
                body = {"answers": BASE_ANSWERS, "base_revision": latest}
                return session.post(
                    f"{base}/api/v1/assessments/{assessment}/revisions", json=body, timeout=30
                ).status_code

            return call

        report_rps = rate(report_call, seconds, clients)
        save_rps = rate(save_call, seconds, clients)
        floor_env = {**stack.env, "FLOOR_BYTES": str(report_bytes)}
        floor, floor_base = serve("floor_app:create_app()", floor_env, stack.tmp / "floor.log", health="/")

        def floor_call() -> Callable[[], int]:
            session = requests.Session()
            return lambda: session.get(floor_base + "/", timeout=30).status_code

        try:
            floor_rps = rate(floor_call, seconds, clients)
        finally:
            stop(floor)
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
