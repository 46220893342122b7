"""The bundle's catalog (``controls.json``) and README: every file and object with the checklist items it implements
and their framework ids (``framework@version:id``).

The shape of ``controls.json`` is ``advisor/bundle/schemas/controls.schema.json``. Framework ids come from the
knowledge base: CIS from an item's ``kube-bench/cis-<version>`` checks, OWASP and NSA/CISA from its reference labels,
the compliance frameworks from its ``frameworks`` with the edition ``frameworks.yaml`` labels them with."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from advisor.bundle.model import ANNOTATION, BundleContext, Manifest
from advisor.bundle.namespaces import plan
from advisor.bundle.objects import (
    COLLECTORS_NAMESPACE,
    INGRESS_NAMESPACE,
    MONITORING_NAMESPACE,
    PSA_ENFORCE_VERSION,
    slug,
)
from advisor.engine import KnowledgeBase
from advisor.exports.text import md_escape

FORMAT = "advisor-bundle-catalog"
FORMAT_VERSION = 1
CIS_SOURCE = re.compile(r"kube-bench/cis-(\d+(?:\.\d+)*)")  # the upstream benchmark, not a provider's edition
OWASP = re.compile(r"OWASP Kubernetes Top 10 \((\d{4})\) (K\d{2})\b")
NSA = re.compile(r"NSA/CISA Kubernetes Hardening Guidance v(\d+(?:\.\d+)*) — (.+)")
# frameworks.yaml names each edition only in its label: its id here, and the version that label gives
COMPLIANCE = {
    "pci_dss": ("pci-dss", "4.0.1"),
    "hipaa": ("hipaa", "2013"),  # the Security Rule as last amended (the Omnibus Rule)
    "soc2": ("soc2", "2017"),  # the Trust Services Criteria of 2017 (points of focus revised in 2022)
    "iso27001": ("iso27001", "2022"),
    "gdpr": ("gdpr", "2016-679"),
}
# the OWASP Kubernetes Top 10's 2025 list renumbered the 2022 one: the 2025 id of each 2022 risk, matched by title
# (K03's RBAC became K02's authorization, K04's "centralized" became "cluster level"; 2025's K07 joins 2022's K09
# and K10). 2022's K02, supply chain, has no 2025 counterpart
OWASP_2025 = {
    "K01": "K01",
    "K03": "K02",
    "K04": "K04",
    "K05": "K10",
    "K06": "K09",
    "K07": "K05",
    "K08": "K03",
    "K09": "K07",
    "K10": "K07",
}
NIST_190 = ("nist-sp-800-190", "2017")  # requirement ids "800-190 4.3.3"
NIST_53 = ("nist-sp-800-53", "rev5")  # requirement ids "AC-6"
OPTIONAL_CHECKS = (
    ("kubeconform", "validates every manifest against the Kubernetes schemas of your cluster's version"),
    ("kube-linter", "lints the objects for risky settings"),
    ("the Kyverno CLI", "runs your own Kyverno policies over the files (`kyverno apply`)"),
    ("gator", "tests the files against Gatekeeper constraints (`gator test`)"),
)


def item_frameworks(kb: KnowledgeBase, item_id: str) -> list[str]:
    """The framework ids of a checklist item, ``framework@version:id``, in a stable order."""
    item = kb.item_by_id.get(item_id)
    if item is None:  # withdrawn since the result was made
        return []
    out: list[str] = []
    for source, checks in item.controls.items():
        if m := CIS_SOURCE.fullmatch(source):
            out += [f"cis-k8s@{m.group(1)}:{check}" for check in checks]
    for reference in item.references:
        if m := OWASP.search(reference.label):
            out.append(f"owasp-k8s@{m.group(1)}:{m.group(2)}")
            if m.group(1) == "2022" and m.group(2) in OWASP_2025:  # the same risk in the newer list
                out.append(f"owasp-k8s@2025:{OWASP_2025[m.group(2)]}")
        elif m := NSA.search(reference.label):
            out.append(f"nsa-cisa@{m.group(1)}:{slug(m.group(2))}")
    for framework, requirements in item.frameworks.items():
        out += [compliance_id(kb, framework, requirement) for requirement in requirements]
    return list(dict.fromkeys(out))


def compliance_id(kb: KnowledgeBase, framework: str, requirement: str) -> str:
    if framework == "nist":
        name, version = NIST_190 if requirement.startswith("800-190 ") else NIST_53
        return f"{name}@{version}:{requirement.removeprefix('800-190 ')}"
    if framework in COMPLIANCE:
        name, version = COMPLIANCE[framework]
    else:  # an organisation's own framework: the version its label carries, if any
        model = kb.framework_by_id.get(framework)
        found = re.search(r"\d+(?:[.:/-]\d+)*", model.label) if model else None
        name, version = slug(framework), (slug(found.group()) if found else "unversioned")
    return f"{name}@{version}:{requirement}"


def _framework_names(framework: str) -> tuple[str, ...]:
    """The names a compliance framework's ids carry (NIST's two publications carry two)."""
    if framework == "nist":
        return (NIST_190[0], NIST_53[0])
    return (COMPLIANCE.get(framework, (slug(framework), ""))[0],)


def bundle_name(context: BundleContext) -> str:
    return f"advisor-starter-{context.result['knowledge_base_version']}"


def object_items(document: Mapping[str, Any], manifest: Manifest) -> list[str]:
    """The items an object's annotation names; a configuration file's document (no annotation) has its file's."""
    annotations = (document.get("metadata") or {}).get("annotations") or {}
    value = annotations.get(ANNOTATION)
    return [i for i in str(value).split(",") if i] if value is not None else list(manifest.items)


