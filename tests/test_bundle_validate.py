"""Every file of the starter policy bundle (issue 17) through the offline validators, whoever's generator wrote it.

- kubernetes-validate, strict, for Kubernetes 1.30 (where ValidatingAdmissionPolicy went GA) and the newest version
  the installed package has schemas for: every API object of base/ and the overlays. Istio's objects have no
  Kubernetes schema (the package's Python API raises SchemaNotFoundError for them, its command line only warns), so
  they go through a small JSON Schema of ours instead, after asserting that they are Istio's security kinds.
- checkov (framework kubernetes, offline, as tests/test_checkov.py runs it) over the rendered files.
- The rules schemas cannot express: a binding per policy and a policy per binding, never Deny with Warn, policies
  matching Pods and every workload kind, control-plane files in no kustomization and there exactly when the hosting
  is self-managed, the configuration files and kustomizations against the JSON Schemas in advisor/bundle/schemas/.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kubernetes_validate.utils import SchemaNotFoundError, all_versions, major_minor

from advisor.bundle import admission, control_plane, mesh, namespaces, network, rbac
from advisor.bundle.build import Bundle, build_bundle
from advisor.bundle.model import ANNOTATION, Manifest
from advisor.engine import default_knowledge_base, evaluate
from tests.panel.organisations import ORGANISATIONS
from tests.strategies import valid_answers
from tests.test_checkov import failed, scan

GENERATORS = (namespaces, network, rbac, mesh, admission, control_plane)
OLDEST = "1.30"  # ValidatingAdmissionPolicy's v1 API
NEWEST = max((major_minor(v) for v in all_versions()), key=lambda v: tuple(int(n) for n in v.split(".")))
ISTIO_API = "security.istio.io/v1"
ISTIO_KINDS = {"PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication"}
# what the bundle writes of Istio's security API (istio.io's reference); more fields than that are a mistake here
ISTIO_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": ISTIO_API},
        "kind": {"enum": sorted(ISTIO_KINDS)},
        "metadata": {
            "type": "object",
            "required": ["name", "namespace"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"},
                "namespace": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "additionalProperties": False,
        },
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "selector": {"$ref": "#/$defs/selector"},
                "targetRef": {"type": "object"},
                "targetRefs": {"type": "array", "items": {"type": "object"}},
                "mtls": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"mode": {"enum": ["UNSET", "DISABLE", "PERMISSIVE", "STRICT"]}},
                },
                "portLevelMtls": {"type": "object"},
                "action": {"enum": ["ALLOW", "DENY", "AUDIT", "CUSTOM"]},
                "provider": {"type": "object"},
                "rules": {"type": "array", "items": {"type": "object"}},
                "jwtRules": {"type": "array", "items": {"type": "object"}},
            },
        },
    },
    "$defs": {
        "selector": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"matchLabels": {"type": "object", "additionalProperties": {"type": "string"}}},
        }
    },
}
# the resources every admission policy must match: Pods and each kind that carries a pod template
WORKLOADS = {
    ("", "pods"),
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
}


def bundle_for(answers: dict[str, Any], teams: tuple[str, ...] = (), apps: tuple[str, ...] = ()) -> Bundle:
    return build_bundle(evaluate(answers), default_knowledge_base(), teams=teams, apps=apps)


# names as check_names passes them: DNS labels, some of them system namespaces' names, and applications that may name
# their owning team; a few of each, as a form would send them
LABELS = st.sampled_from(["payments", "identity", "kube-system", "default", "istio-system", "a" * 40, "x1", "web-2"])
TEAMS = st.lists(LABELS, max_size=3, unique=True).map(tuple)
APPS = st.lists(st.one_of(LABELS, st.builds("{}/{}".format, LABELS, LABELS)), max_size=3, unique=True).map(tuple)


def api_objects(bundle: Bundle) -> list[tuple[Manifest, dict[str, Any]]]:
    return [(m, d) for m in bundle.manifests if m.kind != "control-plane" for d in m.documents]


# --- (a) the schemas ----------------------------------------------------------------------------


def check_schemas(bundle: Bundle) -> int:
    """Every API object against Kubernetes' strict schemas (or ours for Istio), every configuration document and
    kustomization against the bundle's; returns how many documents were checked."""
    checked = 0
    for _, doc in api_objects(bundle):
        if doc["apiVersion"].startswith("security.istio.io/"):
            assert doc["kind"] in ISTIO_KINDS, doc["kind"]
            assert doc["apiVersion"] == ISTIO_API, doc["kind"]
            jsonschema.validate(doc, ISTIO_SCHEMA)
        else:
            for version in (OLDEST, NEWEST):
                kubernetes_validate.validate(doc, version, strict=True)
        checked += 1
    for manifest in bundle.manifests:
        if manifest.kind == "control-plane":
            (doc,) = manifest.documents
            jsonschema.validate(doc, control_plane.schema(doc["kind"]))
            checked += 1
    for path, kustomization in kustomizations(bundle).items():
        jsonschema.validate(kustomization, control_plane.schema("Kustomization"))
        assert kustomization["kind"] == "Kustomization", path
        checked += 1
    return checked


