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
