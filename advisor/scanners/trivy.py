"""Trivy: cluster scans (`trivy k8s --format json`), compliance reports (`--compliance k8s-cis-1.23`) and
filesystem scans of manifests (`trivy config`).

Shapes:
- current cluster scan: `{ClusterName, Resources[{Namespace, Kind, Name, Results[{Misconfigurations[…]}]}]}`;
- legacy cluster scan: `{ClusterName, Vulnerabilities[…], Misconfigurations[…]}`, the same resource objects split
  by scanner;
- filesystem scan: `{SchemaVersion, ArtifactName, ArtifactType, Results[{Target, Misconfigurations[…]}]}`, evidence
  from manifest files, not a cluster;
- compliance report: `{ID: "k8s-cis-1.23", Title, Results[{ID: "5.2.2", Name, DefaultStatus, Results[…]}]}`, and
  its summary form `{ID, Title, SummaryControls[{ID, Name, TotalFail}]}`.

Misconfigurations are keyed by Trivy's check id under benchmark "", normalised to the current form (`KSV012` and
`AVD-KSV-0012` → `KSV-0012`); Status FAIL → fail, PASS → pass, EXCEPTION → pass (an exception the team wrote; the
detail counts them). Trivy lists only failures unless run with `--include-non-failures`, so a check missing from a
file is simply absent, never a pass.

Compliance controls are keyed (trivy, spec id, control id): any FAIL among the control's results → fail; else any
PASS → pass; with no results at all, a control named "(Manual)" → not evaluated, `DefaultStatus` FAIL → fail and
PASS → pass (the spec's own verdict for a control no check can observe), and otherwise not evaluated: without
`--include-non-failures` Trivy cannot tell "passed" from "not checked". In the summary form TotalFail 0 → pass,
more → fail, absent (manual) → not evaluated, as Trivy's own table reads it.

Vulnerabilities (CVEs) are not checklist evidence: they are ignored and counted in the scan's notes.
"""

from __future__ import annotations

import re
from typing import Any

from advisor.scanners._model import Collector, Result, ScanError, items, obj, shorten, text

_ID = re.compile(r"^(?:AVD-)?([A-Z]{2,5})-?0*(\d{1,6})$")


def normalise_id(raw: str) -> str:
    """`KSV012`, `KSV-012`, `AVD-KSV-0012` → `KSV-0012`; ids of another form are kept as written."""
    raw = raw.strip()
    match = _ID.match(raw.upper())
    if match is None:
        return raw
    return f"{match.group(1)}-{int(match.group(2)):04d}"


def is_compliance(doc: dict[str, Any]) -> bool:
    if isinstance(doc.get("SummaryControls"), list):
        return True
    results = doc.get("Results")
    return (
        "ID" in doc
        and isinstance(results, list)
        and "SchemaVersion" not in doc
        and all(isinstance(r, dict) and "Target" not in r for r in results[:5])
    )


def looks_like(doc: Any) -> bool:
    """A Trivy report of one of the shapes above."""
    if not isinstance(doc, dict):
        return False
    if isinstance(doc.get("Resources"), list) or (
        "ClusterName" in doc and ("Misconfigurations" in doc or "Vulnerabilities" in doc)
    ):
        return True
    if "SchemaVersion" in doc and "ArtifactName" in doc:
        return True
    return is_compliance(doc) and "Title" in doc


def from_cluster(doc: dict[str, Any]) -> bool:
    return not ("SchemaVersion" in doc and "ArtifactName" in doc)


def _misconfigurations(results: Any, resource: str, collector: Collector) -> int:
    """Add the misconfigurations of a `Results` array; return how many vulnerabilities it held (ignored)."""
    cves = 0
    for result in items(results):
        result = obj(result)
        cves += len(items(result.get("Vulnerabilities")))
        where = resource or text(result.get("Target")).strip()
        for miscon in items(result.get("Misconfigurations")):
            miscon = obj(miscon)
            check = normalise_id(text(miscon.get("ID")) or text(miscon.get("AVDID")))
            if not check:
                continue
            status = text(miscon.get("Status")).strip().upper()
            detail = ""
            verdict: Result
            if status == "FAIL":
                verdict = "fail"
                # only the first resource's message is kept (see Collector): it says what to fix, once
                detail = shorten(text(miscon.get("Message")), 200)
            elif status in ("PASS", "EXCEPTION"):
                verdict = "pass"
                detail = "passed with an exception the team wrote" if status == "EXCEPTION" else ""
            else:
                verdict, detail = "not_evaluated", f"Trivy status {shorten(status, 20)!r}" if status else "no status"
            collector.add("", check, verdict, title=text(miscon.get("Title")), detail=detail, resource=where or None)
    return cves