def check_annotations(bundle: Bundle) -> None:
    checklist = bundle.context.checklist
    for manifest in bundle.manifests:
        assert manifest.items, f"{manifest.path} implements no checklist item"
        assert list(manifest.items) == [i for i in checklist if i in manifest.items], "held, in checklist order"
        if manifest.kind == "control-plane":
            continue
        for doc in manifest.documents:
            ids = doc["metadata"]["annotations"][ANNOTATION].split(",")
            assert set(ids) <= set(manifest.items), (manifest.path, doc["metadata"].get("name"))


def test_the_newest_schemas_are_newer_than_the_oldest() -> None:
    assert tuple(int(n) for n in NEWEST.split(".")) > (1, 30)
    assert major_minor(kubernetes_validate.latest_version()) == NEWEST


# --- (c) what the schemas miss ------------------------------------------------------------------


def kustomizations(bundle: Bundle) -> dict[str, dict[str, Any]]:
    files = bundle.files()
    return {p: yaml.safe_load(files[p]) for p in files if posixpath.basename(p) == "kustomization.yaml"}


def applied(bundle: Bundle, kustomization: str) -> set[str]:
    """The files ``kubectl apply -k`` reads from ``kustomization`` (a path in the zip), following directories."""
    files = bundle.files()
    here = posixpath.dirname(kustomization)
    out: set[str] = set()
    for resource in kustomizations(bundle)[kustomization]["resources"]:
        target = posixpath.normpath(posixpath.join(here, resource))
        if f"{target}/kustomization.yaml" in files:
            out |= applied(bundle, f"{target}/kustomization.yaml")
        else:
            assert target in files, f"{kustomization} lists {resource}, which the bundle lacks"
            out.add(target)
    return out


