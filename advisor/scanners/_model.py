"""The scanner reading layer's types, its error, and the helpers every tool module shares."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

Tool = Literal["kube-bench", "kubescape", "polaris", "trivy", "checkov"]
Result = Literal["pass", "fail", "not_evaluated"]
Source = Literal["cluster", "manifests"]
KEY = tuple[str, str, str]

TOOL_NAMES: Final[dict[str, str]] = {
    "kube-bench": "kube-bench",
    "kubescape": "kubescape",
    "polaris": "Polaris",
    "trivy": "Trivy",
    "checkov": "Checkov",
}
TITLE_MAX: Final = 200
DETAIL_MAX: Final = 500
MAX_FINDINGS: Final = 100_000
# worst first when several observations of one check meet: a failure anywhere outweighs a gap, a gap outweighs a pass
RANK: Final[dict[str, int]] = {"pass": 0, "not_evaluated": 1, "fail": 2}
_NAMES_SHOWN: Final = 3  # failing resources named in a detail; the rest are counted
_DETAILS_KEPT: Final = 4  # distinct detail texts kept per check and result


class ScanError(ValueError):
    """The file is not a scanner report this app reads; the message says why, for people."""


@dataclass(frozen=True)
class Finding:
    """One check's result in one report: the evidence for (tool, benchmark, check)."""

    tool: Tool
    benchmark: str  # "" for the tool's own ids (C-0041, KSV-0012, CKV_K8S_20, Polaris check ids)
    check: str
    result: Result
    title: str = ""
    detail: str = ""
    resources_failed: int | None = None

    @property
    def key(self) -> KEY:
        return (self.tool, self.benchmark, self.check)


@dataclass(frozen=True)
class Scan:
    """One scanner report file, read: where it came from and one finding per (benchmark, check)."""

    tool: Tool
    tool_version: str | None
    source: Source
    benchmarks: tuple[str, ...]
    cluster: str | None
    scanned_at: datetime | None
    digest: str
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = field(default=())  # what the file held that is not evidence (CVEs), for people

    @property
    def failed(self) -> int:
        return sum(f.result == "fail" for f in self.findings)

    @property
    def passed(self) -> int:
        return sum(f.result == "pass" for f in self.findings)

    @property
    def not_evaluated(self) -> int:
        return sum(f.result == "not_evaluated" for f in self.findings)


def shorten(text: str, limit: int) -> str:
    """`text` on one line with runs of blank space collapsed, cut to `limit` characters with an ellipsis."""
    # collapse only what can be shown: a hostile multi-megabyte value is sliced before the regex sees it
    one_line = re.sub(r"\s+", " ", text[: limit * 4]).strip()
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


def text(value: Any) -> str:
    """A JSON scalar as text ("" for null, objects and arrays), so odd types never reach string code."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return ""


def obj(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    """`value` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def count(value: Any) -> int | None:
    """A non-negative whole number from JSON, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:  # NaN, infinities
        return None
    return int(value)


_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$")


def timestamp(value: Any) -> datetime | None:
    """An RFC 3339 time as timezone-aware UTC; None when absent, unreadable or Go's zero time (year 1)."""
    match = _TIME.match(text(value).strip())
    if match is None:
        return None
    day, clock, fraction, zone = match.groups()
    # Go writes nanoseconds; Python keeps microseconds
    iso = f"{day}T{clock}" + (f".{fraction[:6].ljust(6, '0')}" if fraction else "")
    zone = "+00:00" if zone in (None, "Z") else zone
    try:
        moment = datetime.fromisoformat(iso + zone)
    except ValueError:
        return None
    if moment.year <= 1:
        return None
    return moment.astimezone(UTC)


def join_bounded(parts: Iterable[str], limit: int = DETAIL_MAX, sep: str = "; ") -> str:
    """Distinct non-empty parts joined with `sep`, stopping once `limit` is reached (never quadratic)."""
    kept: list[str] = []
    size = 0
    for part in parts:
        if not part or part in kept:
            continue
        kept.append(part)
        size += len(part) + len(sep)
        if size > limit:
            break
    return shorten(sep.join(kept), limit)


class _Entry:
    """What is known so far about one (benchmark, check) of a report."""

    __slots__ = ("details", "failing", "failing_shown", "resources_failed", "result", "seen_resources", "titles")

    def __init__(self) -> None:
        self.result: Result = "pass"
        self.titles: dict[str, str] = {}  # per result: a tool may word its title by outcome (Polaris does)
        self.details: dict[str, list[str]] = {}
        self.failing: set[str] = set()
        self.failing_shown: list[str] = []
        self.seen_resources = False
        self.resources_failed: int | None = None


