"""ValidatingAdmissionPolicies in base/, their bindings in the audit and enforce overlays.

Each policy covers what the checklist asks and Pod Security Admission does not: images from the trusted registries,
no ``:latest`` or untagged images, CPU and memory requests with a memory limit, read-only root filesystems, and no
host namespaces on workload objects (PSA enforces on Pods only, so a Deployment that breaks it is admitted and its
ReplicaSet then fails quietly). A policy does nothing until bound: base/ holds the policies, each overlay a binding
per policy, ``[Warn, Audit]`` in overlays/audit and ``[Deny]`` in overlays/enforce.

The expressions keep to CEL that the tests can evaluate (no ``?.``, ``orValue`` or Kubernetes string extensions such
as ``split``): optional fields are read only behind ``has()``, since with ``failurePolicy: Fail`` an evaluation error
rejects the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.bundle.model import ANNOTATION, BundleContext, Manifest

API_VERSION = "admissionregistration.k8s.io/v1"
# a placeholder: replace it with the registries you control or have approved, each ending in "/"
TRUSTED_REGISTRIES = ("registry.example.com/",)
# the kinds that carry a pod template, and where its spec is; Pods themselves too
WORKLOAD_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("", ("pods",)),
    ("apps", ("deployments", "statefulsets", "daemonsets", "replicasets")),
    ("batch", ("jobs", "cronjobs")),
)
# checkov checks (id: why) the bundle's files fail on purpose; the README must give each reason. None so far: checkov
# finds nothing to fault in the bundle (tests/test_bundle_validate.py)
CHECKOV_JUSTIFIED: dict[str, str] = {}
REGISTRY_POLICY = "images-from-trusted-registries"
# validating admission runs after mutation, so the policy sees what the mesh's injector added to each pod
INJECTED = (
    "The mesh injects its sidecar into every pod before this policy looks: mirror the mesh's proxy image into\n"
    "these registries (and point Istio's hub at them), or the policy refuses every meshed pod.\n"
)
POD_SPEC = (
    "object.kind == 'Pod' ? object.spec"
    " : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec"
    " : object.spec.template.spec"
)
# containers and init containers: what runs for as long as the pod does
CONTAINERS = (
    "variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])"
)
# ephemeral (debug) containers too: an image check they skipped would be a way round it
ALL_CONTAINERS = (
    CONTAINERS + " + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])"
)


@dataclass(frozen=True)
class Policy:
    name: str
    title: str  # the file's first comment line
    when: str  # the checklist item the policy exists for: without it, no policy
    items: tuple[str, ...]  # every item it implements (``when`` first)
    purpose: str  # the file's header comment, first lines
    variables: tuple[tuple[str, str], ...]
    validations: tuple[dict[str, str], ...]
    # pods/ephemeralcontainers: debug containers are added through this subresource, not a pod update
    ephemeral: bool = False


POLICIES = (
    Policy(
        name=REGISTRY_POLICY,
        title="Admission policy: images only from trusted registries.",
        when="supply-trusted-registries",
        items=("supply-trusted-registries", "policy-central-admission"),
        purpose=(
            "Admits images only from the registries you control or have approved: a typo-squatted or hijacked public\n"
            "image is otherwise as easy to deploy as your own. registry.example.com/ is a placeholder: list your\n"
            "registries in the variable 'registries', each ending in '/' so that registry.example.com.evil.test\n"
            "does not pass."
        ),
        variables=(
            ("podSpec", POD_SPEC),
            ("containers", ALL_CONTAINERS),
            ("registries", "[" + ", ".join(f"'{r}'" for r in TRUSTED_REGISTRIES) + "]"),
        ),
        validations=(
            {
                "expression": "variables.containers.all(c, variables.registries.exists(r, c.image.startsWith(r)))",
                "message": "every container image must come from a trusted registry ("
                + ", ".join(TRUSTED_REGISTRIES)
                + ")",
                "reason": "Forbidden",
            },
        ),
        ephemeral=True,
    ),
    Policy(
        name="images-tagged-not-latest",
        title="Admission policy: images by tag or digest, never :latest.",
        when="policy-central-admission",
        items=("policy-central-admission",),  # pinning is not signature verification: no claim on that item
        purpose=(
            "Refuses images without a tag or digest, or tagged ':latest': what they run changes with every push,\n"
            "so nobody can say which build is running or roll back to it. A digest (@sha256:...) pins the image."
        ),
        variables=(("podSpec", POD_SPEC), ("containers", ALL_CONTAINERS)),
        validations=(
            {
                # a tag is a ':' after the last '/' (a registry's port comes before one)
                "expression": (
                    "variables.containers.all(c, c.image.contains('@')"
                    " || (c.image.matches(':[^/:]+$') && !c.image.endsWith(':latest')))"
                ),
                "message": "every container image must name a tag other than latest, or a digest",
                "reason": "Forbidden",
            },
        ),
        ephemeral=True,
    ),
    Policy(
        name="containers-set-requests-and-memory-limit",
        title="Admission policy: CPU and memory requests and a memory limit on every container.",
        when="resources-requests-limits",
        items=("resources-requests-limits",),
        purpose=(
            "Requires CPU and memory requests and a memory limit on every container and init container: without\n"
            "them one runaway or hijacked workload can starve the others on its node. A namespace's LimitRange\n"
            "fills in defaults for Pods only, not for the templates of Deployments and other workloads, so these\n"
            "must state their resources."
        ),
        variables=(("podSpec", POD_SPEC), ("containers", CONTAINERS)),
        validations=(
            {
                "expression": (
                    "variables.containers.all(c, has(c.resources)"
                    " && has(c.resources.requests) && 'cpu' in c.resources.requests"
                    " && 'memory' in c.resources.requests"
                    " && has(c.resources.limits) && 'memory' in c.resources.limits)"
                ),
                "message": "every container must set CPU and memory requests and a memory limit",
                "reason": "Invalid",
            },
        ),
    ),
    Policy(
        name="containers-read-only-root-filesystem",
        title="Admission policy: a read-only root filesystem for every container.",
        when="pod-hardened-security-context",
        items=("pod-hardened-security-context",),
        purpose=(
            "Requires readOnlyRootFilesystem: true on every container and init container, which the restricted\n"
            "Pod Security Standard does not check: an attacker with code execution cannot then install tools or\n"
            "persist in the image's filesystem. Mount an emptyDir where a container needs scratch space."
        ),
        variables=(("podSpec", POD_SPEC), ("containers", CONTAINERS)),
        validations=(
            {
                "expression": (
                    "variables.containers.all(c, has(c.securityContext)"
                    " && has(c.securityContext.readOnlyRootFilesystem) && c.securityContext.readOnlyRootFilesystem)"
                ),
                "message": "every container must set securityContext.readOnlyRootFilesystem: true",
                "reason": "Forbidden",
            },
        ),
    ),
    Policy(
        name="no-host-namespaces",
        title="Admission policy: no host network, PID or IPC namespace, on Pods and workloads.",
        when="psa-restricted-enforce",
        items=("psa-restricted-enforce", "policy-central-admission"),
        purpose=(
            "Refuses the host's network, PID and IPC namespaces. Pod Security Admission enforces this on Pods only\n"
            "and merely warns on Deployments and other workloads; checking their templates here rejects the\n"
            "workload itself rather than leaving its controller failing to create Pods."
        ),
        variables=(("podSpec", POD_SPEC),),
        validations=tuple(
            {
                "expression": f"!has(variables.podSpec.{field}) || !variables.podSpec.{field}",
                "message": f"{field} is not allowed: it shares the node's {what} with the pod",
                "reason": "Forbidden",
            }
            for field, what in (("hostNetwork", "network"), ("hostPID", "processes"), ("hostIPC", "IPC"))
        ),
    ),
)


def generate(context: BundleContext) -> list[Manifest]:
    chosen = [p for p in POLICIES if context.has(p.when)]
    if not chosen:
        return []
    excluded = list(context.excluded_namespaces)
    out = [
        Manifest(
            path=f"base/admission/{policy.name}.yaml",
            documents=(_policy(policy, context.has(*policy.items), excluded),),
            items=context.has(*policy.items),
            comment=(
                f"{policy.title}\n{policy.purpose}\n"
                + (INJECTED if context.mesh == "sidecar" and policy.name == REGISTRY_POLICY else "")
                + "\nAudit first (overlays/audit binds it with [Warn, Audit]), then enforce (overlays/enforce, [Deny])."
                "\n"
                f"Namespaces left alone: {', '.join(excluded)}."
            ),
        )
        for policy in chosen
    ]
    # one file per binding, so a team moves policies to enforcement one at a time by listing only theirs in
    # overlays/enforce/kustomization.yaml (a binding has its policy's name in both overlays: the enforce one
    # replaces the audit one, and the others keep auditing)
    for overlay, actions, how in (
        ("audit", ["Warn", "Audit"], "it warns the client and records an audit annotation, rejecting nothing"),
        ("enforce", ["Deny"], "it rejects what breaks the policy"),
    ):
        out += [
            Manifest(
                path=f"overlays/{overlay}/bindings/{policy.name}.yaml",
                documents=(_binding(policy, context.has(*policy.items), excluded, actions),),
                items=context.has(*policy.items),
                kind="overlay-audit" if overlay == "audit" else "overlay-enforce",
                comment=(
                    f"Binding of base/admission/{policy.name}.yaml, validationActions [{', '.join(actions)}]:\n"
                    f"{how}. Audit results reach the API server's audit log only where audit logging is on.\n"
                    f"Namespaces left alone: {', '.join(excluded)}; narrow namespaceSelector to bind fewer.\n"
                    "The binding has the policy's name in both overlays: applying one replaces the other."
                ),
            )
            for policy in chosen
        ]
    return out


def _annotations(items: tuple[str, ...]) -> dict[str, str]:
    return {ANNOTATION: ",".join(items)}


def _not_in(excluded: list[str]) -> dict[str, Any]:
    # every namespace carries the immutable label kubernetes.io/metadata.name
    return {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": excluded}]}


def _policy(policy: Policy, items: tuple[str, ...], excluded: list[str]) -> dict[str, Any]:
    rules = []
    for group, resources in WORKLOAD_RULES:
        names = list(resources)
        if group == "" and policy.ephemeral:
            names.append("pods/ephemeralcontainers")
        rules.append(
            {"apiGroups": [group], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": names}
        )
    return {
        "apiVersion": API_VERSION,
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": policy.name, "annotations": _annotations(items)},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"namespaceSelector": _not_in(excluded), "resourceRules": rules},
            "variables": [{"name": name, "expression": expression} for name, expression in policy.variables],
            "validations": [dict(v) for v in policy.validations],
        },
    }


def _binding(policy: Policy, items: tuple[str, ...], excluded: list[str], actions: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": policy.name, "annotations": _annotations(items)},
        "spec": {
            "policyName": policy.name,
            "validationActions": list(actions),
            "matchResources": {"namespaceSelector": _not_in(excluded)},
        },
    }
