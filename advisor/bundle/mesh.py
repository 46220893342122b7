"""Istio security objects, only when a mesh is recommended."""

from __future__ import annotations

from advisor.bundle.model import MESH_NAMESPACE, BundleContext, Manifest
from advisor.bundle.namespaces import NamespacePlan, plan
from advisor.bundle.objects import INGRESS_NAMESPACE, api_object

API = "security.istio.io/v1"  # Istio 1.22 and later

ALLOW_TEMPLATE = """\
Allow each call explicitly, by the caller's workload identity (its ServiceAccount), for example
  apiVersion: security.istio.io/v1
  kind: AuthorizationPolicy
  metadata: {{name: allow-<caller>-to-<callee>, namespace: {namespace}}}
  spec:
    selector: {{matchLabels: {{app.kubernetes.io/name: <callee>}}}}
    action: ALLOW
    rules:
    - from:
      - source:
          principals: [cluster.local/ns/<caller namespace>/sa/<caller service account>]"""
WAYPOINT = """
In ambient mode ztunnel enforces only such identity (L4) rules; rules on HTTP methods, paths or JWT claims
need a waypoint proxy and a policy attached to it with targetRefs."""


def generate(context: BundleContext) -> list[Manifest]:
    if not context.mesh:
        return []
    items = context.has("mesh-strict-mtls")
    peer = api_object(API, "PeerAuthentication", "default", items, namespace=MESH_NAMESPACE)
    peer["spec"] = {"mtls": {"mode": "STRICT"}}
    out = [
        Manifest(
            "base/mesh/peer-authentication.yaml",
            (peer,),
            items,
            comment=(
                f"Mutual TLS for the whole mesh: named default in the root namespace ({MESH_NAMESPACE}), it applies\n"
                "to every namespace. Meshed workloads then refuse plaintext, so clients outside the mesh (an\n"
                f"ingress controller in {INGRESS_NAMESPACE}, a scraper) must join it or go through a mesh gateway.\n"
                "Needs Istio's custom resources installed first: apply the mesh before this bundle."
            ),
        )
    ]
    return out + [_allow_nothing(context, p) for p in plan(context)]


def _allow_nothing(context: BundleContext, p: NamespacePlan) -> Manifest:
    items = context.has("mesh-authorization-policies")
    policy = api_object(API, "AuthorizationPolicy", "allow-nothing", items, namespace=p.name, spec={})
    note = ALLOW_TEMPLATE.format(namespace=p.name) + (WAYPOINT if context.mesh == "sidecarless" else "")
    comment = [
        f"Deny every call into {p.name} that no ALLOW policy names: an AuthorizationPolicy with an empty spec",
        "matches nothing and allows nothing. Add the ALLOW policies your services need before their traffic",
        "arrives: this one applies at once, in the audit overlay too.",
    ]
    if p.placeholder:
        comment.append("PLACEHOLDER names (team-N, app-N): rename them to your own before applying.")
    return Manifest(f"base/namespaces/{p.name}/mesh.yaml", (policy,), items, comment="\n".join(comment), notes=(note,))