def check_semantics(bundle: Bundle) -> None:
    context = bundle.context
    by_kind: dict[str, list[Manifest]] = {}
    for manifest in bundle.manifests:
        by_kind.setdefault(manifest.kind, []).append(manifest)
        assert manifest.path.startswith("control-plane/") is (manifest.kind == "control-plane"), manifest.path
    # control-plane files exactly when the cluster's API server is the user's own
    assert bool(by_kind.get("control-plane")) is context.self_managed
    # kubectl apply -k: base applies every base file, each overlay base and its own files, none a control-plane file
    base = applied(bundle, "base/kustomization.yaml")
    assert base == {m.path for m in by_kind.get("base", [])}
    for overlay in ("audit", "enforce"):
        own = {m.path for m in by_kind.get(f"overlay-{overlay}", [])}
        assert applied(bundle, f"overlays/{overlay}/kustomization.yaml") == base | own
    control = {m.path for m in by_kind.get("control-plane", [])}
    for path in kustomizations(bundle):
        assert not applied(bundle, path) & control, path
        listed = kustomizations(bundle)[path]["resources"]
        assert not any("control-plane" in r for r in listed), path
    # admission: a binding per policy and a policy per binding, in each overlay, never Deny with Warn
    policies = {
        d["metadata"]["name"]: d
        for _, d in api_objects(bundle)
        if d["apiVersion"] == "admissionregistration.k8s.io/v1" and d["kind"] == "ValidatingAdmissionPolicy"
    }
    for name, policy in policies.items():
        spec = policy["spec"]
        assert spec.get("validations") or spec.get("auditAnnotations"), name
        assert spec["failurePolicy"] == "Fail", name
        rules = spec["matchConstraints"]["resourceRules"]
        matched = {(g, r) for rule in rules for g in rule["apiGroups"] for r in rule["resources"]}
        assert matched >= WORKLOADS, f"{name} misses {WORKLOADS - matched}"
        for rule in rules:
            assert set(rule["operations"]) >= {"CREATE", "UPDATE"}, name
        selector = spec["matchConstraints"]["namespaceSelector"]["matchExpressions"]
        excluded = {
            "key": "kubernetes.io/metadata.name",
            "operator": "NotIn",
            "values": list(context.excluded_namespaces),
        }
        assert excluded in selector, name
    for overlay, expected in (("audit", {"Warn", "Audit"}), ("enforce", {"Deny"})):
        bindings = [
            d for m in by_kind.get(f"overlay-{overlay}", []) for d in m.documents if d["kind"].endswith("Binding")
        ]
        bound = [b["spec"]["policyName"] for b in bindings]
        assert sorted(bound) == sorted(policies), f"{overlay}: a binding per policy, a policy per binding"
        for binding in bindings:
            actions = set(binding["spec"]["validationActions"])
            assert not {"Deny", "Warn"} <= actions, binding["metadata"]["name"]
            assert actions == expected, (overlay, binding["metadata"]["name"])
    # nothing binds a policy from base/
    assert not [d for m in by_kind.get("base", []) for d in m.documents if d["kind"].endswith("PolicyBinding")]
    # each file's YAML reads back as its documents (the header comment and notes are comments only)
    files = bundle.files()
    for manifest in bundle.manifests:
        assert [d for d in yaml.safe_load_all(files[manifest.path]) if d is not None] == list(manifest.documents)


def check(bundle: Bundle) -> int:
    checked = check_schemas(bundle)
    check_annotations(bundle)
    check_semantics(bundle)
    return checked


@pytest.mark.parametrize("org", ORGANISATIONS, ids=lambda o: str(o["id"]))
def test_panel_bundles_validate(org: dict[str, Any]) -> None:
    bundle = bundle_for(org["answers"])
    assert check(bundle) >= len(bundle.manifests)
    assert any(m.path.startswith("base/admission/") for m in bundle.manifests)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_answers(), TEAMS, APPS)
def test_any_bundle_validates(answers: dict[str, Any], teams: tuple[str, ...], apps: tuple[str, ...]) -> None:
    check(bundle_for(answers, teams, apps))


