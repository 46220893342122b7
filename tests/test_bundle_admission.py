"""The bundle's ValidatingAdmissionPolicies (issue 17): which are written for which checklist, their bindings per
overlay, and every CEL expression evaluated with cel-python on Pods and workloads as the API server binds them.

The API server binds the admitted object to ``object`` and each of ``spec.variables`` to ``variables.<name>``;
the tests do the same, variables in order. cel-python lacks the Kubernetes CEL extensions (``split``,
``lastIndexOf``, ``?.``, ``orValue``), so the policies do without them: what evaluates here evaluates there.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import celpy
import celpy.adapter
import celpy.evaluation
import kubernetes_validate
import pytest

from advisor.bundle import admission
from advisor.bundle.model import ANNOTATION, MESH_NAMESPACE, SYSTEM_NAMESPACES, BundleContext, Manifest
from advisor.engine import default_knowledge_base, evaluate
from tests import bundle_cases
from tests.helpers import BASE_ANSWERS
from tests.panel.organisations import ORGANISATIONS

KIND_VERSIONS = {
    "Pod": "v1",
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "ReplicaSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
}
GOOD_IMAGE = "registry.example.com/payments/api:1.4.2"
DIGEST = "@sha256:" + "a" * 64


def context_for(answers: dict[str, Any], drop: tuple[str, ...] = ()) -> BundleContext:
    result = evaluate(answers)
    result["checklist"] = [i for i in result["checklist"] if i["id"] not in drop]
    return BundleContext(result, default_knowledge_base(), (), ())


def all_policies() -> dict[str, dict[str, Any]]:
    """Every policy the generator can write (BASE_ANSWERS' checklist holds every item they need)."""
    found = {
        d["metadata"]["name"]: d
        for m in admission.generate(context_for(BASE_ANSWERS))
        if m.kind == "base"
        for d in m.documents
    }
    assert set(found) == {p.name for p in admission.POLICIES}
    return found


POLICIES = all_policies()


# --- the objects the policies judge -------------------------------------------------------------


def container(name: str = "app", image: str = GOOD_IMAGE) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "128Mi"}},
        "securityContext": {"readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False},
    }


def good_spec() -> dict[str, Any]:
    return {"containers": [container()], "initContainers": [container("migrate")]}


def minimal_spec(image: str = GOOD_IMAGE) -> dict[str, Any]:
    """Only what a pod must have: no init containers, no resources, no security context, no host fields."""
    return {"containers": [{"name": "app", "image": image}]}


