"""Namespaces with Pod Security Admission labels, and ResourceQuota with LimitRange per namespace.

``plan`` is the one layout every generator follows: which workload namespaces the recommended namespace strategy
makes, who owns each, and the Pod Security level they get."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from advisor.bundle.model import MESH_NAMESPACE, BundleContext, Manifest
from advisor.bundle.names import owned
from advisor.bundle.objects import (
    COLLECTORS_NAMESPACE,
    INGRESS_NAMESPACE,
    MONITORING_NAMESPACE,
    api_object,
    psa_labels,
    slug,
    union,
)

# without names from the user, this many placeholder teams or applications: enough to show the pattern, few
# enough that nobody mistakes them for an inventory; copy a namespace's folder for the rest
MAX_PLACEHOLDERS = 3
# room left in a 63-character namespace name for a team or application once "-staging" is appended
NAME_ROOM = 63 - len("-staging")
# statuses under which the restricted standard is not the target: enforce baseline, keep reporting restricted
NOT_RESTRICTED = ("not_applicable", "accepted_risk")

Level = Literal["restricted", "baseline"]


@dataclass(frozen=True)
class NamespacePlan:
    name: str
    environment: str
    owners: tuple[str, ...]  # the teams (or, with several teams, the application's owners) bound to its Roles
    team: str | None  # the owning team, when one team owns it
    app: str | None  # the application, under one namespace per application and environment
    psa: Level  # what enforce says; warn and audit always say restricted
    placeholder: bool  # a name in it (namespace or owner) is ours, not the user's: rename before applying


@dataclass(frozen=True)
class _Name:
    value: str
    placeholder: bool
    position: int  # where the user gave it, in the names given (-1 for a placeholder)


def plan(context: BundleContext) -> list[NamespacePlan]:
    """The workload namespaces, in a stable order (strategy, then name order the user gave, then environment)."""
    answers = context.answers
    environments = [str(e) for e in answers.get("environments") or ["prod"]]
    many = len(environments) > 1
    count = max(1, min(int(answers.get("applications") or 1), MAX_PLACEHOLDERS))
    team_count = 1 if answers.get("tenancy") == "single_team" else count
    owned_apps = [owned(a) for a in context.apps]
    # the teams given, then those only named as an application's owner ("payments/checkout")
    given_teams = tuple(dict.fromkeys([*context.teams, *(o for o, _ in owned_apps if o)]))
    teams = _names(given_teams, "team", team_count)
    apps = _names(tuple(a for _, a in owned_apps), "app", count)
    team_of = {given_teams[t.position]: t for t in teams if not t.placeholder}
    level: Level = "restricted" if _restricted(context) else "baseline"
    strategy = context.recommended("namespaces")
    out: list[NamespacePlan] = []
    if strategy == "shared":
        owners = tuple(t.value for t in teams)
        held = any(t.placeholder for t in teams)
        out += [NamespacePlan(f"apps-{env}", env, owners, None, None, level, held) for env in environments]
    elif strategy == "per_app_env":
        # an application's namespaces belong to the team it names, else to the one team there is; with several
        # teams and none named, to a group of its own
        sole = teams[0] if len(teams) == 1 else None
        for app in apps:
            named = owned_apps[app.position][0] if not app.placeholder else None
            team = team_of.get(named or "") or sole
            owner = team or app
            held = app.placeholder or owner.placeholder
            for env in environments:
                name = f"{app.value}-{env}"
                out.append(
                    NamespacePlan(name, env, (owner.value,), team.value if team else None, app.value, level, held)
                )
    else:  # per_team, and any strategy an organisation's own knowledge base adds
        for team in teams:
            for env in environments:
                name = f"{team.value}-{env}" if many else team.value
                out.append(NamespacePlan(name, env, (team.value,), team.value, None, level, team.placeholder))
    return out


def _names(given: tuple[str, ...], prefix: str, count: int) -> list[_Name]:
    """The user's names as DNS-1123 labels (once each, never a system or assumed namespace), else placeholders."""
    out: list[_Name] = []
    seen: set[str] = set()
    for position, text in enumerate(given):
        value = slug(text, NAME_ROOM)
        if not value:
            continue
        if value in ("default", MESH_NAMESPACE, INGRESS_NAMESPACE, MONITORING_NAMESPACE, COLLECTORS_NAMESPACE) or (
            value.startswith(("kube-", "openshift", "istio-"))
        ):
            value = slug(f"{value}-{prefix}", NAME_ROOM)
        base, n = value, 2
        while value in seen:
            value = slug(base, NAME_ROOM - len(str(n)) - 1) + f"-{n}"
            n += 1
        seen.add(value)
        out.append(_Name(value, False, position))
    return out or [_Name(f"{prefix}-{n}", True, -1) for n in range(1, count + 1)]


def _restricted(context: BundleContext) -> bool:
    """Restricted is enforced unless the checklist does without it (no such item, or the user set it aside)."""
    for item in context.result["checklist"]:
        if item["id"] == "psa-restricted-enforce":
            return item.get("status") not in NOT_RESTRICTED
    return False