def catalog(
    context: BundleContext, manifests: Sequence[Manifest], export: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    result = context.result
    cache: dict[str, list[str]] = {}

    def ids(items: Sequence[str]) -> list[str]:
        found = [f for i in items for f in cache.setdefault(i, item_frameworks(context.kb, i))]
        return list(dict.fromkeys(found))

    files = []
    for manifest in manifests:
        objects = []
        for document in manifest.documents:
            metadata = document.get("metadata") or {}
            items = object_items(document, manifest)
            objects.append(
                {
                    "api_version": str(document.get("apiVersion", "")),
                    "kind": str(document.get("kind", "")),
                    "name": metadata.get("name"),
                    "namespace": metadata.get("namespace"),
                    "items": items,
                    "frameworks": ids(items),
                }
            )
        files.append(
            {
                "path": manifest.path,
                "kind": manifest.kind,
                "items": list(manifest.items),
                "frameworks": ids(manifest.items),
                "objects": objects,
            }
        )
    titles = {str(i["id"]): str(i["title"]) for i in result["checklist"]}
    used = [i for i in context.checklist if any(i in m.items for m in manifests)]
    canonical = json.dumps(result, sort_keys=True, separators=(",", ":"), default=str).encode()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "bundle": {"name": bundle_name(context), "version": str(result["knowledge_base_version"])},
        "result": {
            "engine_version": str(result["engine_version"]),
            "knowledge_base_version": str(result["knowledge_base_version"]),
            "sha256": hashlib.sha256(canonical).hexdigest(),
        },
        **({"export": dict(export)} if export else {}),
        "excluded_namespaces": list(context.excluded_namespaces),
        "items": [{"id": i, "title": titles[i], "frameworks": ids([i])} for i in used],
        "files": files,
    }