def wrap(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` as the pod spec of a ``kind`` object, where that kind keeps it."""
    meta = {"name": "web", "namespace": "payments"}
    labels = {"app": "web"}
    template = {"metadata": {"labels": labels}, "spec": spec}
    body: dict[str, Any]
    if kind == "Pod":
        body = {"spec": spec}
    elif kind == "CronJob":
        job = {"template": {**template, "spec": {**spec, "restartPolicy": "Never"}}}
        body = {"spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": job}}}
    elif kind == "Job":
        body = {"spec": {"template": {**template, "spec": {**spec, "restartPolicy": "Never"}}}}
    elif kind == "StatefulSet":
        body = {"spec": {"selector": {"matchLabels": labels}, "serviceName": "web", "template": template}}
    else:
        body = {"spec": {"selector": {"matchLabels": labels}, "template": template}}
    return {"apiVersion": KIND_VERSIONS[kind], "kind": kind, "metadata": meta, **body}


def admits(policy: dict[str, Any], obj: dict[str, Any]) -> list[bool]:
    """Each validation's verdict on ``obj``; any evaluation error fails the test (with Fail it would reject)."""
    env = celpy.Environment()
    activation: dict[str, Any] = {"object": celpy.adapter.json_to_cel(obj)}
    bound: dict[str, Any] = {}
    for variable in policy["spec"].get("variables", []):
        activation["variables"] = celpy.celtypes.MapType(bound)
        value = env.program(env.compile(variable["expression"])).evaluate(activation)
        assert not isinstance(value, celpy.evaluation.CELEvalError), (variable["name"], value)
        bound[celpy.celtypes.StringType(variable["name"])] = value
    activation["variables"] = celpy.celtypes.MapType(bound)
    verdicts = []
    for validation in policy["spec"]["validations"]:
        value = env.program(env.compile(validation["expression"])).evaluate(activation)
        assert isinstance(value, celpy.celtypes.BoolType), (validation["expression"], value)
        verdicts.append(bool(value))
    return verdicts


# --- what breaks each policy, on a good pod spec ------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(spec: dict[str, Any]) -> None:
        target: Any = spec
        *parents, last = path.split(".")
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[last] = value

    return change


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def change(spec: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = spec
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        del target[last]

    return change


BREAKING: dict[str, dict[str, Callable[[dict[str, Any]], None]]] = {
    "images-from-trusted-registries": {
        "public image": _set("containers.0.image", "docker.io/library/nginx:1.27"),
        "public init image": _set("initContainers.0.image", "nginx:1.27"),
        "look-alike host": _set("containers.0.image", "registry.example.com.evil.test/api:1.0"),
        "ephemeral container": _set("ephemeralContainers", [{"name": "debug", "image": "busybox:1.36"}]),
    },
    "images-tagged-not-latest": {
        "latest": _set("containers.0.image", "registry.example.com/api:latest"),
        "untagged": _set("containers.0.image", "registry.example.com/api"),
        "registry port, no tag": _set("containers.0.image", "registry.example.com:5000/api"),
        "init latest": _set("initContainers.0.image", "registry.example.com/migrate:latest"),
    },
    "containers-set-requests-and-memory-limit": {
        "no resources": _delete("containers.0.resources"),
        "no memory limit": _delete("containers.0.resources.limits"),
        "no cpu request": _delete("containers.0.resources.requests.cpu"),
        "init without requests": _delete("initContainers.0.resources.requests"),
    },
    "containers-read-only-root-filesystem": {
        "writable": _set("containers.0.securityContext.readOnlyRootFilesystem", False),
        "unset": _delete("containers.0.securityContext.readOnlyRootFilesystem"),
        "no security context": _delete("initContainers.0.securityContext"),
    },
    "no-host-namespaces": {
        "hostNetwork": _set("hostNetwork", True),
        "hostPID": _set("hostPID", True),
        "hostIPC": _set("hostIPC", True),
    },
}
# still admitted: what looks close to a violation and is not one
PASSING: dict[str, dict[str, Callable[[dict[str, Any]], None]]] = {
    "images-from-trusted-registries": {"digest": _set("containers.0.image", "registry.example.com/api" + DIGEST)},
    "images-tagged-not-latest": {
        "digest": _set("containers.0.image", "registry.example.com/api" + DIGEST),
        "latest pinned by digest": _set("containers.0.image", "registry.example.com/api:latest" + DIGEST),
        "registry port and tag": _set("containers.0.image", "registry.example.com:5000/api:2.0"),
    },
    "containers-set-requests-and-memory-limit": {"cpu limit too": _set("containers.0.resources.limits.cpu", "1")},
    "containers-read-only-root-filesystem": {},
    "no-host-namespaces": {"all false": lambda s: s.update(hostNetwork=False, hostPID=False, hostIPC=False)},
}
CASES = [
    (name, kind, case, change, expected)
    for expected, table in ((False, BREAKING), (True, PASSING))
    for name, changes in table.items()
    for case, change in [("as is", lambda s: None), *changes.items()]
    if expected or case != "as is"
    for kind in KIND_VERSIONS
]


def test_every_policy_has_cases() -> None:
    assert set(BREAKING) == set(PASSING) == set(POLICIES)


@pytest.mark.parametrize(
    ("name", "kind", "case", "change", "expected"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES]
)
def test_policy_judges_every_kind(
    name: str, kind: str, case: str, change: Callable[[dict[str, Any]], None], expected: bool
) -> None:
    spec = good_spec()
    change(spec)
    obj = wrap(kind, spec)
    if case != "ephemeral container":  # a pod gets those through its subresource only
        kubernetes_validate.validate(obj, "1.30", strict=True)  # the fixture is a real object
    verdicts = admits(POLICIES[name], obj)
    assert all(verdicts) is expected, (case, verdicts)


@pytest.mark.parametrize("kind", KIND_VERSIONS)
def test_missing_optional_fields_do_not_break_any_policy(kind: str) -> None:
    """No init containers, resources, security context or host fields: every expression still gives a verdict,
    the verdict the absent field calls for."""
    obj = wrap(kind, minimal_spec())
    kubernetes_validate.validate(obj, "1.30", strict=True)
    expected = {
        "images-from-trusted-registries": True,
        "images-tagged-not-latest": True,
        "containers-set-requests-and-memory-limit": False,
        "containers-read-only-root-filesystem": False,
        "no-host-namespaces": True,
    }
    assert {name: all(admits(policy, obj)) for name, policy in POLICIES.items()} == expected


def test_the_registry_list_is_the_visible_placeholder() -> None:
    policy = POLICIES["images-from-trusted-registries"]
    registries = next(v for v in policy["spec"]["variables"] if v["name"] == "registries")
    assert registries["expression"] == "['registry.example.com/']"
    assert all(r.endswith("/") for r in admission.TRUSTED_REGISTRIES)
    manifest = next(m for m in admission.generate(context_for(BASE_ANSWERS)) if policy in m.documents)
    assert "placeholder" in manifest.comment
    # replacing the placeholder is all it takes to admit another registry
    edited = copy.deepcopy(policy)
    edited["spec"]["variables"][2]["expression"] = "['registry.example.com/', 'mirror.internal.example/']"
    obj = wrap("Deployment", minimal_spec("mirror.internal.example/api:1.0"))
    assert admits(policy, obj) == [False]
    assert admits(edited, obj) == [True]


def test_with_sidecars_the_registry_policy_says_to_mirror_the_proxy_image() -> None:
    """Validation runs after the injector: an unmirrored istio-proxy image would be refused in every meshed pod."""
    for case in bundle_cases.CASES:
        context = bundle_cases.context_of(case)
        found = [m for m in admission.generate(context) if m.path == f"base/admission/{admission.REGISTRY_POLICY}.yaml"]
        if found:
            assert ("mirror the mesh's proxy image" in found[0].comment) == (context.mesh == "sidecar"), case.id
    assert any(bundle_cases.context_of(c).mesh == "sidecar" for c in bundle_cases.CASES)


# --- what the generator writes ------------------------------------------------------------------


def manifests(answers: dict[str, Any], drop: tuple[str, ...] = ()) -> list[Manifest]:
    return admission.generate(context_for(answers, drop))


@pytest.mark.parametrize("policy", admission.POLICIES, ids=lambda p: p.name)
def test_a_policy_only_for_its_checklist_item(policy: admission.Policy) -> None:
    without = manifests(BASE_ANSWERS, drop=(policy.when,))
    names = {d["metadata"]["name"] for m in without for d in m.documents}
    assert policy.name not in names, "neither the policy nor its bindings"
    assert f"base/admission/{policy.name}.yaml" not in {m.path for m in without}
    assert policy.name in {d["metadata"]["name"] for m in manifests(BASE_ANSWERS) for d in m.documents}


def test_no_admission_items_no_files() -> None:
    assert manifests(BASE_ANSWERS, drop=tuple(p.when for p in admission.POLICIES)) == []


@pytest.mark.parametrize("org", ORGANISATIONS, ids=lambda o: str(o["id"]))
def test_policies_and_bindings(org: dict[str, Any]) -> None:
    context = context_for(org["answers"])
    found = admission.generate(context)
    policies = [m for m in found if m.kind == "base"]
    assert policies, "every panel checklist asks for admission policies"
    excluded = list(context.excluded_namespaces)
    assert (MESH_NAMESPACE in excluded) is (context.mesh is not None)
    assert excluded[: len(SYSTEM_NAMESPACES)] == list(SYSTEM_NAMESPACES)
    for manifest in policies:
        (policy,) = manifest.documents
        name = policy["metadata"]["name"]
        assert manifest.path == f"base/admission/{name}.yaml"
        assert policy["kind"] == "ValidatingAdmissionPolicy"
        assert policy["spec"]["failurePolicy"] == "Fail"
        selector = policy["spec"]["matchConstraints"]["namespaceSelector"]["matchExpressions"]
        assert selector == [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": excluded}]
        assert ", ".join(excluded) in manifest.comment, "the excluded namespaces named in the comment"
        assert policy["metadata"]["annotations"][ANNOTATION] == ",".join(manifest.items)
        assert manifest.items
        assert set(manifest.items) <= set(context.checklist)
        for validation in policy["spec"]["validations"]:
            assert validation.get("message") or validation.get("messageExpression")
    overlays = {m.kind for m in found if m.kind != "base"}
    assert overlays == {"overlay-audit", "overlay-enforce"}
    for kind, actions in (("overlay-audit", ["Warn", "Audit"]), ("overlay-enforce", ["Deny"])):
        files = [m for m in found if m.kind == kind]
        # one file per binding: enforcement is chosen per policy by listing its file in the overlay's kustomization
        assert [m.path for m in files] == [
            f"overlays/{kind.removeprefix('overlay-')}/bindings/{p.documents[0]['metadata']['name']}.yaml"
            for p in policies
        ]
        for policy_file, manifest in zip(policies, files, strict=True):
            (policy,) = policy_file.documents
            (binding,) = manifest.documents
            assert binding["spec"]["policyName"] == policy["metadata"]["name"]
            assert binding["kind"] == "ValidatingAdmissionPolicyBinding"
            # the same name in both overlays: applying the enforce binding replaces the audit one
            assert binding["metadata"]["name"] == policy["metadata"]["name"]
            assert binding["spec"]["validationActions"] == actions
            assert (
                binding["spec"]["matchResources"]["namespaceSelector"]
                == (policy["spec"]["matchConstraints"]["namespaceSelector"])
            )
            assert binding["metadata"]["annotations"] == policy["metadata"]["annotations"]
            assert manifest.items == policy_file.items


def test_every_expression_reaches_the_pod_spec_of_each_kind() -> None:
    """A pod spec placed anywhere else (a Deployment's own spec, say) is not what the policies read."""
    misplaced = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"template": {"spec": good_spec() | {"hostNetwork": True}}},
    }
    assert admits(POLICIES["no-host-namespaces"], misplaced) == [False, True, True]
    cron = wrap("CronJob", good_spec() | {"hostPID": True})
    assert admits(POLICIES["no-host-namespaces"], cron) == [True, False, True]
