"""Per namespace: default-deny NetworkPolicy, DNS, and the allowances the recommendation needs."""

from __future__ import annotations

from typing import Any

from advisor.bundle.model import MESH_NAMESPACE, BundleContext, Manifest
from advisor.bundle.namespaces import NamespacePlan, plan
from advisor.bundle.objects import COLLECTORS_NAMESPACE, INGRESS_NAMESPACE, MONITORING_NAMESPACE, api_object, union

API = "networking.k8s.io/v1"
NAME_LABEL = "kubernetes.io/metadata.name"  # set by the API server on every namespace, and immutable
PUBLIC = ("public_web", "public_api")
# the label each mesh mode enrols a namespace with (namespaces.py sets it): HBONE is allowed between those only
MESH_LABEL = {"sidecar": {"istio-injection": "enabled"}, "sidecarless": {"istio.io/dataplane-mode": "ambient"}}
# in ambient mode the node's kubelet probes arrive from this link-local address, not from the node's own
AMBIENT_PROBE_SOURCE = "169.254.7.127/32"
OTLP_PORTS = (4317, 4318)  # OpenTelemetry's gRPC and HTTP ports, what most collectors and agents receive on

EXTERNAL_TEMPLATE = """\
The outside tools' endpoints are outside the cluster: NetworkPolicy can only name them by address. Allow them
where the traffic leaves (the collectors' namespace, or here if an agent in the pods sends directly), for
example, with the addresses your tool's vendor publishes:
  egress:
  - to:
    - ipBlock:
        cidr: <the tool's endpoint range>
    ports:
    - {protocol: TCP, port: 443}"""

SAME_NAMESPACE_TEMPLATE = """\
Pods in this namespace cannot reach each other yet: allow each flow by pod label, for example
  podSelector: {matchLabels: {app.kubernetes.io/name: <callee>}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {matchLabels: {app.kubernetes.io/name: <caller>}}"""


def generate(context: BundleContext) -> list[Manifest]:
    return [_namespace_policies(context, p) for p in plan(context)]


