"""checkov, the infrastructure-as-code scanner, over the Kubernetes manifests and the Dockerfile (issue 10, item 17).

checkov pins dependencies that clash with the app's, so `make test` installs it, at the version
the Makefile names, in a virtualenv of its own (.venv-checkov; $CHECKOV names its executable).
It runs offline: `--skip-download` and BC_SKIP_MAPPING keep it from asking its vendor's
platform for policies and check mappings, CKV_SKIP_PACKAGE_UPDATE_CHECK from asking the package
index for a newer version, and the proxy variables point at a closed loopback port so that any
other attempt fails at once rather than leaving the machine.

The manifests are scanned as `kubectl apply -k deploy/kubernetes` applies them (tests/kustomize.py
renders them: namespace set, images pinned by digest), since the kustomization is what pins the
images; checkov's own kustomize framework would need a kustomize or kubectl binary.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.kustomize import build
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
CHECKOV = ROOT / os.environ.get("CHECKOV", ".venv-checkov/bin/checkov")  # the Makefile's, relative to the checkout

# Failed checks accepted on purpose, each with why. Keep it empty unless a fix is wrong for this
# app, and list every entry with its reason in README.md's "Running on Kubernetes" too.
ALLOWED: dict[str, str] = {}

pytestmark = pytest.mark.timeout(300)


def pinned_version() -> str:
    found = re.search(r"^CHECKOV_VERSION\s*:?=\s*(\S+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert found, "the Makefile pins checkov's version"
    return found.group(1)


def scan(*files: Path, frameworks: tuple[str, ...] = ("kubernetes", "dockerfile")) -> dict[str, dict[str, Any]]:
    """checkov's JSON report for ``files``, per framework; it must have run offline and cleanly."""
    if not CHECKOV.exists():
        pytest.fail(f"checkov is not installed at {CHECKOV}: run `make install-checkov` (make test does)")
    closed = f"http://127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "BC_SKIP_MAPPING": "TRUE",
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
        "HTTP_PROXY": closed,
        "HTTPS_PROXY": closed,
        "http_proxy": closed,
        "https_proxy": closed,
        "NO_PROXY": "",
        "no_proxy": "",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("BC_API_KEY", None)
    command = [str(CHECKOV), "--skip-download", "--quiet", "--compact", "--output", "json", "--framework", *frameworks]
    for path in files:
        command += ["--file", str(path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240, check=False, cwd=ROOT)
    assert done.returncode in (0, 1), done.stderr  # 1: some check failed, judged below
    for word in ("Failed to", "Traceback", "ConnectionError", "proxy"):
        assert word not in done.stderr, f"checkov tried to reach the network or broke:\n{done.stderr}"
    report = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    return {r["check_type"]: r for r in reports}


def failed(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["check_id"], c["resource"], c["check_name"]) for c in report["results"]["failed_checks"]]


def rendered(tmp_path: Path, docs: list[dict[str, Any]], name: str = "kustomize-build.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8")
    return path


def test_checkov_finds_nothing_in_the_manifests_and_the_dockerfile(tmp_path: Path) -> None:
    docs = build()
    reports = scan(rendered(tmp_path, docs), ROOT / "Dockerfile")
    assert set(reports) == {"kubernetes", "dockerfile"}
    for framework, report in reports.items():
        summary = report["summary"]
        assert summary["checkov_version"] == pinned_version()
        assert summary["parsing_errors"] == 0, framework
        assert summary["passed"] > 0, framework
        unexpected = [f for f in failed(report) if f[0] not in ALLOWED]
        assert not unexpected, f"{framework}: fix these (or allow-list one with its reason): {unexpected}"
    containers = sum(
        len(d["spec"]["template"]["spec"]["containers"]) for d in docs if d["kind"] in ("Deployment", "Job")
    )
    assert reports["kubernetes"]["summary"]["resource_count"] == len(docs) + containers, "every resource was read"
    assert reports["dockerfile"]["summary"]["resource_count"] == 1
    assert not set(ALLOWED) - {f[0] for r in reports.values() for f in failed(r)}, "no stale allow-list entry"


def test_checkov_does_catch_what_the_manifests_avoid(tmp_path: Path) -> None:
    """The scan is not vacuous: the same manifests with a tag instead of a digest, a secret in an
    environment variable, no probes and no read-only root filesystem fail the checks for those."""
    docs = build()
    web = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "advisor")
    container = web["spec"]["template"]["spec"]["containers"][0]
    container["image"] = "registry.internal.example/advisor:1.0.0"
    container["env"].append(
        {"name": "ADVISOR_SECRET_KEY", "valueFrom": {"secretKeyRef": {"name": "advisor-secrets", "key": "secret-key"}}}
    )
    del container["livenessProbe"]
    container["securityContext"]["readOnlyRootFilesystem"] = False
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        re.sub(r"^HEALTHCHECK .*?\n(  .*\n)*", "", (ROOT / "Dockerfile").read_text(encoding="utf-8"), flags=re.M)
    )
    assert "HEALTHCHECK" not in dockerfile.read_text()
    reports = scan(rendered(tmp_path, docs), dockerfile)
    kubernetes = {f[0] for f in failed(reports["kubernetes"]) if f[1] == "Deployment.advisor.advisor"}
    # image by digest, pull policy, secrets as files, liveness probe, read-only root filesystem
    assert {"CKV_K8S_43", "CKV_K8S_15", "CKV_K8S_35", "CKV_K8S_8", "CKV_K8S_22"} <= kubernetes
    assert {f[0] for f in failed(reports["dockerfile"])} == {"CKV_DOCKER_2"}, "HEALTHCHECK"