def test_the_semantic_checks_catch_what_schemas_miss() -> None:
    """Each rule fails on a bundle broken the way it guards against, though every object still passes its
    schema."""
    bundle = bundle_for(next(o for o in ORGANISATIONS if o["id"] == "bank-airgap")["answers"])
    check(bundle)

    def broken(change: Callable[[list[Manifest]], list[Manifest]]) -> Bundle:
        return Bundle(bundle.context, tuple(change(list(bundle.manifests))), bundle.readme, bundle.catalog)

    def edit_documents(kind: str, edit: Callable[[dict[str, Any]], None]) -> Callable[[list[Manifest]], list[Manifest]]:
        def change(manifests: list[Manifest]) -> list[Manifest]:
            out = []
            for m in manifests:
                docs = [yaml.safe_load(yaml.safe_dump(d)) for d in m.documents]
                if m.kind == kind:
                    edit(docs[0])
                out.append(Manifest(m.path, tuple(docs), m.items, m.kind, m.comment, m.notes))
            return out

        return change

    cases: dict[str, Callable[[list[Manifest]], list[Manifest]]] = {
        "Deny with Warn": edit_documents(
            "overlay-enforce", lambda d: d["spec"].update(validationActions=["Deny", "Warn"])
        ),
        "a binding without its policy": lambda ms: [m for m in ms if not m.path.startswith("base/admission/")],
        "Deployments not matched": edit_documents("base", no_deployments),
        "a control-plane file in base": lambda ms: [
            Manifest(m.path, m.documents, m.items, "base", m.comment) if m.kind == "control-plane" else m for m in ms
        ],
        "control-plane files left out": lambda ms: [m for m in ms if m.kind != "control-plane"],
        "KMS v1": edit_documents(
            "control-plane",
            lambda d: (
                d["resources"][0]["providers"][0]["kms"].update(apiVersion="v1")
                if d["kind"] == "EncryptionConfiguration"
                else None
            ),
        ),
    }
    for name, change in cases.items():
        assert caught(broken(change)), name


def no_deployments(doc: dict[str, Any]) -> None:
    if doc["kind"] == "ValidatingAdmissionPolicy":
        for rule in doc["spec"]["matchConstraints"]["resourceRules"]:
            rule["resources"] = [r for r in rule["resources"] if r != "deployments"]


def caught(bundle: Bundle) -> bool:
    try:
        check(bundle)
    except (AssertionError, jsonschema.ValidationError, kubernetes_validate.ValidationError, SchemaNotFoundError):
        return True
    return False


# --- (b) checkov --------------------------------------------------------------------------------


# a Pod that breaks checkov's workload checks: it proves that the scan ran and read the files, since checkov has no
# check for the bundle's admission objects and answers an empty summary when nothing it checks is found
CANARY = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "canary", "namespace": "canary"},
    "spec": {"hostNetwork": True, "containers": [{"name": "app", "image": "nginx"}]},
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("org", ["bank-airgap", "startup"])
def test_checkov_finds_nothing_the_readme_does_not_justify(org: str, tmp_path: Path) -> None:
    bundle = bundle_for(next(o for o in ORGANISATIONS if o["id"] == org)["answers"])
    written = []
    for path, data in bundle.files().items():
        if path.endswith(".yaml") and not path.startswith("control-plane/"):  # API objects and kustomizations
            target = tmp_path / "bundle" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(target)
    canary = tmp_path / "canary.yaml"
    canary.write_text(yaml.safe_dump(CANARY), encoding="utf-8")
    report = scan(*written, canary, frameworks=("kubernetes",))["kubernetes"]
    assert report["summary"]["parsing_errors"] == 0
    # every API object (the bundle has no pod templates, whose containers checkov would count too) and the canary;
    # kustomizations are no resource
    assert report["summary"]["resource_count"] == len(api_objects(bundle)) + 1
    found = failed(report)
    assert ("CKV_K8S_19", "Pod.canary.canary") in {f[:2] for f in found}, "host network: checkov did check"
    unexpected = [f for f in found if f[1] != "Pod.canary.canary" and f[0] not in admission.CHECKOV_JUSTIFIED]
    assert not unexpected, f"fix these, or justify one in CHECKOV_JUSTIFIED and the README: {unexpected}"
    for check_id, reason in admission.CHECKOV_JUSTIFIED.items():
        assert check_id.startswith(("CKV_K8S_", "CKV2_K8S_")), check_id
        assert reason, check_id
        assert check_id in bundle.readme, "the README says why each justified check fails"
        assert reason in bundle.readme, check_id
