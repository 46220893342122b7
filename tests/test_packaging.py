"""The wheel carries the templates, static files, migrations and the knowledge base."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_bundles_resources(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "advisor/_resources/templates/base.html",
        "advisor/_resources/static/css/advisor.css",
        "advisor/_resources/migrations/env.py",
        "advisor/_resources/migrations/alembic.ini",
        "advisor/knowledge/meta.yaml",
        "advisor/knowledge/questions.yaml",
        "advisor/knowledge/decisions/hosting.yaml",
        "advisor/knowledge/checklist/rbac.yaml",
        "advisor/scanners/kubescape_old_ids.json",
    ):
        assert required in names, required
    assert any(n.startswith("advisor/_resources/migrations/versions/") for n in names)
    assert not any("__pycache__" in n or n.startswith("instance/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "advisor = advisor.cli:cli" in zipfile.ZipFile(wheel).read(entry_points).decode()
