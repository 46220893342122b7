"""advisor.scanners: the project's own fixtures finding by finding, the real samples when present, refusals, fuzzing."""

from __future__ import annotations

import codecs
import hashlib
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.scanners import Finding, Scan, ScanError, merge, read_scan
from advisor.scanners.trivy import normalise_id

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "scanners"
# real scanner output kept beside the repository for developers; not part of the project, so it may be absent
SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "scanner-samples"

Row = tuple[str, str, str, int | None]


def scan(name: str) -> Scan:
    return read_scan((FIXTURES / name).read_bytes())


def rows(s: Scan) -> list[Row]:
    return [(f.benchmark, f.check, f.result, f.resources_failed) for f in s.findings]


def by_check(s: Scan) -> dict[tuple[str, str], Finding]:
    return {(f.benchmark, f.check): f for f in s.findings}


# ---------------------------------------------------------------- kube-bench


def test_kube_bench_controls_object() -> None:
    s = scan("kube-bench-master.json")
    assert (s.tool, s.tool_version, s.source, s.benchmarks) == ("kube-bench", None, "cluster", ("cis-1.12",))
    assert (s.cluster, s.scanned_at) == (None, None)  # kube-bench writes neither: the import asks
    assert rows(s) == [
        ("cis-1.12", "1.1.1", "pass", None),
        ("cis-1.12", "1.1.2", "fail", None),
        ("cis-1.12", "1.2.1", "not_evaluated", None),
        ("cis-1.12", "1.2.2", "not_evaluated", None),
        ("cis-1.12", "1.2.3", "not_evaluated", None),
        ("cis-1.12", "1.2.4", "not_evaluated", None),
        ("cis-1.12", "1.2.5", "fail", None),
        ("cis-1.12", "1.2.6", "not_evaluated", None),
        ("cis-1.12", "4.1.1", "pass", None),
    ]
    assert (s.failed, s.passed, s.not_evaluated) == (2, 2, 5)
    f = by_check(s)
    assert f["cis-1.12", "1.1.1"].title == "Ensure the API server pod spec file mode is 600 or stricter (Automated)"
    assert f["cis-1.12", "1.1.1"].detail == ""
    assert (
        f["cis-1.12", "1.1.2"].detail
        == "[master] FAIL, actual: owner=1000:1000, expected: 'root:root' is equal to 'owner'"
    )
    assert f["cis-1.12", "1.1.2"].key == ("kube-bench", "cis-1.12", "1.1.2")


@pytest.mark.parametrize(
    ("check", "why"),
    [
        ("1.2.1", "[master] manual check: kube-bench does not test it (Test marked as a manual test)"),
        ("1.2.2", "[master] skipped by the benchmark's configuration (Test marked as skip)"),
        ("1.2.3", '[master] the audit command could not run: failed to run: "/bin/ps -ef", output: "", error: exit'),
        ("1.2.4", "[master] kube-bench was not allowed to read what it checks: Error from server (Forbidden)"),
        ("1.2.6", "[master] reported as INFO: information only"),
    ],
    ids=["manual", "skip", "failed-to-run", "forbidden", "info"],
)
def test_kube_bench_not_evaluated_rules(check: str, why: str) -> None:
    finding = by_check(scan("kube-bench-master.json"))["cis-1.12", check]
    assert finding.result == "not_evaluated"
    assert finding.detail.startswith(why)


def test_kube_bench_warn_that_is_not_manual_is_a_failure() -> None:
    finding = by_check(scan("kube-bench-master.json"))["cis-1.12", "1.2.5"]
    assert finding.result == "fail"
    assert finding.detail.startswith("[master] WARN (an automated check CIS does not score")
    assert "actual: --enable-admission-plugins=NodeRestriction" in finding.detail


def test_kube_bench_bare_array_and_old_versions() -> None:
    node = scan("kube-bench-node.json")
    assert rows(node) == [
        ("cis-1.12", "4.1.1", "fail", None),
        ("cis-1.12", "4.2.1", "pass", None),
        ("cis-1.12", "1.2.1", "not_evaluated", None),
    ]
    old = scan("kube-bench-old.json")
    assert old.benchmarks == ("cis-1.5", "eks-1.8.0")  # a bare "1.5" is CIS; EKS keeps its own numbering
    assert rows(old) == [("cis-1.5", "1.1.1", "pass", None), ("eks-1.8.0", "3.1.1", "fail", None)]


