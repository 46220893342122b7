"""`advisor evaluate ANSWERS --evidence FILE …` (issue 15): scanner findings on the items they verify, an evidence
status per item, `--fail-on` on failing evidence, `--baseline` for what is new; with the project's own reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from advisor.cli import cli
from advisor.engine import default_knowledge_base, evaluate
from advisor.scanners.evidence import evidence_status
from tests.helpers import BASE_ANSWERS

REPORTS = Path(__file__).parent / "fixtures" / "scanners"
KUBESCAPE, POLARIS, CHECKOV = (
    REPORTS / n for n in ("kubescape-current.json", "polaris-cluster.json", "checkov-one.json")
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def answers_file(tmp_path: Path, status: dict[str, str] | None = None) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump({**BASE_ANSWERS, "status": status or {}}), encoding="utf-8")
    return path


def run(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(cli, ["evaluate", *args])


def items_of(output: str) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in json.loads(output)["checklist"]}


@pytest.mark.parametrize(
    ("results", "status"),
    [
        ([], "none"),
        (["not_evaluated"], "not_evaluated"),
        (["pass", "not_evaluated"], "pass"),
        (["fail", "fail"], "fail"),
        (["pass", "fail", "not_evaluated"], "mixed"),
    ],
)
def test_an_items_evidence_status_sums_up_its_evaluated_checks(results: list[str], status: str) -> None:
    assert evidence_status(results) == status


def test_findings_go_to_the_items_whose_controls_list_them(runner: CliRunner, tmp_path: Path) -> None:
    done = run(
        runner,
        str(answers_file(tmp_path)),
        *("--evidence", str(KUBESCAPE), "--evidence", str(POLARIS), "--evidence", str(CHECKOV)),
        *("--cluster", "prod-eu-1", "--scanned-at", "2026-11-30T02:00:00"),
    )
    assert done.exit_code == 0, done.output
    items = items_of(done.stdout)
    kb = default_knowledge_base()
    for item_id, item in items.items():
        for e in item["evidence"]:
            assert item_id in kb.items_for(e["tool"], e["benchmark"], e["check"]), (item_id, e)
            assert set(e) == {"tool", "benchmark", "check", "result", "cluster", "scanned_at", "detail"}
    assert {
        item_id: items[item_id]["evidence_status"]
        for item_id in (
            "psa-restricted-enforce",
            "pod-hardened-security-context",
            "rbac-service-account-tokens",
            "netpol-default-deny",
            "ns-template-per-namespace",
        )
    } == {
        "psa-restricted-enforce": "fail",  # kubescape C-0041 and CIS 5.2.5, Polaris hostNetworkSet and runAsRoot
        "pod-hardened-security-context": "mixed",  # kubescape C-0017 passed, Polaris runAsRootAllowed failed
        "rbac-service-account-tokens": "pass",
        "netpol-default-deny": "pass",
        "ns-template-per-namespace": "not_evaluated",  # Checkov skipped CKV_K8S_21
    }
    psa = {(e["tool"], e["benchmark"], e["check"]): e for e in items["psa-restricted-enforce"]["evidence"]}
    assert psa[("kubescape", "cis-v1.12.0", "5.2.5")]["result"] == "fail"
    assert psa[("kubescape", None, "C-0041")]["result"] == "fail"
    polaris = psa[("polaris", None, "hostNetworkSet")]
    assert (polaris["cluster"], polaris["scanned_at"]) != (None, None), "Polaris says where and when itself"
    checkov = items["ns-template-per-namespace"]["evidence"][0]
    assert (checkov["cluster"], checkov["scanned_at"]) == ("prod-eu-1", "2026-11-30T02:00:00Z"), "the defaults given"
    summary = json.loads(done.stdout)["evidence_summary"]
    assert summary["reports"] == 3
    assert sum(summary["items"].values()) == len(items)
    assert summary["findings_matched"] + summary["findings_unmatched"] == summary["findings"]
    assert summary["items"]["none"] == sum(1 for i in items.values() if not i["evidence"])


def test_without_evidence_the_result_is_unchanged(runner: CliRunner, tmp_path: Path) -> None:
    done = run(runner, str(answers_file(tmp_path)))
    assert json.loads(done.stdout) == json.loads(json.dumps(evaluate(BASE_ANSWERS)))


def test_fail_on_fails_on_failing_evidence_unless_not_applicable(runner: CliRunner, tmp_path: Path) -> None:
    checklist = evaluate(BASE_ANSWERS)["checklist"]
    all_done = {i["id"]: "done" for i in checklist}
    path = answers_file(tmp_path, all_done)
    assert run(runner, str(path), "--fail-on", "high").exit_code == 0, "everything is done"
    failing = run(runner, str(path), "--fail-on", "high", "--evidence", str(POLARIS))
    assert failing.exit_code == 1
    named = failing.stderr.strip().split(": ")[-1].split(", ")
    assert set(named) == {"psa-restricted-enforce", "pod-hardened-security-context", "rbac-cluster-admin-break-glass"}
    assert "are not done or their scanner evidence fails" in failing.stderr
    excused = answers_file(
        tmp_path,
        {**all_done, **dict.fromkeys(named, "not_applicable")},
    )
    assert run(runner, str(excused), "--fail-on", "high", "--evidence", str(POLARIS)).exit_code == 0
    accepted = answers_file(tmp_path, {**all_done, "psa-restricted-enforce": "accepted_risk"})
    refused = run(runner, str(accepted), "--fail-on", "high", "--evidence", str(POLARIS))
    assert refused.exit_code == 1, "an acceptance in an answers document has no approval: it excuses nothing"


def test_baseline_fails_only_on_what_is_new(runner: CliRunner, tmp_path: Path) -> None:
    checklist = evaluate(BASE_ANSWERS)["checklist"]
    path = answers_file(tmp_path, {i["id"]: "done" for i in checklist})
    first = run(runner, str(path), "--fail-on", "high", "--evidence", str(KUBESCAPE))
    assert first.exit_code == 1
    baseline = tmp_path / "baseline.json"
    baseline.write_text(first.stdout, encoding="utf-8")
    same = run(runner, str(path), "--fail-on", "high", "--evidence", str(KUBESCAPE), "--baseline", str(baseline))
    assert same.exit_code == 0, same.stderr
    worse = run(
        runner,
        str(path),
        *("--fail-on", "high", "--evidence", str(KUBESCAPE), "--evidence", str(POLARIS)),
        *("--baseline", str(baseline)),
    )
    assert worse.exit_code == 1
    assert f"(new since {baseline})" in worse.stderr
    assert set(worse.stderr.strip().split(": ")[-1].split(", ")) == {
        "rbac-cluster-admin-break-glass",  # Polaris: a cluster-admin binding; kubescape said nothing of it
        "pod-hardened-security-context",  # kubescape passed it; with Polaris's failure it is mixed
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"apiVersion": "v1", "kind": "Pod", "metadata": {}}', "not a scanner report this app reads"),
        (b"", "empty"),
        (b"{not json", "not valid JSON"),
    ],
)
def test_a_file_that_is_not_a_report_is_refused_by_name(
    runner: CliRunner, tmp_path: Path, content: bytes, message: str
) -> None:
    report = tmp_path / "report.json"
    report.write_bytes(content)
    refused = run(runner, str(answers_file(tmp_path)), "--evidence", str(report))
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"error: {report}: ")
    assert message in refused.stderr
    assert refused.stdout == ""


def test_a_baseline_that_is_not_a_result_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"checklist": [{"id": "x"}]}', encoding="utf-8")
    refused = run(runner, str(answers_file(tmp_path)), "--fail-on", "high", "--baseline", str(baseline))
    assert refused.exit_code == 2
    assert "not a JSON result of `advisor evaluate`" in refused.stderr