def _natural(text: str) -> list[Any]:
    """Sort key that puts 5.1.10 after 5.1.9."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def readme(context: BundleContext, manifests: Sequence[Manifest], export: Mapping[str, Any] | None = None) -> str:
    result = context.result
    answers = context.answers
    name = bundle_name(context)
    titles = {str(i["id"]): str(i["title"]) for i in result["checklist"]}
    ticked = [f for f in answers.get("compliance") or () if isinstance(f, str)]
    kept = {"cis-k8s", "owasp-k8s", "nsa-cisa"} | {name for f in ticked for name in _framework_names(f)}
    paths = [m.path for m in manifests]
    control_plane = [m for m in manifests if m.kind == "control-plane"]
    layout = plan(context)
    placeholders = any(p.placeholder for p in layout)
    strategy = _label(context, "namespaces") or "one namespace per team"
    lines = [
        f"# {name}",
        "",
        "A starter policy bundle for this assessment: the first Kubernetes manifests that implement the guardrails",
        f"its checklist asks for, made from the result of engine {result['engine_version']} with knowledge base",
        f"{result['knowledge_base_version']}. It is a starting point to review, rename and extend, not a finished",
        "policy set: every object names the checklist items it implements in the annotation",
        f"`{ANNOTATION}`, and `controls.json` maps every file and object to those items and their framework ids",
        "(`framework@version:id`, for example `cis-k8s@1.12:5.3.2`).",
        *(
            [
                "",
                f"Made from revision {export['revision']} of assessment {export['assessment_id']} at"
                f" {export['made_at']}: export `{export['id']}`, under",
                "which the assessment's activity log records it.",
            ]
            if export
            else []
        ),
        "",
        "## What it holds",
        "",
        "```",
        *_tree(paths),
        "```",
        "",
        f"Namespaces follow the recommended layout ({md_escape(strategy)}): each has Pod Security Admission labels,",
        "a default-deny NetworkPolicy that allows DNS, a ResourceQuota with a LimitRange beside it",
        "(so that pods without requests still start), and Roles for its owning team.",
        *(
            [
                "Several clusters are recommended: apply to each cluster the namespaces it runs (for example the",
                "production namespaces in the production cluster); remove the others from its copy of",
                "`base/kustomization.yaml`.",
            ]
            if context.recommended("clusters") == "multi"
            else []
        ),
        "",
        "## How to apply it",
        "",
        "1. Read every file, rename the placeholders, and change the assumptions below to match your clusters.",
        "2. `kubectl apply -k overlays/audit`: the admission policies only warn and write audit events.",
        "   Watch the warnings `kubectl` prints and the audit events (they need API audit logging) for a while.",
        "3. Fix what they report, then move policies to enforcement one at a time: keep in",
        "   `overlays/enforce/kustomization.yaml` only the bindings (one file each) of policies that no longer",
        "   report anything, and `kubectl apply -k overlays/enforce`. A binding has its policy's name in both",
        "   overlays, so each enforced binding replaces its audit one, and the others go on auditing.",
        "",
        "NetworkPolicies, the Pod Security labels, quotas and the mesh's policies have no audit mode: they act as",
        "soon as `base/` is applied, in either overlay. Apply them to a namespace before its workloads arrive, or",
        "with the allow rules those workloads need. Pod Security `warn` and `audit` report what `restricted` would",
        f"reject; `enforce` is pinned to {PSA_ENFORCE_VERSION}: raise it after each upgrade.",
        "",
        "## Namespaces left alone",
        "",
        "The admission policies exclude these namespaces (their own components need rights the policies refuse);",
        "keep the list short and review it:",
        "",
        *[f"- `{n}`" for n in context.excluded_namespaces],
        "",
        "## Assumptions and placeholders",
        "",
    ]
    assumptions = [
        "NetworkPolicies are enforced only by a CNI plugin that supports them (CIS 5.3.1): check yours does, and",
        "  prove it with a test namespace. Pods on the host network are not covered.",
        "- DNS is allowed to the pods labelled `k8s-app: kube-dns` in `kube-system`. On OpenShift DNS runs in",
        "  `openshift-dns` on port 5353; with NodeLocal DNSCache pods query a node-local address, which needs an",
        "  `ipBlock` rule: change `allow-dns` accordingly.",
        f"- Metrics are scraped from the namespace `{MONITORING_NAMESPACE}`.",
    ]
    if answers.get("exposure") in ("public_web", "public_api"):
        assumptions.append(f"- The ingress controller or Gateway runs in the namespace `{INGRESS_NAMESPACE}`.")
    if context.recommended("tool_integration"):
        assumptions.append(
            f"- The outside tools' collectors and agents run in `{COLLECTORS_NAMESPACE}` and receive OpenTelemetry"
            "\n  (4317, 4318). Their own traffic to the tools leaves the cluster: allow it by address, as the"
            "\n  commented template in each `network-policies.yaml` shows; the bundle invents no addresses."
        )
    if context.mesh:
        mode = "sidecars" if context.mesh == "sidecar" else "ambient mode (no sidecars)"
        assumptions.append(
            f"- The mesh is Istio 1.22 or later, in {mode}, with its CNI plugin: `istio-system` is the one"
            "\n  privileged namespace, for its node agents. Install Istio before applying the bundle (its custom"
            "\n  resources must exist)."
        )
    assumptions.append(
        "- Role bindings name groups `<owner>-developers`: rename them to the groups of your identity provider."
    )
    if context.apps and not any(p.app for p in layout):
        assumptions.append(
            f"- The application names given name no namespace: the recommended layout is “{md_escape(strategy)}”."
            "\n  The teams they name (`payments/checkout`) are among the teams all the same."
        )
    if any(p.app and p.team is None and not p.placeholder for p in layout):
        assumptions.append(
            "- With several teams, an application given without its team (`payments/checkout` names one) has its"
            "\n  namespaces bound to a group of its own, `<application>-developers`."
        )
    if placeholders:
        assumptions.append(
            "- PLACEHOLDER names: where no team or application names were given, the bundle uses `team-N` and"
            "\n  `app-N` (at most three of each, and one team when a single team runs everything). Rename them, and"
            "\n  copy a namespace's folder for each further one."
        )
    lines += ["- " + assumptions[0], *assumptions[1:], ""]
    if control_plane:
        lines += [
            "## Control-plane configuration (self-managed clusters)",
            "",
            "The files under `control-plane/` configure the API server itself. They are not API objects: `kubectl`",
            "rejects them and no kustomization lists them. Install them on the control-plane nodes with the flags",
            "their comments name.",
            "",
            *[f"- `{m.path}`: {md_escape(m.comment.splitlines()[0] if m.comment else '')}" for m in control_plane],
            "",
        ]
    lines += [
        "## Files, checklist items and framework ids",
        "",
        "Framework ids shown: CIS Kubernetes Benchmark, OWASP Kubernetes Top 10 (2022 ids, and 2025 ids of the same"
        " risks), NSA/CISA hardening guidance"
        + (" and the ticked compliance frameworks" if ticked else "")
        + "; `controls.json` lists them all.",
        "They are the ids of the items a file helps implement, not a claim that the file alone meets each",
        "control: an item usually also needs what no manifest holds (settings, processes, evidence), and each",
        "item in the assessment's checklist says what.",
        "",
        "| File | Checklist items | Framework ids of those items |",
        "|---|---|---|",
    ]
    cache: dict[str, list[str]] = {}
    for manifest in manifests:
        items = ", ".join(md_escape(i) for i in manifest.items) or "—"
        found = [f for i in manifest.items for f in cache.setdefault(i, item_frameworks(context.kb, i))]
        shown = sorted({f for f in found if f.partition("@")[0] in kept}, key=_natural)
        lines.append(f"| `{manifest.path}` | {items} | {md_escape(', '.join(shown)) or '—'} |")
    used = [i for i in context.checklist if any(i in m.items for m in manifests)]
    lines += ["", "The checklist items:", "", *[f"- `{i}`: {md_escape(titles.get(i, ''))}" for i in used]]
    lines += [
        "",
        "## Optional checks",
        "",
        "Not shipped with the bundle; run them where you have them:",
        "",
        *[f"- {tool}: {what}." for tool, what in OPTIONAL_CHECKS],
        "",
    ]
    return "\n".join(lines)


def _label(context: BundleContext, decision: str) -> str | None:
    """The recommended alternative's label, as the report shows it."""
    chosen = context.recommended(decision)
    for d in context.result["decisions"]:
        if d["id"] == decision:
            return next((str(a.get("label") or chosen) for a in d["alternatives"] if a["id"] == chosen), None)
    return None


def _tree(paths: Sequence[str]) -> list[str]:
    """The zip's files as an indented tree: the two top files, base/, the overlays, control-plane/, SHA256SUMS."""
    every = [*paths, "base/kustomization.yaml", "overlays/audit/kustomization.yaml"]
    every.append("overlays/enforce/kustomization.yaml")
    folders = ("base/", "overlays/audit/", "overlays/enforce/", "control-plane/")
    order = sorted(every, key=lambda p: (next((n for n, f in enumerate(folders) if p.startswith(f)), 9), p))
    out: list[str] = ["README.md", "controls.json"]
    seen: set[str] = set()
    for path in [*order, "SHA256SUMS"]:
        parts = path.split("/")
        for depth in range(len(parts)):
            key = "/".join(parts[: depth + 1])
            if key in seen:
                continue
            seen.add(key)
            last = depth == len(parts) - 1
            out.append("  " * depth + parts[depth] + ("" if last else "/"))
    return out