def test_merge_of_two_kube_bench_node_files_worst_first() -> None:
    master, node = scan("kube-bench-master.json"), scan("kube-bench-node.json")
    merged = {(f.benchmark, f.check): f for f in merge([master, node])}
    assert len(merged) == 10
    assert merged["cis-1.12", "4.1.1"].result == "fail"  # passed on the control plane, failed on the worker
    assert merged["cis-1.12", "4.1.1"].detail == "[node] FAIL, actual: permissions=644, expected: bitmask '600'"
    assert merged["cis-1.12", "4.2.1"].result == "pass"
    manual = merged["cis-1.12", "1.2.1"]
    assert manual.result == "not_evaluated"
    assert manual.detail == (
        "[master] manual check: kube-bench does not test it (Test marked as a manual test); "
        "[node] manual check: kube-bench does not test it (Test marked as a manual test)"
    )
    # the order does not change the verdict
    assert {f.key: f.result for f in merge([node, master])} == {f.key: f.result for f in merged.values()}


def test_merge_prefers_not_evaluated_over_pass_and_adds_failed_counts() -> None:
    def one(result: str, failed: int | None, detail: str = "") -> Scan:
        finding = Finding("trivy", "", "KSV-0001", result, "t", detail, failed)  # type: ignore[arg-type]
        return Scan("trivy", None, "cluster", (), None, None, "0" * 64, (finding,))

    (f,) = merge([one("pass", 0), one("not_evaluated", None, "why"), one("pass", 0)])
    assert (f.result, f.detail, f.resources_failed) == ("not_evaluated", "why", None)
    (f,) = merge([one("fail", 2, "a"), one("fail", 3, "b"), one("pass", 0)])
    assert (f.result, f.detail, f.resources_failed) == ("fail", "a; b", 5)
    (f,) = merge([one("fail", 1, "x" * 400) for _ in range(1000)] + [one("fail", 1, "y" * 400)])
    assert len(f.detail) <= 500
    assert merge([]) == ()


# ---------------------------------------------------------------- kubescape


def test_kubescape_current_format() -> None:
    s = scan("kubescape-current.json")
    assert (s.tool, s.tool_version, s.source) == ("kubescape", "v3.0.30", "cluster")
    assert s.benchmarks == ("cis-v1.12.0",)  # the NSA framework adds no ids of its own
    assert s.cluster == "kind-audit"  # clusterName is empty: the kubeconfig context
    assert s.scanned_at == datetime(2025, 3, 4, 10, 20, 30, 123456, tzinfo=UTC)
    assert rows(s) == [
        ("", "C-0041", "fail", 2),
        ("", "C-0017", "pass", 0),
        ("", "C-0034", "pass", 0),
        ("", "C-0005", "not_evaluated", 0),
        ("", "C-0092", "not_evaluated", 0),
        ("", "C-0001", "not_evaluated", 0),
        ("", "C-0270", "not_evaluated", 0),
        ("cis-v1.12.0", "5.2.5", "fail", 2),
        ("cis-v1.12.0", "1.1.1", "not_evaluated", 0),
        ("cis-v1.12.0", "5.1.6", "pass", 0),
    ]
    f = by_check(s)
    assert f["", "C-0041"].detail == (
        "failed on 2 resources: apps/v1/web/Deployment/frontend, apps/v1/kube-system/DaemonSet/node-agent"
    )
    # the CIS name loses its "CIS-5.2.5 " prefix: the id is the check
    assert (
        f["cis-v1.12.0", "5.2.5"].title
        == "Minimize the admission of containers wishing to share the host network namespace"
    )
    assert f["", "C-0034"].detail == "passed with exceptions the team configured"


@pytest.mark.parametrize(
    ("check", "detail"),
    [
        ("C-0005", "no resource in scope (kubescape: passed, irrelevant)"),
        ("C-0092", "skipped: This control requires the Kubescape operator installed."),
        ("C-0001", "skipped (configuration): Control configurations are empty"),
        ("C-0270", "skipped (manual review): Review by hand"),
    ],
    ids=["irrelevant", "requires-operator", "configuration", "manual-review"],
)
def test_kubescape_not_evaluated_rules(check: str, detail: str) -> None:
    finding = by_check(scan("kubescape-current.json"))["", check]
    assert (finding.result, finding.detail) == ("not_evaluated", detail)


