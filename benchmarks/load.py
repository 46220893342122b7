"""A bounded load test: concurrent planning sessions against gunicorn on PostgreSQL (loopback only).

Each client signs in, then loops for a fixed time: read the report page, save a revision
through the API (optimistic concurrency: a 409 is an honest answer, not an error), set a
checklist status, and export JSON. Afterwards every acknowledged write must be in the
database, and no answer may be a server error. Prints throughput and p50/p99 latency, as figures
only: the exit status reflects correctness (server errors, missing writes), never speed, and
tests/test_load.py runs it briefly for those behaviours alone, because requests per second depend
on the machine and on whatever else shares it. KILL_EVERY (seconds) also SIGKILLs a gunicorn
worker that often, as the fault test does, to see what the crashes cost.

    python benchmarks/load.py [CLIENTS] [SECONDS] [KILL_EVERY]
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import api_session, served_advisor, signed_in  # noqa: E402

from tests.helpers import BASE_ANSWERS  # noqa: E402

ITEMS = ["psa-restricted-enforce", "rbac-namespaced-roles", "netpol-default-deny", "supply-scan-images"]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    revisions: dict[int, set[int]] = field(default_factory=dict)  # assessment -> acknowledged revision numbers
    statuses: dict[tuple[int, str], int] = field(default_factory=dict)  # (assessment, item) -> highest acked version
    conflicts: int = 0
    dropped: int = 0
    rounds: dict[int, int] = field(default_factory=dict)  # client -> rounds completed without a dropped connection
    lock: threading.Lock = field(default_factory=threading.Lock)


def _timed(tally: Tally, call, *args, **kwargs) -> requests.Response:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    response: requests.Response = call(*args, timeout=30, **kwargs)
    elapsed = time.perf_counter() - start
    with tally.lock:
        tally.latencies.append(elapsed)
        if response.status_code >= 500:
            tally.server_errors.append(f"{response.request.method} {response.url} → {response.status_code}")
    return response


def client_loop(base: str, token: str, assessment: int, seconds: float, tally: Tally, client: int) -> None:
    rng = random.Random(client)
    web = signed_in(base)
    api = api_session(token)
    end = time.monotonic() + seconds
    with tally.lock:
        tally.rounds[client] = 0
    while time.monotonic() < end:
        try:
            one_round(base, web, api, assessment, tally, rng)
        except requests.RequestException:
            # a killed worker drops its connections: those writes were never acknowledged
            with tally.lock:
                tally.dropped += 1
        else:
            with tally.lock:
                tally.rounds[client] += 1


def one_round(  # type: ignore[no-untyped-def]
    base: str, web: requests.Session, api: requests.Session, assessment: int, tally: Tally, rng
) -> None:
    _timed(tally, web.get, f"{base}/assessments/{assessment}")
    current = _timed(tally, api.get, f"{base}/api/v1/assessments/{assessment}").json()
    answers = {**BASE_ANSWERS, "services": rng.randint(8, 80)}
    saved = _timed(
        tally,
        api.post,
        f"{base}/api/v1/assessments/{assessment}/revisions",
        json={"answers": answers, "base_revision": current["latest_revision"]},
    )
    if saved.status_code == 201:
        with tally.lock:
            tally.revisions.setdefault(assessment, set()).add(saved.json()["number"])
    elif saved.status_code == 409:
        with tally.lock:
            tally.conflicts += 1
    item = rng.choice(ITEMS)
    version = current["statuses"].get(item, {}).get("version", 0)
    status = _timed(
        tally,
        api.patch,
        f"{base}/api/v1/assessments/{assessment}/checklist/{item}",
        json={"status": rng.choice(["todo", "in_progress", "done"]), "base_version": version},
    )
    if status.status_code == 200:
        with tally.lock:
            key = (assessment, item)
            tally.statuses[key] = max(tally.statuses.get(key, 0), status.json()["version"])
    elif status.status_code == 409:
        with tally.lock:
            tally.conflicts += 1
    _timed(tally, api.get, f"{base}/api/v1/assessments/{assessment}/export", params={"format": "json"})


def kill_a_worker(master: int) -> int | None:
    """SIGKILL one gunicorn worker (gunicorn starts a new one), as a crash mid-request would."""
    children = Path(f"/proc/{master}/task/{master}/children")
    pids = [int(p) for p in children.read_text().split()] if children.exists() else []
    if not pids:
        return None
    os.kill(pids[0], signal.SIGKILL)
    return pids[0]


def run(clients: int = 8, seconds: float = 20.0, kill_worker_every: float | None = None) -> dict[str, object]:
    with served_advisor() as stack:
        base, token, gunicorn = stack.base, stack.token, stack.process
        api = api_session(token)
        assessments = [
            api.post(
                f"{base}/api/v1/assessments", json={"title": f"Load {n}", "answers": BASE_ANSWERS}, timeout=30
            ).json()["id"]
            for n in range(max(1, clients // 2))
        ]
        tally = Tally()
        threads = [
            threading.Thread(
                target=client_loop, args=(base, token, assessments[n % len(assessments)], seconds, tally, n)
            )
            for n in range(clients)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        killed = []
        if kill_worker_every:
            while any(t.is_alive() for t in threads) and time.perf_counter() - started < seconds:
                time.sleep(kill_worker_every)
                pid = kill_a_worker(gunicorn.pid)
                if pid:
                    killed.append(pid)
        for t in threads:
            t.join(timeout=seconds + 120)
        elapsed = time.perf_counter() - started
        # every acknowledged write is in the database
        missing = []
        for assessment, numbers in tally.revisions.items():
            stored = api.get(f"{base}/api/v1/assessments/{assessment}", timeout=30).json()
            for number in numbers:
                if api.get(f"{base}/api/v1/assessments/{assessment}/revisions/{number}", timeout=30).status_code != 200:
                    missing.append(f"revision {number} of {assessment}")
            # a write whose answer was lost (a killed worker) may have landed after the last acknowledged one,
            # so the stored state is at or beyond what was acknowledged, never behind it
            if stored["latest_revision"] < max(numbers):
                missing.append(f"assessment {assessment} ends at {stored['latest_revision']}, acked {max(numbers)}")
            for (a, item), version in tally.statuses.items():
                if a == assessment and stored["statuses"].get(item, {}).get("version", 0) < version:
                    missing.append(f"status {item} of {assessment}: stored version is behind the acked {version}")
        # no partial revision: revisions run 1 … latest without a gap, each complete
        for assessment in assessments:
            latest = api.get(f"{base}/api/v1/assessments/{assessment}", timeout=30).json()["latest_revision"]
            for number in range(1, latest + 1):
                revision = api.get(f"{base}/api/v1/assessments/{assessment}/revisions/{number}", timeout=30)
                if revision.status_code != 200 or not revision.json()["result"].get("checklist"):
                    missing.append(f"revision {number} of {assessment} is absent or incomplete")
    latencies = sorted(tally.latencies)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "rounds_per_client": [tally.rounds.get(n, 0) for n in range(clients)],
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "server_errors": tally.server_errors,
        "acknowledged_revisions": sum(len(v) for v in tally.revisions.values()),
        "conflicts_409": tally.conflicts,
        "workers_killed": len(killed),
        "dropped_requests": tally.dropped,
        "missing_writes": missing,
    }


if __name__ == "__main__":
    args = [float(a) for a in sys.argv[1:4]]
    figures = run(
        int(args[0]) if args else 8,
        args[1] if len(args) > 1 else 20.0,
        kill_worker_every=args[2] if len(args) > 2 else None,
    )
    print(json.dumps(figures, indent=1))
    sys.exit(1 if figures["server_errors"] or figures["missing_writes"] else 0)
