"""The starter policy bundle (issue 17): for a stored result, the first manifests that implement its guardrails, as
a kustomize tree in a zip. Pure Python, no Flask: the web, the API and ``advisor bundle`` all call ``build_bundle``.

Layout of the zip (``Bundle.files``):

- ``README.md``: what the bundle holds, how to apply it (audit first, then enforce), what it assumes, and the
  optional checks users can run (kubeconform, kube-linter, the Kyverno CLI, gator) that this app does not ship;
- ``controls.json``: the catalog, each file and object with the checklist items it implements and their framework
  ids, stored as ``framework@version:id`` (``cis-k8s@1.12:5.3.2``);
- ``base/``: the API objects every overlay applies: namespaces with Pod Security Admission labels, per namespace
  NetworkPolicies, a ResourceQuota beside a LimitRange, team Roles and RoleBindings, the mesh's objects when a mesh
  is recommended, and the ValidatingAdmissionPolicies (without bindings: a policy does nothing until bound);
- ``overlays/audit/`` and ``overlays/enforce/``: ``../../base`` plus the bindings, ``[Warn, Audit]`` or ``[Deny]``;
- ``control-plane/`` (self-managed hosting only): API-server configuration files, never in a kustomization;
- ``SHA256SUMS``, the last entry, as every zip the app writes.
"""

from advisor.bundle.build import Bundle, build_bundle
from advisor.bundle.model import ANNOTATION, BundleContext, Manifest

__all__ = ["ANNOTATION", "Bundle", "BundleContext", "Manifest", "build_bundle"]
