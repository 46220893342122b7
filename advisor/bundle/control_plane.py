"""API-server configuration files for self-managed clusters, outside every kustomization.

They are files the API server reads at start-up, not API objects: ``kubectl apply`` rejects them, and managed
services do not expose the flags that name them. Each file's header comment gives those flags and the CIS
Kubernetes Benchmark recommendations they meet. The server decodes EncryptionConfiguration and
AdmissionConfiguration strictly and they have no ``metadata``, so their checklist items are in the header comment
only; the audit Policy carries them as an annotation like every API object of the bundle.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from advisor.bundle.model import ANNOTATION, BundleContext, Manifest

CONFIG_API = "apiserver.config.k8s.io/v1"
# a placeholder: the socket your KMS v2 plugin listens on
KMS_ENDPOINT = "unix:///var/run/kms-plugin/socket.sock"
AUDIT_LOG_FLAGS = (
    "--audit-log-path=/var/log/kubernetes/audit/audit.log",
    "--audit-log-maxage=30",
    "--audit-log-maxbackup=10",
    "--audit-log-maxsize=100",
)
# the JSON Schema (advisor/bundle/schemas/) each configuration document validates against, by kind
SCHEMAS = {
    "Policy": "audit-policy",
    "EncryptionConfiguration": "encryption-configuration",
    "AdmissionConfiguration": "admission-configuration",
    "Kustomization": "kustomization",
}
WRITES = ["create", "update", "patch", "delete", "deletecollection"]


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema for a configuration document of ``kind`` (a key of ``SCHEMAS``)."""
    text = resources.files("advisor.bundle").joinpath("schemas", f"{SCHEMAS[kind]}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def generate(context: BundleContext) -> list[Manifest]:
    if not context.self_managed:
        return []
    return [_audit_policy(context), _encryption(context), _admission(context)]


def _header(what: str, flags: tuple[str, ...], cis: str, items: tuple[str, ...]) -> str:
    return (
        f"{what}\n\n"
        "Used with the API-server flags:\n"
        + "".join(f"  {flag}\n" for flag in flags)
        + f"CIS Kubernetes Benchmark v1.12: {cis}\n"
        f"Checklist items: {', '.join(items) or 'none'}\n"
        "An API-server configuration file, not an API object: copy it to every control-plane node; kubectl apply\n"
        "would reject it, so no kustomization lists it."
    )


def _audit_policy(context: BundleContext) -> Manifest:
    items = context.has("audit-policy-and-backend")
    # the first matching rule decides, so the rules that must never record a body come first
    rules: list[dict[str, Any]] = [
        {
            # their bodies hold secret values and tokens: who touched them, never what they hold
            "level": "Metadata",
            "resources": [
                {"group": "", "resources": ["secrets", "configmaps", "serviceaccounts/token"]},
                {"group": "authentication.k8s.io", "resources": ["tokenreviews"]},
            ],
        },
        {
            # health probes and the API's discovery: noise
            "level": "None",
            "nonResourceURLs": ["/healthz*", "/livez*", "/readyz*", "/version", "/openapi/*", "/api*"],
            "verbs": ["get"],
        },
        {
            # who opened a shell, a tunnel or a proxy into a workload or node, and to what
            "level": "Metadata",
            "resources": [
                {
                    "group": "",
                    "resources": [
                        "pods/exec",
                        "pods/attach",
                        "pods/portforward",
                        "pods/proxy",
                        "services/proxy",
                        "nodes/proxy",
                    ],
                },
            ],
        },
        {
            # changes to who may do what, and to admission itself: the request and what the server stored
            "level": "RequestResponse",
            "verbs": list(WRITES),
            "resources": [
                {"group": "rbac.authorization.k8s.io"},
                {"group": "admissionregistration.k8s.io"},
                {"group": "certificates.k8s.io"},
            ],
        },
        {"level": "Request", "verbs": list(WRITES)},  # every other change, with what was asked
        {"level": "Metadata"},  # reads: who read what
    ]
    policy = {
        "apiVersion": "audit.k8s.io/v1",
        "kind": "Policy",
        "metadata": {"name": "audit-policy", "annotations": {ANNOTATION: ",".join(items)}},
        "omitStages": ["RequestReceived"],
        "rules": rules,
    }
    return Manifest(
        path="control-plane/audit-policy.yaml",
        documents=(policy,),
        items=items,
        kind="control-plane",
        comment=_header(
            "The API server's audit policy.\n"
            "Secrets, ConfigMaps and TokenReviews at Metadata only (their bodies hold credentials); exec, attach,\n"
            "port-forward and proxy recorded; changes to RBAC and admission in full. The first matching rule\n"
            "decides. The local log is a buffer: ship it off the node and keep it there.",
            ("--audit-policy-file=/etc/kubernetes/audit-policy.yaml", *AUDIT_LOG_FLAGS),
            "1.2.16-1.2.19 (the audit log flags), 3.2.1 and 3.2.2 (the audit policy)",
            items,
        ),
    )


def _encryption(context: BundleContext) -> Manifest:
    items = context.has("etcd-encryption-kms-v2")
    config = {
        "apiVersion": CONFIG_API,
        "kind": "EncryptionConfiguration",
        "resources": [
            {
                "resources": ["secrets"],
                "providers": [
                    # the first provider encrypts; v2 always, since an omitted apiVersion means the retired KMS v1
                    {"kms": {"apiVersion": "v2", "name": "kms-v2", "endpoint": KMS_ENDPOINT, "timeout": "3s"}},
                    {"identity": {}},  # reads Secrets written before encryption, until they are rewritten
                ],
            }
        ],
    }
    return Manifest(
        path="control-plane/encryption-configuration.yaml",
        documents=(config,),
        items=items,
        kind="control-plane",
        comment=_header(
            "Encryption of Secrets at rest in etcd, with a KMS v2 plugin.\n"
            "The endpoint is a placeholder: point it at your KMS plugin's socket\n"
            f"({KMS_ENDPOINT} here). Existing Secrets are encrypted only when rewritten:\n"
            "kubectl get secrets -A -o json | kubectl replace -f -, then drop identity once none is left in\n"
            "plain text.",
            ("--encryption-provider-config=/etc/kubernetes/encryption-configuration.yaml",),
            "1.2.27 and 1.2.28 (an encryption provider configured, and a strong one: KMS)",
            items,
        ),
    )


def _admission(context: BundleContext) -> Manifest:
    items = context.has("psa-restricted-enforce", "cp-apiserver-authn-authz-admission")
    levels: dict[str, str] = {}
    for mode in ("enforce", "audit", "warn"):
        levels |= {mode: "restricted", f"{mode}-version": "latest"}
    config = {
        "apiVersion": CONFIG_API,
        "kind": "AdmissionConfiguration",
        "plugins": [
            {
                "name": "PodSecurity",
                "configuration": {
                    "apiVersion": "pod-security.admission.config.k8s.io/v1",
                    "kind": "PodSecurityConfiguration",
                    "defaults": levels,
                    "exemptions": {
                        "usernames": [],
                        "runtimeClasses": [],
                        "namespaces": list(context.excluded_namespaces),
                    },
                },
            }
        ],
    }
    return Manifest(
        path="control-plane/admission-configuration.yaml",
        documents=(config,),
        items=items,
        kind="control-plane",
        comment=_header(
            "Pod Security Admission's cluster-wide default: the restricted standard.\n"
            "It applies to every namespace without its own pod-security.kubernetes.io labels (a namespace's labels\n"
            f"override it). Exempt namespaces: {', '.join(context.excluded_namespaces)}.",
            ("--admission-control-config-file=/etc/kubernetes/admission-configuration.yaml",),
            "5.2.1 (a policy control mechanism in place)",
            items,
        ),
    )
