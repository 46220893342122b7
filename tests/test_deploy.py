"""The deployment artefacts follow the advisor's own checklist, checked field by field.

Every manifest is validated against the Kubernetes schemas (kubernetes-validate, strict: an
unknown field fails), then each security setting the issue lists is checked where it belongs.
tests/test_checkov.py scans the same artefacts with checkov.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from advisor import create_app
from advisor.config import FILE_SETTINGS
from tests.kustomize import DIGEST, build, containers, image_name, kustomization
from tests.servers import dockerfile_instruction

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.33"
APP_IMAGE = "registry.internal.example/advisor"


def documents() -> list[dict[str, Any]]:
    docs = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs.extend(d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d)
    return docs


def by_kind(kind: str) -> list[dict[str, Any]]:
    return [d for d in documents() if d["kind"] == kind]


def named(kind: str, name: str) -> dict[str, Any]:
    (doc,) = [d for d in by_kind(kind) if d["metadata"]["name"] == name]
    return doc


def workloads() -> list[tuple[str, dict[str, Any]]]:
    """Every pod template: the web Deployment, the migration Job and the Redis Deployment."""
    return [
        (f"{d['kind']}/{d['metadata']['name']}", d["spec"]["template"]["spec"])
        for d in documents()
        if d["kind"] in ("Deployment", "Job")
    ]


def app_workloads() -> list[tuple[str, dict[str, Any]]]:
    """The pods that run the advisor's image."""
    return [(n, p) for n, p in workloads() if image_name(p["containers"][0]["image"]) == APP_IMAGE]


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


