"""The domain guidance, decision by decision: the knowledge base must make the engine say it."""

from __future__ import annotations

from typing import Any

import pytest

from advisor.engine import evaluate
from tests.helpers import alternative, decision, recommended


def with_(answers: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**answers, **changes}


def texts(alt: dict[str, Any], effect: str | None = None) -> list[str]:
    return [r["text"] for r in alt["reasons"] if effect is None or r["effect"] == effect]


# Hosting ------------------------------------------------------------------------------------


def test_novice_team_gets_a_managed_service(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, experience="novice"))
    assert recommended(result, "hosting") == "managed"
    managed = alternative(result, "hosting", "managed")
    assert any(t.startswith("Your team is new to Kubernetes security") for t in texts(managed, "for"))
    self_managed = alternative(result, "hosting", "self_managed")
    assert self_managed["excluded"] is True, "a novice team does not run its own control plane"
    assert "managed service or a vendor-supported distribution" in self_managed["excluded_because"]


def test_air_gap_excludes_managed_and_says_why(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, air_gapped=True, experience="novice"))
    assert recommended(result, "hosting") == "self_managed"
    managed = alternative(result, "hosting", "managed")
    assert managed["excluded"] is True
    assert managed["excluded_because"].startswith("The clusters must be air-gapped, and a cloud provider's managed")
    assert {
        "entry": "hosting.managed.air-gap-needs-self-managed",
        "kind": "constraint",
        "because": ["air_gapped is true", "infrastructure is not on_prem"],
    } in managed["trace"], "the trace keeps the machine's facts"
    assert {"text": managed["excluded_because"], "effect": "against", "criterion": None, "points": 0.0} in (
        managed["reasons"]
    )
    # excluded alternatives come after every eligible one
    assert [a["id"] for a in decision(result, "hosting")["alternatives"]] == ["self_managed", "managed"]
    # no runner-up is left, so there is no margin and nothing a priority could flip
    assert decision(result, "hosting")["margin"] is None
    assert decision(result, "hosting")["flip"] is None


def test_novice_forced_to_self_manage_is_warned(answers: dict[str, Any]) -> None:
    warned = evaluate(with_(answers, air_gapped=True, experience="novice"))
    assert any("air gap rules out a cloud provider's managed service" in w for w in warned["warnings"])
    expert = evaluate(with_(answers, air_gapped=True, experience="expert"))
    assert not any("air gap rules out" in w for w in expert["warnings"])


def test_on_premises_managed_means_a_vendor_distribution(answers: dict[str, Any]) -> None:
    """Contract v2 §2: never a cloud service on premises; an air gap keeps a vendor distribution eligible."""
    result = evaluate(with_(answers, infrastructure="on_prem", air_gapped=True, experience="novice"))
    managed = alternative(result, "hosting", "managed")
    assert managed["label"] == "Vendor-supported distribution"
    assert managed["excluded"] is False
    assert recommended(result, "hosting") == "managed"
    assert not any("air gap rules out" in w for w in result["warnings"])


def test_managed_is_named_after_the_one_cloud_given(answers: dict[str, Any]) -> None:
    labels = {
        provider: alternative(evaluate(with_(answers, cloud_providers=[provider])), "hosting", "managed")["label"]
        for provider in ("aws", "azure", "gcp")
    }
    assert labels == {
        "aws": "Amazon EKS",
        "azure": "Azure Kubernetes Service (AKS)",
        "gcp": "Google Kubernetes Engine (GKE)",
    }
    neutral = alternative(evaluate(with_(answers, cloud_providers=["aws", "gcp"])), "hosting", "managed")
    assert neutral["label"] == "Managed Kubernetes service"


def test_the_provider_is_never_said_to_patch_the_team_s_nodes(answers: dict[str, Any]) -> None:
    managed = alternative(evaluate(answers), "hosting", "managed")
    assert "Worker nodes stay the team's to patch" in managed["summary"]
    provider_nodes = alternative(evaluate(with_(answers, node_operations="provider")), "hosting", "managed")
    assert any("provider-run nodes" in t for t in texts(provider_nodes, "for"))


