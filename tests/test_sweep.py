"""Smoke tests of benchmarks/sweep.py: the grid, both result shapes, skipped answers and the text patterns."""

from __future__ import annotations

import copy
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from advisor.engine import AnswersError, default_knowledge_base, evaluate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import sweep

BASE = {
    "experience": "novice",
    "automation": "manual",
    "infrastructure": "public_cloud",
    "air_gapped": False,
    "applications": 2,
    "services": 40,
    "tenancy": "multi_customer",
    "sensitivity": "high",
    "compliance": ["pci_dss"],
    "environments": ["dev", "prod"],
    "external_tools": ["apm"],
}


def _by_key(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in report["findings"]}


def test_grid_is_fixed_and_covers_every_pair_of_values() -> None:
    cases = list(sweep.grid(None))
    assert len(cases) == sweep.grid_size(None) == 23328
    assert cases[:50] == list(itertools.islice(sweep.grid(None), 50))
    axes = [k for k, _ in sweep.BASE_AXES] + ["services", "compliance", "environments", "zero_trust", "external_tools"]

    def value(case: dict[str, Any], key: str) -> Any:
        v = case[key]
        return tuple(v) if isinstance(v, list) else v

    for a, b in itertools.combinations(axes, 2):
        seen = {(value(c, a), value(c, b)) for c in cases}
        wanted = {value(c, a) for c in cases}
        other = {value(c, b) for c in cases}
        assert len(seen) == len(wanted) * len(other), (a, b)


def test_v2_profiles_only_use_known_keys() -> None:
    kb = default_knowledge_base()
    for profile in sweep.known_v2_profiles(kb):
        assert set(profile) <= set(kb.question_by_key)
    profiles = sweep.known_v2_profiles(kb)
    for case in itertools.islice(sweep.grid(profiles), 0, 23328, 97):
        if case["infrastructure"] == "on_prem":
            assert not set(case) & set(sweep.CLOUD_ONLY_KEYS)


def test_sweep_on_the_current_engine() -> None:
    report = sweep.sweep(limit=300)
    assert report["evaluated"] + report["skipped"] == 300
    found = _by_key(report)
    mesh = found["1-mesh-novice"]
    assert mesh["concerned"] > 0
    assert 0 <= mesh["problems"] <= mesh["concerned"]
    if set(report["result_shapes"]) == {"v1"}:
        assert found["4-close-call-flag"]["concerned"] is None  # "n/a": v1 results have no close_call


def test_skipped_answer_sets_are_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = itertools.count()

    def flaky(answers: Any) -> dict[str, Any]:
        if next(calls) % 2:
            raise AnswersError([{"key": "egress", "message": "open is not allowed with air_gapped"}])
        return evaluate(answers)

    monkeypatch.setattr(sweep, "evaluate", flaky)
    report = sweep.sweep(limit=20)
    assert report["skipped"] == 10
    assert report["evaluated"] == 10
    assert report["skipped_by_key"] == {"egress": 10}


def _as_v1(result: dict[str, Any]) -> dict[str, Any]:
    """A v2 result dressed in the engine-1.x shape stored revisions keep: string reasons, no close_call."""
    out = copy.deepcopy(result)
    out["engine_version"] = "1.0.0"
    for d in out["decisions"]:
        d.pop("close_call", None)
        d.pop("close_call_advice", None)
        for alt in d["alternatives"]:
            alt["reasons"] = [r["text"] for r in alt["reasons"]]
    return out


def _all_against(result: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(result)
    for d in out["decisions"]:
        for alt in d["alternatives"]:
            alt["reasons"] = [{**r, "effect": "against"} for r in alt["reasons"]]
    return out


def _run(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    findings = sweep.build_findings(default_knowledge_base())
    case = sweep.Case(dict(result["answers"]), result, sweep.result_shape(result))
    for f in findings:
        f.run(case)
    return {f.key: f.as_dict() for f in findings}


def test_both_result_shapes_are_read() -> None:
    v2 = evaluate(BASE)
    v1 = _as_v1(v2)
    assert sweep.result_shape(v1) == "v1"
    assert sweep.result_shape(v2) == "v2"
    one, two = _run(v1), _run(v2)
    assert one["4-close-call-flag"]["concerned"] is None
    assert two["4-close-call-flag"]["concerned"] > 0
    assert two["4-close-call-flag"]["problems"] == 0
    for key in ("1-mesh-novice-manual", "2-pci-preprod-single", "9-ids-reasons", "11-contradicted"):
        assert one[key] == two[key]
    # v2: a recommendation whose reasons all count against it has no reason for it.
    against = _run(_all_against(v2))["10-no-reason-for"]
    assert against["problems"] == against["concerned"] > 0


def test_a_missing_decision_reads_not_available() -> None:
    result = evaluate(BASE)
    result["decisions"] = [d for d in result["decisions"] if d["id"] != "service_mesh"]
    found = _run(result)
    assert found["1-mesh-novice-manual"]["concerned"] is None
    assert found["2-pci-preprod-single"]["concerned"] == 1


def test_text_patterns() -> None:
    assert sweep.provider_patches_nodes("the provider hardens and patches the control plane and hosts")
    assert sweep.provider_patches_nodes("A provider (EKS or GKE) runs, hardens and patches the node images; rest")
    assert not sweep.provider_patches_nodes("the provider runs the control plane; your team patches the nodes")
    assert not sweep.provider_patches_nodes("the provider patches the control plane, while the team patches nodes")
    assert not sweep.provider_patches_nodes("the provider does not patch the node groups")
    assert [h[0] for h in sweep.cloud_hits("Use EKS Anywhere or OpenShift")] == []
    assert [h[0] for h in sweep.cloud_hits("block 169.254.169.254 and use IRSA on EKS")] == [
        "169.254.169.254",
        "IRSA",
        "EKS",
    ]
    assert sweep.NOTHING_INSIDE.search("Nothing third-party runs in the clusters")
    assert not sweep.NOTHING_INSIDE.search("the APM agent runs in each pod")
    ids = sweep.id_patterns(default_knowledge_base())
    assert ids.search("tenancy is multi_customer: shared")
    assert ids.search("experience is novice: hard")
    assert not ids.search("Your team is new to Kubernetes security, so a managed service helps.")


def test_command_line_json() -> None:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert sweep.main(["--limit", "40", "--json", "--v1-grid"]) == 0
    report = json.loads(out.getvalue())
    assert report["planned"] == 40
    assert report["v2_keys_in_grid"] == []
    assert {"key", "title", "concerned", "problems", "share"} <= set(report["findings"][0])
