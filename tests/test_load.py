"""A short, bounded load test against gunicorn on PostgreSQL (benchmarks/load.py runs it longer)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from load import run


def test_concurrent_sessions_lose_nothing_and_never_fail() -> None:
    figures = run(clients=4, seconds=5.0)
    print(figures)
    assert figures["server_errors"] == []
    assert figures["missing_writes"] == []
    assert isinstance(figures["acknowledged_revisions"], int)
    assert figures["acknowledged_revisions"] > 0
    assert isinstance(figures["requests"], int)
    assert figures["requests"] > 50


def test_killing_workers_mid_save_leaves_no_partial_revision() -> None:
    figures = run(clients=4, seconds=6.0, kill_worker_every=1.5)
    print(figures)
    assert isinstance(figures["workers_killed"], int)
    assert figures["workers_killed"] >= 2
    assert figures["server_errors"] == []
    assert figures["missing_writes"] == [], "acknowledged writes stay, and no revision is half-written"
