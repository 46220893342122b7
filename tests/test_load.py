"""A short, bounded load test against gunicorn on PostgreSQL: behaviour under concurrency, never speed.

The assertions are about correctness only: no server error, every acknowledged write stored, no
partial revision, and the run ends in bounded time. How many requests a second the stack serves
depends on the machine and on what else runs on it, so that figure is measured and printed by
benchmarks/load.py (``python benchmarks/load.py [CLIENTS] [SECONDS] [KILL_EVERY]``), never asserted here.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from load import run

CLIENTS = 4
# every request carries a 30 s timeout: a run that outlasts its budget by that much had a request hang
HANG = 30.0


def test_concurrent_sessions_lose_nothing_and_never_fail() -> None:
    seconds = 5.0
    figures = run(clients=CLIENTS, seconds=seconds)
    print(figures)
    assert figures["server_errors"] == []
    assert figures["missing_writes"] == []
    assert isinstance(figures["acknowledged_revisions"], int)
    assert figures["acknowledged_revisions"] > 0, "the clients saved revisions"
    rounds = figures["rounds_per_client"]
    assert isinstance(rounds, list)
    assert len(rounds) == CLIENTS
    assert all(r > 0 for r in rounds), "every client completed whole rounds: none was starved"
    assert isinstance(figures["seconds"], float)
    assert figures["seconds"] < seconds + HANG, "the clients stop on time: no request hung"


def test_killing_workers_mid_save_leaves_no_partial_revision() -> None:
    seconds = 6.0
    figures = run(clients=CLIENTS, seconds=seconds, kill_worker_every=1.5)
    print(figures)
    assert isinstance(figures["workers_killed"], int)
    assert figures["workers_killed"] >= 2
    assert figures["server_errors"] == []
    assert figures["missing_writes"] == [], "acknowledged writes stay, and no revision is half-written"
    assert isinstance(figures["seconds"], float)
    assert figures["seconds"] < seconds + HANG, "a killed worker's clients get an answer or an error, not a hang"
