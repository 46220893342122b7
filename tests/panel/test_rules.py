"""Contract v2's rules for decisions, over random valid answers (not only the panel's organisations)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.engine import evaluate
from tests.helpers import recommended
from tests.panel.texts import decision_texts, result_texts
from tests.strategies import valid_answers

EXAMPLES = 400
# cloud services, cloud-only mechanisms and provider logging services (contract v2 §2)
CLOUD_WORDS = re.compile(
    r"(?<![A-Za-z])(EKS|AKS|GKE|IRSA|IMDS\w*|CloudWatch|Azure Monitor|Cloud Logging|Fargate|Autopilot|"
    r"169\.254\.169\.254)(?![A-Za-z])"
)
# ids and machine phrasing that plain-language text never shows (contract v2 §3)
MACHINE_WORDS = re.compile(
    r"\b(single_team|multi_team|multi_customer|public_cloud|on_prem|pci_dss|air_gapped|zero_trust|"
    r"external_tools|in_cluster_agents|external_streaming|self_managed|per_app_env|per_team)\b"
    r"| is true\b| is false\b| includes |not \("
)


def _answers_with(**fixed: Any) -> Any:
    return valid_answers().map(lambda doc: {**doc, **fixed})


@given(_answers_with(experience="novice", zero_trust=False, compliance=[]))
@settings(max_examples=EXAMPLES, deadline=None)
def test_rule_2_no_mesh_for_a_novice_team_without_a_need(answers: dict[str, Any]) -> None:
    assert recommended(evaluate(answers), "service_mesh") == "none"


@given(
    valid_answers().map(lambda doc: {**doc, "compliance": sorted({*doc.get("compliance", []), "pci_dss"})}),
    st.sampled_from([["dev", "prod"], ["staging", "prod"], ["dev", "staging", "prod"]]),
)
@settings(max_examples=EXAMPLES, deadline=None)
def test_rule_3_card_data_production_gets_its_own_cluster(answers: dict[str, Any], environments: list[str]) -> None:
    answers = {**answers, "environments": environments}
    answers.pop("priorities", None)  # at default priorities
    assert recommended(evaluate(answers), "clusters") == "multi"


@given(valid_answers(), st.sampled_from([["log_shipping"], ["runtime_security"], ["apm", "log_shipping"]]))
@settings(max_examples=EXAMPLES, deadline=None)
def test_rule_4_node_collectors_rule_out_streaming_only(answers: dict[str, Any], tools: list[str]) -> None:
    result = evaluate({**answers, "external_tools": tools})
    assert recommended(result, "tool_integration") != "external_streaming"


@given(_answers_with(external_tools=["apm"]))
@settings(max_examples=EXAMPLES, deadline=None)
def test_rule_4_streaming_never_claims_nothing_runs_inside_with_apm(answers: dict[str, Any]) -> None:
    result = evaluate(answers)
    decision = next(d for d in result["decisions"] if d["id"] == "tool_integration")
    for alt in decision["alternatives"]:
        if alt["id"] == "external_streaming":
            text = " ".join([alt["summary"], alt["phrase"], *[r["text"] for r in alt["reasons"]]]).lower()
            assert "nothing" not in text
            assert "no agent" not in text


@given(
    valid_answers().map(lambda doc: {k: v for k, v in doc.items() if k not in ("cloud_providers", "node_operations")})
)
@settings(max_examples=EXAMPLES, deadline=None)
def test_rule_5_on_premises_decisions_name_no_cloud_service(answers: dict[str, Any]) -> None:
    answers = {**answers, "infrastructure": "on_prem"}
    texts = decision_texts(evaluate(answers))
    assert not [t for t in texts if CLOUD_WORDS.search(t)]


@given(valid_answers())
@settings(max_examples=EXAMPLES, deadline=None)
def test_rule_8_reasons_are_plain_and_the_recommendation_has_a_reason(answers: dict[str, Any]) -> None:
    result = evaluate(answers)
    for d in result["decisions"]:
        if not d["applicable"]:
            assert MACHINE_WORDS.search(d["not_applicable_because"]) is None
            continue
        assert d["close_call"] is (d["margin"] is not None and d["margin"] < 0.05)
        assert (d["close_call_advice"] is not None) is d["close_call"]
        for alt in d["alternatives"]:
            for r in alt["reasons"]:
                assert set(r) == {"text", "effect", "criterion", "points"}
                assert r["effect"] in ("for", "against")
                assert MACHINE_WORDS.search(r["text"]) is None, r["text"]
            if alt["excluded_because"]:
                assert MACHINE_WORDS.search(alt["excluded_because"]) is None, alt["excluded_because"]
        chosen = next((a for a in d["alternatives"] if a["id"] == d["recommended"]), None)
        if chosen is not None:
            assert any(r["effect"] == "for" for r in chosen["reasons"]), (d["id"], chosen["reasons"])


@given(valid_answers())
@settings(max_examples=EXAMPLES, deadline=None)
def test_rule_8_points_add_up_to_the_adjustments(answers: dict[str, Any]) -> None:
    """On each criterion, the points of the answers' reasons are the weighted change from the base value
    (base strengths, stated "by its nature", and exclusions are not changes)."""
    result = evaluate(answers)
    priorities = result["answers"]["priorities"]
    total = sum(priorities.values())
    for d in result["decisions"]:
        for alt in d["alternatives"]:
            for c, value in alt["criteria"].items():
                moved = [
                    r["points"]
                    for r in alt["reasons"]
                    if r["criterion"] == c and not r["text"].startswith("By its nature")
                ]
                expected = priorities[c] * (value - alt["base"][c]) * 100 / total
                assert abs(sum(moved) - expected) <= 0.051 * max(1, len(moved)), (d["id"], alt["id"], c)


def _all_texts(result: dict[str, Any]) -> list[str]:
    return result_texts(result)


@given(
    valid_answers().map(lambda doc: {k: v for k, v in doc.items() if k not in ("cloud_providers", "node_operations")})
)
@settings(max_examples=EXAMPLES, deadline=None)
def test_rule_5_on_premises_nothing_names_a_cloud_service(answers: dict[str, Any]) -> None:
    """Checklist included: no cloud services and no cloud-only steps on your own machines."""
    answers = {**answers, "infrastructure": "on_prem"}
    found = [t for t in _all_texts(evaluate(answers)) if CLOUD_WORDS.search(t)]
    assert not found, found[:2]


OTHER_PROVIDERS = {
    "aws": re.compile(r"(?<![A-Za-z])(AKS|GKE|Azure|Entra|Google Cloud|Cloud Armor|Cloud KMS)(?![A-Za-z])"),
    "azure": re.compile(r"(?<![A-Za-z])(EKS|GKE|IRSA|AWS|Amazon|Google Cloud|Cloud Armor|Cloud KMS)(?![A-Za-z])"),
    "gcp": re.compile(r"(?<![A-Za-z])(EKS|AKS|IRSA|AWS|Amazon|Azure|Entra)(?![A-Za-z])"),
}


@given(valid_answers(), st.sampled_from(sorted(OTHER_PROVIDERS)))
@settings(max_examples=EXAMPLES, deadline=None)
def test_rule_6_provider_steps_name_only_the_providers_given(answers: dict[str, Any], provider: str) -> None:
    answers = {**answers, "infrastructure": "public_cloud", "cloud_providers": [provider]}
    found = [t for t in _all_texts(evaluate(answers)) if OTHER_PROVIDERS[provider].search(t)]
    assert not found, found[:2]
