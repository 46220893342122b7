"""Dashboard and search latency with 100,000 assessments, on SQLite and on PostgreSQL.

Seeds one account's workspace with N assessments (each with a small revision), then times
the dashboard's first page, a deep page and a title search through the app, in process.
Prints p50 and p95 per case. Goal (issue 6): p95 under 100 ms.

    python benchmarks/dashboard.py [COUNT] [REPEATS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor import create_app  # noqa: E402
from advisor.extensions import db  # noqa: E402
from advisor.models import Assessment, Revision, Workspace  # noqa: E402
from advisor.services import accounts  # noqa: E402
from tests.postgres import running_server  # noqa: E402

PASSWORD = "benchmark passphrase long enough"
CASES = {"first page": "/", "page 2,000": "/?page=2000", "search": "/?q=plan+04213", "search, no match": "/?q=zzz"}


def seed(app: object, count: int) -> None:
    with app.app_context():  # type: ignore[attr-defined]
        db.create_all()
        user = accounts.create_user(db.session, "bench@example.com", PASSWORD)
        db.session.commit()
        workspace_id = db.session.execute(
            sa.select(Workspace.id).where(Workspace.personal_for_id == user.id)
        ).scalar_one()
        recommended = {
            "hosting": "managed",
            "clusters": "single",
            "namespaces": "per_app_env",
            "service_mesh": "none",
            "tool_integration": None,
        }
        batch = 5000
        for start in range(0, count, batch):
            rows = [
                {
                    "workspace_id": workspace_id,
                    "title": f"Plan {n:05d}",
                    "description": "",
                    "archived": n % 10 == 0,
                    "latest_revision_number": 1,
                    "version": 1,
                }
                for n in range(start, min(count, start + batch))
            ]
            ids = db.session.execute(sa.insert(Assessment).returning(Assessment.id), rows).scalars().all()
            db.session.execute(
                sa.insert(Revision),
                [
                    {
                        "assessment_id": i,
                        "number": 1,
                        "answers": {},
                        "result": {},
                        "statuses": {},
                        "engine_version": "1.0.0",
                        "knowledge_base_version": "bench",
                        "recommended": recommended,
                        "checklist_ids": ["a", "b"],
                    }
                    for i in ids
                ],
            )
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()


def measure(app: object, repeats: int) -> dict[str, tuple[float, float]]:
    client = app.test_client()  # type: ignore[attr-defined]
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"csrf_token": token, "email": "bench@example.com", "password": PASSWORD})
    results = {}
    for name, url in CASES.items():
        assert client.get(url).status_code == 200
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        times.sort()
        results[name] = (statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)])
    return results


def report(backend: str, count: int, results: dict[str, tuple[float, float]]) -> None:
    print(f"{backend}: {count:,} assessments")
    for name, (p50, p95) in results.items():
        verdict = "met" if p95 < 100 else "NOT met"
        print(f"  {name:<18} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   (goal p95 < 100 ms: {verdict})")


def main(count: int = 100_000, repeats: int = 40) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"INSTANCE_PATH": f"{tmp}/i", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3"})
        seed(app, count)
        report("SQLite", count, measure(app, repeats))
        with running_server() as server:
            app = create_app({"INSTANCE_PATH": f"{tmp}/j", "SQLALCHEMY_DATABASE_URI": server.create_database()})
            seed(app, count)
            report("PostgreSQL", count, measure(app, repeats))
            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