def test_high_sensitivity_on_a_public_cloud_is_not_pushed_off_a_managed_service(answers: dict[str, Any]) -> None:
    """Customer-managed keys answer "the provider could read Secrets"; no penalty pushes a health-data team
    of intermediate skill to run its own control plane."""
    result = evaluate(with_(answers, sensitivity="high", compliance=["hipaa"], experience="intermediate"))
    assert recommended(result, "hosting") == "managed"


def test_expert_automated_on_prem_team_valuing_control_self_manages(answers: dict[str, Any]) -> None:
    result = evaluate(
        with_(answers, experience="expert", automation="full", infrastructure="on_prem", priorities={"control": 5})
    )
    assert recommended(result, "hosting") == "self_managed"


def test_adjustments_move_values_from_the_base(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, experience="novice"))
    managed = alternative(result, "hosting", "managed")
    assert managed["base"]["attack_surface"] == 0.65
    assert managed["criteria"]["attack_surface"] == 0.8
    changes = [t for t in managed["trace"] if t["kind"] == "adjustment" and t["criterion"] == "attack_surface"]
    assert changes == [
        {
            "entry": "hosting.managed.novice-provider-hardening",
            "kind": "adjustment",
            "criterion": "attack_surface",
            "change": 0.15,
            "because": ["experience is novice"],
        }
    ]


# Clusters -----------------------------------------------------------------------------------


def test_strong_automation_and_isolation_priority_go_multi_cluster(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, automation="full", tenancy="multi_team", priorities={"isolation": 5}))
    assert recommended(result, "clusters") == "multi"


def test_without_automation_one_cluster_is_safer(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, automation="manual", tenancy="multi_team", priorities={"isolation": 5}))
    assert recommended(result, "clusters") == "single"
    multi = alternative(result, "clusters", "multi")
    assert any(t.startswith("Cluster operations are mostly manual") for t in texts(multi, "against"))


def test_untrusted_tenants_with_sensitive_data_need_separate_clusters(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, tenancy="multi_customer", sensitivity="high"))
    single = alternative(result, "clusters", "single")
    assert single["excluded"] is True
    assert "customers who must not trust each other" in single["excluded_because"]
    assert recommended(result, "clusters") == "multi"


def test_card_data_production_does_not_share_a_cluster_with_pre_production(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, compliance=["pci_dss"], environments=["dev", "prod"]))
    single = alternative(result, "clusters", "single")
    assert "PCI DSS requirement 6.5.3" in single["excluded_because"]
    assert recommended(result, "clusters") == "multi"


def test_several_regions_need_several_clusters(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, availability="multi_region"))
    assert alternative(result, "clusters", "single")["excluded"] is True


# Namespaces ---------------------------------------------------------------------------------


def test_namespace_per_application_and_environment_by_default(answers: dict[str, Any]) -> None:
    assert recommended(evaluate(answers), "namespaces") == "per_app_env"


def test_production_never_shares_a_namespace_with_dev(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, environments=["dev", "prod"], priorities={"simplicity": 5, "cost": 5}))
    shared = alternative(result, "namespaces", "shared")
    assert shared["excluded"] is True
    assert recommended(result, "namespaces") != "shared"


def test_shared_namespace_allowed_for_prod_only_single_app(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, applications=1, services=1, environments=["prod"]))
    assert alternative(result, "namespaces", "shared")["excluded"] is False


def test_untrusted_tenants_never_share_a_namespace(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, tenancy="multi_customer", environments=["prod"]))
    assert alternative(result, "namespaces", "shared")["excluded"] is True


# Service mesh -------------------------------------------------------------------------------


def test_a_handful_of_services_needs_no_mesh(answers: dict[str, Any]) -> None:
    assert recommended(evaluate(with_(answers, applications=2, services=3)), "service_mesh") == "none"


