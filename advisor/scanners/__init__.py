"""Reading the JSON reports of Kubernetes scanners as evidence for checklist items (issue 15).

Design: a pure layer, bytes in and plain frozen values out, with no Flask, database or knowledge base, so the web
import, the command line and the tests share it. `read_scan` decodes the bytes (`decode.py`: size limit, UTF-8 with
or without BOM, UTF-16 with BOM), recognises the tool by the report's shape, and hands it to that tool's module
(`kube_bench.py`, `kubescape.py`, `polaris.py`, `trivy.py`, `checkov.py`), whose docstring says how each of its
statuses becomes `pass`, `fail` or `not_evaluated`. Every module feeds a shared collector that keeps one finding per
(benchmark, check), the worst result winning, with bounded titles and details; `merge` does the same across files
(kube-bench writes one per node type).

Evidence is keyed on (tool, benchmark, check), never on a bare id: kube-bench `cis-1.12` and kubescape
`cis-v1.12.0` number some controls differently. Anything wrong with the input, whatever it is, is a `ScanError`
whose message says, for people, what is wrong; work is linear in the file's size and findings are capped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from advisor.scanners import checkov, kube_bench, kubescape, polaris, trivy
from advisor.scanners._model import (
    DETAIL_MAX,
    KEY,
    MAX_FINDINGS,
    RANK,
    TOOL_NAMES,
    Collector,
    Finding,
    Result,
    Scan,
    ScanError,
    Tool,
    benchmarks_of,
    join_bounded,
    scan_from_json,
    scan_to_json,
    timestamp,
)
from advisor.scanners.decode import decode

__all__ = [
    "KEY",
    "MAX_FINDINGS",
    "TOOL_NAMES",
    "Finding",
    "Scan",
    "ScanError",
    "merge",
    "read_scan",
    "scan_from_json",
    "scan_to_json",
]

_EXPECTED = "expected the JSON output of kube-bench, kubescape, Polaris, Trivy or Checkov"
_KEYS_SHOWN = 6


def _describe(doc: Any) -> str:
    """What a JSON value is, in a few words for people."""
    if isinstance(doc, dict):
        if not doc:
            return "an empty JSON object"
        keys = [str(k) for k in list(doc)[:_KEYS_SHOWN]]
        more = ", …" if len(doc) > _KEYS_SHOWN else ""
        noun = "key" if len(doc) == 1 else "keys"
        return f"a JSON object with the {noun} {', '.join(k[:40] for k in keys)}{more}"
    if isinstance(doc, list):
        return "an empty JSON array" if not doc else f"a JSON array of {len(doc):,} items"
    if isinstance(doc, bool):
        return f"the JSON value {str(doc).lower()}"
    if doc is None:
        return "the JSON value null"
    if isinstance(doc, str):
        return "a JSON string"
    return "a JSON number"


def _detect(doc: Any) -> Tool:
    # most specific shapes first: kubescape's and Polaris's marker keys cannot be mistaken for another tool's
    if kubescape.looks_like(doc):
        return "kubescape"
    if polaris.looks_like(doc):
        return "polaris"
    if checkov.looks_like(doc):
        return "checkov"
    if trivy.looks_like(doc):
        return "trivy"
    if kube_bench.looks_like(doc):
        return "kube-bench"
    raise ScanError(f"not a scanner report this app reads: {_describe(doc)} ({_EXPECTED})")


def read_scan(data: bytes, *, max_bytes: int = 50 * 1024 * 1024) -> Scan:
    """Read one scanner report file; raise ScanError (and nothing else) when it cannot be read."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ScanError("the upload is not a file's bytes")
    data = bytes(data)
    doc = decode(data, max_bytes=max_bytes)
    tool = _detect(doc)
    try:
        return _read(tool, doc, hashlib.sha256(data).hexdigest())
    except ScanError:
        raise
    except (RecursionError, MemoryError):
        raise ScanError(f"a {TOOL_NAMES[tool]} report, but too large or deep to read") from None
    except Exception as exc:  # a safety net: the readers are defensive, but a hostile file must still be a refusal
        raise ScanError(
            f"a {TOOL_NAMES[tool]} report, but part of it has a shape this app does not read ({type(exc).__name__})"
        ) from exc


def _read(tool: Tool, doc: Any, digest: str) -> Scan:
    collector = Collector(tool)
    version: str | None = None
    cluster: str | None = None
    scanned_at = None
    from_cluster = True
    notes: list[str] = []
    if tool == "kube-bench":
        kube_bench.read(doc, collector)
    elif tool == "kubescape":
        kubescape.read(doc, collector)
        version, cluster = kubescape.version(doc), kubescape.cluster(doc)
        scanned_at = timestamp(doc.get("generationTime"))
    elif tool == "polaris":
        polaris.read(doc, collector)
        from_cluster, cluster = polaris.from_cluster(doc), polaris.cluster(doc)
        scanned_at = timestamp(doc.get("AuditTime"))
    elif tool == "trivy":
        cves = trivy.read(doc, collector)
        version, cluster, from_cluster = trivy.version(doc), trivy.cluster(doc), trivy.from_cluster(doc)
        if cves:
            what = (
                "1 vulnerability (CVE) in the file was"
                if cves == 1
                else f"{cves:,} vulnerabilities (CVEs) in the file were"
            )
            notes.append(f"{what} ignored: they are not checklist evidence")
    else:
        checkov.read(doc, collector)
        version, from_cluster = checkov.version(doc), False
    findings = collector.findings()
    return Scan(
        tool=tool,
        tool_version=version,
        source="cluster" if from_cluster else "manifests",
        benchmarks=benchmarks_of(findings),
        cluster=cluster,
        scanned_at=scanned_at,
        digest=digest,
        findings=findings,
        notes=tuple(notes),
    )


def merge(scans: Iterable[Scan]) -> tuple[Finding, ...]:
    """One finding per (tool, benchmark, check) across several reports: the worst result wins (fail, then
    not evaluated, then pass), details of that result are joined (bounded), failed resource counts add up."""
    merged: dict[KEY, list[Finding]] = {}
    for scan in scans:
        for finding in scan.findings:
            merged.setdefault(finding.key, []).append(finding)
    out: list[Finding] = []
    for group in merged.values():
        worst: Result = max((f.result for f in group), key=RANK.__getitem__)
        winners = [f for f in group if f.result == worst]
        counts = [f.resources_failed for f in winners if f.resources_failed is not None]
        out.append(
            Finding(
                tool=group[0].tool,
                benchmark=group[0].benchmark,
                check=group[0].check,
                result=worst,
                title=next((f.title for f in winners if f.title), "") or next((f.title for f in group if f.title), ""),
                detail=join_bounded((f.detail for f in winners), DETAIL_MAX),
                resources_failed=sum(counts) if counts else None,
            )
        )
    return tuple(out)