class Collector:
    """Gathers observations of checks (per resource, per node file, per framework) into one finding each.

    The worst result wins; details are kept only for the winning result, a few distinct ones each; failing
    resources are counted (each name once) and the first few are named.
    """

    def __init__(self, tool: Tool) -> None:
        self.tool: Tool = tool
        # Trivy words one message per resource, naming it: the first says what to fix, the failing names do the rest
        self._details_kept = 1 if tool == "trivy" else _DETAILS_KEPT
        self._entries: dict[tuple[str, str], _Entry] = {}

    def add(
        self,
        benchmark: str,
        check: str,
        result: Result,
        *,
        title: str = "",
        detail: str = "",
        resource: str | None = None,
        resources_failed: int | None = None,
    ) -> None:
        key = (benchmark, check)
        entry = self._entries.get(key)
        if entry is None:
            if len(self._entries) >= MAX_FINDINGS:
                raise ScanError(
                    f"a {TOOL_NAMES[self.tool]} report, but it lists more than {MAX_FINDINGS:,} checks, "
                    "the most this app reads from one file"
                )
            entry = self._entries[key] = _Entry()
            entry.result = result
        elif RANK[result] > RANK[entry.result]:
            entry.result = result
        if title and result not in entry.titles:
            entry.titles[result] = shorten(title, TITLE_MAX)
        if detail:
            kept = entry.details.setdefault(result, [])
            short = shorten(detail, DETAIL_MAX)
            if len(kept) < self._details_kept and short not in kept:
                kept.append(short)
        if resource is not None:
            entry.seen_resources = True
            if result == "fail" and resource not in entry.failing:
                entry.failing.add(resource)
                if len(entry.failing_shown) < _NAMES_SHOWN:
                    entry.failing_shown.append(resource)
        if resources_failed is not None:
            entry.resources_failed = max(entry.resources_failed or 0, resources_failed)

    def findings(self) -> tuple[Finding, ...]:
        """One finding per (benchmark, check), in the order the report first named them."""
        out: list[Finding] = []
        for (benchmark, check), entry in self._entries.items():
            parts: list[str] = []
            failed = entry.resources_failed
            if entry.seen_resources and failed is None:
                failed = len(entry.failing)
            if entry.result == "fail" and entry.failing:
                names = ", ".join(shorten(name, 120) for name in entry.failing_shown)
                more = f" and {len(entry.failing) - len(entry.failing_shown)} more" if len(entry.failing) > 3 else ""
                noun = "resource" if len(entry.failing) == 1 else "resources"
                parts.append(f"failed on {len(entry.failing)} {noun}: {names}{more}")
            parts.extend(entry.details.get(entry.result, []))
            out.append(
                Finding(
                    tool=self.tool,
                    benchmark=benchmark,
                    check=check,
                    result=entry.result,
                    title=entry.titles.get(entry.result) or next(iter(entry.titles.values()), ""),
                    detail=join_bounded(parts),
                    resources_failed=failed,
                )
            )
        return tuple(out)


def benchmarks_of(findings: Iterable[Finding]) -> tuple[str, ...]:
    """The named benchmarks the findings belong to, in order of first appearance ("" is the tool's own ids)."""
    return tuple(dict.fromkeys(f.benchmark for f in findings if f.benchmark))


def scan_to_json(scan: Scan) -> dict[str, Any]:
    """A reading as plain JSON, to keep between a preview and its confirmation (`scan_from_json` reads it back)."""
    return {
        "tool": scan.tool,
        "tool_version": scan.tool_version,
        "source": scan.source,
        "benchmarks": list(scan.benchmarks),
        "cluster": scan.cluster,
        "scanned_at": scan.scanned_at.isoformat() if scan.scanned_at else None,
        "digest": scan.digest,
        "notes": list(scan.notes),
        "findings": [[f.benchmark, f.check, f.result, f.title, f.detail, f.resources_failed] for f in scan.findings],
    }


def scan_from_json(doc: dict[str, Any]) -> Scan:
    tool = doc["tool"]
    return Scan(
        tool=tool,
        tool_version=doc["tool_version"],
        source=doc["source"],
        benchmarks=tuple(doc["benchmarks"]),
        cluster=doc["cluster"],
        scanned_at=datetime.fromisoformat(doc["scanned_at"]) if doc["scanned_at"] else None,
        digest=doc["digest"],
        notes=tuple(doc["notes"]),
        findings=tuple(
            Finding(tool, benchmark, check, result, title, detail, failed)
            for benchmark, check, result, title, detail, failed in doc["findings"]
        ),
    )