def test_many_services_alone_do_not_earn_a_mesh(answers: dict[str, Any]) -> None:
    """A mesh is earned by zero trust, encryption evidence or a visibility need, not by a count of services."""
    assert recommended(evaluate(with_(answers, applications=6, services=40)), "service_mesh") == "none"
    result = evaluate(with_(answers, applications=60, services=400, priorities={"visibility": 5}))
    none = alternative(result, "service_mesh", "none")
    assert any("fifty or more services" in t for t in texts(none, "against"))


def test_no_mesh_for_a_novice_team_without_a_need(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, experience="novice", applications=60, services=600, compliance=[]))
    assert recommended(result, "service_mesh") == "none"
    for mesh in ("sidecar", "sidecarless"):
        assert (
            "Start with default-deny NetworkPolicies" in alternative(result, "service_mesh", mesh)["excluded_because"]
        )


def test_zero_trust_brings_a_mesh_even_for_few_services(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, applications=2, services=3, zero_trust=True))
    assert recommended(result, "service_mesh") != "none"


def test_mesh_adds_attack_surface(answers: dict[str, Any]) -> None:
    result = evaluate(answers)
    none = alternative(result, "service_mesh", "none")
    for mesh in ("sidecar", "sidecarless"):
        assert (
            alternative(result, "service_mesh", mesh)["criteria"]["attack_surface"] < none["criteria"]["attack_surface"]
        )
    # sidecarless cuts per-pod privileges compared with a proxy in every pod
    assert (
        alternative(result, "service_mesh", "sidecarless")["criteria"]["attack_surface"]
        > alternative(result, "service_mesh", "sidecar")["criteria"]["attack_surface"]
    )


# External tools -----------------------------------------------------------------------------


def test_tool_integration_not_applicable_without_tools(answers: dict[str, Any]) -> None:
    dec = decision(evaluate(answers), "tool_integration")
    assert dec["applicable"] is False
    assert dec["recommended"] is None
    assert dec["alternatives"] == []
    assert dec["not_applicable_because"] == "no third-party monitoring or security tools are planned"


def test_stream_data_out_when_no_tool_needs_the_nodes(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, external_tools=["siem"]))
    assert recommended(result, "tool_integration") == "external_streaming"
    assert (
        "Application tracing still needs SDKs or agents"
        in alternative(result, "tool_integration", "external_streaming")["summary"]
    )


def test_log_shipping_needs_a_collector_on_every_node(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, external_tools=["siem", "log_shipping"]))
    streaming = alternative(result, "tool_integration", "external_streaming")
    assert streaming["excluded"] is True
    assert "Log shipping needs a collector on every node" in streaming["excluded_because"]


def test_runtime_security_needs_a_node_sensor(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, external_tools=["runtime_security", "siem"]))
    streaming = alternative(result, "tool_integration", "external_streaming")
    assert streaming["excluded"] is True
    assert streaming["excluded_because"].startswith("Runtime security needs a sensor on every node")
    assert recommended(result, "tool_integration") == "hybrid"


# Priorities and flips -----------------------------------------------------------------------


def test_weights_are_normalised_priorities(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, priorities={"isolation": 5, "cost": 0}))
    assert result["weights"]["isolation"] == round(5 / 17, 4)  # 5 + 4 × 3 + 0
    assert result["weights"]["cost"] == 0
    assert result["answers"]["priorities"] == {
        "isolation": 5,
        "attack_surface": 3,
        "visibility": 3,
        "control": 3,
        "simplicity": 3,
        "cost": 0,
    }


def test_flip_names_the_smallest_priority_change(answers: dict[str, Any]) -> None:
    base = with_(answers, experience="expert")
    flip = decision(evaluate(base), "hosting")["flip"]
    assert flip is not None
    assert flip["from"] == 3
    changed = evaluate(with_(base, priorities={flip["criterion"]: flip["priority"]}))
    assert recommended(changed, "hosting") == flip["alternative"] != recommended(evaluate(base), "hosting")


