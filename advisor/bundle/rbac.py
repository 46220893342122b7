"""Team Roles and RoleBindings to groups: explicit verbs and resources."""

from __future__ import annotations

from typing import Any

from advisor.bundle.model import BundleContext, Manifest
from advisor.bundle.namespaces import NamespacePlan, plan
from advisor.bundle.objects import api_object, union

API = "rbac.authorization.k8s.io/v1"
READ = ["get", "list", "watch"]
WRITE = ["create", "update", "patch", "delete"]  # beside READ, which covers the same resources
# what a team reads in its namespaces: never secrets (their values are one get away), never a subresource that
# opens a shell or a tunnel into a pod (pods/exec, pods/attach, pods/portforward)
READABLE: list[tuple[str, list[str]]] = [
    ("", ["pods", "pods/log", "services", "endpoints", "configmaps", "events", "persistentvolumeclaims"]),
    ("", ["serviceaccounts", "resourcequotas", "limitranges"]),
    ("apps", ["deployments", "replicasets", "statefulsets", "daemonsets"]),
    ("batch", ["jobs", "cronjobs"]),
    ("autoscaling", ["horizontalpodautoscalers"]),
    ("policy", ["poddisruptionbudgets"]),
    ("networking.k8s.io", ["ingresses", "networkpolicies"]),
    ("discovery.k8s.io", ["endpointslices"]),
]
# what a team changes where people deploy: the workloads and their plumbing, not pods directly (their
# controllers make them), not NetworkPolicies or quotas (the platform's guardrails), not DaemonSets (node-wide)
WRITABLE: list[tuple[str, list[str]]] = [
    ("", ["services", "configmaps", "persistentvolumeclaims"]),
    ("apps", ["deployments", "statefulsets"]),
    ("batch", ["jobs", "cronjobs"]),
    ("autoscaling", ["horizontalpodautoscalers"]),
    ("policy", ["poddisruptionbudgets"]),
    ("networking.k8s.io", ["ingresses"]),
]


def generate(context: BundleContext) -> list[Manifest]:
    return [_namespace_rbac(context, p) for p in plan(context)]


def writes(context: BundleContext, p: NamespacePlan) -> bool:
    """People change workloads themselves in development namespaces, and everywhere when they deploy by hand;
    elsewhere the pipeline or the GitOps controller does, and people read."""
    return p.environment == "dev" or context.answers.get("delivery") == "manual"


def _rules(write: bool) -> list[dict[str, Any]]:
    rules = [{"apiGroups": [group], "resources": resources, "verbs": READ} for group, resources in READABLE]
    if write:
        rules += [{"apiGroups": [group], "resources": resources, "verbs": WRITE} for group, resources in WRITABLE]
        rules.append({"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]})  # restart a stuck pod
    return rules


def _namespace_rbac(context: BundleContext, p: NamespacePlan) -> Manifest:
    environments = context.answers.get("environments") or ["prod"]
    role_items = context.has(
        "rbac-namespaced-roles",
        "ns-template-per-namespace",
        "ns-shared-compensating",
        *(("ns-separate-environments",) if len(environments) > 1 else ()),
    )
    account_items = context.has("rbac-service-account-tokens")
    write = writes(context, p)
    documents: list[dict[str, Any]] = []
    notes: list[str] = []
    for owner in p.owners:
        role = f"{owner}-developer"
        documents.append(api_object(API, "Role", role, role_items, namespace=p.name, rules=_rules(write)))
        notes.append(
            ("Reads and changes" if write else "Reads")
            + f" the workloads of {p.name}. Not the built-in edit role: it reads Secrets, and it can run pods\n"
            "as any ServiceAccount of the namespace, so act with that account's rights. Not admin either: it\n"
            "creates Roles and RoleBindings, so it hands out rights. Whoever changes a Deployment can still mount\n"
            "the namespace's Secrets into a pod: grant changes only to those who deploy."
        )
        group = f"{owner}-developers"
        subject = {"kind": "Group", "name": group, "apiGroup": "rbac.authorization.k8s.io"}
        reference = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role}
        binding = api_object(
            API, "RoleBinding", group, role_items, namespace=p.name, subjects=[subject], roleRef=reference
        )
        documents.append(binding)
        notes.append(f"The group {group} as your identity provider names it: rename it to match.")
    account = api_object("v1", "ServiceAccount", "default", account_items, namespace=p.name)
    documents.append(account | {"automountServiceAccountToken": False})
    notes.append(
        "The namespace's default ServiceAccount, granted nothing and mounting no API token: give each workload\n"
        "its own ServiceAccount and mount a token only where it calls the API."
    )
    comment = [
        f"RBAC of {p.name}: one Role per owning team, bound to its group, with every API group, resource and verb",
        "named (no wildcards, no bind, escalate or impersonate, no secrets, no pods/exec).",
    ]
    if p.placeholder:
        comment.append("PLACEHOLDER names (team-N, app-N): rename them to your own before applying.")
    return Manifest(
        f"base/namespaces/{p.name}/rbac.yaml",
        tuple(documents),
        union(context.checklist, role_items, account_items),
        comment="\n".join(comment),
        notes=tuple(notes),
    )
