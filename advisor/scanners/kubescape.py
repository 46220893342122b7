"""kubescape (`kubescape scan framework … --format json`).

`summaryDetails.controls` maps control ids (`C-0041`) to `{name, status, statusInfo, ResourceCounters}`: one finding
each under benchmark "" (kubescape's own ids). `summaryDetails.frameworks[]` repeats controls per framework; in a
framework whose name starts with `cis-` (or the old framework called `CIS`) the control's name begins with its CIS
id ("CIS-5.2.5 …"), which gives a second finding keyed (kubescape, framework name, CIS id): kubescape's CIS numbering
differs from kube-bench's at some ids, so the framework name stays part of the key.

Results (from `statusInfo` when present, else `status`):
- passed → pass; passed with subStatus `w/exceptions` → pass too (the failing resources are covered by exceptions
  the team configured), and the detail says so.
- passed with subStatus `irrelevant` → not evaluated: no resource was in scope, so nothing was checked.
- failed → fail, with the failing resource count and the first few failing resource ids from `results[]`.
- skipped (whatever its subStatus: `configuration`, `requires review`, `manual review`, "requires the Kubescape
  operator", "failed to get cloud provider" …) → not evaluated, with kubescape's reason as the detail.
- the statuses of older files (`irrelevant`, `excluded`, `error`, `warning`, …) → not evaluated.

Older files key controls by CIS id (`CIS-5.7.2`) in a framework called `CIS`; those are converted to C-ids with
`kubescape_old_ids.json` (from kubescape's rule library). The scan time is `generationTime` unless it is Go's zero
time; the cluster is `clusterName`, else the kubeconfig context in `metadata.targetMetadata`.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

from advisor.scanners._model import Collector, Result, count, items, obj, shorten, text

_CIS_NAME = re.compile(r"^CIS-(\d+(?:\.\d+)+)\s*(.*)$", re.DOTALL)
_OLD_ID = re.compile(r"^CIS-\d+(?:\.\d+)+$")
_FAILING_SHOWN = 3


@functools.cache
def old_ids() -> dict[str, str]:
    """Old CIS-style control ids (`CIS-1.1.1`) → kubescape C-ids (`C-0092`)."""
    raw = json.loads(resources.files(__package__).joinpath("kubescape_old_ids.json").read_text("utf-8"))
    return {str(k): str(v) for k, v in raw.items()}


def looks_like(doc: Any) -> bool:
    """A kubescape report: an object whose `summaryDetails` is an object."""
    return isinstance(doc, dict) and isinstance(doc.get("summaryDetails"), dict)


def is_cis_framework(name: str) -> bool:
    return name.lower().startswith("cis-") or name == "CIS"


def _status(control: dict[str, Any]) -> tuple[str, str, str]:
    """(status, subStatus, info) of a control entry, lower-cased."""
    info = obj(control.get("statusInfo"))
    status = text(info.get("status")) or text(control.get("status"))
    if not status and isinstance(control.get("status"), dict):  # per-resource entries nest it
        status = text(control["status"].get("status"))
    return status.strip().lower(), text(info.get("subStatus")).strip().lower(), text(info.get("info")).strip()


def _outcome(control: dict[str, Any], failing: list[str]) -> tuple[Result, str, int | None]:
    """A control's verdict, its detail and its failed resource count."""
    status, sub, info = _status(control)
    counters = obj(control.get("ResourceCounters"))
    failed = count(counters.get("failedResources"))
    reason = f": {shorten(info, 300)}" if info else ""
    if status in ("passed", "success"):
        if sub == "irrelevant":
            return "not_evaluated", "no resource in scope (kubescape: passed, irrelevant)" + reason, failed
        if sub in ("w/exceptions", "exceptions"):
            return "pass", "passed with exceptions the team configured" + reason, failed
        return "pass", "", failed
    if status in ("failed", "failure"):
        noun = "resource" if failed == 1 else "resources"
        said = f"failed on {failed} {noun}" if failed is not None else "failed"
        if failing:
            said += ": " + ", ".join(shorten(r, 120) for r in failing[:_FAILING_SHOWN])
            if failed is not None and failed > _FAILING_SHOWN:
                said += f" and {failed - _FAILING_SHOWN} more"
        return "fail", said, failed
    if status == "skipped":
        label = f"skipped ({sub})" if sub else "skipped"
        return "not_evaluated", label + reason, failed
    label = f"kubescape status {shorten(status, 30)!r}" if status else "no status"
    return "not_evaluated", label + reason, failed


def _failing_resources(doc: dict[str, Any]) -> dict[str, list[str]]:
    """Control id → the first few resource ids it failed on, in one pass over `results[]`."""
    out: dict[str, list[str]] = {}
    for entry in items(doc.get("results")):
        entry = obj(entry)
        resource = text(entry.get("resourceID"))
        if not resource:
            continue
        for control in items(entry.get("controls")):
            control = obj(control)
            cid = text(control.get("controlID"))
            if cid and _status(control)[0] == "failed":
                names = out.setdefault(cid, [])
                if len(names) < _FAILING_SHOWN:
                    names.append(resource)
    return out


def _c_id(control_id: str) -> str | None:
    """The C-id a control is keyed by, converting old CIS-style ids; None for an old id the table lacks."""
    if _OLD_ID.match(control_id):
        return old_ids().get(control_id)
    return control_id


def read(doc: dict[str, Any], collector: Collector) -> None:
    """Add every control of a kubescape report, and its CIS id in each CIS framework, to `collector`."""
    summary = obj(doc.get("summaryDetails"))
    failing = _failing_resources(doc)
    for key, control in obj(summary.get("controls")).items():
        control = obj(control)
        control_id = text(control.get("controlID")) or key
        cid = _c_id(control_id)
        if not cid:
            continue
        verdict, detail, failed = _outcome(control, failing.get(control_id, []))
        title = text(control.get("name"))
        cis = _CIS_NAME.match(title)
        collector.add("", cid, verdict, title=cis.group(2) if cis else title, detail=detail, resources_failed=failed)
    for framework in items(summary.get("frameworks")):
        framework = obj(framework)
        name = text(framework.get("name")).strip()
        if not is_cis_framework(name):
            continue
        controls = framework.get("controls")
        # current files map id → control; keep a list form readable too
        entries = list(controls.items()) if isinstance(controls, dict) else [("", c) for c in items(controls)]
        for key, control in entries:
            control = obj(control)
            control_id = text(control.get("controlID")) or key
            title = text(control.get("name"))
            cis = _CIS_NAME.match(title) or _CIS_NAME.match(control_id)
            if cis is None:
                continue
            verdict, detail, failed = _outcome(control, failing.get(control_id, []))
            cis_title = cis.group(2) if _CIS_NAME.match(title) else title
            collector.add(name, cis.group(1), verdict, title=cis_title, detail=detail, resources_failed=failed)


def version(doc: dict[str, Any]) -> str | None:
    scan = obj(obj(doc.get("metadata")).get("scanMetadata"))
    return text(scan.get("kubescapeVersion")).strip() or None


def cluster(doc: dict[str, Any]) -> str | None:
    name = text(doc.get("clusterName")).strip()
    if name:
        return name
    context = obj(obj(obj(doc.get("metadata")).get("targetMetadata")).get("clusterContextMetadata"))
    return text(context.get("contextName")).strip() or None
