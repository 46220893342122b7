"""Scanner control ids on checklist items: the catalog (controls.yaml), its checks at load, and the lookup
from a scanner's (tool, benchmark, check) to the items it verifies."""

from __future__ import annotations

import csv
import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from advisor.engine import KnowledgeBase, KnowledgeBaseError, evaluate, load_knowledge_base
from advisor.engine.knowledge import BUILTIN_DIR
from tests.helpers import BASE_ANSWERS
from tests.test_custom_kb import OWN_ITEM, write_overlay

ROOT = Path(__file__).resolve().parents[1]
# the developers' folder of real scanner output and the scanners' tables: used when present, never required
SAMPLES = ROOT.parent / "shared" / "scanner-samples"
needs_samples = pytest.mark.skipif(
    not (SAMPLES / "_mapping").is_dir(), reason="the scanner tables (../shared/scanner-samples/_mapping) are absent"
)

KEYS = [
    "kube-bench/cis-1.12",
    "kube-bench/eks-1.8.0",
    "kube-bench/aks-1.8",
    "kube-bench/gke-1.9.0",
    "kubescape/cis-v1.12.0",
    "kubescape",
    "trivy/k8s-cis-1.23",
    "trivy",
    "polaris",
    "checkov",
]
# kube-bench cis-1.12 section 5 ids no item claims: the benchmark asks for the ImagePolicyWebhook plugin by name,
# while supply-trusted-registries enforces registries with any admission policy, so its pass would not follow
UNMAPPED_SECTION_5 = {"5.5.1"}
# items of process or of work no scanner sees, which name no checks on purpose
WITHOUT_CONTROLS = {
    "incident-response-runbook",
    "backup-restore-tested",
    "etcd-encrypted-backups",
    "audit-off-node-tamper-resistant",
    "audit-central-aggregation",
    "compliance-continuous-reports",
    "cloud-shared-responsibility",
    "ns-separate-environments",
    "multicluster-fleet-upgrades",
    "mesh-strict-mtls",
    "monitor-security-alerting",
    "secrets-keep-out-of-git-and-images",
}


