"""Assemble the bundle: every generator's manifests, the kustomizations, the catalog, the README, the zip."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from advisor.bundle import admission, control_plane, mesh, namespaces, network, rbac
from advisor.bundle.catalog import catalog, readme
from advisor.bundle.model import BundleContext, Manifest
from advisor.engine import KnowledgeBase
from advisor.exports.archive import zip_with_manifest


@dataclass(frozen=True)
class Bundle:
    context: BundleContext
    manifests: tuple[Manifest, ...]
    readme: str
    catalog: dict[str, Any]

    def files(self) -> dict[str, bytes]:
        """Every file of the zip but SHA256SUMS, path → bytes, in a stable order."""
        out = {"README.md": self.readme.encode(), "controls.json": (json.dumps(self.catalog, indent=2) + "\n").encode()}
        for manifest in self.manifests:
            out[manifest.path] = render_yaml(manifest).encode()
        out.update({path: text.encode() for path, text in kustomizations(self.manifests).items()})
        return out

    def to_zip(self, dated: dt.datetime) -> bytes:
        return zip_with_manifest(self.files(), dated)

    def files_for_item(self, item_id: str) -> list[str]:
        """The paths of the files implementing ``item_id``: what the report links the item to."""
        return [m.path for m in self.manifests if item_id in m.items]


def render_yaml(manifest: Manifest) -> str:
    """The file: its header comment, then each document (with its notes above it), ``---`` between them."""
    parts = [_comment(manifest.comment)] if manifest.comment else []
    for n, document in enumerate(manifest.documents):
        note = manifest.notes[n] if n < len(manifest.notes) else ""
        body = yaml.dump(
            document, Dumper=_NoAliases, sort_keys=False, default_flow_style=False, allow_unicode=True, width=100
        )
        parts.append(("---\n" if n else "") + (_comment(note) if note else "") + body)  # a note heads its document
    return "".join(parts)


class _NoAliases(yaml.SafeDumper):
    """Writes a value shared between two places twice, never as ``&id001``/``*id001``: people read these files."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _comment(text: str) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in text.splitlines())


def kustomizations(manifests: Sequence[Manifest]) -> dict[str, str]:
    """base/ lists every base file; each overlay lists ../../base and its own bindings. Control-plane files are in
    no kustomization: kubectl would reject them."""
    base = [m.path.removeprefix("base/") for m in manifests if m.kind == "base"]
    out = {"base/kustomization.yaml": _kustomization(base)}
    for overlay in ("audit", "enforce"):
        own = [m.path.removeprefix(f"overlays/{overlay}/") for m in manifests if m.kind == f"overlay-{overlay}"]
        out[f"overlays/{overlay}/kustomization.yaml"] = _kustomization(["../../base", *own])
    return out


def _kustomization(resources: list[str]) -> str:
    document = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": resources}
    return yaml.safe_dump(document, sort_keys=False)


def build_bundle(
    result: Mapping[str, Any],
    kb: KnowledgeBase,
    *,
    teams: Sequence[str] = (),
    apps: Sequence[str] = (),
    export: Mapping[str, Any] | None = None,
) -> Bundle:
    """The starter bundle for ``result`` (a stored revision's, or ``advisor evaluate``'s). ``export`` (id,
    assessment_id, revision, made_at) says which recorded export of a stored revision it is."""
    context = BundleContext(result, kb, tuple(teams), tuple(apps))
    found = generated(context)
    return Bundle(context, found, readme(context, found, export), catalog(context, found, export))


def files_only(result: Mapping[str, Any], kb: KnowledgeBase) -> Bundle:
    """The bundle made without names, with no README or catalog: what the report's links need, in a tenth of the
    time (the catalog and README take most of it)."""
    context = BundleContext(result, kb, (), ())
    return Bundle(context, generated(context), "", {})


def generated(context: BundleContext) -> tuple[Manifest, ...]:
    manifests: list[Manifest] = []
    for module in (namespaces, network, rbac, mesh, admission, control_plane):
        manifests += module.generate(context)
    return tuple(manifests)
