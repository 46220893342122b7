"""The bundle's catalog (controls.json) and README (no database): the catalog validates against its schema and
names every file and object with its items and framework ids; the README lists the excluded namespaces, every
file, and what the bundle assumes."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import advisor.bundle
from advisor.bundle import control_plane
from advisor.bundle.build import Bundle, build_bundle
from advisor.bundle.catalog import COMPLIANCE, NIST_53, NIST_190, OWASP, OWASP_2025, item_frameworks
from advisor.bundle.model import ANNOTATION, BundleContext, Manifest
from advisor.bundle.namespaces import plan
from tests.bundle_cases import CASES, CLOUD_NAMES, IDS, Case, kb, result_of

SCHEMA = json.loads((Path(advisor.bundle.__file__).parent / "schemas" / "controls.schema.json").read_text())
FRAMEWORK_ID = re.compile(r"^[a-z0-9][a-z0-9-]*@[A-Za-z0-9][A-Za-z0-9.-]*:\S(.*\S)?$")
# what the other generators would add: a configuration file of a self-managed cluster, outside every kustomization
AUDIT_POLICY = Manifest(
    "control-plane/audit-policy.yaml",
    ({"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "omitStages": ["RequestReceived"], "rules": []},),
    ("audit-policy-and-backend",),
    kind="control-plane",
    comment="The API server's audit policy, for --audit-policy-file.",
)


def bundle_of(case: Case) -> Bundle:
    return build_bundle(result_of(case), kb(), teams=case.teams, apps=case.apps)


@pytest.fixture(params=CASES, ids=IDS)
def bundle(request: pytest.FixtureRequest) -> Bundle:
    return bundle_of(request.param)


def validate(catalog: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(catalog)


def test_the_catalog_validates_against_its_schema(bundle: Bundle) -> None:
    validate(bundle.catalog)
    written = json.loads(bundle.files()["controls.json"])
    assert written == bundle.catalog
    result = bundle.context.result
    assert written["bundle"]["name"] == f"advisor-starter-{result['knowledge_base_version']}"
    assert written["result"]["engine_version"] == result["engine_version"]


def test_the_schema_refuses_what_the_catalog_must_not_hold(bundle: Bundle) -> None:
    broken = json.loads(json.dumps(bundle.catalog))
    broken["files"][0]["objects"][0]["frameworks"] = ["CIS 5.3.2"]
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)
    broken = json.loads(json.dumps(bundle.catalog))
    del broken["files"][0]["objects"][0]["items"]
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)
    export = {
        "id": "0b9c5a52-3f1e-4d8a-9c1b-2f6e8d7a4c10",
        "assessment_id": 1,
        "revision": 2,
        "made_at": "2026-12-03T02:00:00+00:00",
    }
    validate(bundle.catalog | {"export": export})
    with pytest.raises(jsonschema.ValidationError):
        validate(bundle.catalog | {"export": export | {"id": "export 7"}})


def test_every_file_and_object_is_in_the_catalog_with_its_items(bundle: Bundle) -> None:
    entries = {f["path"]: f for f in bundle.catalog["files"]}
    assert list(entries) == [m.path for m in bundle.manifests]
    for manifest in bundle.manifests:
        entry = entries[manifest.path]
        assert entry["items"] == list(manifest.items)
        assert entry["kind"] == manifest.kind
        assert len(entry["objects"]) == len(manifest.documents)
        for listed, document in zip(entry["objects"], manifest.documents, strict=True):
            # an API-server configuration file (EncryptionConfiguration, AdmissionConfiguration) has no metadata:
            # its file's items stand for it
            metadata = document.get("metadata") or {}
            assert (listed["kind"], listed["name"], listed["namespace"]) == (
                document["kind"],
                metadata.get("name"),
                metadata.get("namespace"),
            )
            annotated = (metadata.get("annotations") or {}).get(ANNOTATION)
            assert annotated or manifest.kind == "control-plane", f"{manifest.path}: an API object without its items"
            assert listed["items"] == (annotated.split(",") if annotated else list(manifest.items))
            assert set(listed["frameworks"]) <= set(entry["frameworks"])
            for framework in listed["frameworks"]:
                assert FRAMEWORK_ID.fullmatch(framework), framework
    listed_items = [i["id"] for i in bundle.catalog["items"]]
    assert listed_items == [i for i in bundle.context.checklist if any(i in m.items for m in bundle.manifests)]


def test_framework_ids_come_from_the_knowledge_base() -> None:
    base = kb()
    found = item_frameworks(base, "netpol-default-deny")
    for expected in (
        "cis-k8s@1.12:5.3.1",
        "cis-k8s@1.12:5.3.2",
        "owasp-k8s@2022:K07",
        "owasp-k8s@2025:K05",  # the same risk, missing network segmentation, renumbered
        "nsa-cisa@1.2:network-separation-and-hardening",
        "pci-dss@4.0.1:1.2",
        "iso27001@2022:8.22",
        "nist-sp-800-190@2017:4.3.3",
        "nist-sp-800-53@rev5:SC-7",
    ):
        assert expected in found
    assert not [f for f in found if f.startswith(("cis-eks", "cis-aks", "cis-gke"))]  # providers' editions left out
    for item in base.items:
        ids = item_frameworks(base, item.id)
        assert all(FRAMEWORK_ID.fullmatch(f) for f in ids), ids
        cis = {f.removeprefix("cis-k8s@1.12:") for f in ids if f.startswith("cis-k8s@")}
        assert cis == set(item.controls.get("kube-bench/cis-1.12", []))
        cited = {
            f"owasp-k8s@{m.group(1)}:{m.group(2)}" for r in item.references if (m := OWASP.search(r.label)) is not None
        }
        old = [i.rsplit(":", 1)[1] for i in cited if "@2022:" in i]
        renumbered = {f"owasp-k8s@2025:{OWASP_2025[k]}" for k in old if k != "K02"}  # supply chain: not in 2025
        assert {f for f in ids if f.startswith("owasp-k8s@")} == cited | renumbered
        compliance = sum(len(requirements) for requirements in item.frameworks.values())
        assert len([f for f in ids if not f.startswith(("cis-", "owasp-", "nsa-"))]) == compliance
    assert item_frameworks(base, "no-such-item") == []


def test_the_framework_editions_agree_with_frameworks_yaml() -> None:
    labels = {f.id: f.label for f in kb().frameworks}
    assert set(COMPLIANCE) | {"nist"} == set(labels)
    for framework in ("pci_dss", "iso27001"):  # the labels that carry their edition
        assert COMPLIANCE[framework][1] in labels[framework]
    assert "2016/679" in labels["gdpr"]
    assert "Rev. 5" in labels["nist"]
    assert (NIST_190[0], NIST_53[0]) == ("nist-sp-800-190", "nist-sp-800-53")


def test_the_result_identity_changes_with_the_result() -> None:
    first = bundle_of(CASES[0]).catalog["result"]["sha256"]
    assert bundle_of(CASES[0]).catalog["result"]["sha256"] == first
    assert bundle_of(CASES[1]).catalog["result"]["sha256"] != first


def test_the_readme_lists_the_excluded_namespaces_and_every_file(bundle: Bundle) -> None:
    text = bundle.readme
    section = text.split("## Namespaces left alone", 1)[1].split("\n## ", 1)[0]
    assert [line[3:-1] for line in section.splitlines() if line.startswith("- `")] == list(
        bundle.context.excluded_namespaces
    )
    for manifest in bundle.manifests:
        assert f"| `{manifest.path}` | {', '.join(manifest.items)} |" in text
    # a file's framework ids are its items', and the README says a file does not meet them alone
    assert "| File | Checklist items | Framework ids of those items |" in text
    assert "not a claim that the file alone meets each" in text
    tree = text.split("```", 2)[1]
    for path in bundle.files():
        assert path.rsplit("/", 1)[-1] in tree, path
    assert "kubectl apply -k overlays/audit" in text
    assert "kubectl apply -k overlays/enforce" in text
    for tool in ("kubeconform", "kube-linter", "Kyverno CLI", "gator"):
        assert tool in text
    assert "openshift-dns" in text
    assert "CIS 5.3.1" in text
    assert ("control-plane/" in text) == bundle.context.self_managed  # only with control-plane files
    placeholders = any(p.placeholder for p in plan(bundle.context))
    assert ("PLACEHOLDER names" in text) == placeholders
    assert ("Istio" in text) == bool(bundle.context.mesh)
    if bundle.context.answers["infrastructure"] == "on_prem":
        assert not CLOUD_NAMES.search(text + bundle.files()["controls.json"].decode())


def test_the_readme_says_what_the_control_plane_folder_holds_when_there_is_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(control_plane, "generate", lambda context: [AUDIT_POLICY])
    built = bundle_of(next(c for c in CASES if c.id == "bank-airgap"))
    assert "## Control-plane configuration (self-managed clusters)" in built.readme
    assert (
        "- `control-plane/audit-policy.yaml`: The API server's audit policy, for --audit-policy-file." in built.readme
    )
    validate(built.catalog)
    (entry,) = [f for f in built.catalog["files"] if f["kind"] == "control-plane"]
    # a configuration document has no metadata: its file's items, no name, no namespace
    assert entry["objects"] == [
        {
            "api_version": "audit.k8s.io/v1",
            "kind": "Policy",
            "name": None,
            "namespace": None,
            "items": ["audit-policy-and-backend"],
            "frameworks": entry["frameworks"],
        }
    ]
    assert "control-plane/audit-policy.yaml" not in built.files()["base/kustomization.yaml"].decode()


def test_the_readme_escapes_text_from_the_knowledge_base() -> None:
    result = result_of(CASES[0])
    item = next(i for i in result["checklist"] if i["id"] == "netpol-default-deny")
    item["title"] = "Deny | allow <script>"
    built = build_bundle(result, kb())
    assert "`netpol-default-deny`: Deny \\| allow \\<script\\>" in built.readme
    assert "<script>" not in built.readme


def test_the_zip_holds_the_readme_the_catalog_and_every_manifest() -> None:
    built = bundle_of(CASES[2])
    with zipfile.ZipFile(io.BytesIO(built.to_zip(dt.datetime(2026, 12, 1, tzinfo=dt.UTC)))) as archive:
        names = archive.namelist()
        assert json.loads(archive.read("controls.json")) == built.catalog
    assert names[:2] == ["README.md", "controls.json"]
    assert names[-1] == "SHA256SUMS"
    assert {m.path for m in built.manifests} <= set(names)


def test_a_context_without_names_marks_the_placeholders_in_the_readme() -> None:
    case = next(c for c in CASES if c.id == "startup")
    built = bundle_of(case)
    assert isinstance(built.context, BundleContext)
    assert "`team-N`" in built.readme
    assert "app-1-dev" in built.readme
