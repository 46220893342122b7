"""Issue 13: `advisor evaluate` and `advisor kb check` run on the engine alone, without the web app.

Each command runs in a process of its own, which then lists the modules it imported: none of the web
stack may be among them. Behaviour only; `benchmarks/cli.py` times the commands.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from advisor.cli import cli, evaluate_command, kb_group
from advisor.engine.knowledge import BUILTIN_DIR

ADVISOR = str(Path(sys.executable).with_name("advisor"))
WEB_MODULES = ("flask", "sqlalchemy", "weasyprint", "wtforms", "flask_wtf", "flask_sqlalchemy", "werkzeug", "jinja2")
APP_MODULES = ("advisor.app_cli", "advisor.models", "advisor.extensions", "advisor.services", "advisor.views")

# runs the console script's entry as the script does (arguments from sys.argv), then writes sys.modules to a file
PROBE = """
import json, sys
out = sys.argv.pop(1)
from advisor.cli import cli
try:
    cli()
finally:
    with open(out, "w") as fh:
        json.dump(sorted(sys.modules), fh)
"""


def run_probe(tmp_path: Path, args: list[str], stdin: str = "") -> tuple[subprocess.CompletedProcess[str], list[str]]:
    return run_probe_in(tmp_path, tmp_path, args, stdin)


def run_probe_in(
    cwd: Path, tmp_path: Path, args: list[str], stdin: str = ""
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    modules = tmp_path / "modules.json"
    env = {**os.environ, "ADVISOR_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("ADVISOR_KNOWLEDGE_BASE", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(modules), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )
    return done, json.loads(modules.read_text(encoding="utf-8"))


def web_modules_in(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in WEB_MODULES or m.startswith(APP_MODULES)]


@pytest.fixture
def answers_file(tmp_path: Path, answers: dict[str, Any]) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["json", "markdown", "csv"])
def test_evaluate_imports_no_web_module(tmp_path: Path, answers_file: Path, fmt: str) -> None:
    done, modules = run_probe(tmp_path, ["evaluate", str(answers_file), "--format", fmt, "--fail-on", "low"])
    assert done.returncode == 1, done.stderr  # it ran to the end: items are open
    assert "checklist item(s) at low priority or above are not done" in done.stderr
    assert done.stdout
    assert "advisor.engine.evaluate" in modules
    assert web_modules_in(modules) == []


def test_evaluate_from_stdin_and_invalid_answers_import_no_web_module(tmp_path: Path, answers: dict[str, Any]) -> None:
    done, modules = run_probe(tmp_path, ["evaluate", "-"], stdin=yaml.safe_dump(answers))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["answers"]["experience"] == answers["experience"]
    assert web_modules_in(modules) == []

    done, modules = run_probe(tmp_path, ["evaluate", "-"], stdin="experience: guru\n")
    assert done.returncode == 2
    assert "invalid answer(s):" in done.stderr
    assert web_modules_in(modules) == []


@pytest.mark.parametrize("which", ["built-in", "whole", "overlay", "broken"])
def test_kb_check_imports_no_web_module(tmp_path: Path, which: str) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "meta.yaml").write_text("version: org.1\ntitle: Our additions\n", encoding="utf-8")
    args = {
        "built-in": ["kb", "check"],
        "whole": ["kb", "check", str(BUILTIN_DIR)],
        "overlay": ["kb", "check", str(overlay)],
        "broken": ["kb", "check", str(tmp_path / "missing")],
    }[which]
    done, modules = run_probe(tmp_path, args)
    if which == "broken":
        assert done.returncode == 2
        assert "is not a directory" in done.stderr
    else:
        assert done.returncode == 0, done.stderr
        assert ": valid (23 questions, 5 decisions, " in done.stdout
    assert "advisor.engine.knowledge" in modules
    assert web_modules_in(modules) == []


def test_other_command_lines_go_to_the_flask_group(tmp_path: Path) -> None:
    done, modules = run_probe(tmp_path, ["--help"])
    assert done.returncode == 0, done.stderr
    commands = ["backup", "create-token", "create-user", "db", "evaluate", "export", "kb", "restore", "routes", "run"]
    listed = done.stdout.split("Commands:")[1]
    for name in [*commands, "shell"]:
        assert f"\n  {name} " in listed, name
    assert "-A, --app IMPORT" in done.stdout
    assert "flask" in modules
    assert "advisor.app_cli" in modules


def test_an_option_before_the_command_still_works(tmp_path: Path, answers_file: Path) -> None:
    """`advisor --no-debug evaluate FILE` goes through the Flask group, which holds the same command."""
    light, _ = run_probe(tmp_path, ["evaluate", str(answers_file)])
    through_flask, modules = run_probe(tmp_path, ["--no-debug", "evaluate", str(answers_file)])
    assert through_flask.returncode == light.returncode == 0
    assert through_flask.stdout == light.stdout
    assert "flask" in modules


def test_a_dotenv_file_is_still_read(tmp_path: Path, answers_file: Path) -> None:
    """python-dotenv is installed (compliance-trestle needs it): a .env file here or in a folder above goes
    through Flask's group, which reads it; without one the light path runs (the other tests)."""
    (tmp_path / ".env").write_text("ADVISOR_NOT_A_SETTING=1\n", encoding="utf-8")
    (tmp_path / "below").mkdir()
    for where in (tmp_path, tmp_path / "below"):
        done, modules = run_probe_in(where, tmp_path, ["evaluate", str(answers_file)])
        assert done.returncode == 0, done.stderr
        assert "flask" in modules, where


def test_the_flask_group_holds_the_same_commands() -> None:
    from advisor.app_cli import app_cli

    assert app_cli.commands["evaluate"] is evaluate_command is cli.commands["evaluate"]
    assert app_cli.commands["kb"] is kb_group is cli.commands["kb"]
    assert app_cli.help == cli.help


def test_flask_prefixed_variables_still_set_options(tmp_path: Path, answers_file: Path) -> None:
    """Flask's group reads options from FLASK_<COMMAND>_<OPTION> variables; the light group does too."""
    result = CliRunner(env={"FLASK_EVALUATE_FMT": "csv"}).invoke(cli, ["evaluate", str(answers_file)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith('"id","topic","priority",')


def test_console_script_runs_the_light_path(tmp_path: Path, answers_file: Path) -> None:
    """The installed `advisor` script, its imports listed by Python itself (PYTHONPROFILEIMPORTTIME)."""
    env = {**os.environ, "ADVISOR_INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run(
        [ADVISOR, "evaluate", str(answers_file), "--format", "markdown"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Kubernetes architecture recommendation")
    imported = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert "advisor.engine.evaluate" in imported
    assert web_modules_in(imported) == []


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml")
def test_libyaml_reads_the_builtin_knowledge_base_as_pyyaml_does() -> None:
    """The knowledge base is read with libyaml's parser for speed; it must give the same data."""
    files = sorted(BUILTIN_DIR.rglob("*.yaml"))
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.safe_load(text), path
