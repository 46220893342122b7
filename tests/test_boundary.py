"""The engine stays pure: importing and running it loads no web or database framework."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys
from advisor.engine import evaluate
evaluate({"experience": "novice", "automation": "manual", "infrastructure": "on_prem", "air_gapped": True,
          "applications": 3, "services": 9, "tenancy": "multi_team", "sensitivity": "high",
          "external_tools": ["siem"]})
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in
      ("flask", "werkzeug", "jinja2", "sqlalchemy", "flask_sqlalchemy", "flask_migrate", "wtforms", "flask_wtf",
       "alembic"))))
"""


def test_engine_imports_no_framework() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


EXPORTS_SCRIPT = """
import datetime as dt, json, sys
from advisor.engine import default_knowledge_base, evaluate
from advisor.exports import FORMATS, ExportDocument
result = evaluate({"experience": "novice", "automation": "manual", "infrastructure": "public_cloud",
                   "air_gapped": False, "applications": 3, "services": 9, "tenancy": "multi_team",
                   "sensitivity": "high", "compliance": ["pci_dss"]})
now = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
doc = ExportDocument(assessment_id=1, title="t", description="", workspace="w", revision_number=1,
                     revision_label=None, revision_created_at=now, revision_author=None, latest_revision_number=1,
                     engine_version=result["engine_version"], knowledge_base_version=result["knowledge_base_version"],
                     exported_at=now, exported_by=None, result=result, kb=default_knowledge_base())
for fmt, render in FORMATS.items():
    assert render(doc).content, fmt
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in
      ("flask", "werkzeug", "sqlalchemy", "flask_sqlalchemy", "flask_migrate", "wtforms", "flask_wtf", "flask_login",
       "alembic") or m.startswith(("advisor.views", "advisor.services", "advisor.models", "advisor.forms")))))
"""


def test_export_renderers_need_nothing_web() -> None:
    """Every export format renders a revision from its document alone: no web framework, database layer,
    form library, service or model is loaded (WeasyPrint and Jinja2 for the PDF are the renderers' own)."""
    done = subprocess.run([sys.executable, "-c", EXPORTS_SCRIPT], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
