"""What the bundle's generators produce and read: one file of manifests (``Manifest``) and the context every
generator gets (``BundleContext``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from advisor.engine import KnowledgeBase

# the annotation every API object carries: the checklist item ids it implements, comma-separated, in checklist order
ANNOTATION = "k8s-architecture-advisor.invalid/checklist-items"
# what a file is: API objects kustomize applies from base/, an overlay's bindings, or an API-server configuration
# file (self-managed clusters only) that ``kubectl apply`` would reject and no kustomization lists
FileKind = Literal["base", "overlay-audit", "overlay-enforce", "control-plane"]
# namespaces the bundle's admission policies leave alone, listed in every binding and the README (never silent)
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
MESH_NAMESPACE = "istio-system"  # Istio's root namespace, where its CNI DaemonSet runs (privileged)


@dataclass(frozen=True)
class Manifest:
    """One YAML file of the bundle: its path in the zip, its documents, and the checklist items it implements."""

    path: str  # e.g. "base/namespaces/payments-api/network-policies.yaml"
    documents: tuple[dict[str, Any], ...]  # API objects, or the one configuration document of a control-plane file
    items: tuple[str, ...]  # checklist item ids, in checklist order
    kind: FileKind = "base"
    comment: str = ""  # the file's header comment (plain text, one or more lines): what it is and why
    # per document, more lines of comment written right above it (e.g. commented allow templates); may be empty
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BundleContext:
    """What the generators read: the stored result (contract §4), the knowledge base, and the names the user gave."""

    result: Mapping[str, Any]
    kb: KnowledgeBase
    teams: tuple[str, ...]
    apps: tuple[str, ...]
    checklist: tuple[str, ...] = field(init=False)  # the result's checklist item ids, in order

    def __post_init__(self) -> None:
        object.__setattr__(self, "checklist", tuple(str(i["id"]) for i in self.result["checklist"]))

    @property
    def answers(self) -> Mapping[str, Any]:
        answers: Mapping[str, Any] = self.result["answers"]
        return answers

    def recommended(self, decision: str) -> str | None:
        """The alternative recommended for ``decision`` (None when not applicable or nothing is left)."""
        for d in self.result["decisions"]:
            if d["id"] == decision:
                return str(d["recommended"]) if d["applicable"] and d["recommended"] else None
        return None

    def has(self, *items: str) -> tuple[str, ...]:
        """Those of ``items`` the checklist holds, in checklist order: what a file may claim to implement."""
        return tuple(i for i in self.checklist if i in items)

    @property
    def self_managed(self) -> bool:
        return self.recommended("hosting") == "self_managed"

    @property
    def excluded_namespaces(self) -> tuple[str, ...]:
        """The system namespaces, and the mesh's when a mesh is recommended."""
        return SYSTEM_NAMESPACES + ((MESH_NAMESPACE,) if self.mesh else ())

    @property
    def mesh(self) -> str | None:
        """``sidecar`` or ``sidecarless`` when a mesh is recommended, else None."""
        chosen = self.recommended("service_mesh")
        return chosen if chosen in ("sidecar", "sidecarless") else None