def _resource_name(resource: dict[str, Any]) -> str:
    kind, namespace, name = (text(resource.get(k)).strip() for k in ("Kind", "Namespace", "Name"))
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}".strip()


def read(doc: dict[str, Any], collector: Collector) -> int:
    """Add a Trivy scan's misconfigurations or compliance controls to `collector`; return the CVEs ignored."""
    if is_compliance(doc):
        _read_compliance(doc, collector)
        return 0
    cves = 0
    if "SchemaVersion" in doc and "ArtifactName" in doc and not isinstance(doc.get("Resources"), list):
        return _misconfigurations(doc.get("Results"), "", collector)
    for key in ("Resources", "Misconfigurations", "Vulnerabilities"):
        for resource in items(doc.get(key)):
            resource = obj(resource)
            cves += _misconfigurations(resource.get("Results"), _resource_name(resource), collector)
    return cves


def _read_compliance(doc: dict[str, Any], collector: Collector) -> None:
    spec = text(doc.get("ID")).strip()
    if not spec:
        raise ScanError("a Trivy compliance report, but it does not say its specification (ID)")
    for control in items(doc.get("SummaryControls")):
        control = obj(control)
        control_id = text(control.get("ID")).strip()
        if not control_id:
            continue
        total = control.get("TotalFail")
        status = text(control.get("Status")).strip().upper()  # older summaries
        verdict: Result
        if isinstance(total, int) and not isinstance(total, bool):
            verdict = "fail" if total > 0 else "pass"
            detail = f"{total} failing result{'s' if total > 1 else ''}" if total > 0 else ""
        elif status in ("FAIL", "PASS"):
            verdict, detail = ("fail" if status == "FAIL" else "pass"), ""
        else:
            verdict, detail = "not_evaluated", "manual control: Trivy does not check it"
        failed = total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else None
        collector.add(
            spec, control_id, verdict, title=text(control.get("Name")), detail=detail, resources_failed=failed
        )
    for control in items(doc.get("Results")):
        control = obj(control)
        control_id = text(control.get("ID")).strip()
        if not control_id:
            continue
        name = text(control.get("Name"))
        failing: list[str] = []
        failures = passes = 0
        for result in items(control.get("Results")):
            result = obj(result)
            for miscon in items(result.get("Misconfigurations")):
                status = text(obj(miscon).get("Status")).strip().upper()
                if status == "FAIL":
                    failures += 1
                    target = text(result.get("Target")).strip()
                    if target and len(failing) < 3:
                        failing.append(target)
                elif status in ("PASS", "EXCEPTION"):
                    passes += 1
            # vulnerability controls (image specs) fail on any listed CVE
            failures += len(items(result.get("Vulnerabilities")))
        default = text(control.get("DefaultStatus")).strip().upper()
        if failures:
            verdict = "fail"
            detail = f"{failures} failing result{'s' if failures > 1 else ''}"
            detail += f": {', '.join(failing)}" if failing else ""
        elif passes:
            verdict, detail = "pass", ""
        elif "manual" in name.lower():
            verdict, detail = "not_evaluated", "manual control: Trivy does not check it"
        elif default == "FAIL":
            verdict, detail = "fail", "no result; the specification's default status for this control is FAIL"
        elif default == "PASS":
            verdict, detail = "pass", "no result; the specification's default status for this control is PASS"
        else:
            verdict, detail = "not_evaluated", "no result: Trivy lists only failures unless --include-non-failures"
        counted = failures if failures or passes else None
        collector.add(spec, control_id, verdict, title=name, detail=detail, resources_failed=counted)


def version(doc: dict[str, Any]) -> str | None:
    return text(obj(doc.get("Trivy")).get("Version")).strip() or None


def cluster(doc: dict[str, Any]) -> str | None:
    return text(doc.get("ClusterName")).strip() or None
