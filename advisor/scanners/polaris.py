"""Polaris (`polaris audit --format json`).

`{PolarisOutputVersion, AuditTime, SourceType, SourceName, DisplayName, ClusterInfo, Results[]}`; each result is one
resource with check maps (id → `{ID, Message, Success, Severity, Category}`) in `Results`, `PodResult.Results` and
`PodResult.ContainerResults[].Results`. Polaris ids are its own (benchmark ""): one finding per check id, the worst
across resources and containers (`Success: false` → fail, except severity `ignore` → not evaluated), naming the
failing resources. The title is Polaris's message for the winning result (Polaris words it per outcome).

`SourceType` Cluster or ClusterNamespace is a cluster scan, Path a scan of manifest files. The cluster name is read
only for Cluster scans (`DisplayName`, else `SourceName`); `AuditTime` is the scan time unless it is Go's zero time
(path scans). The file does not carry Polaris's own version (`PolarisOutputVersion` is the format's).
"""

from __future__ import annotations

from typing import Any

from advisor.scanners._model import Collector, Result, items, obj, text


def looks_like(doc: Any) -> bool:
    """A Polaris report: an object with `PolarisOutputVersion`, or with `SourceType` and a `Results` array."""
    if not isinstance(doc, dict):
        return False
    return "PolarisOutputVersion" in doc or ("SourceType" in doc and "AuditTime" in doc)


def _checks(where: Any, resource: str, collector: Collector) -> None:
    for key, check in obj(where).items():
        check = obj(check)
        check_id = text(check.get("ID")) or str(key)
        success = check.get("Success")
        severity = text(check.get("Severity")).strip().lower()
        message = text(check.get("Message"))
        verdict: Result
        if success is True:
            verdict, detail = "pass", ""
        elif severity == "ignore":
            verdict, detail = "not_evaluated", "Polaris is configured to ignore this check"
        elif success is False:
            verdict, detail = "fail", ""
        else:
            verdict, detail = "not_evaluated", "Polaris gave no result"
        collector.add("", check_id, verdict, title=message, detail=detail, resource=resource)


def read(doc: dict[str, Any], collector: Collector) -> None:
    """Add every check of every resource in a Polaris report to `collector`."""
    for result in items(doc.get("Results")):
        result = obj(result)
        kind, namespace, name = (text(result.get(k)).strip() for k in ("Kind", "Namespace", "Name"))
        resource = f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"
        _checks(result.get("Results"), resource, collector)
        pod = obj(result.get("PodResult"))
        _checks(pod.get("Results"), resource, collector)
        for container in items(pod.get("ContainerResults")):
            # a container's failure counts against its resource: resources, not containers, are what people fix
            _checks(obj(container).get("Results"), resource, collector)


def from_cluster(doc: dict[str, Any]) -> bool:
    return text(doc.get("SourceType")).strip().lower() in ("cluster", "clusternamespace")


def cluster(doc: dict[str, Any]) -> str | None:
    if text(doc.get("SourceType")).strip().lower() != "cluster":
        return None
    return text(doc.get("DisplayName")).strip() or text(doc.get("SourceName")).strip() or None
