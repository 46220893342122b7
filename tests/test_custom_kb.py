"""An organisation's own knowledge base on top of the built-in one (ADVISOR_KNOWLEDGE_BASE)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from advisor import create_app
from advisor.cli import cli
from advisor.engine import KnowledgeBaseError, evaluate, load_knowledge_base
from advisor.extensions import db
from tests.conftest import make_user, sign_in
from tests.helpers import BASE_ANSWERS
from tests.web import new_assessment_with_revision

OWN_ITEM = {
    "id": "acme-change-board",
    "topic": "compliance",
    "priority": "high",
    "priority_because": "Our auditors treat an unapproved production change as a finding.",
    "phase": "before_go_live",
    "effort": "small",
    "responsibility": "customer",
    "frameworks": {"soc2": ["CC8.1"], "iso27001": ["8.32"]},
    "title": "Take production changes through the ACME change board",
    "why": "Our auditors ask for a recorded approval of every change that reaches production clusters.",
    "how": "Open a change record in the ACME tracker before merging to the production GitOps branch; "
    "link it in the pull request.",
    "references": [{"label": "ACME change policy", "url": "https://intranet.acme.example/change-policy"}],
}


def write_overlay(root: Path, items: list[dict], retired: list[str] | None = None, version: str = "acme.1") -> Path:
    (root / "checklist").mkdir(parents=True)
    (root / "meta.yaml").write_text(yaml.safe_dump({"version": version, "title": "ACME additions"}))
    (root / "checklist" / "acme.yaml").write_text(yaml.safe_dump({"items": items, "retired": retired or []}))
    return root


def test_overlay_adds_replaces_and_retires_items(tmp_path: Path) -> None:
    builtin = load_knowledge_base()
    replaced = {
        **builtin.item_by_id["resources-requests-limits"].model_dump(mode="json", exclude={"when", "priority_rules"}),
        "priority": "high",
        "title": "Set requests and limits on every container (ACME rule)",
    }
    overlay = write_overlay(tmp_path / "acme", [OWN_ITEM, replaced], retired=["cp-user-authn-oidc"])
    kb = load_knowledge_base(overlay=overlay)
    assert kb.version == f"{builtin.version}+acme.1"
    assert len(kb.items) == len(builtin.items)  # one added, one retired
    result = evaluate(BASE_ANSWERS, kb)
    items = {i["id"]: i for i in result["checklist"]}
    assert "acme-change-board" in items
    assert items["resources-requests-limits"]["title"] == "Set requests and limits on every container (ACME rule)"
    assert items["resources-requests-limits"]["priority"] == "high"
    assert "cp-user-authn-oidc" not in items
    assert result["knowledge_base_version"] == f"{builtin.version}+acme.1"
    assert "cp-user-authn-oidc" in kb.retired, "a retired id still validates in saved statuses"
    evaluate({**BASE_ANSWERS, "status": {"cp-user-authn-oidc": "done"}}, kb)
    soc2 = evaluate({**BASE_ANSWERS, "compliance": ["soc2"]}, kb)
    change = next(r for r in soc2["frameworks"][0]["requirements"] if r["requirement"] == "CC8.1")
    assert "acme-change-board" in change["items"], "an organisation's items answer the built-in requirements"


def test_overlay_errors_name_file_entry_and_problem(tmp_path: Path) -> None:
    bad = {**OWN_ITEM, "topic": "paperwork", "references": [{"label": "x", "url": "http://plain.example"}]}
    overlay = write_overlay(tmp_path / "acme", [bad, {**OWN_ITEM, "id": "acme-two", "decisions": ["budget"]}])
    (overlay / "meta.yaml").unlink()
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(overlay=overlay)
    prefix = f"{overlay.as_posix()}/"
    errors = caught.value.errors
    assert f"{prefix}meta.yaml: is required, with a version for the reports to show" in errors
    assert any(e.startswith(f"{prefix}checklist/acme.yaml: items[0] 'acme-change-board': topic: ") for e in errors)
    assert (
        f"{prefix}checklist/acme.yaml: items[0] 'acme-change-board': references[0].url: "
        "'http://plain.example' is not an https URL" in errors
    )


def test_overlay_cannot_change_the_contract(tmp_path: Path) -> None:
    overlay = write_overlay(tmp_path / "acme", [OWN_ITEM])
    (overlay / "questions.yaml").write_text("steps: []\nquestions: []\n")
    (overlay / "decisions").mkdir()
    decision = yaml.safe_load((Path(load_knowledge_base().sources[0]) / "decisions" / "hosting.yaml").read_text())
    (overlay / "decisions" / "budget.yaml").write_text(yaml.safe_dump({**decision, "id": "budget"}))
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(overlay=overlay)
    text = "\n".join(caught.value.errors)
    assert "questions and criteria are the public contract" in text
    assert "'budget' is not a decision of the contract" in text


def test_kb_check_validates_an_overlay(tmp_path: Path) -> None:
    good = write_overlay(tmp_path / "good", [OWN_ITEM])
    ok = CliRunner().invoke(cli, ["kb", "check", str(good)])
    assert ok.exit_code == 0
    assert "+acme.1: valid" in ok.stdout
    broken = write_overlay(tmp_path / "broken", [{**OWN_ITEM, "why": ""}])
    bad = CliRunner().invoke(cli, ["kb", "check", str(broken)])
    assert bad.exit_code == 2
    assert "checklist/acme.yaml: items[0] 'acme-change-board': why: must not be empty" in bad.stderr


def signed_in_with_an_assessment(tmp_path: Path, config: dict[str, str]) -> tuple[Any, int]:
    """An app on its own SQLite file (with ``config``), its owner signed in, and one saved assessment."""
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path / "i"), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.db'}", **config}
    )
    with app.app_context():
        db.create_all()
    make_user(app, "owner@example.com")
    client = app.test_client()
    sign_in(client, "owner@example.com")
    return client, new_assessment_with_revision(client)


def test_the_app_uses_the_overlay_and_shows_its_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overlay = write_overlay(tmp_path / "acme", [OWN_ITEM], version="acme.7")
    monkeypatch.setenv("ADVISOR_KNOWLEDGE_BASE", str(overlay))
    client, assessment_id = signed_in_with_an_assessment(tmp_path, {})
    page = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert "+acme.7" in page
    assert "Take production changes through the ACME change board" in page


def test_a_broken_overlay_stops_start_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overlay = write_overlay(tmp_path / "acme", [{**OWN_ITEM, "priority": "urgent"}])
    monkeypatch.setenv("ADVISOR_KNOWLEDGE_BASE", str(overlay))
    with pytest.raises(KnowledgeBaseError, match="priority"):
        create_app({"INSTANCE_PATH": str(tmp_path / "i")})


def test_an_app_given_its_own_knowledge_base_clones_and_exports_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No environment fallback inside services or exports: the app's KNOWLEDGE_BASE is used throughout, even
    when ADVISOR_KNOWLEDGE_BASE names nothing (issue 13, item 5)."""
    monkeypatch.delenv("ADVISOR_KNOWLEDGE_BASE", raising=False)
    overlay = write_overlay(tmp_path / "acme", [OWN_ITEM], version="acme.9")
    client, assessment_id = signed_in_with_an_assessment(tmp_path, {"KNOWLEDGE_BASE": str(overlay)})
    page = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'value="([^"]+)" name="csrf_token"', page
    )
    assert csrf
    cloned = client.post(f"/assessments/{assessment_id}/clone", data={"csrf_token": csrf.group(1)})
    assert cloned.status_code == 302
    copy_id = int(cloned.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    for target in (assessment_id, copy_id):
        exported = client.get(f"/assessments/{target}/export?format=json").get_json()
        assert exported["result"]["knowledge_base_version"].endswith("+acme.9")
        assert "acme-change-board" in [i["id"] for i in exported["result"]["checklist"]]
