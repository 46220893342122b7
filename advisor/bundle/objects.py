"""Small builders the core generators share: an annotated API object, and DNS-1123 names from the user's text."""

from __future__ import annotations

from typing import Any

from advisor import exports
from advisor.bundle.model import ANNOTATION

MAX_NAME = 63  # a DNS-1123 label: what namespace names (and the names built on them) must fit


def api_object(
    api_version: str,
    kind: str,
    name: str,
    items: tuple[str, ...],
    *,
    namespace: str | None = None,
    labels: dict[str, str] | None = None,
    **body: Any,
) -> dict[str, Any]:
    """An API object whose metadata carries ``ANNOTATION`` = the checklist items it implements."""
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    if labels:
        metadata["labels"] = labels
    metadata["annotations"] = {ANNOTATION: ",".join(items)}
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **body}


def slug(text: str, room: int = MAX_NAME) -> str:
    """``text`` as a DNS-1123 label of at most ``room`` characters ("" when nothing usable is left): the file names'
    slug ("Équipe" → "equipe"), with a label's length."""
    return exports.slug(text, room)


def union(context_order: tuple[str, ...], *groups: tuple[str, ...]) -> tuple[str, ...]:
    """The items of every group, once each, in checklist order."""
    found = {i for group in groups for i in group}
    return tuple(i for i in context_order if i in found)


# namespaces the bundle assumes the platform already runs (it creates none of them): its policies name them, and
# the README lists them as assumptions to check
INGRESS_NAMESPACE = "ingress"  # the ingress controller or Gateway implementation
MONITORING_NAMESPACE = "monitoring"  # the metrics scraper (Prometheus or the like)
COLLECTORS_NAMESPACE = "observability"  # the collectors and agents of the outside tools

# Pod Security Admission: enforce pinned to the oldest minor the bundle targets, so an upgrade never tightens
# admission by surprise; warn and audit follow the newest standard, so its changes show up before they bite
PSA_ENFORCE_VERSION = "v1.30"
PSA_REPORT_VERSION = "latest"


def psa_labels(enforce: str, report: str) -> dict[str, str]:
    """The six Pod Security Admission labels: ``enforce`` rejects Pods, ``report`` is what warn and audit check
    (they also cover Deployments and other templates, which enforce does not)."""
    return {
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/enforce-version": PSA_ENFORCE_VERSION,
        "pod-security.kubernetes.io/warn": report,
        "pod-security.kubernetes.io/warn-version": PSA_REPORT_VERSION,
        "pod-security.kubernetes.io/audit": report,
        "pod-security.kubernetes.io/audit-version": PSA_REPORT_VERSION,
    }