@pytest.mark.parametrize("decision_id", ["hosting", "clusters", "namespaces", "service_mesh"])
def test_every_score_is_the_weighted_sum(answers: dict[str, Any], decision_id: str) -> None:
    result = evaluate(with_(answers, priorities={"isolation": 1, "visibility": 4}))
    for alt in decision(result, decision_id)["alternatives"]:
        weighted = sum(result["weights"][c] * v for c, v in alt["criteria"].items())
        assert alt["score"] == pytest.approx(weighted, abs=1e-3)
        assert sum(alt["contributions"].values()) == pytest.approx(alt["score"], abs=1e-3)


def test_gitops_counts_a_controller_per_cluster(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, delivery="gitops"))
    multi = alternative(result, "clusters", "multi")
    assert any("one more controller with cluster-wide rights" in t for t in texts(multi, "against"))
    assert (
        multi["criteria"]["attack_surface"]
        < alternative(evaluate(answers), "clusters", "multi")["criteria"]["attack_surface"]
    )


def test_untrusted_code_weighs_against_one_cluster(answers: dict[str, Any]) -> None:
    plain = alternative(evaluate(answers), "clusters", "single")["criteria"]["isolation"]
    result = evaluate(with_(answers, workloads=["untrusted_code"]))
    assert alternative(result, "clusters", "single")["criteria"]["isolation"] < plain


def test_a_platform_team_bounds_what_it_can_run(answers: dict[str, Any]) -> None:
    nobody = evaluate(with_(answers, platform_engineers=0, experience="expert", zero_trust=False))
    assert alternative(nobody, "service_mesh", "sidecar")["excluded"] is True
    one = evaluate(with_(answers, platform_engineers=1, experience="expert"))
    fleet = evaluate(with_(answers, platform_engineers=12, experience="expert"))
    assert (
        alternative(one, "clusters", "multi")["criteria"]["simplicity"]
        < alternative(fleet, "clusters", "multi")["criteria"]["simplicity"]
    )
    assert (
        alternative(one, "hosting", "self_managed")["criteria"]["simplicity"]
        < alternative(fleet, "hosting", "self_managed")["criteria"]["simplicity"]
    )


def _how(result: dict[str, Any], item_id: str) -> str:
    return next(i["how"] for i in result["checklist"] if i["id"] == item_id)


def test_checklist_steps_follow_where_the_clusters_run(answers: dict[str, Any]) -> None:
    """Contract v2 rules 5 and 6: one cloud's steps for that cloud, every cloud's when none is named,
    none on premises; the on-premises steps where there is an own estate."""
    neutral = _how(evaluate(answers), "cp-user-authn-oidc")
    assert all(f"On {service}," in neutral for service in ("EKS", "AKS", "GKE"))
    aws = _how(evaluate(with_(answers, cloud_providers=["aws"])), "cp-user-authn-oidc")
    assert "On EKS," in aws
    assert "AKS" not in aws
    assert "GKE" not in aws
    assert "Vendor distributions" not in aws
    on_prem = evaluate(with_(answers, infrastructure="on_prem"))
    how = _how(on_prem, "cp-user-authn-oidc")
    assert "On EKS" not in how
    assert "Vendor distributions bring their own OIDC or LDAP integration" in how
    assert "cloud-workload-identity" not in {i["id"] for i in on_prem["checklist"]}
    hybrid = _how(evaluate(with_(answers, infrastructure="hybrid", cloud_providers=["azure"])), "cp-user-authn-oidc")
    assert "On AKS," in hybrid
    assert "Vendor distributions" in hybrid


def test_on_premises_keeps_the_control_plane_items_under_a_vendor_distribution(answers: dict[str, Any]) -> None:
    result = evaluate(with_(answers, infrastructure="on_prem", experience="novice"))
    assert recommended(result, "hosting") == "managed"
    ids = {i["id"] for i in result["checklist"]}
    assert any(i.startswith("etcd-") for i in ids), "etcd runs on the team's machines either way"
    assert "cp-managed-private-endpoint" not in ids