def test_kubescape_old_ids_and_statuses() -> None:
    s = scan("kubescape-old.json")
    assert (s.cluster, s.scanned_at, s.tool_version) == ("prod-eu", None, None)  # zero generationTime is no time
    assert s.benchmarks == ("CIS",)
    assert rows(s) == [
        ("", "C-0092", "not_evaluated", 0),  # CIS-1.1.1, status irrelevant
        ("", "C-0210", "not_evaluated", 0),  # CIS-5.7.2, status excluded
        ("", "C-0172", "not_evaluated", 0),  # CIS-4.2.1, status error
        ("", "C-0196", "fail", 1),  # CIS-5.2.5
        # CIS-9.9.9 is not in the conversion table: no C-id finding, only its CIS finding
        ("CIS", "1.1.1", "not_evaluated", 0),
        ("CIS", "5.2.5", "fail", 1),
        ("CIS", "9.9.9", "pass", 0),
    ]
    assert [f.detail for f in s.findings[:3]] == [
        "kubescape status 'irrelevant'",
        "kubescape status 'excluded'",
        "kubescape status 'error'",
    ]


# ---------------------------------------------------------------- Polaris


def test_polaris_cluster_audit() -> None:
    s = scan("polaris-cluster.json")
    assert (s.tool, s.tool_version, s.source, s.benchmarks) == ("polaris", None, "cluster", ())
    assert (s.cluster, s.scanned_at) == ("staging", datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC))
    assert rows(s) == [
        ("", "clusterrolebindingClusterAdmin", "fail", 1),
        ("", "missingNetworkPolicy", "pass", 0),
        ("", "hostNetworkSet", "fail", 1),  # passed on one resource, failed on another: worst wins
        ("", "priorityClassNotSet", "not_evaluated", 0),  # severity ignore
        ("", "runAsRootAllowed", "fail", 1),  # two containers of one Deployment: one resource
    ]
    f = by_check(s)
    assert f["", "hostNetworkSet"].title == "Host network should not be configured"  # the failing wording
    assert f["", "hostNetworkSet"].detail == "failed on 1 resource: DaemonSet ops/agent"
    assert f["", "runAsRootAllowed"].detail == "failed on 1 resource: Deployment shop/api"
    assert f["", "priorityClassNotSet"].detail == "Polaris is configured to ignore this check"


def test_polaris_path_audit_is_manifests_without_time_or_cluster() -> None:
    s = scan("polaris-path.json")
    assert (s.source, s.cluster, s.scanned_at) == ("manifests", None, None)
    assert rows(s) == [("", "hostPIDSet", "pass", 0)]


# ---------------------------------------------------------------- Trivy


def test_trivy_resources_format() -> None:
    s = scan("trivy-k8s.json")
    assert (s.tool, s.tool_version, s.source, s.benchmarks, s.cluster, s.scanned_at) == (
        "trivy",
        None,
        "cluster",
        (),
        "prod",
        None,
    )
    assert rows(s) == [
        ("", "KSV-0012", "fail", 2),  # written KSV012
        ("", "KSV-0014", "fail", 1),
        ("", "KCV-0048", "fail", 1),  # only an AVDID
        ("", "KSV-0020", "pass", 0),  # EXCEPTION
    ]
    assert by_check(s)["", "KSV-0012"].detail == (
        "failed on 2 resources: Deployment shop/api, StatefulSet shop/db; Container 'app' should set runAsNonRoot"
    )
    assert by_check(s)["", "KSV-0020"].detail == "passed with an exception the team wrote"
    assert s.notes == ("2 vulnerabilities (CVEs) in the file were ignored: they are not checklist evidence",)


def test_trivy_legacy_format() -> None:
    s = scan("trivy-legacy.json")
    assert (s.cluster, s.source) == ("legacy-cluster", "cluster")
    assert rows(s) == [("", "KSV-0001", "fail", 1)]
    assert s.notes == ("1 vulnerability (CVE) in the file was ignored: they are not checklist evidence",)


def test_trivy_compliance_report() -> None:
    s = scan("trivy-compliance.json")
    assert (s.benchmarks, s.cluster, s.source) == (("k8s-cis-1.23",), None, "cluster")
    assert rows(s) == [
        ("k8s-cis-1.23", "5.2.2", "fail", 2),
        ("k8s-cis-1.23", "5.2.3", "pass", 0),
        ("k8s-cis-1.23", "1.1.1", "not_evaluated", None),  # no results, no default status
        ("k8s-cis-1.23", "5.1.1", "not_evaluated", None),  # "(Manual)", even with DefaultStatus FAIL
        ("k8s-cis-1.23", "5.7.1", "fail", None),  # no results, DefaultStatus FAIL
        ("k8s-cis-1.23", "5.7.4", "pass", None),  # no results, DefaultStatus PASS
    ]
    f = by_check(s)
    assert f["k8s-cis-1.23", "5.2.2"].detail == "2 failing results: Deployment/api, Deployment/db"
    assert f["k8s-cis-1.23", "1.1.1"].detail == "no result: Trivy lists only failures unless --include-non-failures"
    assert f["k8s-cis-1.23", "5.7.1"].detail == "no result; the specification's default status for this control is FAIL"