def _namespace_policies(context: BundleContext, p: NamespacePlan) -> Manifest:
    deny = context.has(
        "netpol-default-deny",
        "ns-template-per-namespace",
        "netpol-pci-cde-segmentation",
        "egress-allow-list",
        "ns-separate-environments",
        "ns-shared-compensating",
    )
    allow = context.has("netpol-default-deny", "netpol-pci-cde-segmentation")
    documents: list[dict[str, Any]] = []
    notes: list[str] = []
    claimed: list[tuple[str, ...]] = []

    def add(name: str, items: tuple[str, ...], spec: dict[str, Any], note: str = "") -> None:
        claimed.append(items)
        documents.append(api_object(API, "NetworkPolicy", name, items, namespace=p.name, spec=spec))
        notes.append(note)

    add(
        "default-deny",
        deny,
        {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        "Selects every pod and allows nothing: each policy below opens one flow.",
    )
    dns_port = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
    # both selectors in one element: pods labelled kube-dns AND in kube-system (two elements would mean OR)
    dns_peer = {
        "namespaceSelector": {"matchLabels": {NAME_LABEL: "kube-system"}},
        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
    }
    add(
        "allow-dns",
        context.has("netpol-default-deny", "egress-allow-list"),
        {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [dns_peer], "ports": dns_port}]},
        "DNS to the cluster's resolver only, over UDP and TCP (large answers fall back to TCP).",
    )
    strategy = context.recommended("namespaces")
    if strategy == "per_app_env":
        # one application per namespace: its parts may talk to each other, nothing else may
        same: dict[str, Any] = {"podSelector": {}}
        add(
            "allow-same-namespace",
            allow,
            {
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": [same]}],
                "egress": [{"to": [same]}],
            },
            "One application per namespace: its own pods may reach each other, no other namespace's may.",
        )
    else:
        notes[0] += "\n" + SAME_NAMESPACE_TEMPLATE
    if context.answers.get("exposure") in PUBLIC:
        add(
            "allow-from-ingress",
            allow,
            _ingress_from({NAME_LABEL: INGRESS_NAMESPACE}),
            f"Assumed: the ingress controller (or Gateway) runs in the namespace {INGRESS_NAMESPACE}. Narrow this to\n"
            "the pods and ports it serves.",
        )
    mesh = context.mesh
    if mesh == "sidecar":
        add(
            "allow-monitoring",
            allow,
            _ingress_from({NAME_LABEL: MONITORING_NAMESPACE}, ports=(15020, 15090)),
            f"Assumed: the metrics scraper runs in {MONITORING_NAMESPACE}. 15020 serves the sidecar's merged\n"
            "metrics (with the application's), 15090 Envoy's own.",
        )
    else:
        add(
            "allow-monitoring",
            allow,
            _ingress_from({NAME_LABEL: MONITORING_NAMESPACE}),
            f"Assumed: the metrics scraper runs in {MONITORING_NAMESPACE}. Narrow this to your metrics ports.",
        )
    if mesh == "sidecar":
        istiod = {
            "namespaceSelector": {"matchLabels": {NAME_LABEL: MESH_NAMESPACE}},
            "podSelector": {"matchLabels": {"app": "istiod"}},
        }
        add(
            "allow-istiod",
            allow,
            {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [{"to": [istiod], "ports": [{"protocol": "TCP", "port": 15012}]}],
            },
            "Sidecars fetch their configuration and certificates from istiod on 15012.",
        )
    if mesh:
        meshed = {"namespaceSelector": {"matchLabels": MESH_LABEL[mesh]}}
        hbone = [{"protocol": "TCP", "port": 15008}]
        add(
            "allow-hbone",
            allow,
            {
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": [meshed], "ports": hbone}],
                "egress": [{"to": [meshed], "ports": hbone}],
            },
            "HBONE, the mesh's mutual-TLS tunnel, on 15008 between namespaces enrolled in the mesh. It opens the\n"
            "port only: which caller may reach which service is the AuthorizationPolicies' job (mesh.yaml).",
        )
    if mesh == "sidecarless":
        add(
            "allow-kubelet-probes",
            allow,
            {
                "podSelector": {},
                "policyTypes": ["Ingress"],
                "ingress": [{"from": [{"ipBlock": {"cidr": AMBIENT_PROBE_SOURCE}}]}],
            },
            "In ambient mode the kubelet's health probes come from this link-local address; without this rule\n"
            "default-deny would fail every probe.",
        )
    if context.recommended("tool_integration"):
        ports = [{"protocol": "TCP", "port": port} for port in OTLP_PORTS]
        collectors = {"namespaceSelector": {"matchLabels": {NAME_LABEL: COLLECTORS_NAMESPACE}}}
        add(
            "allow-to-collectors",
            context.has("netpol-default-deny", "monitor-stream-data-out"),
            {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [collectors], "ports": ports}]},
            f"Assumed: the outside tools' collectors and agents run in {COLLECTORS_NAMESPACE} and receive\n"
            "OpenTelemetry (4317 gRPC, 4318 HTTP); change the ports to your agents'.\n" + EXTERNAL_TEMPLATE,
        )
    return Manifest(
        f"base/namespaces/{p.name}/network-policies.yaml",
        tuple(documents),
        union(context.checklist, *claimed),
        comment=_comment(context, p),
        notes=tuple(notes),
    )


def _ingress_from(namespace: dict[str, str], ports: tuple[int, ...] = ()) -> dict[str, Any]:
    rule: dict[str, Any] = {"from": [{"namespaceSelector": {"matchLabels": namespace}}]}
    if ports:
        rule["ports"] = [{"protocol": "TCP", "port": port} for port in ports]
    return {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [rule]}


def _comment(context: BundleContext, p: NamespacePlan) -> str:
    lines = [
        f"NetworkPolicies of {p.name}: deny all traffic in and out, then allow DNS and what the recommendation needs.",
        "They take effect as soon as they are applied, in the audit overlay too (NetworkPolicy has no audit mode):",
        "apply them before the workloads arrive, or with the allow rules those workloads need.",
        "Only a CNI plugin that enforces NetworkPolicy makes them count; pods on the host network escape them.",
    ]
    if context.answers.get("egress") in ("restricted", "none"):
        lines.append("Nothing may leave the cluster: allow each named outside destination explicitly.")
    if p.placeholder:
        lines.append("PLACEHOLDER names (team-N, app-N): rename them to your own before applying.")
    return "\n".join(lines)
