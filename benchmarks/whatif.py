"""What-if round trip, in process: the panel's JSON preview as the page's script sends it.

Creates one assessment through the web (SQLite), then posts the what-if form N times, alternating
between the stored answers and a change that moves a decision, and prints p50/p95/max. Goal
(issue 14): p95 under 50 ms.

    python benchmarks/whatif.py [REQUESTS]
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor import create_app  # noqa: E402
from advisor.extensions import db  # noqa: E402
from tests.conftest import make_user, sign_in  # noqa: E402
from tests.test_whatif import panel_form  # noqa: E402
from tests.web import html, new_assessment_with_revision  # noqa: E402


def main(requests: int) -> None:
    logging.getLogger("advisor.access").disabled = True  # one JSON line per request would time the terminal
    folder = tempfile.mkdtemp()
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "INSTANCE_PATH": folder}
    )
    with app.app_context():
        db.create_all()
    make_user(app, "bench@example.com")
    client = app.test_client()
    sign_in(client, "bench@example.com")
    assessment = new_assessment_with_revision(client, "What-if benchmark")
    url = f"/assessments/{assessment}/what-if"
    same = panel_form(html(client.get(url)))
    moved = same.copy()
    moved["experience"] = "expert"
    times = []
    for n in range(requests + 10):
        started = time.perf_counter()
        answer = client.post(url, data=moved if n % 2 else same, headers={"Accept": "application/json"})
        elapsed = (time.perf_counter() - started) * 1000
        assert answer.status_code == 200, answer.get_data(as_text=True)[:200]
        if n >= 10:  # the first requests warm caches and the knowledge base's forms
            times.append(elapsed)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"what-if preview, {requests} requests in process (SQLite)")
    print(f"p50 {statistics.median(times):.1f} ms  p95 {p95:.1f} ms  max {times[-1]:.1f} ms  (goal: p95 under 50 ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
