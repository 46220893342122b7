"""The deployment artefacts follow the advisor's own checklist, checked field by field.

Every manifest is validated against the Kubernetes schemas (kubernetes-validate, strict: an
unknown field fails), then each security setting the issue lists is checked where it belongs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.33"


def documents() -> list[dict[str, Any]]:
    docs = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs.extend(d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d)
    return docs


def by_kind(kind: str) -> list[dict[str, Any]]:
    return [d for d in documents() if d["kind"] == kind]


def workloads() -> list[tuple[str, dict[str, Any]]]:
    """Every pod template: the web Deployment and the migration Job."""
    return [
        (f"{d['kind']}/{d['metadata']['name']}", d["spec"]["template"]["spec"])
        for d in documents()
        if d["kind"] in ("Deployment", "Job")
    ]


@pytest.mark.parametrize("doc", documents(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_manifest_is_valid_kubernetes(doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest() -> None:
    listed = set(yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())["resources"])
    present = {p.name for p in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present


def test_namespace_enforces_restricted_pod_security() -> None:
    (namespace,) = by_kind("Namespace")
    labels = namespace["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
    assert all(d["metadata"].get("namespace", "advisor") == "advisor" for d in documents() if d["kind"] != "Namespace")


def test_service_account_mounts_no_token() -> None:
    (account,) = by_kind("ServiceAccount")
    assert account["automountServiceAccountToken"] is False
    for name, pod in workloads():
        assert pod["serviceAccountName"] == account["metadata"]["name"], name
        assert pod["automountServiceAccountToken"] is False, name


@pytest.mark.parametrize(("name", "pod"), workloads())
def test_pod_and_container_security(name: str, pod: dict[str, Any]) -> None:
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert "hostNetwork" not in pod
    assert "hostPID" not in pod
    assert "hostIPC" not in pod
    for container in pod["containers"]:
        sc = container["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["readOnlyRootFilesystem"] is True
        assert sc["capabilities"] == {"drop": ["ALL"]}
        assert sc.get("privileged", False) is False
        assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
        limits, requests = container["resources"]["limits"], container["resources"]["requests"]
        assert {"cpu", "memory"} <= set(limits)
        assert {"cpu", "memory"} <= set(requests)
        # the writable paths are volumes, since the root filesystem is read-only
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert {"/tmp", "/var/lib/advisor"} <= mounts  # noqa: S108 (paths inside the container)
        # secrets come from a Secret, never inline
        env = {e["name"]: e for e in container["env"]}
        for secret in ("ADVISOR_DATABASE_URL", "ADVISOR_SECRET_KEY"):
            assert "value" not in env[secret]
            assert env[secret]["valueFrom"]["secretKeyRef"]["name"] == "advisor-secrets"
        assert env["ADVISOR_ENV"]["value"] == "production"


def test_probes_on_healthz_and_readyz() -> None:
    (deployment,) = by_kind("Deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert deployment["spec"]["replicas"] >= 2


def test_migrations_run_as_a_job() -> None:
    (job,) = by_kind("Job")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["advisor", "db", "upgrade"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_network_policies_deny_by_default_and_allow_only_what_is_needed() -> None:
    policies = {p["metadata"]["name"]: p["spec"] for p in by_kind("NetworkPolicy")}
    deny = policies["default-deny-all"]
    assert deny["podSelector"] == {}
    assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny
    assert "egress" not in deny
    allowed_ports = sorted(
        (rule_kind, port["protocol"], port["port"])
        for spec in policies.values()
        for rule_kind in ("ingress", "egress")
        for rule in spec.get(rule_kind, [])
        for port in rule["ports"]
    )
    assert allowed_ports == [
        ("egress", "TCP", 53),
        ("egress", "TCP", 5432),
        ("egress", "UDP", 53),
        ("ingress", "TCP", 8000),
    ]
    for spec in policies.values():
        for rule_kind in ("ingress", "egress"):
            for rule in spec.get(rule_kind, []):
                peers = rule.get("from", rule.get("to"))
                assert peers, "every allowed flow names its peers"


def test_service_is_internal() -> None:
    (service,) = by_kind("Service")
    assert service["spec"]["type"] == "ClusterIP"


def test_dockerfile_runs_unprivileged_from_a_slim_stage() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]
    assert len(stages) >= 2, "multi-stage"
    final = stages[-1]
    assert re.search(r"^USER 10001:10001$", final, re.MULTILINE)
    for tool in ("gcc", "build-essential", "make", "git"):
        assert not re.search(rf"\b{tool}\b", final), f"no build tools in the final image: {tool}"
    assert "ADVISOR_INSTANCE_PATH=/var/lib/advisor" in final
    assert "--worker-tmp-dir" in final, "gunicorn's heartbeat files go to the writable /tmp"
