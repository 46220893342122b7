"""kube-bench (`kube-bench run --json`): `{"Controls": [...], "Totals": {...}}` or a bare array of controls.

Each control names its benchmark in `version` (`cis-1.12`, `eks-1.8.0`; old releases write a bare `1.5`, read as
`cis-1.5`) and lists `tests[].results[]`, whose `test_number` is the id inside that benchmark.

Results:
- PASS → pass.
- FAIL → fail.
- WARN → fail, unless the test is manual (`type: manual`, which kube-bench always reports as WARN) or it could not
  run. kube-bench gives WARN, not FAIL, when an automated test that CIS does not score finds the setting wrong: the
  check ran and the cluster does not meet it, so it is a real finding for people to review, never a pass and never
  "not evaluated". The detail says it was a WARN.
- INFO (including `type: skip`) → not evaluated.
- FAIL or WARN whose `reason` starts "failed to run", or whose `actual_value` carries a Kubernetes "Forbidden"
  error (kube-bench could not read the object) → not evaluated: nothing was checked.

One run covers one node type, so a cluster takes several files: `merge` combines them, worst first. The file has
no cluster name and no scan time.
"""

from __future__ import annotations

import re
from typing import Any

from advisor.scanners._model import Collector, Result, ScanError, items, obj, shorten, text

_FORBIDDEN = re.compile(r"\bforbidden\b", re.IGNORECASE)


def looks_like(doc: Any) -> bool:
    """A kube-bench report: an object with a `Controls` array, or an array of objects with `tests` and a version."""
    if isinstance(doc, dict):
        return isinstance(doc.get("Controls"), list)
    if isinstance(doc, list) and doc and isinstance(doc[0], dict):
        return "tests" in doc[0] and ("version" in doc[0] or "node_type" in doc[0])
    return False


def benchmark_name(version: str) -> str:
    """The benchmark a control's `version` names: `cis-1.12` as is, a bare old `1.5` as `cis-1.5`."""
    version = version.strip()
    if re.fullmatch(r"\d+(\.\d+)*", version):
        return f"cis-{version}"
    return version


def _outcome(result: dict[str, Any]) -> tuple[Result, str]:
    """One test result's verdict and the words that explain it."""
    status = text(result.get("status")).strip().upper()
    kind = text(result.get("type")).strip().lower()
    reason = text(result.get("reason")).strip()
    actual = text(result.get("actual_value")).strip()
    expected = text(result.get("expected_result")).strip()
    if kind == "manual":
        return "not_evaluated", "manual check: kube-bench does not test it" + (f" ({reason})" if reason else "")
    if kind == "skip":
        return "not_evaluated", "skipped by the benchmark's configuration" + (f" ({reason})" if reason else "")
    if status in ("FAIL", "WARN"):
        if reason.lower().startswith("failed to run"):
            return "not_evaluated", f"the audit command could not run: {shorten(reason, 300)}"
        if _FORBIDDEN.search(actual):
            return "not_evaluated", f"kube-bench was not allowed to read what it checks: {shorten(actual, 300)}"
        said = [
            "WARN (an automated check CIS does not score: the setting was found wrong)" if status == "WARN" else "FAIL"
        ]
        if actual:
            said.append(f"actual: {shorten(actual, 200)}")
        if expected:
            said.append(f"expected: {shorten(expected, 120)}")
        if reason:
            said.append(shorten(reason, 200))
        return "fail", ", ".join(said)
    if status == "PASS":
        return "pass", ""
    if status == "INFO":
        return "not_evaluated", "reported as INFO: information only" + (f" ({reason})" if reason else "")
    return "not_evaluated", f"unknown status {shorten(status, 20)!r}" if status else "no status"


def read(doc: Any, collector: Collector) -> None:
    """Add every test result of a kube-bench report to `collector`."""
    controls = items(doc.get("Controls")) if isinstance(doc, dict) else items(doc)
    for number, control in enumerate(controls, start=1):
        if not isinstance(control, dict):
            raise ScanError(f"a kube-bench report, but control {number} is not an object")
        if not isinstance(control.get("tests"), list):
            raise ScanError(f"a kube-bench report, but control {number} has no tests list")
        benchmark = benchmark_name(text(control.get("version")))
        if not benchmark:
            raise ScanError(f"a kube-bench report, but control {number} does not say its benchmark (version)")
        node = text(control.get("node_type")).strip()
        for group in control["tests"]:
            for result in items(obj(group).get("results")):
                result = obj(result)
                check = text(result.get("test_number")).strip()
                if not check:
                    continue  # nothing to key the evidence on
                verdict, why = _outcome(result)
                collector.add(
                    benchmark,
                    check,
                    verdict,
                    title=text(result.get("test_desc")),
                    detail=f"[{node}] {why}" if node and why else why,
                )
