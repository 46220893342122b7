"""Import the largest real scanner sample through the web, as a person does: upload for the preview, then confirm;
print the time of each step (median of 5 runs, each into a new assessment, on SQLite in a temporary folder) and
what the import gave: reports, checklist items with evidence, evidence entries.

The app runs in process (Flask's test client, no network): the figures are the app's own work, upload parsing
included. `python benchmarks/scan_import.py [FILE]`; without FILE, the largest JSON file under
`../shared/scanner-samples/` beside the repository (developers only).
"""

from __future__ import annotations

import io
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from advisor import create_app
from advisor.extensions import db
from advisor.models import Evidence, ScanImport
from advisor.services import accounts, workspaces
from advisor.services import assessments as svc

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "scanner-samples"
RUNS = 5
PASSWORD = "benchmark password that is long enough"
ANSWERS = {
    **{"experience": "intermediate", "automation": "full", "sensitivity": "high", "compliance": ["pci_dss", "soc2"]},
    **{"infrastructure": "public_cloud", "air_gapped": False, "cloud_providers": ["aws"], "tenancy": "multi_team"},
    **{"environments": ["dev", "staging", "prod"], "applications": 6, "services": 40, "zero_trust": True},
    **{"exposure": "public_api", "external_tools": ["log_shipping", "siem"]},
}


def largest() -> Path:
    files = [p for p in SAMPLES.glob("*/*.json") if not p.parent.name.startswith("_")]
    if not files:
        raise SystemExit(f"no scanner samples under {SAMPLES}: give a file")
    return max(files, key=lambda p: p.stat().st_size)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else largest()
    data = path.read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "INSTANCE_PATH": folder,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                "WTF_CSRF_ENABLED": False,  # the forms' CSRF check is not what is measured
            }
        )
        with app.app_context():
            db.create_all()
            user = accounts.create_user(db.session, "bench@example.com", PASSWORD)
            space = workspaces.personal_workspace(db.session, user)
            kb = app.extensions["advisor.kb"]
            ids = []
            for run in range(RUNS):
                assessment = svc.create_assessment(db.session, space.id, f"Run {run}", "", user.email)
                svc.save_revision(db.session, assessment, ANSWERS, 0, None, user.email, kb)
                ids.append(assessment.id)
            db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.com", "password": PASSWORD})
        previews, imports = [], []
        for assessment_id in ids:
            started = time.perf_counter()
            page = client.post(
                f"/assessments/{assessment_id}/scans/preview",
                data={"files": [(io.BytesIO(data), path.name)], "cluster": "bench", "scanned_at": "2026-11-30T02:00"},
                content_type="multipart/form-data",
            )
            previews.append((time.perf_counter() - started) * 1000)
            found = re.search(r'name="pending" value="([\d,]+)"', page.get_data(as_text=True))
            if page.status_code != 200 or not found:
                print(f"the preview failed: {page.status_code}")
                return 1
            started = time.perf_counter()
            done = client.post(
                f"/assessments/{assessment_id}/scans/import",
                data={"pending": found.group(1), "cluster": "bench", "scanned_at": "2026-11-30T02:00"},
            )
            imports.append((time.perf_counter() - started) * 1000)
            if done.status_code != 303:
                print(f"the import failed: {done.status_code}")
                return 1
        with app.app_context():
            entries = db.session.query(Evidence).filter(Evidence.assessment_id == ids[0]).count()
            row = db.session.query(ScanImport).filter(ScanImport.assessment_id == ids[0]).one()
            print(
                f"file: {path.name} ({len(data) / 1024:.0f} KiB), {row.tool}: {row.passed} pass, {row.failed} fail, "
                f"{row.not_evaluated} not evaluated"
            )
            print(f"checklist items given evidence: {row.items}; evidence entries: {entries}")
        print(
            f"upload and preview: median {statistics.median(previews):.0f} ms (runs: "
            + ", ".join(f"{t:.0f}" for t in previews)
            + ")"
        )
        print(
            f"confirm and import: median {statistics.median(imports):.0f} ms (runs: "
            + ", ".join(f"{t:.0f}" for t in imports)
            + ")"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
