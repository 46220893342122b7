"""What `kubectl apply -k deploy/kubernetes` applies, rendered in Python for the tests.

The kustomization uses only `resources`, `namespace` and `images`; `build` refuses any other
field, so a kustomization that grows a transformer this does not apply fails loudly instead of
being scanned as something it is not.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ROOT / "deploy" / "kubernetes"
SUPPORTED = {"apiVersion", "kind", "namespace", "resources", "images"}
CLUSTER_SCOPED = {"Namespace"}
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def kustomization() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text(encoding="utf-8"))
    return loaded


def image_name(reference: str) -> str:
    """``registry/name:tag@sha256:…`` without its tag and digest."""
    reference = reference.split("@", 1)[0]
    colon, slash = reference.rfind(":"), reference.rfind("/")
    return reference[:colon] if colon > slash else reference


def pod_specs(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if doc["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"):
        return [doc["spec"]["template"]["spec"]]
    if doc["kind"] == "CronJob":
        return [doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]]
    if doc["kind"] == "Pod":
        return [doc["spec"]]
    return []


def containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for spec in pod_specs(doc) for c in spec.get("initContainers", []) + spec["containers"]]


def _new_image(reference: str, rule: dict[str, Any]) -> str:
    name = rule.get("newName", image_name(reference))
    if "digest" in rule:
        return f"{name}@{rule['digest']}"
    if "newTag" in rule:
        return f"{name}:{rule['newTag']}"
    rest = reference[len(image_name(reference)) :]
    return name + rest


def build() -> list[dict[str, Any]]:
    """Every resource as kustomize renders it: the namespace set, the images replaced."""
    spec = kustomization()
    unsupported = set(spec) - SUPPORTED
    assert not unsupported, f"tests/kustomize.py does not apply {sorted(unsupported)}: teach it, or use kustomize"
    rules = {rule["name"]: rule for rule in spec.get("images", [])}
    docs = []
    for resource in spec["resources"]:
        for doc in yaml.safe_load_all((MANIFESTS / resource).read_text(encoding="utf-8")):
            if not doc:
                continue
            doc = copy.deepcopy(doc)
            if "namespace" in spec and doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"]["namespace"] = spec["namespace"]
            for container in containers(doc):
                rule = rules.get(image_name(container["image"]))
                if rule:
                    container["image"] = _new_image(container["image"], rule)
            docs.append(doc)
    return docs
