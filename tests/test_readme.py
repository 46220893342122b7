"""README.md stays true: its commands exist, its example answers evaluate, and every environment
variable it documents changes what the app does (observed through the app, not read off its source)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from advisor import create_app
from advisor.config import UnsafeConfiguration, check_production, from_environment
from advisor.engine import evaluate

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.DOTALL | re.MULTILINE)
    assert match, f"README.md has a section {title!r}"
    return match.group(1)


def _make_targets() -> dict[str, tuple[list[str], list[str]]]:
    """Each Makefile target: its prerequisites and its recipe lines."""
    targets: dict[str, tuple[list[str], list[str]]] = {}
    current: list[str] | None = None
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if rule := re.match(r"^([A-Za-z][\w.-]*):(?!=)\s*(.*)$", line):
            current = []
            targets[rule.group(1)] = (rule.group(2).replace("|", " ").split(), current)
        elif line.startswith("\t") and current is not None:
            current.append(line.strip())
        elif not line.startswith("#"):
            current = None
    return targets


def test_the_two_commands_are_documented_and_exist() -> None:
    block = re.search(r"```sh\n(.*?)```", _section("The two commands"), re.DOTALL)
    assert block, "the section shows the commands"
    commands = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    targets = _make_targets()
    for command in commands:
        assert command.removeprefix("make ") in targets, command
    # `make test` is what CI runs: the one command .ci/run executes (its comments aside)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    executed = [line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert "make test" in executed
    # and it lints, type-checks, and runs the whole suite measuring coverage, as README says
    assert {"lint", "typecheck", "pytest"} <= set(targets["test"][0])
    pytest_recipe = [line for line in targets["pytest"][1] if "pytest" in line]
    assert len(pytest_recipe) == 1
    words = pytest_recipe[0].split()
    arguments = words[[w.endswith("/pytest") for w in words].index(True) + 1 :]
    assert "--cov" in arguments
    assert all(a.startswith("--cov") for a in arguments), "the whole suite (testpaths): no selection of tests"


def test_example_answers_evaluate() -> None:
    block = re.search(r"cat > answers.yaml <<'YAML'\n(.*?)\nYAML\n", README, re.DOTALL)
    assert block, "README holds an example answers document"
    result = evaluate(yaml.safe_load(block.group(1)))
    statuses = result["answers"]["status"]
    assert statuses, "the example shows a checklist status"
    shown = {i["id"]: i["status"] for i in result["checklist"]}
    for item_id, status in statuses.items():
        assert shown[item_id] == status


DOCUMENTED = sorted(set(re.findall(r"`(ADVISOR_[A-Z_]+)`", README)))

PG_URL = "postgresql+psycopg://advisor:pw@db.example:5432/advisor"
PG = {"ADVISOR_DATABASE_URL": PG_URL}

# a variable the settings are read from: a value other than its default, and what else must be set for it to count
SETTINGS: dict[str, tuple[str, dict[str, str]]] = {
    "ADVISOR_DATABASE_URL": (PG_URL, {}),
    "ADVISOR_SECRET_KEY": ("k" * 40, {}),
    "ADVISOR_RATELIMIT_STORAGE_URL": ("redis://cache.example:6379/0", {}),
    "ADVISOR_DB_POOL_SIZE": ("7", PG),
    "ADVISOR_DB_MAX_OVERFLOW": ("9", PG),
    "ADVISOR_DB_POOL_RECYCLE": ("60", PG),
    "ADVISOR_DB_POOL_TIMEOUT": ("3", PG),
    "ADVISOR_DB_CONNECT_TIMEOUT": ("2", PG),
    "ADVISOR_KNOWLEDGE_BASE": ("/srv/advisor-kb", {}),
    "ADVISOR_MAX_CONTENT_LENGTH": ("2048", {}),
    "ADVISOR_MAX_SCAN_UPLOAD": ("4096", {}),
    "ADVISOR_HTTPS": ("1", {}),
    "ADVISOR_PROXY_FIX": ("2", {}),
    "ADVISOR_SESSION_HOURS": ("1", {}),
    "ADVISOR_SESSION_IDLE_MINUTES": ("5", {}),
    "ADVISOR_FRAGMENT_CACHE_MB": ("1", {}),
    "ADVISOR_LOGIN_LIMIT_PER_ADDRESS": ("3 per minute", {}),
    "ADVISOR_LOGIN_FREE_FAILURES": ("2", {}),
    "ADVISOR_LOGIN_MAX_DELAY_SECONDS": ("60", {}),
    "ADVISOR_EXPORT_LIMIT": ("3 per minute", {}),
    "ADVISOR_PDF_EXPORT_LIMIT": ("1 per minute", {}),
}


def _settings(tmp_path: Path, env: dict[str, str]) -> dict[str, Any]:
    return from_environment(tmp_path / "instance", env)


def _setting_changes_the_configuration(name: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        value, needs = SETTINGS[name]
        assert _settings(tmp_path, {**needs, name: value}) != _settings(tmp_path, needs)

    return check


def _file_holds_the_setting(name: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    """``name`` is ``<SETTING>_FILE``: a file holding a value counts as that value set directly."""
    setting = name.removesuffix("_FILE")

    def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        value, needs = SETTINGS[setting]
        held = tmp_path / "mounted-secret"
        held.write_text(value + "\n", encoding="utf-8")
        from_file = _settings(tmp_path, {**needs, name: str(held)})
        assert from_file == _settings(tmp_path, {**needs, setting: value})
        assert from_file != _settings(tmp_path, needs)

    return check


def _refusal(env: dict[str, str]) -> str:
    """Why production mode refuses an app on SQLite with an explicit key and a shared throttle store ("" if not)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="k" * 40, SQLALCHEMY_DATABASE_URI="sqlite:///advisor.sqlite3", RATELIMIT_STORAGE_URI="redis://r:6379"
    )
    try:
        check_production(app, env)
    except UnsafeConfiguration as refused:
        return str(refused)
    return ""