def generate(context: BundleContext) -> list[Manifest]:
    out = [_workload_namespace(context, p) for p in plan(context)]
    if context.mesh:
        out.append(_mesh_namespace(context))
    return out


def _workload_namespace(context: BundleContext, p: NamespacePlan) -> Manifest:
    answers = context.answers
    environments = answers.get("environments") or ["prod"]
    namespace_items = context.has(
        *(("psa-restricted-enforce",) if p.psa == "restricted" else ()),
        "ns-template-per-namespace",
        *(("ns-separate-environments",) if len(environments) > 1 else ()),
        *(("mesh-sidecar-least-privilege",) if context.mesh == "sidecar" else ()),
    )
    quota_items = context.has("ns-template-per-namespace", "ns-shared-compensating")
    limits_items = context.has("resources-requests-limits", "ns-template-per-namespace", "ns-shared-compensating")
    labels = {
        **psa_labels(p.psa, "restricted"),
        "owner": p.owners[0] if len(p.owners) == 1 else "shared",
        "environment": p.environment,
        "data-classification": str(answers.get("sensitivity") or "unclassified"),
    }
    if context.mesh == "sidecar":
        labels["istio-injection"] = "enabled"
    elif context.mesh == "sidecarless":
        labels["istio.io/dataplane-mode"] = "ambient"
    namespace = api_object("v1", "Namespace", p.name, namespace_items, labels=labels)
    quota = api_object("v1", "ResourceQuota", "compute-and-objects", quota_items, namespace=p.name, spec=_QUOTA)
    limits = api_object("v1", "LimitRange", "container-defaults", limits_items, namespace=p.name, spec=_LIMITS)
    why = (
        "restricted is enforced: nothing in the answers needs more"
        if p.psa == "restricted"
        else "baseline is enforced because the checklist sets the restricted standard aside; warn and audit still\n"
        "report what restricted would reject"
    )
    comment = [
        f"Namespace {p.name} ({p.environment}), its Pod Security labels, and a ResourceQuota with a LimitRange.",
        f"Pod Security: {why}. enforce is pinned to {labels['pod-security.kubernetes.io/enforce-version']} so",
        "that an upgrade never tightens admission by surprise; warn and audit follow the latest standard.",
    ]
    if p.placeholder:
        comment.append("PLACEHOLDER names (team-N, app-N): rename them to your own before applying.")
    return Manifest(
        f"base/namespaces/{p.name}/namespace.yaml",
        (namespace, quota, limits),
        union(context.checklist, namespace_items, quota_items, limits_items),
        comment="\n".join(comment),
        notes=(
            "",
            "Starting values, to size per namespace. Services of type LoadBalancer and NodePort are refused: traffic\n"
            "comes in through the ingress controller; raise them where an application needs its own.",
            "Without this LimitRange the ResourceQuota would reject every Pod that sets no requests or limits.\n"
            "Memory limit equal to its request; no default CPU limit (it throttles without protecting anything).",
        ),
    )


def _mesh_namespace(context: BundleContext) -> Manifest:
    node_agents = "mesh-sidecar-least-privilege" if context.mesh == "sidecar" else "mesh-ambient-node-hardening"
    items = context.has(node_agents, "mesh-control-plane-lockdown")
    namespace = api_object("v1", "Namespace", MESH_NAMESPACE, items, labels=psa_labels("privileged", "privileged"))
    agents = (
        "its node agent runs here as a DaemonSet and rewrites"
        if context.mesh == "sidecar"
        else "its node agent and ztunnel run here as DaemonSets and rewrite"
    )
    return Manifest(
        f"base/namespaces/{MESH_NAMESPACE}/namespace.yaml",
        (namespace,),
        items,
        comment=(
            f"{MESH_NAMESPACE}: the mesh's root namespace, and the only privileged one. The bundle assumes Istio\n"
            f"with its CNI plugin: {agents} each pod's network on the node, which\n"
            "needs privileges. Without it, every meshed pod would carry the istio-init container, which needs\n"
            "NET_ADMIN and NET_RAW: baseline and restricted both reject it, so the workload namespaces\n"
            "could not enforce them. Run no application here."
        ),
    )


_QUOTA: dict[str, Any] = {
    "hard": {
        "requests.cpu": "8",
        "requests.memory": "16Gi",
        "limits.memory": "16Gi",
        "pods": "50",
        "services.loadbalancers": "0",
        "services.nodeports": "0",
        "persistentvolumeclaims": "10",
        "requests.storage": "100Gi",
        "count/secrets": "50",
        "count/configmaps": "50",
    }
}
_LIMITS: dict[str, Any] = {
    "limits": [
        {
            "type": "Container",
            "default": {"memory": "256Mi", "ephemeral-storage": "1Gi"},
            "defaultRequest": {"cpu": "100m", "memory": "256Mi", "ephemeral-storage": "100Mi"},
        }
    ]
}
