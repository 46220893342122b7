"""docs/contract.md stays true where a machine can tell: every answers key and value, decision and
alternative id, result field, fixed vocabulary, command option and API path of the code is written in it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from advisor.engine import ENGINE_VERSION, evaluate
from advisor.engine import result as result_types
from advisor.engine.schema import CRITERIA, EFFORTS, PHASES, PRIORITIES, RESPONSIBILITIES, STATUSES, TOPICS

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "advisor" / "knowledge"
DOC = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")


def _code_words(markdown: str) -> set[str]:
    """Every identifier-like word the document writes as code: in fenced blocks and in `code spans`."""
    fenced = re.findall(r"^```[^\n]*\n(.*?)^```", markdown, re.DOTALL | re.MULTILINE)
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", markdown, flags=re.DOTALL | re.MULTILINE)
    spans = re.findall(r"`([^`\n]+)`", prose)
    return {word for text in [*fenced, *spans] for word in re.findall(r"[A-Za-z_][A-Za-z0-9_.-]*", text)}


CODE = _code_words(DOC)


def _missing(names: Any) -> list[str]:
    return sorted({str(n) for n in names} - CODE)


def _questions() -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = yaml.safe_load((KNOWLEDGE / "questions.yaml").read_text(encoding="utf-8"))[
        "questions"
    ]
    return questions


def _decisions() -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((KNOWLEDGE / "decisions").glob("*.yaml"))]


def test_every_answers_key_and_value_is_documented() -> None:
    questions = _questions()
    assert len(questions) > 20
    assert not _missing(q["key"] for q in questions)
    values = [o["value"] for q in questions for o in q.get("options", []) if not isinstance(o["value"], bool)]
    assert not _missing(values)


def test_every_decision_and_alternative_id_is_documented() -> None:
    decisions = _decisions()
    assert decisions
    assert not _missing(d["id"] for d in decisions)
    assert not _missing(a["id"] for d in decisions for a in d["alternatives"])


@pytest.mark.parametrize(
    "shape",
    [
        result_types.Result,
        result_types.ChecklistItem,
        result_types.Decision,
        result_types.Alternative,
        result_types.Reason,
        result_types.Flip,
        result_types.Reference,
        result_types.FrameworkView,
        result_types.RequirementView,
        result_types.WarningDetail,
    ],
    ids=lambda shape: shape.__name__,
)
def test_every_result_field_is_documented(shape: Any) -> None:
    fields = shape.__required_keys__ | shape.__optional_keys__
    assert fields
    assert not _missing(fields), shape.__name__


def test_fixed_vocabularies_are_documented() -> None:
    for vocabulary in (CRITERIA, TOPICS, PRIORITIES, STATUSES, PHASES, EFFORTS, RESPONSIBILITIES):
        assert not _missing(vocabulary)
    topics = re.search(r"\*\*Topics\*\*.*?\n\n", DOC, re.DOTALL)
    assert topics, "the document lists the topics in one paragraph"
    assert re.findall(r"`([a-z_0-9]+)`", topics.group(0)) == list(TOPICS), "in contract order"


def test_the_documented_engine_version_is_the_engine_s() -> None:
    assert f"engine {ENGINE_VERSION}" in DOC
    assert f'"engine_version": "{ENGINE_VERSION}"' in DOC, "the example result comes from this engine"


def test_the_example_answers_evaluate() -> None:
    block = re.search(r"An example, used in §4 and §6:\n\n```yaml\n(.*?)```", DOC, re.DOTALL)
    assert block
    result = evaluate(yaml.safe_load(block.group(1)))
    assert result["engine_version"] == ENGINE_VERSION


def test_command_options_are_documented() -> None:
    from advisor.cli import cli

    evaluate_command = cli.commands["evaluate"]
    options = {p.name: p for p in evaluate_command.params}
    for name in ("fmt", "fail_on"):
        assert all(opt in DOC for opt in options[name].opts), options[name].opts
        choices = options[name].type.choices  # type: ignore[attr-defined]
        assert not _missing(choices), name
    assert "kb" in cli.commands
    assert "advisor kb check [DIRECTORY]" in DOC


def test_every_api_path_is_documented(tmp_path: Path) -> None:
    from advisor import create_app
    from advisor.views.api import openapi_document

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'doc.db'}"})
    with app.test_request_context("/api/v1/openapi.json"):
        paths = openapi_document("http://localhost")["paths"]
    assert paths
    for path, operations in paths.items():
        written = path.replace("{assessment_id}", "{id}").replace("{number}", "{n}")
        for method in operations:
            assert f"{method.upper()} {written}" in DOC, (method, path)
    export = paths["/api/v1/assessments/{assessment_id}/export"]["get"]["parameters"]
    formats = next(p for p in export if p["name"] == "format")["schema"]["enum"]
    assert not _missing(formats)


def test_readme_links_the_document() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/contract.md)" in readme
