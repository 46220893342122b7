"""The bundle's API-server configuration files (issue 17), written for self-managed clusters only: the audit
policy, encryption at rest with KMS v2, and Pod Security Admission's cluster-wide defaults."""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from advisor.bundle import control_plane
from advisor.bundle.build import render_yaml
from advisor.bundle.model import ANNOTATION, BundleContext, Manifest
from advisor.engine import default_knowledge_base, evaluate
from tests.panel.organisations import ORGANISATIONS

SELF_MANAGED = [o for o in ORGANISATIONS if o["id"] in ("platform-30-teams", "bank-airgap")]
FILES = {
    "control-plane/audit-policy.yaml": "Policy",
    "control-plane/encryption-configuration.yaml": "EncryptionConfiguration",
    "control-plane/admission-configuration.yaml": "AdmissionConfiguration",
}


def context_for(answers: dict[str, Any]) -> BundleContext:
    return BundleContext(evaluate(answers), default_knowledge_base(), (), ())


def files(answers: dict[str, Any]) -> dict[str, Manifest]:
    return {m.path: m for m in control_plane.generate(context_for(answers))}


def document(answers: dict[str, Any], path: str) -> dict[str, Any]:
    (doc,) = files(answers)[path].documents
    return doc


@pytest.mark.parametrize("org", ORGANISATIONS, ids=lambda o: str(o["id"]))
def test_only_for_self_managed_hosting(org: dict[str, Any]) -> None:
    context = context_for(org["answers"])
    found = control_plane.generate(context)
    assert (org in SELF_MANAGED) is context.self_managed, "the panel's self-managed organisations"
    if not context.self_managed:
        assert found == []
        return
    assert {m.path: m.documents[0]["kind"] for m in found} == FILES
    for manifest in found:
        assert manifest.kind == "control-plane"
        assert manifest.items
        assert set(manifest.items) <= set(context.checklist)
        assert f"Checklist items: {', '.join(manifest.items)}" in manifest.comment
        jsonschema.validate(manifest.documents[0], control_plane.schema(manifest.documents[0]["kind"]))
        assert "kubectl apply" in manifest.comment


@pytest.mark.parametrize(
    ("path", "flags", "cis"),
    [
        (
            "control-plane/audit-policy.yaml",
            [
                "--audit-policy-file=",
                "--audit-log-path=",
                "--audit-log-maxage=30",
                "--audit-log-maxbackup=10",
                "--audit-log-maxsize=100",
            ],
            ["1.2.16-1.2.19", "3.2.1", "3.2.2"],
        ),
        ("control-plane/encryption-configuration.yaml", ["--encryption-provider-config="], ["1.2.27", "1.2.28"]),
        ("control-plane/admission-configuration.yaml", ["--admission-control-config-file="], ["5.2.1"]),
    ],
)
def test_each_file_names_its_flags_and_cis_ids(path: str, flags: list[str], cis: list[str]) -> None:
    text = render_yaml(files(SELF_MANAGED[0]["answers"])[path])
    header = text.split("\napiVersion:")[0]
    for flag in flags:
        assert f"#   {flag}" in header, flag
    cis_line = next(line for line in header.splitlines() if line.startswith("# CIS Kubernetes Benchmark v1.12:"))
    for cis_id in cis:
        assert cis_id in cis_line


def first_rule(policy: dict[str, Any], group: str, resource: str, verb: str) -> dict[str, Any]:
    """The rule the API server applies to a request for ``group``/``resource``: the first that matches."""
    for rule in policy["rules"]:
        if "nonResourceURLs" in rule:
            continue
        if "verbs" in rule and verb not in rule["verbs"]:
            continue
        if "resources" in rule and not any(
            r["group"] == group and ("resources" not in r or any(fnmatch.fnmatch(resource, p) for p in r["resources"]))
            for r in rule["resources"]
        ):
            continue
        found: dict[str, Any] = rule
        return found
    raise AssertionError(f"no rule for {group}/{resource} {verb}")