def _env_turns_on_the_production_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _refusal({"ADVISOR_INSTANCES": "3"}) == ""
    assert "SQLite cannot be shared by 3 instances" in _refusal({"ADVISOR_INSTANCES": "3", "ADVISOR_ENV": "production"})


def _instances_counts_the_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _refusal({"ADVISOR_ENV": "production"}) == ""
    assert "SQLite cannot be shared by 3 instances" in _refusal({"ADVISOR_ENV": "production", "ADVISOR_INSTANCES": "3"})


def _instance_path_places_the_instance_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("ADVISOR_INSTANCE_PATH", str(elsewhere))
    monkeypatch.delenv("ADVISOR_DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "k" * 40})
    assert app.instance_path == str(elsewhere)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{elsewhere / 'advisor.sqlite3'}"


CHECKS: dict[str, Callable[[Path, pytest.MonkeyPatch], None]] = {
    **{name: _setting_changes_the_configuration(name) for name in SETTINGS},
    **{f"{name}_FILE": _file_holds_the_setting(f"{name}_FILE") for name in SETTINGS},
    "ADVISOR_ENV": _env_turns_on_the_production_checks,
    "ADVISOR_INSTANCES": _instances_counts_the_processes,
    "ADVISOR_INSTANCE_PATH": _instance_path_places_the_instance_folder,
}


def test_the_readme_documents_environment_variables() -> None:
    assert "ADVISOR_DATABASE_URL" in DOCUMENTED
    assert len(DOCUMENTED) >= 20


@pytest.mark.parametrize("name", DOCUMENTED)
def test_every_documented_environment_variable_changes_what_the_app_does(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each variable README.md names is set to a value other than its default and its effect observed."""
    assert name in CHECKS, f"README.md documents {name}: add a check here of what setting it does"
    CHECKS[name](tmp_path, monkeypatch)