def _load_script() -> ModuleType:
    path = ROOT / "scripts" / "controls_catalog.py"
    spec = importlib.util.spec_from_file_location("controls_catalog", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("controls_catalog", module)
    spec.loader.exec_module(module)
    return module


def _norm_title(title: str) -> str:
    """Titles as the two tables write them: kube-bench adds "(Automated)"/"(Manual)", kubescape escapes
    underscores and drops a dash or a space here and there; 4.2.4 says "Verify that if defined, …" in one."""
    title = re.sub(r"\((manual|automated)\)", "", title.lower().replace("\\", "")).replace("if defined,", "")
    return re.sub(r"[^a-z0-9]", "", title)


# The shipped catalog and mappings ------------------------------------------------------------------------------


def test_the_catalog_lists_each_source_key_with_its_ids(kb: KnowledgeBase) -> None:
    assert list(kb.controls) == KEYS
    for key, source in kb.controls.items():
        assert "\n" not in source.description, key
        assert len(source.description) < 120, key
        assert len(source.ids) == len(set(source.ids)), key
    sizes = {key: len(source.ids) for key, source in kb.controls.items()}
    assert sizes["kube-bench/cis-1.12"] == 131
    assert sizes["kubescape/cis-v1.12.0"] == 131
    assert sizes["trivy/k8s-cis-1.23"] >= 100
    assert sizes["kubescape"] >= 200
    assert all(re.fullmatch(r"K[SC]V-\d{4}", i) for i in kb.controls["trivy"].ids)
    assert {"hostNetworkSet", "clusterrolebindingClusterAdmin", "missingNetworkPolicy"} <= set(
        kb.controls["polaris"].ids
    )
    assert {"CKV_K8S_20", "CKV2_K8S_6"} <= set(kb.controls["checkov"].ids)


def test_the_catalog_holds_ids_only() -> None:
    text = (BUILTIN_DIR / "controls.yaml").read_text(encoding="utf-8")
    assert "Ensure" not in text, "no titles copied from the benchmarks"
    assert "Minimize" not in text


def test_the_shipped_items_name_checks_of_every_source(kb: KnowledgeBase) -> None:
    mapped = [i for i in kb.items if i.controls]
    assert len(mapped) >= 35
    used = {key for i in mapped for key in i.controls}
    assert used == set(KEYS), "every source key is used by some item"
    totals = {key: sum(len(i.controls.get(key, [])) for i in kb.items) for key in KEYS}
    assert totals["kube-bench/cis-1.12"] >= 130
    assert totals["kubescape"] >= 150
    assert totals["trivy"] >= 100
    assert totals["checkov"] >= 60
    assert not {i.id for i in mapped} & WITHOUT_CONTROLS


def test_every_relevant_section_5_check_maps_to_an_item(kb: KnowledgeBase) -> None:
    section_5 = {i for i in kb.controls["kube-bench/cis-1.12"].ids if i.startswith("5.")}
    for check in sorted(section_5 - UNMAPPED_SECTION_5):
        assert kb.items_for("kube-bench", "cis-1.12", check), check
    for check in UNMAPPED_SECTION_5:
        assert kb.items_for("kube-bench", "cis-1.12", check) == []
    mapped_1_to_4 = {
        i
        for i in kb.controls["kube-bench/cis-1.12"].ids
        if i[0] in "1234" and kb.items_for("kube-bench", "cis-1.12", i)
    }
    assert len(mapped_1_to_4) >= 85, "the control-plane, etcd and node checks land on their items"


def test_the_sections_land_on_their_topics(kb: KnowledgeBase) -> None:
    topic = {i.id: i.topic for i in kb.items}

    def topics(check: str) -> set[str]:
        return {topic[i] for i in kb.items_for("kube-bench", "cis-1.12", check)}

    assert topics("1.2.1") == {"control_plane_access"}
    assert topics("2.2") == {"etcd"}
    assert topics("4.2.4") == {"host_hardening"}
    assert topics("5.1.5") == {"rbac"}
    assert topics("5.3.2") >= {"network_policy"}
    assert topics("5.4.1") == {"secrets"}


def test_items_for_finds_items_by_each_key_kind(kb: KnowledgeBase) -> None:
    assert kb.items_for("kube-bench", "cis-1.12", "5.2.5") == ["psa-restricted-enforce"]
    assert "netpol-default-deny" in kb.items_for("kube-bench", "eks-1.8.0", "4.3.2")
    assert kb.items_for("kube-bench", "gke-1.9.0", "5.3.1") == ["secrets-managed-envelope-encryption"]
    assert kb.items_for("kubescape", "cis-v1.12.0", "5.2.5") == ["psa-restricted-enforce"]
    assert kb.items_for("kubescape", None, "C-0041") == ["psa-restricted-enforce"]
    assert kb.items_for("kubescape", "", "C-0041") == ["psa-restricted-enforce"], "no benchmark: '' as None"
    assert kb.items_for("trivy", "k8s-cis-1.23", "5.1.6") == ["rbac-service-account-tokens"]
    assert kb.items_for("trivy", None, "KSV-0036") == ["rbac-service-account-tokens"]
    assert kb.items_for("polaris", None, "clusterrolebindingClusterAdmin") == ["rbac-cluster-admin-break-glass"]
    assert set(kb.items_for("checkov", None, "CKV_K8S_20")) == {
        "psa-restricted-enforce",
        "pod-hardened-security-context",
    }
    # an id means nothing without its benchmark
    assert kb.items_for("kubescape", None, "5.2.5") == []
    assert kb.items_for("kube-bench", "cis-1.12", "C-0041") == []
    assert kb.items_for("nessus", None, "1") == []


def test_the_same_cis_id_is_keyed_on_its_benchmark(kb: KnowledgeBase) -> None:
    """kube-bench cis-1.12 numbers the general policies 5.6.x, kubescape cis-v1.12.0 5.7.x; kube-bench's 5.2.9
    (capabilities assigned) is kubescape's 5.2.10."""
    assert "ns-template-per-namespace" in kb.items_for("kube-bench", "cis-1.12", "5.6.4")
    assert "ns-template-per-namespace" in kb.items_for("kubescape", "cis-v1.12.0", "5.7.4")
    assert kb.items_for("kubescape", "cis-v1.12.0", "5.6.4") == []
    assert "pod-hardened-security-context" in kb.items_for("kube-bench", "cis-1.12", "5.2.9")
    assert "pod-hardened-security-context" in kb.items_for("kubescape", "cis-v1.12.0", "5.2.10")
    assert kb.items_for("kubescape", "cis-v1.12.0", "5.2.9") == [], "kubescape's 5.2.9 is added capabilities"


def test_the_index_is_built_once_at_load(kb: KnowledgeBase) -> None:
    pairs = sum(len(checks) for i in kb.items for checks in i.controls.values())
    assert sum(len(ids) for ids in kb.items_by_control.values()) == pairs
    assert kb.items_by_control[("kube-bench", "cis-1.12", "2.1")] == ("etcd-tls-client-peer",)


def test_the_result_does_not_carry_the_controls_yet() -> None:
    result = evaluate(BASE_ANSWERS)
    assert all("controls" not in item for item in result["checklist"])


# A wrong mapping is explained, naming the file, the item and the id ---------------------------------------------


def _errors(**kwargs: Any) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(**kwargs)
    return caught.value.errors


def test_an_overlay_s_unknown_key_unknown_id_duplicate_and_order_are_named(tmp_path: Path) -> None:
    items = [
        {**OWN_ITEM, "id": "acme-key", "controls": {"kube-bench/cis-9.9": ["5.2.2"]}},
        {**OWN_ITEM, "id": "acme-id", "controls": {"kube-bench/cis-1.12": ["5.2.2", "5.9.9"]}},
        {**OWN_ITEM, "id": "acme-twice", "controls": {"polaris": ["hostPIDSet", "hostPIDSet"]}},
        {**OWN_ITEM, "id": "acme-order", "controls": {"kubescape": ["C-0057", "C-0041"]}},
        {**OWN_ITEM, "id": "acme-good", "controls": {"kubescape": ["C-0041", "C-0057"], "trivy": ["KSV-0017"]}},
    ]
    overlay = write_overlay(tmp_path / "acme", items)
    errors = _errors(overlay=overlay)
    where = f"{overlay.as_posix()}/checklist/acme.yaml: item"
    assert len(errors) == 4, errors
    assert errors[0].startswith(f"{where} 'acme-key': controls: unknown source 'kube-bench/cis-9.9' (known: ")
    assert f"{where} 'acme-id': controls: kube-bench/cis-1.12: not checks of controls.yaml: 5.9.9" in errors
    assert f"{where} 'acme-twice': controls: polaris: lists hostPIDSet twice" in errors
    assert (
        f"{where} 'acme-order': controls: kubescape: list the ids in the order of controls.yaml: C-0041, C-0057"
        in errors
    )


def test_an_overlay_item_with_good_controls_is_found_by_items_for(tmp_path: Path) -> None:
    item = {**OWN_ITEM, "controls": {"kube-bench/cis-1.12": ["5.1.1"], "polaris": ["clusterrolebindingClusterAdmin"]}}
    kb = load_knowledge_base(overlay=write_overlay(tmp_path / "acme", [item]))
    assert kb.items_for("kube-bench", "cis-1.12", "5.1.1") == ["rbac-cluster-admin-break-glass", "acme-change-board"]
    assert kb.items_for("polaris", None, "clusterrolebindingClusterAdmin")[-1] == "acme-change-board"


def test_a_badly_shaped_id_is_named_with_file_item_and_id(tmp_path: Path) -> None:
    items = [
        {**OWN_ITEM, "controls": {"checkov": ["CKV_K8S_20", "CKV-K8S-21"], "trivy": ["KSV012"]}},
        {**OWN_ITEM, "id": "acme-empty", "controls": {"kubescape": []}},
    ]
    overlay = write_overlay(tmp_path / "acme", items)
    errors = _errors(overlay=overlay)
    prefix = f"{overlay.as_posix()}/checklist/acme.yaml: items"
    assert errors == [
        f"{prefix}[0] 'acme-change-board': controls: checkov: 'CKV-K8S-21' is not a Checkov check id such as "
        "CKV_K8S_20 or CKV2_K8S_6; trivy: 'KSV012' is not a Trivy check id such as KSV-0012 (four digits after a dash)",
        f"{prefix}[1] 'acme-empty': controls: kubescape: lists no check ids",
    ]


def test_an_overlay_cannot_bring_its_own_catalog(tmp_path: Path) -> None:
    overlay = write_overlay(tmp_path / "acme", [OWN_ITEM])
    shutil.copy(BUILTIN_DIR / "controls.yaml", overlay / "controls.yaml")
    errors = _errors(overlay=overlay)
    assert any(e.startswith(f"{overlay.as_posix()}/controls.yaml: the catalog of scanner checks") for e in errors)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(BUILTIN_DIR, target)
    return target


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_a_built_in_item_s_controls_are_checked_against_the_catalog(kb_copy: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        controls = data["items"][0]["controls"]
        controls["kube-bench/cis-1.12"].append("5.1.2")  # already listed
        controls["kubescape/cis-v1.12.0"] = ["5.6.4"]  # kube-bench's number for what kubescape calls 5.7.4
        controls["checkov"] = ["CKV_K8S_twenty"]

    _edit(kb_copy / "checklist" / "rbac.yaml", change)
    errors = _errors(directory=kb_copy)
    assert errors == [
        "checklist/rbac.yaml: items[0] 'rbac-namespaced-roles': controls: checkov: 'CKV_K8S_twenty' is not a "
        "Checkov check id such as CKV_K8S_20 or CKV2_K8S_6"
    ]
    _edit(kb_copy / "checklist" / "rbac.yaml", lambda data: data["items"][0]["controls"].pop("checkov"))
    errors = _errors(directory=kb_copy)
    where = "checklist/rbac.yaml: item 'rbac-namespaced-roles': controls:"
    assert f"{where} kube-bench/cis-1.12: lists 5.1.2 twice" in errors
    assert f"{where} kubescape/cis-v1.12.0: not checks of controls.yaml: 5.6.4" in errors


def test_a_broken_catalog_is_explained(kb_copy: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["sources"]["checkov"]["ids"].append("CKV_K8S_8")
        data["sources"]["trivy"]["ids"].append("KSV1")

    _edit(kb_copy / "controls.yaml", change)
    errors = _errors(directory=kb_copy)
    assert errors == [
        "controls.yaml: trivy: 'KSV1' is not a Trivy check id such as KSV-0012 (four digits after a dash)"
    ]
    _edit(kb_copy / "controls.yaml", lambda data: data["sources"]["trivy"]["ids"].pop())
    assert _errors(directory=kb_copy) == ["controls.yaml: ids listed twice: checkov: 'CKV_K8S_8'"]
    (kb_copy / "controls.yaml").unlink()
    assert _errors(directory=kb_copy)[0].startswith("controls.yaml: cannot be read")


# The generator script --------------------------------------------------------------------------------------------


def _write_tsv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter="\t", lineterminator="\n").writerows(rows)


def test_the_script_builds_a_catalog_from_the_tables_it_is_given(tmp_path: Path) -> None:
    script = _load_script()
    samples = tmp_path / "samples"
    mapping = samples / "_mapping"
    mapping.mkdir(parents=True)
    kube_bench = [["benchmark", "node_type", "test_number", "type", "scored", "test_desc"]] + [
        [b, "node", n, "", "true", "x"] for b in script.KUBE_BENCH for n in ("5.1.10", "5.1.9", "2.1")
    ]
    _write_tsv(mapping / "kube-bench_checks.tsv", kube_bench)
    _write_tsv(
        mapping / "kubescape_framework_controls.tsv",
        [
            ["framework", "controlID", "cis_id", "name"],
            ["cis-v1.12.0", "C-0041", "5.2.5", "x"],
            ["NSA", "C-0013", "", "x"],
        ],
    )
    (mapping / "kubescape_old-CIS-id_to_C-id.json").write_text('{"CIS-1.2.14": "C-0124"}', encoding="utf-8")
    _write_tsv(
        mapping / "trivy_compliance_controls.tsv",
        [
            ["spec", "control_id", "checks", "defaultStatus", "severity", "name"],
            ["k8s-cis-1.23", "5.2.2", "KSV017,KSV-0103", "", "HIGH", "x"],
        ],
    )
    for tool, body in {
        "polaris": '{"Results": [{"ID": "hostPIDSet", "Success": true, "Category": "Security"}]}',
        "checkov": '{"results": {"failed_checks": [{"check_id": "CKV_K8S_16"}]}}',
        "trivy": '{"Resources": [{"Results": [{"Misconfigurations": [{"ID": "KSV12", "AVDID": "AVD-KSV-0012"}]}]}]}',
    }.items():
        (samples / tool).mkdir()
        (samples / tool / "out.json").write_text(body, encoding="utf-8")
    (samples / "checkov" / "win.json").write_text('{"check_id": "CKV2_K8S_6"}', encoding="utf-16")
    (samples / "README.md").write_text(
        "## Polaris\nids: `missingNetworkPolicy`, `Results`.\n## Checkov\n`CKV_K8S_20` and so on.\n", encoding="utf-8"
    )
    catalog = script.build_catalog(samples)
    assert list(catalog) == KEYS
    assert catalog["kube-bench/cis-1.12"]["ids"] == ["2.1", "5.1.9", "5.1.10"], "natural order"
    assert catalog["kubescape"]["ids"] == ["C-0013", "C-0041", "C-0124"]
    assert catalog["trivy"]["ids"] == ["KSV-0012", "KSV-0017", "KSV-0103"], "one spelling: KSV-0000"
    assert catalog["polaris"]["ids"] == ["hostPIDSet", "missingNetworkPolicy"]
    assert catalog["checkov"]["ids"] == ["CKV2_K8S_6", "CKV_K8S_16", "CKV_K8S_20"]
    out = tmp_path / "controls.yaml"
    assert script.main([str(samples), "--output", str(out)]) == 0
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["sources"]["kube-bench/eks-1.8.0"]["ids"] == [
        "2.1",
        "5.1.9",
        "5.1.10",
    ], "ids that look like numbers stay text"


# Against the scanners' own tables, where a developer has them --------------------------------------------------------


@needs_samples
def test_the_catalog_is_what_the_script_makes_of_the_tables() -> None:
    script = _load_script()
    assert script.render(script.build_catalog(SAMPLES)) == (BUILTIN_DIR / "controls.yaml").read_text(encoding="utf-8")


@needs_samples
def test_a_cis_id_under_kube_bench_and_kubescape_on_one_item_means_the_same_in_both(kb: KnowledgeBase) -> None:
    with (SAMPLES / "_mapping" / "kube-bench_checks.tsv").open(encoding="utf-8", newline="") as fh:
        kube_bench = {
            r["test_number"]: r["test_desc"] for r in csv.DictReader(fh, delimiter="\t") if r["benchmark"] == "cis-1.12"
        }
    with (SAMPLES / "_mapping" / "kubescape_framework_controls.tsv").open(encoding="utf-8", newline="") as fh:
        kubescape = {
            r["cis_id"]: r["name"] for r in csv.DictReader(fh, delimiter="\t") if r["framework"] == "cis-v1.12.0"
        }
    compared = 0
    for item in kb.items:
        both = set(item.controls.get("kube-bench/cis-1.12", [])) & set(item.controls.get("kubescape/cis-v1.12.0", []))
        for check in sorted(both):
            assert _norm_title(kube_bench[check]) == _norm_title(kubescape[check]), (item.id, check)
            compared += 1
    assert compared >= 100


def _cited(label: str) -> set[str] | None:
    """The CIS v1.12 ids a reference label cites ("1.2.6–1.2.8, 1.2.10 and 1.2.30"), ranges expanded; "sections
    1.1 and 4.1" stays as the section prefixes; None for a label citing no CIS v1.12 ids."""
    found = re.search(r"CIS Kubernetes Benchmark v1\.12, (.*)", label)
    if found is None:
        return None
    cited: set[str] = set()
    for first, last in re.findall(r"(\d+\.\d+(?:\.\d+)?)(?:–(\d+\.\d+(?:\.\d+)?))?", found.group(1)):
        if not last:
            cited.add(first)
            continue
        stem, start = first.rsplit(".", 1)
        cited |= {f"{stem}.{n}" for n in range(int(start), int(last.rsplit(".", 1)[1]) + 1)}
    return cited


def test_each_item_cites_the_cis_ids_it_maps(kb: KnowledgeBase) -> None:
    """An item's CIS reference names exactly the kube-bench cis-1.12 checks its controls list (the benchmark ids
    an auditor reads and the ids a scan is matched on never drift apart); a section cited whole covers its checks,
    and 5.5.1 is cited where it is the source though no scan result can show the item done."""
    checked = 0
    for item in kb.items:
        mapped = set(item.controls.get("kube-bench/cis-1.12", []))
        for reference in item.references:
            cited = _cited(reference.label)
            if cited is None:
                continue
            checked += 1
            sections = {c for c in cited if c.count(".") == 1 and "sections" in reference.label}
            covered = {m for m in mapped if any(m.startswith(f"{s}.") for s in sections)}
            assert cited - sections - UNMAPPED_SECTION_5 == mapped - covered, (item.id, reference.label)
    assert checked >= 15