def test_audit_policy_first_match() -> None:
    policy = document(SELF_MANAGED[0]["answers"], "control-plane/audit-policy.yaml")
    assert policy["omitStages"] == ["RequestReceived"]
    assert policy["metadata"]["annotations"][ANNOTATION] == "audit-policy-and-backend"
    for group, resource in (("", "secrets"), ("", "configmaps"), ("authentication.k8s.io", "tokenreviews")):
        for verb in ("get", "list", "create", "update", "patch", "delete", "watch"):
            assert first_rule(policy, group, resource, verb)["level"] == "Metadata", (resource, verb)
    for resource in ("pods/exec", "pods/attach", "pods/portforward", "pods/proxy", "services/proxy"):
        assert first_rule(policy, "", resource, "create")["level"] in ("Metadata", "Request", "RequestResponse")
        assert first_rule(policy, "", resource, "get")["level"] != "None"
    assert first_rule(policy, "rbac.authorization.k8s.io", "clusterrolebindings", "create")["level"] == (
        "RequestResponse"
    )
    assert first_rule(policy, "apps", "deployments", "patch")["level"] == "Request"
    assert first_rule(policy, "apps", "deployments", "get")["level"] == "Metadata"
    # the test reads rules in order: with the Secrets rule moved last, writes of Secrets would record their values
    moved = copy.deepcopy(policy)
    moved["rules"].append(moved["rules"].pop(0))
    assert first_rule(moved, "", "secrets", "create")["level"] == "Request"


def test_encryption_configuration() -> None:
    config = document(SELF_MANAGED[0]["answers"], "control-plane/encryption-configuration.yaml")
    (resource,) = config["resources"]
    assert resource["resources"] == ["secrets"]
    first, *rest = resource["providers"]
    assert set(first["kms"]) == {"apiVersion", "name", "endpoint", "timeout"}, "no cachesize: v1 only"
    assert first["kms"]["apiVersion"] == "v2"
    assert first["kms"]["endpoint"].startswith("unix:///")
    assert rest == [{"identity": {}}], "identity last, to read what is not yet encrypted"
    manifest = files(SELF_MANAGED[0]["answers"])["control-plane/encryption-configuration.yaml"]
    assert "placeholder" in manifest.comment
    assert first["kms"]["endpoint"] in manifest.comment
    schema = control_plane.schema("EncryptionConfiguration")
    breaks: list[Callable[[dict[str, Any]], object]] = [
        lambda c: c["resources"][0]["providers"][0]["kms"].pop("apiVersion"),
        lambda c: c["resources"][0]["providers"][0]["kms"].update(cachesize=1000),
        lambda c: c["resources"][0]["providers"].reverse(),
        lambda c: c["resources"][0]["providers"][0]["kms"].update(endpoint="/var/run/kms.sock"),
        lambda c: c.update(metadata={"name": "x"}),
    ]
    for broken in breaks:
        changed = copy.deepcopy(config)
        broken(changed)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(changed, schema)


@pytest.mark.parametrize("org", SELF_MANAGED, ids=lambda o: str(o["id"]))
def test_admission_configuration_exempts_the_excluded_namespaces(org: dict[str, Any]) -> None:
    context = context_for(org["answers"])
    config = document(org["answers"], "control-plane/admission-configuration.yaml")
    (plugin,) = config["plugins"]
    assert plugin["name"] == "PodSecurity"
    pod_security = plugin["configuration"]
    assert pod_security["apiVersion"] == "pod-security.admission.config.k8s.io/v1"
    assert pod_security["kind"] == "PodSecurityConfiguration"
    assert pod_security["exemptions"]["namespaces"] == list(context.excluded_namespaces)
    assert {pod_security["defaults"][mode] for mode in ("enforce", "audit", "warn")} == {"restricted"}
    changed = copy.deepcopy(config)
    changed["plugins"][0]["configuration"]["defaults"]["enforce"] = "strict"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(changed, control_plane.schema("AdmissionConfiguration"))


def test_audit_policy_schema_refuses_what_the_server_would() -> None:
    policy = document(SELF_MANAGED[0]["answers"], "control-plane/audit-policy.yaml")
    schema = control_plane.schema("Policy")
    jsonschema.validate(policy, schema)
    breaks: list[Callable[[dict[str, Any]], object]] = [
        lambda p: p["rules"][0].update(level="Everything"),
        lambda p: p.update(omitStages=["Received"]),
        lambda p: p["rules"][1].update(resources=[{"group": ""}]),  # resources and non-resource URLs together
        lambda p: p.update(rules=[]),
    ]
    for broken in breaks:
        changed = copy.deepcopy(policy)
        broken(changed)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(changed, schema)
