"""Report page and revision-save throughput under gunicorn, against the framework floor.

The floor is a bare Flask route returning a static page as large as the report, served by
the same gunicorn settings in the same run. Goal (issue 6): the report page reaches at
least half the floor's throughput. Loopback only, bounded in time.

    python benchmarks/throughput.py [SECONDS] [CLIENTS] [ROUNDS]
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


def main(seconds: float = 10.0, clients: int = 4, rounds: int = 3) -> None:
    """Alternate report and floor rounds so that both see the same machine; the median ratio counts."""
    with served_advisor() as stack:
        base = stack.base
        api = api_session(stack.token)

        def new_assessment() -> int:
            created = api.post(f"{base}/api/v1/assessments", json={"title": "T", "answers": BASE_ANSWERS}, timeout=30)
            return int(created.json()["id"])

        report_url = f"{base}/assessments/{new_assessment()}"
        report_bytes = len(signed_in(base).get(report_url, timeout=30).content)
        floor_env = {**stack.env, "FLOOR_BYTES": str(report_bytes)}
        floor, floor_base = serve("floor_app:create_app()", floor_env, stack.tmp / "floor.log", health="/")

        def report_call() -> Callable[[], int]:
            session = signed_in(base)
            return lambda: session.get(report_url, timeout=30).status_code

        def floor_call() -> Callable[[], int]:
            session = requests.Session()
            return lambda: session.get(floor_base + "/", timeout=30).status_code

        def save_call() -> Callable[[], int]:
            """Each client saves revisions of its own assessment, so no save loses a race to another."""
            session = api_session(stack.token)
            url = f"{base}/api/v1/assessments/{new_assessment()}/revisions"
            latest = [1]

            def call() -> int:
                # answers that differ from the latest revision's: a save of the same answers is refused (409)
                answers = {**BASE_ANSWERS, "services": 8 + latest[0] % 2}
                response = session.post(url, json={"answers": answers, "base_revision": latest[0]}, timeout=30)
                if response.status_code == 201:
                    latest[0] = response.json()["number"]
                return response.status_code

            return call

        try:
            report, floor_rps, save = [], [], []
            for _ in range(rounds):
                report.append(rate(report_call, seconds, clients))
                floor_rps.append(rate(floor_call, seconds, clients))
                save.append(rate(save_call, seconds, clients))
        finally:
            stop(floor)
    ratios = sorted(r / f for r, f in zip(report, floor_rps, strict=True))
    save_ratios = sorted(s / f for s, f in zip(save, floor_rps, strict=True))
    median = ratios[len(ratios) // 2]
    figures = {
        "report_page_bytes": report_bytes,
        "seconds_per_round": seconds,
        "clients": clients,
        "floor_rps": [round(x, 1) for x in floor_rps],
        "report_rps": [round(x, 1) for x in report],
        "report_ratio_median": round(median, 2),
        "report_ratio_range": [round(ratios[0], 2), round(ratios[-1], 2)],
        "revision_save_rps": [round(x, 1) for x in save],
        "revision_save_ratio_median": round(save_ratios[len(save_ratios) // 2], 3),
        "goal": "report_ratio_median >= 0.5",
        "goal_met": median >= 0.5,
    }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    args = sys.argv[1:4]
    main(
        float(args[0]) if args else 10.0,
        int(args[1]) if len(args) > 1 else 4,
        int(args[2]) if len(args) > 2 else 3,
    )
