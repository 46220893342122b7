"""README.md stays true: its commands exist and its example answers evaluate."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from advisor.engine import evaluate

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_two_commands_are_documented_and_exist() -> None:
    assert "make run" in README
    assert "make test" in README
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, re.MULTILINE)
    assert re.search(r"^test:", makefile, re.MULTILINE)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_example_answers_evaluate() -> None:
    block = re.search(r"cat > answers.yaml <<'YAML'\n(.*?)\nYAML\n", README, re.DOTALL)
    assert block, "README holds an example answers document"
    result = evaluate(yaml.safe_load(block.group(1)))
    statuses = result["answers"]["status"]
    assert statuses, "the example shows a checklist status"
    shown = {i["id"]: i["status"] for i in result["checklist"]}
    for item_id, status in statuses.items():
        assert shown[item_id] == status


def test_every_documented_environment_variable_is_read() -> None:
    documented = set(re.findall(r"`(ADVISOR_[A-Z_]+)`", README))
    assert documented
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "advisor").rglob("*.py"))
    for name in documented:
        suffix = name.removeprefix("ADVISOR_")
        assert name in source or f'{{ENV_PREFIX}}{suffix}"' in source, name