def test_trivy_compliance_summary() -> None:
    s = scan("trivy-compliance-summary.json")
    assert rows(s) == [
        ("k8s-cis-1.23", "5.2.2", "fail", 3),
        ("k8s-cis-1.23", "5.2.3", "pass", 0),
        ("k8s-cis-1.23", "5.1.1", "not_evaluated", None),
    ]


def test_trivy_config_scan_is_manifests() -> None:
    s = scan("trivy-config.json")
    assert (s.source, s.tool_version, s.cluster) == ("manifests", "0.58.1", None)
    assert rows(s) == [("", "KSV-0001", "fail", 1), ("", "KSV-0003", "pass", 0)]
    assert (
        by_check(s)["", "KSV-0001"].detail
        == "failed on 1 resource: deploy/app.yaml; set allowPrivilegeEscalation to false"
    )


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("KSV012", "KSV-0012"),
        ("KSV-0012", "KSV-0012"),
        ("AVD-KSV-0012", "KSV-0012"),
        ("AVD-KSV012", "KSV-0012"),
        ("ksv116", "KSV-0116"),
        ("KCV0048", "KCV-0048"),
        ("my-custom-check", "my-custom-check"),
    ],
)
def test_trivy_id_normalisation(raw: str, normal: str) -> None:
    assert normalise_id(raw) == normal


# ---------------------------------------------------------------- Checkov


def test_checkov_one_report() -> None:
    s = scan("checkov-one.json")
    assert (s.tool, s.tool_version, s.source, s.benchmarks, s.cluster, s.scanned_at) == (
        "checkov",
        "3.2.400",
        "manifests",
        (),
        None,
        None,
    )
    assert rows(s) == [
        ("", "CKV_K8S_20", "fail", 2),  # failed on two resources, passed on a third
        ("", "CKV_K8S_21", "not_evaluated", 0),
        ("", "CKV_K8S_8", "pass", 0),
    ]
    f = by_check(s)
    assert (
        f["", "CKV_K8S_20"].detail
        == "failed on 2 resources: Deployment.shop.api (/api.yaml), Deployment.shop.web (/web.yaml)"
    )
    assert f["", "CKV_K8S_21"].detail == "skipped: a throwaway tool"


def test_checkov_list_and_empty_summary() -> None:
    s = scan("checkov-list.json")
    assert rows(s) == [("", "CKV_K8S_14", "fail", 1)]
    empty = scan("checkov-empty.json")
    assert (empty.tool, empty.tool_version, empty.findings) == ("checkov", "3.2.400", ())


# ---------------------------------------------------------------- decoding, digest, titles


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
        lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    ],
    ids=["utf-8-bom", "utf-16-le-bom", "utf-16-be-bom"],
)
@pytest.mark.parametrize("name", ["checkov-one.json", "kubescape-current.json", "kube-bench-master.json"])
def test_other_encodings_read_the_same(encode: Any, name: str) -> None:
    plain = (FIXTURES / name).read_bytes()
    data = encode(plain.decode("utf-8"))
    a, b = read_scan(plain), read_scan(data)
    assert (a.tool, a.findings, a.cluster, a.scanned_at) == (b.tool, b.findings, b.cluster, b.scanned_at)
    assert b.digest == hashlib.sha256(data).hexdigest() != a.digest  # the digest is of the raw bytes


def test_digest_is_sha256_of_the_bytes() -> None:
    data = (FIXTURES / "polaris-path.json").read_bytes()
    assert read_scan(data).digest == hashlib.sha256(data).hexdigest()


def test_titles_and_details_are_bounded() -> None:
    doc = json.loads((FIXTURES / "kube-bench-node.json").read_text("utf-8"))
    result = doc[0]["tests"][0]["results"][0]
    result["test_desc"] = "word " * 200
    result["actual_value"] = "x" * 5000
    result["expected_result"] = "y\n" * 5000
    (f, *_) = read_scan(json.dumps(doc).encode()).findings
    assert len(f.title) == 200
    assert f.title.endswith("…")
    assert len(f.detail) <= 500


