"""`advisor evaluate`: formats, exit codes and messages (contract §5)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from advisor.cli import cli
from advisor.engine import evaluate

ADVISOR = str(Path(sys.executable).with_name("advisor"))


@pytest.fixture
def cli_runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def answers_file(tmp_path: Path, answers: dict[str, Any]) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    return path


def test_json_is_the_contract_result(cli_runner: CliRunner, answers_file: Path, answers: dict[str, Any]) -> None:
    result = cli_runner.invoke(cli, ["evaluate", str(answers_file)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == evaluate(answers)
    assert result.stderr == ""


def test_json_answers_file_is_accepted(cli_runner: CliRunner, tmp_path: Path, answers: dict[str, Any]) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    result = cli_runner.invoke(cli, ["evaluate", str(path), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["answers"]["experience"] == "intermediate"


def test_markdown_holds_decisions_and_every_item(
    cli_runner: CliRunner, answers_file: Path, answers: dict[str, Any]
) -> None:
    result = cli_runner.invoke(cli, ["evaluate", str(answers_file), "--format", "markdown"])
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("# Kubernetes architecture recommendation")
    assert "| Hosting | Managed Kubernetes service (`managed`) |" in out
    for item in evaluate(answers)["checklist"]:
        assert f"`{item['id']}`" in out


def test_csv_lists_the_checklist(cli_runner: CliRunner, answers_file: Path, answers: dict[str, Any]) -> None:
    result = cli_runner.invoke(cli, ["evaluate", str(answers_file), "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = evaluate(answers)["checklist"]
    assert [r["id"] for r in rows] == [i["id"] for i in expected]
    assert rows[0]["status"] == "todo"
    assert rows[0]["references"].count("https://") == len(expected[0]["references"])


def test_invalid_answers_exit_2_with_every_error_on_stderr(cli_runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("experience: guru\napplications: 0\nmystery: 1\n", encoding="utf-8")
    result = cli_runner.invoke(cli, ["evaluate", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"error: {path}: 9 invalid answer(s):"
    assert "  mystery: unknown key; allowed keys: " in result.stderr
    assert "  experience: got 'guru'; allowed: novice, intermediate, expert" in lines
    assert "  applications: got 0; allowed: a whole number from 1 to 10000" in lines
    assert "  tenancy: is required; allowed: single_team, multi_team, multi_customer" in lines


def test_unreadable_and_malformed_files_exit_2(cli_runner: CliRunner, tmp_path: Path) -> None:
    missing = cli_runner.invoke(cli, ["evaluate", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2
    assert missing.stdout == ""
    broken = tmp_path / "broken.yaml"
    broken.write_text("experience: [novice\n", encoding="utf-8")
    result = cli_runner.invoke(cli, ["evaluate", str(broken)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {broken}: not valid YAML or JSON:")


def test_repeated_key_is_an_error_not_an_override(cli_runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text("experience: novice\nexperience: expert\n", encoding="utf-8")
    result = cli_runner.invoke(cli, ["evaluate", str(path)])
    assert result.exit_code == 2
    assert "the key 'experience' appears more than once" in result.stderr


def test_a_document_that_is_not_a_mapping(cli_runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- novice\n", encoding="utf-8")
    result = cli_runner.invoke(cli, ["evaluate", str(path)])
    assert result.exit_code == 2
    assert "(document): got a list; an answers document is a mapping" in result.stderr


def test_fail_on_exits_1_while_items_are_open(cli_runner: CliRunner, tmp_path: Path, answers: dict[str, Any]) -> None:
    checklist = evaluate(answers)["checklist"]
    high_or_above = [i["id"] for i in checklist if i["priority"] in ("critical", "high")]
    assert high_or_above
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    failing = cli_runner.invoke(cli, ["evaluate", str(path), "--fail-on", "high"])
    assert failing.exit_code == 1
    assert json.loads(failing.stdout)["checklist"], "the result is still printed"
    assert f"{len(high_or_above)} checklist item(s) at high priority or above are not done" in failing.stderr

    # done and not_applicable close an item; accepted_risk and in_progress do not
    closed = {i: ("done" if n % 2 else "not_applicable") for n, i in enumerate(high_or_above)}
    path.write_text(yaml.safe_dump({**answers, "status": closed}), encoding="utf-8")
    assert cli_runner.invoke(cli, ["evaluate", str(path), "--fail-on", "high"]).exit_code == 0
    closed[high_or_above[0]] = "accepted_risk"
    path.write_text(yaml.safe_dump({**answers, "status": closed}), encoding="utf-8")
    still = cli_runner.invoke(cli, ["evaluate", str(path), "--fail-on", "high"])
    assert still.exit_code == 1
    assert still.stderr.strip().endswith(high_or_above[0])


def test_fail_on_level_counts_levels_above(cli_runner: CliRunner, tmp_path: Path, answers: dict[str, Any]) -> None:
    checklist = evaluate(answers)["checklist"]
    everything_but_low = {i["id"]: "done" for i in checklist if i["priority"] != "low"}
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump({**answers, "status": everything_but_low}), encoding="utf-8")
    assert cli_runner.invoke(cli, ["evaluate", str(path), "--fail-on", "medium"]).exit_code == 0
    has_low = any(i["priority"] == "low" for i in checklist)
    assert cli_runner.invoke(cli, ["evaluate", str(path), "--fail-on", "low"]).exit_code == (1 if has_low else 0)


def test_unknown_format_is_a_usage_error(cli_runner: CliRunner, answers_file: Path) -> None:
    result = cli_runner.invoke(cli, ["evaluate", str(answers_file), "--format", "xml"])
    assert result.exit_code == 2
    assert result.stdout == ""


def test_console_script_reads_standard_input(answers: dict[str, Any], tmp_path: Path) -> None:
    env = {**os.environ, "ADVISOR_INSTANCE_PATH": str(tmp_path / "instance")}
    done = subprocess.run(
        [ADVISOR, "evaluate", "-", "--format", "json"],
        input=yaml.safe_dump(answers),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["decisions"][0]["id"] == "hosting"


def test_console_script_invalid_stdin_exits_2(tmp_path: Path) -> None:
    env = {**os.environ, "ADVISOR_INSTANCE_PATH": str(tmp_path / "instance")}
    done = subprocess.run(
        [ADVISOR, "evaluate", "-"], input="experience: novice\n", capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: standard input: 7 invalid answer(s):")


def test_kb_check_accepts_the_builtin_knowledge_base(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(cli, ["kb", "check"])
    assert result.exit_code == 0
    assert result.stdout.startswith("knowledge base ")
    assert ": valid (23 questions, 5 decisions, " in result.stdout


def test_kb_check_lists_each_problem(cli_runner: CliRunner, tmp_path: Path) -> None:
    import shutil

    from advisor.engine.knowledge import BUILTIN_DIR

    target = tmp_path / "kb"
    shutil.copytree(BUILTIN_DIR, target)
    (target / "meta.yaml").write_text("version: ''\ntitle: x\n", encoding="utf-8")
    (target / "warnings.yaml").write_text("warnings: [{id: Bad Id, when: {}, message: m}]\n", encoding="utf-8")
    result = cli_runner.invoke(cli, ["kb", "check", str(target)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{target}: 3 problem(s):" in result.stderr
    assert "  meta.yaml: version: must not be empty" in result.stderr
    assert "  warnings.yaml: warnings[0] 'Bad Id': id: 'Bad Id' is not a valid id" in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"compliance": [["soc2"]]}', "compliance[0]: got list; allowed:"),
        ('{"compliance": [{"a": 1}]}', "compliance[0]: got dict; allowed:"),
        ("compliance: [[soc2], [soc2]]", "compliance[1]: got list"),
        ("? [experience]\n: novice\n", "a key must be plain text, not list"),
        ('{"experience": "\\ud800"}', "unpaired UTF-16 surrogate"),
        ('{"title": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
        ('{"priorities": {"1": 2, "isolation": [1]}}', "priorities.isolation: got list"),
    ],
)
def test_odd_documents_exit_2_without_a_traceback(
    cli_runner: CliRunner, tmp_path: Path, text: str, expected: str
) -> None:
    """Issue 10.5: wrong types anywhere in the document answer a clear error, never a traceback."""
    path = tmp_path / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli_runner.invoke(cli, ["evaluate", str(path)])
    assert result.exit_code == 2, result.exception
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