@pytest.mark.parametrize("doc", documents(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_manifest_is_valid_kubernetes(doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest() -> None:
    listed = set(kustomization()["resources"])
    present = {p.name for p in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present


def test_kustomization_pins_every_image_by_digest() -> None:
    """The Deployments may name a tag; what `kubectl apply -k` applies runs by digest."""
    rules = {rule["name"]: rule for rule in kustomization()["images"]}
    used = {image_name(c["image"]) for d in documents() for c in containers(d)}
    assert used == {APP_IMAGE, "redis"}
    assert set(rules) == used, "an images: entry for every image the manifests use"
    for rule in rules.values():
        assert DIGEST.match(rule["digest"]), rule
    text = (MANIFESTS / "kustomization.yaml").read_text(encoding="utf-8")
    assert "placeholder" in text, "the placeholder digests say that the operator sets them"
    rendered = [c["image"] for d in build() for c in containers(d)]
    assert rendered
    assert all(re.fullmatch(r"[^@:]+(:[^@/]+)?@sha256:[0-9a-f]{64}", image) for image in rendered), rendered


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
    assert pod["securityContext"]["runAsUser"] >= 10000, "a high uid, overlapping no user on the node"
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


@pytest.mark.parametrize(("name", "pod"), app_workloads())
def test_app_pods_write_only_to_volumes_and_run_in_production_mode(name: str, pod: dict[str, Any]) -> None:
    (container,) = pod["containers"]
    # the writable paths are volumes, since the root filesystem is read-only
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert {"/tmp", "/var/lib/advisor"} <= mounts  # noqa: S108 (paths inside the container)
    assert env_of(container)["ADVISOR_ENV"]["value"] == "production"


@pytest.mark.parametrize(("name", "pod"), workloads())
def test_secrets_come_from_mounted_files_never_from_the_environment(name: str, pod: dict[str, Any]) -> None:
    """Item 17: no secretKeyRef or envFrom anywhere; the app's secrets are files of a read-only Secret volume."""
    volumes = {v["name"]: v for v in pod["volumes"]}
    for container in pod["containers"]:
        assert "envFrom" not in container, name
        for variable in container.get("env", []):
            assert "secretKeyRef" not in variable.get("valueFrom", {}), (name, variable["name"])
        env = env_of(container)
        for setting in FILE_SETTINGS:
            assert setting not in env, f"{name}: {setting} is given as {setting}_FILE"
        for mount in container["volumeMounts"]:
            secret = volumes[mount["name"]].get("secret")
            if secret is None:
                continue
            assert mount["readOnly"] is True, (name, mount)
            assert secret["defaultMode"] in (0o400, 0o440), (name, oct(secret["defaultMode"]))
            if secret["defaultMode"] == 0o440:
                assert pod["securityContext"]["fsGroup"] == pod["securityContext"]["runAsGroup"], "group: the app"
        files = {
            f"{m['mountPath']}/{item['path']}"
            for m in container["volumeMounts"]
            if "secret" in volumes[m["name"]]
            for item in volumes[m["name"]]["secret"]["items"]
        }
        for variable, entry in env.items():
            if variable.endswith("_FILE"):
                assert entry["value"] in files, f"{name}: {variable} names a file of a mounted Secret"


@pytest.mark.parametrize(("name", "pod"), app_workloads())
def test_the_app_reads_its_key_and_database_from_the_secret(name: str, pod: dict[str, Any]) -> None:
    env = env_of(pod["containers"][0])
    assert {"ADVISOR_SECRET_KEY_FILE", "ADVISOR_DATABASE_URL_FILE"} <= set(env)
    (volume,) = [v for v in pod["volumes"] if "secret" in v]
    assert volume["secret"]["secretName"] == "advisor-secrets"


def dockerfile_env() -> dict[str, str]:
    final = re.split(r"^FROM ", (ROOT / "Dockerfile").read_text(encoding="utf-8"), flags=re.MULTILINE)[-1]
    found = re.search(r"^ENV ((?:.*\\\n)*.*)$", final, re.MULTILINE)
    assert found
    return dict(pair.split("=", 1) for pair in found.group(1).replace("\\\n", " ").split())


@pytest.mark.parametrize(("name", "pod"), app_workloads())
def test_each_app_pod_passes_the_production_checks(
    name: str, pod: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start the app with exactly the pod's environment (the image's, then the manifest's), its Secret's files
    in a temporary folder: the production checks pass, and each setting comes from its file."""
    values = {
        "secret-key": "k" * 64,
        "database-url": "postgresql+psycopg://advisor@127.0.0.1:1/advisor",
        "ratelimit-storage-url": "redis://:password@127.0.0.1:1/0",
    }
    (container,) = pod["containers"]
    for name_ in list(os.environ):
        if name_.startswith(("ADVISOR_", "FLASK_")) or name_ == "WEB_CONCURRENCY":
            monkeypatch.delenv(name_)
    environment = {**dockerfile_env(), **{k: v["value"] for k, v in env_of(container).items()}}
    for variable, value in environment.items():
        if variable.endswith("_FILE"):
            local = tmp_path / Path(value).name
            local.write_text(values[local.name] + "\n", encoding="utf-8")
            value = str(local)
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv("ADVISOR_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app()
    assert app.config["SECRET_KEY"] == values["secret-key"]
    assert app.config["SQLALCHEMY_DATABASE_URI"] == values["database-url"]
    if "ADVISOR_RATELIMIT_STORAGE_URL_FILE" in environment:
        assert app.config["RATELIMIT_STORAGE_URI"] == values["ratelimit-storage-url"]


def test_web_pods_throttle_sign_ins_in_the_shared_redis() -> None:
    """Item 9: several processes, so the throttle store is the one Redis every web pod reaches."""
    web = named("Deployment", "advisor")
    (container,) = web["spec"]["template"]["spec"]["containers"]
    env = env_of(container)
    processes = web["spec"]["replicas"] * int(env["WEB_CONCURRENCY"]["value"])
    assert processes > 1
    assert "ADVISOR_RATELIMIT_STORAGE_URL_FILE" in env, "production refuses memory:// with several processes"
    redis = named("Deployment", "advisor-redis")
    assert redis["spec"]["replicas"] == 1, "one store, or the counters split again"
    service = named("Service", "advisor-redis")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "advisor-redis"}
    assert [(p["port"], p["protocol"]) for p in service["spec"]["ports"]] == [(6379, "TCP")]
    labels = redis["spec"]["template"]["metadata"]["labels"]
    assert labels["app.kubernetes.io/name"] == "advisor-redis"
    assert container["command"] == dockerfile_instruction("CMD"), "the web pods run the image's gunicorn command"


def test_redis_keeps_nothing_needs_a_password_and_is_probed() -> None:
    redis = named("Deployment", "advisor-redis")
    pod = redis["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    config = named("ConfigMap", "advisor-redis-config")["data"]["redis.conf"]
    lines = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in config.splitlines() if line and line[0] != "#"}
    assert lines["save"] == '""'
    assert lines["appendonly"] == "no"
    assert lines["protected-mode"] == "yes"
    command = container["command"]
    assert command[0] == "redis-server"
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    conf_mount = next(m for m in mounts.values() if command[1].startswith(m["mountPath"] + "/"))
    assert volumes[conf_mount["name"]]["configMap"]["name"] == "advisor-redis-config"
    auth_dir, _, auth_file = lines["include"].rpartition("/")
    (auth_mount,) = [m for m in mounts.values() if m["mountPath"] == auth_dir]
    assert volumes[auth_mount["name"]]["secret"]["secretName"] == "advisor-redis-auth"
    assert [i["path"] for i in volumes[auth_mount["name"]]["secret"]["items"]] == [auth_file]
    assert container["livenessProbe"]["tcpSocket"]["port"] == "redis"
    assert container["readinessProbe"]["tcpSocket"]["port"] == "redis"
    assert container["ports"] == [{"name": "redis", "containerPort": 6379, "protocol": "TCP"}]


def test_probes_on_healthz_and_readyz() -> None:
    deployment = named("Deployment", "advisor")
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
        ("egress", "TCP", 6379),
        ("egress", "UDP", 53),
        ("ingress", "TCP", 6379),
        ("ingress", "TCP", 8000),
    ]
    for spec in policies.values():
        for rule_kind in ("ingress", "egress"):
            for rule in spec.get(rule_kind, []):
                peers = rule.get("from", rule.get("to"))
                assert peers, "every allowed flow names its peers"


def test_only_the_web_pods_reach_redis() -> None:
    web = {"app.kubernetes.io/name": "advisor", "app.kubernetes.io/component": "web"}
    redis = {"app.kubernetes.io/name": "advisor-redis"}
    policies = [p["spec"] for p in by_kind("NetworkPolicy")]
    to_redis = [p for p in policies if p["podSelector"].get("matchLabels") == redis]
    (inbound,) = to_redis
    assert inbound["policyTypes"] == ["Ingress"], "no egress is allowed from Redis: default deny holds"
    (rule,) = inbound["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": web}}], "same namespace, web pods only"
    assert rule["ports"] == [{"protocol": "TCP", "port": 6379}]
    outbound = [
        peer
        for p in policies
        for rule in p.get("egress", [])
        for peer in rule["to"]
        if any(port["port"] == 6379 for port in rule["ports"])
    ]
    assert outbound == [{"podSelector": {"matchLabels": redis}}]
    (sender,) = [p for p in policies if any(peer in outbound for r in p.get("egress", []) for peer in r["to"])]
    assert sender["podSelector"]["matchLabels"] == web, "the migration Job does not reach Redis"
    redis_labels = named("Deployment", "advisor-redis")["spec"]["template"]["metadata"]["labels"]
    assert redis_labels["app.kubernetes.io/name"] != "advisor", "no policy meant for the advisor pods selects Redis"


def test_service_is_internal() -> None:
    for service in by_kind("Service"):
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
    assert "WEB_CONCURRENCY" not in dockerfile_env(), "gunicorn_conf tells the app its workers; `advisor` runs as one"
    assert dockerfile_instruction("CMD") == ["gunicorn", "-c", "python:advisor.gunicorn_conf"]
    assert "--access-logfile" not in final, "the access log is advisor/gunicorn_conf.py's, redacted"


def test_dockerfile_declares_a_healthcheck_on_healthz() -> None:
    final = re.split(r"^FROM ", (ROOT / "Dockerfile").read_text(encoding="utf-8"), flags=re.MULTILINE)[-1]
    assert re.search(r"^HEALTHCHECK --interval=\d+s --timeout=\d+s --start-period=\d+s --retries=\d+ ", final, re.M)
    command = dockerfile_instruction("HEALTHCHECK")
    assert command[:2] == ["python", "-c"], "no curl or wget in python:slim"
    assert "http://127.0.0.1:8000/healthz" in command[2]