# ---------------------------------------------------------------- refusals

EXPECTED = "(expected the JSON output of kube-bench, kubescape, Polaris, Trivy or Checkov)"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b" \n\t ", "the file is empty"),
        (codecs.BOM_UTF8, "the file is empty"),
        (b"<html>nope</html>", "the file is not valid JSON (line 1, column 1: Expecting value)"),
        (b'{\n  "a": 1,\n  "b" 2\n}', "the file is not valid JSON (line 3, column 7: Expecting ':' delimiter)"),
        (
            b'{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}}',
            f"not a scanner report this app reads: a JSON object with the keys apiVersion, kind, metadata {EXPECTED}",
        ),
        (b"[]", f"not a scanner report this app reads: an empty JSON array {EXPECTED}"),
        (b"{}", f"not a scanner report this app reads: an empty JSON object {EXPECTED}"),
        (b"42", f"not a scanner report this app reads: a JSON number {EXPECTED}"),
        (b"[1, 2]", f"not a scanner report this app reads: a JSON array of 2 items {EXPECTED}"),
        (b"null", f"not a scanner report this app reads: the JSON value null {EXPECTED}"),
        (
            codecs.BOM_UTF32_LE + "{}".encode("utf-32-le"),
            "the file is UTF-32 encoded; save the scanner's output as UTF-8 and try again",
        ),
        (
            codecs.BOM_UTF32_BE + "{}".encode("utf-32-be"),
            "the file is UTF-32 encoded; save the scanner's output as UTF-8 and try again",
        ),
        ("{}".encode("utf-32-le"), "the file is UTF-32 encoded; save the scanner's output as UTF-8 and try again"),
        (
            '{"a": 1}'.encode("utf-16-le"),
            "the file looks UTF-16 encoded but has no byte-order mark; "
            "save the scanner's output as UTF-8 and try again",
        ),
        (
            b'{"a": "\xff"}',
            "the file is not valid UTF-8 text (byte 7 cannot be read); "
            "save the scanner's output as UTF-8 and try again",
        ),
        (
            b"[" * 100_000 + b"]" * 100_000,
            "the file's JSON is nested too deeply to read (no scanner report nests like this)",
        ),
        (b"1" * 5000, "the file is not valid JSON (it holds a number too long to read)"),
        (b'{"Controls": [{"version": "cis-1.12"}]}', "a kube-bench report, but control 1 has no tests list"),
        (
            b'[{"tests": [], "node_type": "master"}]',
            "a kube-bench report, but control 1 does not say its benchmark (version)",
        ),
        (b'{"Controls": [3]}', "a kube-bench report, but control 1 is not an object"),
        (
            b'{"ID": "", "Title": "x", "Results": []}',
            "a Trivy compliance report, but it does not say its specification (ID)",
        ),
    ],
)
def test_refusals(data: bytes, message: str) -> None:
    with pytest.raises(ScanError) as caught:
        read_scan(data)
    assert str(caught.value) == message


def test_size_limit() -> None:
    with pytest.raises(ScanError, match=r"^the file is 61 MB; the limit is 50 MB$"):
        read_scan(b" " * (61 * 1024 * 1024))
    with pytest.raises(ScanError, match=r"^the file is 2\.1 KB; the limit is 2 KB$"):
        read_scan(b"{}" + b" " * 2048, max_bytes=2048)
    with pytest.raises(ScanError, match=r"^the file is 11 bytes; the limit is 10 bytes$"):
        read_scan(b"{}" + b" " * 9, max_bytes=10)
    assert read_scan((FIXTURES / "checkov-empty.json").read_bytes(), max_bytes=10_000).tool == "checkov"


def test_findings_per_file_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("advisor.scanners._model.MAX_FINDINGS", 2)
    with pytest.raises(ScanError, match=r"^a kube-bench report, but it lists more than 2 checks"):
        scan("kube-bench-master.json")


def test_hostile_large_report_reads_in_linear_time() -> None:
    failed = [
        {"check_id": "CKV_K8S_20", "check_name": "n", "resource": f"Deployment.d.app{i}", "file_path": "/a.yaml"}
        for i in range(60_000)
    ]
    doc = {"check_type": "kubernetes", "results": {"failed_checks": failed}, "summary": {"checkov_version": "3"}}
    started = time.perf_counter()
    (f,) = read_scan(json.dumps(doc).encode()).findings
    assert time.perf_counter() - started < 5
    assert f.resources_failed == 60_000
    assert f.detail.endswith("and 59997 more")


# ---------------------------------------------------------------- fuzzing

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=20), inner, max_size=5),
    max_leaves=30,
)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_or_refuse(data: bytes) -> None:
    refusal = ""
    try:
        result: Scan | None = read_scan(data)
    except ScanError as exc:
        result, refusal = None, str(exc)
    if result is None:
        assert refusal  # every refusal says something
    else:
        assert isinstance(result, Scan)
        for f in result.findings:
            assert f.result in ("pass", "fail", "not_evaluated")
            assert len(f.title) <= 200
            assert len(f.detail) <= 500


@FUZZ
@given(JSON)
def test_any_json_is_a_scan_or_a_refusal(value: Any) -> None:
    read_or_refuse(json.dumps(value).encode())


@FUZZ
@given(st.binary(max_size=200))
def test_any_bytes_are_a_scan_or_a_refusal(data: bytes) -> None:
    read_or_refuse(data)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a subtree of a JSON value."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", FIXTURE_NAMES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fixture_with_random_subtrees_replaced(name: str, data: st.DataObject) -> None:
    doc = json.loads((FIXTURES / name).read_text("utf-8"))
    paths = _paths(doc)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        try:
            doc = _replace(doc, path, data.draw(JSON))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this path
    read_or_refuse(json.dumps(doc).encode())


# ---------------------------------------------------------------- the real samples (when present)

# counted by hand from each file's raw JSON (statuses tallied separately, then the rules in the modules applied)
SAMPLE_COUNTS: dict[str, tuple[str, int, int, int]] = {
    # file: (tool, failed, passed, not evaluated)
    "aquasecurity_kube-bench__cmd_testdata_result.json": ("kube-bench", 0, 2, 1),
    "DefectDojo__kube-bench-report-many-vuln_list-noTotals.json": ("kube-bench", 4, 20, 0),
    "petskratt__sample_v3.0.1_cis-v1.23-t1.0.1.json": ("kubescape", 43, 50, 209),
    "FairwindsOps_polaris__pkg_config_examples_output.json": ("polaris", 0, 16, 0),
    "DefectDojo__trivy-k8s_Resources-format.json": ("trivy", 16, 0, 0),
    "aquasecurity_trivy__compliance_report_testdata_all.json": ("trivy", 2, 0, 0),
    "DefectDojo__kubernetes_checkov-2.json": ("checkov", 20, 69, 0),
}
SAMPLE_FILES = (
    sorted(p for p in SAMPLES.glob("*/*.json") if not p.parent.name.startswith("_")) if SAMPLES.is_dir() else []
)


@pytest.mark.skipif(not SAMPLE_FILES, reason=f"the real scanner samples are not at {SAMPLES} (developers only)")
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_real_sample(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = read_scan(path.read_bytes())
    assert s.tool == path.parent.name
    print(
        f"{path.name}: {s.tool} {len(s.findings)} findings, {s.failed} failed, {s.passed} passed, "
        f"{s.not_evaluated} not evaluated, benchmarks {s.benchmarks}"
    )
    assert capsys.readouterr().out.startswith(path.name)
    expected = SAMPLE_COUNTS.get(path.name)
    if expected is not None:
        assert (s.tool, s.failed, s.passed, s.not_evaluated) == expected


@pytest.mark.skipif(not SAMPLE_FILES, reason=f"the real scanner samples are not at {SAMPLES} (developers only)")
def test_real_samples_details() -> None:
    kubescape = read_scan((SAMPLES / "kubescape" / "petskratt__sample_v3.0.1_cis-v1.23-t1.0.1.json").read_bytes())
    assert (kubescape.cluster, kubescape.scanned_at, kubescape.tool_version) == ("k3d-k3dlocal", None, "v3.0.1")
    assert kubescape.benchmarks == ("cis-v1.23-t1.0.1",)
    assert len(kubescape.findings) == 181 + 121
    old = read_scan((SAMPLES / "kube-bench" / "aquasecurity_kube-bench__cmd_testdata_result.json").read_bytes())
    assert old.benchmarks == ("cis-1.5", "cis-1.15")
    trivy = read_scan((SAMPLES / "trivy" / "DefectDojo__trivy-k8s_Resources-format.json").read_bytes())
    assert by_check(trivy)["", "KSV-0116"].resources_failed == 13
    polaris = read_scan((SAMPLES / "polaris" / "FairwindsOps_polaris__pkg_config_examples_output.json").read_bytes())
    assert (polaris.source, polaris.scanned_at) == ("manifests", None)
