"""Sweep a fixed grid of valid answer sets through the engine and count the expert review's findings.

Run: ``.venv/bin/python benchmarks/sweep.py [--limit N] [--json] [--v1-grid]``

It measures the engine before and after the knowledge-base rework, so it reads both result shapes:
engine 1.x (each alternative's ``reasons`` is a list of strings) and contract v2 / engine 2.x
(``reasons`` are objects ``{"text", "effect", "criterion", "points"}``, decisions carry ``close_call``).
The shape is detected per result (``engine_version`` major ≥ 2, or reasons given as objects).

The grid (deterministic; cases are produced in exactly this order)
------------------------------------------------------------------
Base, every combination (3 × 3 × 3 × 2 × 3 × 3 = 486):
    experience     novice, intermediate, expert
    automation     manual, partial, full
    infrastructure public_cloud, on_prem, hybrid
    air_gapped     false, true
    tenancy        single_team, multi_team, multi_customer
    sensitivity    low, moderate, high
Scenarios, every combination (3 × 4 × 2 × 2 = 48), crossed with the base:
    size           (services, applications) = (4, 2), (40, 10), (600, 120)
    compliance     [], [pci_dss], [hipaa], [soc2, gdpr]
    environments   [prod], [dev, staging, prod]
    zero_trust     false, true
Rotated axes (not crossed, to keep the grid small): for a case whose axis indices above sum to S,
    external_tools = TOOL_SETS[S mod 4] of [], [apm], [log_shipping], [siem, runtime_security]
    v2 profile     = V2_PROFILES[S mod 3] (only when the knowledge base knows the contract-v2 keys)
Because S moves with every axis, each value of each axis above (and each combination of a few of
them, such as sensitivity × air_gapped) meets every tool set and every profile.

Total: 486 × 48 = 23,328 answer sets (about 15 s at ~0.6 ms per ``evaluate``). Priorities, exposure
and status are left to their defaults. The v2 profiles use only the keys (and option values) the
knowledge base knows (``default_knowledge_base().question_by_key``); ``cloud_providers`` and
``node_operations`` are only given where the questionnaire asks them (public cloud or hybrid).
``--v1-grid`` leaves every v2 key out, to compare engines on identical answers. Answer sets the
engine rejects (``AnswersError``) are skipped and counted per error key.

Findings: each concerns some cases (or decisions, or reasons) and counts those that show the
problem; rows marked "info" are for information, not defects. A finding whose field does not exist
in the result shape prints "n/a".
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import advisor.engine
from advisor.engine import AnswersError, default_knowledge_base, evaluate

# --------------------------------------------------------------------------------------------
# The grid
# --------------------------------------------------------------------------------------------

BASE_AXES: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("experience", ("novice", "intermediate", "expert")),
    ("automation", ("manual", "partial", "full")),
    ("infrastructure", ("public_cloud", "on_prem", "hybrid")),
    ("air_gapped", (False, True)),
    ("tenancy", ("single_team", "multi_team", "multi_customer")),
    ("sensitivity", ("low", "moderate", "high")),
)
SIZES: tuple[tuple[int, int], ...] = ((4, 2), (40, 10), (600, 120))  # (services, applications)
COMPLIANCE: tuple[tuple[str, ...], ...] = ((), ("pci_dss",), ("hipaa",), ("soc2", "gdpr"))
ENVIRONMENTS: tuple[tuple[str, ...], ...] = (("prod",), ("dev", "staging", "prod"))
ZERO_TRUST: tuple[bool, ...] = (False, True)
TOOL_SETS: tuple[tuple[str, ...], ...] = ((), ("apm",), ("log_shipping",), ("siem", "runtime_security"))
# Contract v2 §1 keys; each profile is filtered to what the knowledge base knows.
V2_PROFILES: tuple[Mapping[str, Any], ...] = (
    {},  # every v2 default
    {
        "cloud_providers": ["aws"],
        "node_operations": "team",
        "identity_provider": "sso",
        "availability": "multi_region",
        "delivery": "gitops",
        "workloads": ["stateful", "untrusted_code"],
        "platform_engineers": 0,
        "egress": "restricted",
    },
    {
        "cloud_providers": ["azure", "gcp"],
        "node_operations": "provider",
        "identity_provider": "directory",
        "availability": "single_zone",
        "delivery": "manual",
        "workloads": ["gpu", "windows", "batch"],
        "platform_engineers": 25,
        "egress": "none",
    },
)
CLOUD_ONLY_KEYS = ("cloud_providers", "node_operations")  # asked only for public_cloud or hybrid
V2_KEYS = (
    "cloud_providers",
    "node_operations",
    "identity_provider",
    "availability",
    "delivery",
    "workloads",
    "platform_engineers",
    "egress",
)


def known_v2_profiles(kb: Any) -> list[dict[str, Any]]:
    """The v2 profiles cut down to the keys and option values this knowledge base knows."""
    questions = kb.question_by_key
    profiles: list[dict[str, Any]] = []
    for profile in V2_PROFILES:
        kept: dict[str, Any] = {}
        for key, value in profile.items():
            q = questions.get(key)
            if q is None:
                continue
            allowed = {o.value for o in q.options}
            if isinstance(value, list):
                value = [v for v in value if not allowed or v in allowed]
            elif allowed and value not in allowed:
                continue
            kept[key] = value
        profiles.append(kept)
    return profiles


def grid(profiles: Sequence[Mapping[str, Any]] | None) -> Iterator[dict[str, Any]]:
    """Every answer set of the grid, in a fixed order (see the module docstring)."""
    base_values = [values for _, values in BASE_AXES]
    scenario = (SIZES, COMPLIANCE, ENVIRONMENTS, ZERO_TRUST)
    base_idx = itertools.product(*(range(len(v)) for v in base_values))
    for b in base_idx:
        for s in itertools.product(*(range(len(v)) for v in scenario)):
            total = sum(b) + sum(s)
            answers: dict[str, Any] = {key: values[j] for (key, values), j in zip(BASE_AXES, b, strict=True)}
            services, applications = SIZES[s[0]]
            answers["services"] = services
            answers["applications"] = applications
            answers["compliance"] = list(COMPLIANCE[s[1]])
            answers["environments"] = list(ENVIRONMENTS[s[2]])
            answers["zero_trust"] = ZERO_TRUST[s[3]]
            answers["external_tools"] = list(TOOL_SETS[total % len(TOOL_SETS)])
            if profiles:
                for key, value in profiles[total % len(profiles)].items():
                    if key in CLOUD_ONLY_KEYS and answers["infrastructure"] == "on_prem":
                        continue
                    answers[key] = list(value) if isinstance(value, list) else value
            yield answers


def grid_size(profiles: Sequence[Mapping[str, Any]] | None) -> int:
    n = 1
    for _, values in BASE_AXES:
        n *= len(values)
    return n * len(SIZES) * len(COMPLIANCE) * len(ENVIRONMENTS) * len(ZERO_TRUST)


# --------------------------------------------------------------------------------------------
# Reading a result of either shape
# --------------------------------------------------------------------------------------------


class Missing(Exception):
    """A field the finding needs is not in this result shape: the finding reads "n/a"."""


def major(version: Any) -> int:
    try:
        return int(str(version).split(".", 1)[0])
    except ValueError:
        return 0


def result_shape(result: Mapping[str, Any]) -> str:
    """The result shape: "v2" when the engine says 2.x or any reason is an object, else "v1"."""
    if major(result.get("engine_version")) >= 2:
        return "v2"
    for d in result.get("decisions") or []:
        for alt in d.get("alternatives") or []:
            for r in alt.get("reasons") or []:
                return "v2" if isinstance(r, Mapping) else "v1"
    return "v1"


def reason_text(reason: Any) -> str:
    if isinstance(reason, Mapping):
        return str(reason.get("text") or "")
    return str(reason)


def reasons_of(alt: Mapping[str, Any]) -> list[Any]:
    return list(alt.get("reasons") or [])


def for_reasons(alt: Mapping[str, Any]) -> list[Any]:
    """Reasons in favour: v2 objects with effect "for"; in v1 every reason (no effect is given)."""
    out = []
    for r in reasons_of(alt):
        if isinstance(r, Mapping):
            if r.get("effect") == "for":
                out.append(r)
        else:
            out.append(r)
    return out


def text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [str(value.get("text") or value.get("message") or "")]
    if isinstance(value, Iterable):
        return [t for v in value for t in text_list(v)]
    return [str(value)]


def _show(value: Any) -> str:
    return f"[{', '.join(map(str, value))}]" if isinstance(value, list | tuple) else str(value)


@dataclass
class Case:
    answers: dict[str, Any]  # the normalised answers when the result carries them
    result: Mapping[str, Any]
    shape: str
    given: frozenset[str] = frozenset()  # the keys the grid gave (the rest are defaults)

    def decision(self, decision_id: str) -> dict[str, Any]:
        for d in self.result.get("decisions") or []:
            if d.get("id") == decision_id:
                return dict(d)
        raise Missing(f"decision {decision_id}")

    def recommended(self, decision_id: str) -> str | None:
        d = self.decision(decision_id)
        if "recommended" not in d:
            raise Missing(f"{decision_id}.recommended")
        rec = d["recommended"]
        return None if rec is None else str(rec)

    def recommended_alt(self, decision_id: str) -> dict[str, Any] | None:
        d = self.decision(decision_id)
        rec = d.get("recommended")
        for alt in d.get("alternatives") or []:
            if alt.get("id") == rec:
                return dict(alt)
        return None

    def brief(self) -> str:
        """The case's answers in one line, for examples."""
        a = self.answers
        parts = [str(a.get(k)) for k in ("experience", "automation", "infrastructure", "tenancy", "sensitivity")]
        parts.append("air-gapped" if a.get("air_gapped") else "connected")
        parts.append(f"{a.get('services')} services/{a.get('applications')} apps")
        parts.append(f"compliance [{', '.join(a.get('compliance') or [])}]")
        parts.append(f"environments [{', '.join(a.get('environments') or [])}]")
        parts.append(f"zero_trust {str(bool(a.get('zero_trust'))).lower()}")
        parts.append(f"tools [{', '.join(a.get('external_tools') or [])}]")
        extra = [f"{k} {_show(a[k])}" for k in V2_KEYS if k in a and k in self.given]
        return ", ".join(parts + extra)

    def answer(self, key: str) -> Any:
        if key not in self.answers:
            raise Missing(f"answers.{key}")
        return self.answers[key]

    def warnings(self) -> list[tuple[str | None, str]]:
        """(id or None, text) of every warning; ids come from ``warnings_detail`` when present."""
        detail = self.result.get("warnings_detail")
        if isinstance(detail, list) and detail:
            return [(w.get("id"), str(w.get("message") or w.get("text") or "")) for w in detail]
        out: list[tuple[str | None, str]] = []
        for w in self.result.get("warnings") or []:
            if isinstance(w, Mapping):
                out.append((w.get("id"), str(w.get("message") or w.get("text") or "")))
            else:
                out.append((None, str(w)))
        return out

    def all_texts(self) -> Iterator[tuple[str, str]]:
        """(field, text) of every user-facing text the result holds (finding 5)."""
        r = self.result
        for name in ("summary",):
            for t in text_list(r.get(name)):
                yield f"result.{name}", t
        for d in r.get("decisions") or []:
            for t in text_list(d.get("close_call_advice")):
                yield "decision.close_call_advice", t
            rec = d.get("recommended")
            for alt in d.get("alternatives") or []:
                if alt.get("id") == rec:
                    for name in ("phrase", "label", "summary"):
                        for t in text_list(alt.get(name)):
                            yield f"recommended.{name}", t
                for reason in reasons_of(alt):
                    yield "reason", reason_text(reason)
                for t in text_list(alt.get("excluded_because")):
                    yield "excluded_because", t
        for _, t in self.warnings():
            yield "warning", t
        for item in r.get("checklist") or []:
            for name in ("title", "why", "how", "included_because", "priority_because"):
                for t in text_list(item.get(name)):
                    yield f"checklist.{name}", t


# --------------------------------------------------------------------------------------------
# Text patterns
# --------------------------------------------------------------------------------------------

# Finding 5. Case-sensitive, word boundaries. "EKS Anywhere" is exempt: contract v2 §2 names it as an
# on-premises vendor distribution, not a cloud service.
CLOUD_TERMS = re.compile(
    r"\bEKS\b(?! Anywhere)|\bAKS\b|\bGKE\b|\bIRSA\b|\bIMDS(?:v[12])?\b|\bCloudWatch\b"
    r"|\bAzure Monitor\b|\bCloud Logging\b|(?<![\d.])169\.254\.169\.254(?![\d.])"
)
# Finding 6b: a claim that nothing third-party runs inside the clusters.
NOTHING_INSIDE = re.compile(
    r"\bnothing\b(?:[^.;]*?\b(?:runs?|running|installed|inside|in the clusters?|third[- ]party)\b)"
    r"|\bno (?:third[- ]party )?(?:agents?|sensors?)\b|\bwithout (?:any )?(?:agents?|sensors?)\b"
    r"|\bno third[- ]party\b|\bagentless\b",
    re.IGNORECASE,
)
# Finding 7: "<provider> … hardens/patches … hosts/nodes/node images" within one clause: the provider is
# the nearest subject before the verb, no negation stands between them, and the object comes before the
# next subject ("the provider patches the control plane while the team patches the nodes" is fine).
_CLAUSES = re.compile(r"[.;:]\s*")
_PATCH_VERB = re.compile(r"\b(?:harden\w*|patch\w*)\b", re.IGNORECASE)
_NODE_OBJECT = re.compile(r"\b(?:hosts?|(?:worker )?nodes?|node (?:images?|pools?|groups?|OS|operating systems?))\b")
_SUBJECT = re.compile(
    r"\b(?P<provider>providers?|vendors?|EKS|AKS|GKE|the service)\b"
    r"|\b(?P<team>team|teams|you|your|yourselves|customer)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"\b(?:not|never|no longer)\b|n't\b", re.IGNORECASE)


@functools.cache
def cloud_hits(text: str) -> tuple[tuple[str, int, int], ...]:
    """Every cloud-only term in a text (cached: most texts are the knowledge base's own strings)."""
    return tuple((m.group(0), m.start(), m.end()) for m in CLOUD_TERMS.finditer(text))


@functools.cache
def provider_patches_nodes(text: str) -> str | None:
    """The clause claiming the provider hardens or patches hosts/nodes, or None."""
    for clause in _CLAUSES.split(text):
        for verb in _PATCH_VERB.finditer(clause):
            later = _SUBJECT.search(clause, verb.end())  # the object must come before the next subject
            if not _NODE_OBJECT.search(clause[: later.start() if later else len(clause)], verb.end()):
                continue
            before = clause[: verb.start()]
            subjects = list(_SUBJECT.finditer(before))
            if not subjects or subjects[-1].group("provider") is None:
                continue
            if _NEGATION.search(before, subjects[-1].end()):
                continue
            return clause.strip()
    return None


def id_patterns(kb: Any) -> re.Pattern[str]:
    """Finding 9: answer ids and condition-language in reason texts.

    Tokens: the review's list, plus every question key, option value and alternative or decision id
    of the knowledge base that contains an underscore (plain words such as "novice" are also labels);
    the phrases " is true", " is false", " includes ", "not ("; and a reason that opens with a
    bare answer key as its subject ("experience is novice: …", "applications ≥ 20 …").
    """
    tokens = {
        "single_team",
        "multi_team",
        "multi_customer",
        "public_cloud",
        "on_prem",
        "pci_dss",
        "air_gapped",
        "zero_trust",
        "external_tools",
        "in_cluster_agents",
        "external_streaming",
    }
    for q in kb.questions:
        tokens.add(q.key)
        tokens.update(str(o.value) for o in q.options if isinstance(o.value, str))
    for d in kb.decisions:
        tokens.add(d.id)
        tokens.update(a.id for a in d.alternatives)
    id_tokens = sorted((t for t in tokens if "_" in t), key=lambda t: (-len(t), t))
    keys = sorted((q.key for q in kb.questions), key=lambda t: (-len(t), t))
    return re.compile(
        r"(?<![\w-])(?:" + "|".join(map(re.escape, id_tokens)) + r")(?![\w-])"
        r"| is true\b| is false\b| includes |not \("
        r"|^(?:" + "|".join(map(re.escape, keys)) + r") (?:is|includes|[≥≤<>=])"
    )


# Finding 11: warnings that argue against a recommended alternative, found by id (engine 1.x
# warnings.yaml) or by their words (so reworded or renamed v2 warnings are still caught).
#   clusters = single
#     untrusted-tenants-one-cluster (tenancy multi_customer and clusters single): "Untrusted tenants
#       will share one control plane … or move tenants to clusters of their own".
#     Any warning that speaks of separate/own/dedicated clusters, of splitting or moving environments
#     or tenants into clusters, or of one cluster or control plane being shared.
#   hosting = self_managed
#     novice-self-managed-by-priority (novice, not air-gapped, hosting self_managed): "a managed
#       service is usually the safer start".
# Not counted, as they say how to live with the recommendation rather than argue against it:
#   novice-forced-self-managed, zero-trust-without-mesh, multi-cluster-by-hand (automate before the
#   second cluster), air-gap-saas-tools, public-exposure-novice.
@dataclass(frozen=True)
class Contradiction:
    decision: str
    alternative: str
    warning_ids: tuple[str, ...]
    pattern: re.Pattern[str]


CONTRADICTIONS: tuple[Contradiction, ...] = (
    Contradiction(
        "clusters",
        "single",
        ("untrusted-tenants-one-cluster",),
        re.compile(
            r"clusters? of (?:their|its) own|\b(?:own|separate|dedicated) clusters?\b"
            r"|\b(?:split|separat\w*|move|moving)\b[^.;]*\b(?:into|to|across)\b[^.;]*\bclusters\b"
            r"|\bshares? (?:one|a single|the same) (?:cluster|control plane)\b"
            r"|\bone shared (?:cluster|control plane)\b",
            re.IGNORECASE,
        ),
    ),
    Contradiction(
        "hosting",
        "self_managed",
        ("novice-self-managed-by-priority",),
        re.compile(r"\bmanaged service is (?:usually |often )?(?:the )?safer\b", re.IGNORECASE),
    ),
)


def contradictions(case: Case, only: str | None = None) -> list[str]:
    """Every warning that argues against a recommendation, as "decision=alternative ← warning id"."""
    found = []
    for c in CONTRADICTIONS:
        if only is not None and c.decision != only:
            continue
        try:
            if case.recommended(c.decision) != c.alternative:
                continue
        except Missing:
            continue
        for wid, text in case.warnings():
            if (wid is not None and wid in c.warning_ids) or c.pattern.search(text):
                found.append(f"{c.decision}={c.alternative} ← {wid or text[:60]}")
    return found


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    problem: bool
    example: str | None = None
    value: float | None = None  # e.g. a margin, summarised as min/median/max over problem cases


Check = Callable[[Case], Iterable[Verdict]]


@dataclass
class Finding:
    key: str
    title: str
    check: Check
    info: bool = False
    unit: str = "cases"
    concerned: int = 0
    problems: int = 0
    na: int = 0
    example: str | None = None
    values: list[float] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)

    def run(self, case: Case) -> None:
        try:
            verdicts = list(self.check(case))
        except Missing:
            self.na += 1
            return
        for v in verdicts:
            self.concerned += 1
            if v.problem:
                self.problems += 1
                if v.example and self.example is None:
                    self.example = v.example
                if v.value is not None:
                    self.values.append(v.value)

    def as_dict(self) -> dict[str, Any]:
        na = self.concerned == 0 and self.na > 0
        out: dict[str, Any] = {
            "key": self.key,
            "title": self.title,
            "info": self.info,
            "unit": self.unit,
            "concerned": None if na else self.concerned,
            "problems": None if na else self.problems,
            "share": None if na or not self.concerned else round(self.problems / self.concerned, 4),
            "not_available_in": self.na,
            "example": self.example,
        }
        if self.values:
            out["values"] = {
                "min": round(min(self.values), 4),
                "median": round(statistics.median(self.values), 4),
                "max": round(max(self.values), 4),
            }
        if self.notes:
            out["notes"] = dict(sorted(self.notes.items(), key=lambda kv: (-kv[1], kv[0])))
        return out


def once(concerns: Callable[[Case], bool], problem: Callable[[Case], bool | Verdict]) -> Check:
    """A per-case finding: one verdict when the case is concerned, none otherwise."""

    def check(case: Case) -> Iterable[Verdict]:
        if not concerns(case):
            return []
        got = problem(case)
        verdict = got if isinstance(got, Verdict) else Verdict(bool(got))
        if verdict.problem and verdict.example is None:
            verdict.example = case.brief()
        return [verdict]

    return check


def has_any(values: Any, wanted: Iterable[str]) -> bool:
    return any(w in (values or []) for w in wanted)


def build_findings(kb: Any) -> list[Finding]:
    decision_ids = [d.id for d in kb.decisions]
    knows_node_operations = "node_operations" in kb.question_by_key
    ids_pattern = id_patterns(kb)

    @functools.cache
    def id_hits(text: str) -> tuple[str, ...]:
        return tuple(sorted({m.group(0).strip() for m in ids_pattern.finditer(text)}))

    findings: list[Finding] = []

    # 1. Mesh for novices.
    findings.append(
        Finding(
            "1-mesh-novice",
            "1. mesh for a novice team without zero trust or compliance",
            once(
                lambda c: (
                    c.answer("experience") == "novice" and not c.answer("zero_trust") and not c.answer("compliance")
                ),
                lambda c: c.recommended("service_mesh") != "none",
            ),
        )
    )
    findings.append(
        Finding(
            "1-mesh-novice-manual",
            "1. mesh for novice + manual automation, any compliance, no zero trust",
            once(
                lambda c: (
                    c.answer("experience") == "novice"
                    and c.answer("automation") == "manual"
                    and not c.answer("zero_trust")
                ),
                lambda c: c.recommended("service_mesh") != "none",
            ),
        )
    )

    # 2, 3. Pre-production sharing one cluster.
    findings.append(
        Finding(
            "2-pci-preprod-single",
            "2. PCI DSS with dev or staging shares one cluster",
            once(
                lambda c: "pci_dss" in c.answer("compliance") and has_any(c.answer("environments"), ("dev", "staging")),
                lambda c: c.recommended("clusters") == "single",
            ),
        )
    )
    findings.append(
        Finding(
            "3-high-preprod-single",
            "3. high sensitivity with pre-production on one cluster",
            once(
                lambda c: c.answer("sensitivity") == "high" and has_any(c.answer("environments"), ("dev", "staging")),
                lambda c: c.recommended("clusters") == "single",
            ),
        )
    )

    # 4. Ties and close calls, per decision.
    def margin_check(decision_id: str, test: Callable[[float], bool], keep_margin: bool = False) -> Check:
        def check(case: Case) -> Iterable[Verdict]:
            d = case.decision(decision_id)
            if not d.get("applicable", True) or d.get("margin") is None:
                return []  # not applicable, or a single eligible alternative: no runner-up
            margin = float(d["margin"])
            return [Verdict(test(margin), f"margin {margin}: {case.brief()}", margin if keep_margin else None)]

        return check

    for did in decision_ids:
        findings.append(
            Finding(
                f"4-tie-{did}", f"4. exact tie (margin 0): {did}", margin_check(did, lambda m: m == 0), unit="decisions"
            )
        )
    for did in decision_ids:
        findings.append(
            Finding(
                f"4-close-{did}",
                f"4. close call (margin < 0.05): {did}",
                margin_check(did, lambda m: m < 0.05, keep_margin=True),
                info=True,
                unit="decisions",
            )
        )

    def close_call_flag(case: Case) -> Iterable[Verdict]:
        out = []
        for d in case.result.get("decisions") or []:
            if not d.get("applicable", True):
                continue
            if "close_call" not in d:
                raise Missing("decision.close_call")
            margin = d.get("margin")
            expected = margin is not None and float(margin) < 0.05
            ok = bool(d["close_call"]) == expected
            out.append(
                Verdict(not ok, example=None if ok else f"{d.get('id')}: margin {margin}, close_call {d['close_call']}")
            )
        return out

    findings.append(
        Finding("4-close-call-flag", "4. close_call flag disagrees with margin (v2)", close_call_flag, unit="decisions")
    )

    # 5. Cloud services on premises.
    findings.append(
        Finding(
            "5-onprem-managed",
            "5. hosting managed recommended on prem",
            once(lambda c: c.answer("infrastructure") == "on_prem", lambda c: c.recommended("hosting") == "managed"),
            info=True,
        )
    )
    cloud_text = Finding("5-onprem-cloud-text", "5. cloud-only text on prem", lambda c: [])

    def onprem_cloud_text(case: Case) -> Iterable[Verdict]:
        if case.answer("infrastructure") != "on_prem":
            return []
        example = None
        seen: set[str] = set()
        for where, text in case.all_texts():
            for term, begin, end in cloud_hits(text):
                seen.update((f"in {where}", term))
                if example is None:
                    example = f"{where}: …{text[max(0, begin - 50) : end + 30]}…"
        cloud_text.notes.update(seen)  # cases with a hit, by field and by term
        return [Verdict(example is not None, example)]

    cloud_text.check = onprem_cloud_text
    findings.append(cloud_text)

    # 6. External streaming where it cannot work, or where it claims too much.
    findings.append(
        Finding(
            "6-streaming-node-tools",
            "6. external streaming with log shipping or runtime security",
            once(
                lambda c: has_any(c.answer("external_tools"), ("log_shipping", "runtime_security")),
                lambda c: c.recommended("tool_integration") == "external_streaming",
            ),
        )
    )

    def streaming_claims_nothing(case: Case) -> Verdict:
        alt = case.recommended_alt("tool_integration") or {}
        texts = text_list(alt.get("summary")) + text_list(alt.get("phrase"))
        texts += [reason_text(r) for r in reasons_of(alt)]
        for text in texts:
            m = NOTHING_INSIDE.search(text)
            if m:
                return Verdict(True, f"“{m.group(0)}” in: {text}")
        return Verdict(False)

    findings.append(
        Finding(
            "6-streaming-apm-nothing-inside",
            "6. APM + external streaming claims nothing runs in the cluster",
            once(
                lambda c: (
                    "apm" in c.answer("external_tools") and c.recommended("tool_integration") == "external_streaming"
                ),
                streaming_claims_nothing,
            ),
        )
    )

    # 7. The provider said to patch the hosts or nodes the team runs.
    def provider_patches(case: Case) -> Verdict:
        alt = case.recommended_alt("hosting") or {}
        texts = text_list(alt.get("summary")) + text_list(alt.get("phrase"))
        texts += [reason_text(r) for r in reasons_of(alt)]
        for text in texts:
            clause = provider_patches_nodes(text)
            if clause:
                return Verdict(True, clause)
        return Verdict(False)

    findings.append(
        Finding(
            "7-provider-patches-nodes",
            "7. provider said to patch the hosts/nodes" + (" (node_operations team)" if knows_node_operations else ""),
            once(
                lambda c: (
                    c.answer("infrastructure") == "public_cloud"
                    and c.recommended("hosting") == "managed"
                    and (not knows_node_operations or c.answers.get("node_operations", "team") == "team")
                ),
                provider_patches,
            ),
        )
    )

    # 8. Intermediate team, health data, public cloud, pushed to self-managed.
    def hosting_self_managed(case: Case) -> Verdict:
        d = case.decision("hosting")
        margin = d.get("margin")
        return Verdict(d.get("recommended") == "self_managed", value=None if margin is None else float(margin))

    findings.append(
        Finding(
            "8-hipaa-intermediate-self-managed",
            "8. intermediate + HIPAA + high + public cloud pushed to self-managed",
            once(
                lambda c: (
                    c.answer("experience") == "intermediate"
                    and "hipaa" in c.answer("compliance")
                    and c.answer("sensitivity") == "high"
                    and c.answer("infrastructure") == "public_cloud"
                    and not c.answer("air_gapped")
                ),
                hosting_self_managed,
            ),
        )
    )

    # 9. Reasons written in answer ids.
    def reason_strings(case: Case) -> list[str]:
        if "decisions" not in case.result:
            raise Missing("decisions")
        out = []
        for d in case.result["decisions"]:
            for alt in d.get("alternatives") or []:
                out += [reason_text(r) for r in reasons_of(alt)]
                out += text_list(alt.get("excluded_because"))
        return out

    ids_results = Finding("9-ids-results", "9. results with a reason written in answer ids", lambda c: [])
    ids_reasons = Finding("9-ids-reasons", "9. reason texts written in answer ids", lambda c: [], unit="reasons")

    def ids_per_result(case: Case) -> Iterable[Verdict]:
        for text in reason_strings(case):
            if id_hits(text):
                return [Verdict(True, text)]
        return [Verdict(False)]

    def ids_per_reason(case: Case) -> Iterable[Verdict]:
        out = []
        for text in reason_strings(case):
            hits = id_hits(text)
            for h in hits:
                ids_reasons.notes[h] += 1
            out.append(Verdict(bool(hits), text))
        return out

    ids_results.check = ids_per_result
    ids_reasons.check = ids_per_reason
    findings += [ids_results, ids_reasons]

    # 10. A recommendation with no reason for it.
    no_reason = Finding(
        "10-no-reason-for", "10. recommended alternative with no reason for it", lambda c: [], unit="decisions"
    )

    def missing_for_reason(case: Case) -> Iterable[Verdict]:
        if "decisions" not in case.result:
            raise Missing("decisions")
        out = []
        for d in case.result["decisions"]:
            if not d.get("applicable", True) or d.get("recommended") is None:
                continue
            alt = next((a for a in d.get("alternatives") or [] if a.get("id") == d["recommended"]), None)
            if alt is None or "reasons" not in alt:
                raise Missing("alternative.reasons")
            bad = not for_reasons(alt)
            if bad:
                no_reason.notes[f"{d['id']}={d['recommended']}"] += 1
            out.append(Verdict(bad, f"{d['id']}={d['recommended']}: {case.brief()}"))
        return out

    no_reason.check = missing_for_reason
    findings.append(no_reason)

    # 12. The checklist (contract v2 rule 1 and §3): a short critical list, a start, no budget cuts.
    def checklist_of(case: Case) -> list[Mapping[str, Any]]:
        items = case.result.get("checklist") or []
        if case.shape != "v2" or not items or "phase" not in items[0]:
            raise Missing("checklist.phase")
        return list(items)

    def critical_of(case: Case) -> list[Mapping[str, Any]]:
        return [i for i in checklist_of(case) if i.get("priority") == "critical"]

    def too_many(case: Case) -> Verdict:
        n = len(critical_of(case))
        return Verdict(n > 12, f"{n} critical: {case.brief()}", float(n))

    def share(case: Case) -> Verdict:
        items, n = checklist_of(case), len(critical_of(case))
        return Verdict(n > 0.30 * len(items), f"{n} of {len(items)} critical: {case.brief()}", n / len(items))

    def held(case: Case) -> Verdict:
        ids = [str(i["id"]) for i in checklist_of(case) if "held at high" in str(i.get("priority_because"))]
        for i in ids:
            held_finding.notes[i] += 1
        return Verdict(bool(ids), f"{', '.join(ids)}: {case.brief()}", float(len(ids)))

    def start(case: Case) -> Verdict:
        n = len(case.result.get("start_here") or [])
        return Verdict(not 3 <= n <= 7, f"{n} to start with: {case.brief()}", float(n))

    def size(case: Case) -> Verdict:
        return Verdict(True, None, float(len(checklist_of(case))))

    def critical_count(case: Case) -> Verdict:
        return Verdict(True, None, float(len(critical_of(case))))

    held_finding = Finding("12-held", "12. results whose rules made more critical than the budget", once(bool, held))
    findings += [
        Finding("12-critical-over-12", "12. more than 12 critical items", once(bool, too_many)),
        Finding("12-critical-over-30pct", "12. more than 30% of the checklist critical", once(bool, share)),
        held_finding,
        Finding("12-start-here", "12. start_here outside 3 … 7 items", once(bool, start)),
        Finding("12-items", "12. checklist items (values: min/median/max)", once(bool, size), info=True),
        Finding("12-critical", "12. critical items (values: min/median/max)", once(bool, critical_count), info=True),
    ]

    # 11. A recommendation contradicted by a warning.
    contradicted = Finding("11-contradicted", "11. recommendation contradicted by a warning", lambda c: [])

    def any_contradiction(case: Case) -> Iterable[Verdict]:
        if "warnings" not in case.result and "warnings_detail" not in case.result:
            raise Missing("warnings")
        found = contradictions(case)
        for f in found:
            contradicted.notes[f] += 1
        return [Verdict(bool(found), f"{found[0]}: {case.brief()}" if found else None)]

    contradicted.check = any_contradiction
    findings.append(contradicted)
    for decision, alternative in sorted({(c.decision, c.alternative) for c in CONTRADICTIONS}):

        def one(case: Case, decision: str = decision, alternative: str = alternative) -> Iterable[Verdict]:
            if case.recommended(decision) != alternative:
                return []
            found = contradictions(case, only=decision)
            return [Verdict(bool(found), f"{found[0]}: {case.brief()}" if found else None)]

        findings.append(
            Finding(
                f"11-contradicted-{decision}-{alternative}",
                f"11. … {decision} {alternative} contradicted (of cases recommending it)",
                one,
            )
        )
    return findings


# --------------------------------------------------------------------------------------------
# Running and printing
# --------------------------------------------------------------------------------------------


def sweep(limit: int | None = None, v1_grid: bool = False) -> dict[str, Any]:
    kb = default_knowledge_base()
    known_v2 = [k for k in V2_KEYS if k in kb.question_by_key]
    profiles = None if v1_grid or not known_v2 else known_v2_profiles(kb)
    findings = build_findings(kb)
    total = grid_size(profiles)
    planned = total if limit is None else min(limit, total)
    skipped: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    engine_version = kb_version = None
    evaluated = 0
    eval_seconds = 0.0
    start = time.perf_counter()
    for answers in itertools.islice(grid(profiles), planned):
        t0 = time.perf_counter()
        try:
            result = evaluate(answers)
        except AnswersError as exc:
            for e in getattr(exc, "errors", None) or [{"key": "?"}]:
                skipped[str(e.get("key"))] += 1
            skipped["(answer sets)"] += 1
            continue
        finally:
            eval_seconds += time.perf_counter() - t0
        evaluated += 1
        engine_version = engine_version or result.get("engine_version")
        kb_version = kb_version or result.get("knowledge_base_version")
        shape = result_shape(result)
        shapes[shape] += 1
        normal = result.get("answers")
        case = Case(dict(normal) if isinstance(normal, Mapping) else dict(answers), result, shape, frozenset(answers))
        for f in findings:
            f.run(case)
    seconds = time.perf_counter() - start
    return {
        "engine_version": engine_version or getattr(advisor.engine, "ENGINE_VERSION", None),
        "knowledge_base_version": kb_version or kb.version,
        "result_shapes": dict(shapes),
        "v2_keys_in_grid": [] if profiles is None else known_v2,
        "grid_size": total,
        "planned": planned,
        "evaluated": evaluated,
        "skipped": skipped.pop("(answer sets)", 0),
        "skipped_by_key": dict(sorted(skipped.items())),
        "seconds": round(seconds, 2),
        "evaluate_seconds": round(eval_seconds, 2),
        "findings": [f.as_dict() for f in findings],
    }


def _cell(f: Mapping[str, Any]) -> tuple[str, str, str]:
    if f["concerned"] is None:
        return "n/a", "n/a", "n/a"
    share = "—" if f["share"] is None else f"{100 * f['share']:.1f}%"
    return str(f["concerned"]), str(f["problems"]), share


def print_report(report: Mapping[str, Any]) -> None:
    print(f"engine {report['engine_version']}, knowledge base {report['knowledge_base_version']}")
    print(f"result shape: {', '.join(f'{k} ×{v}' for k, v in sorted(report['result_shapes'].items())) or 'none'}")
    v2 = report["v2_keys_in_grid"]
    print(f"v2 keys in the grid: {', '.join(v2) if v2 else 'none'}")
    print(
        f"grid: {report['grid_size']} answer sets; {report['planned']} tried, {report['evaluated']} evaluated,"
        f" {report['skipped']} skipped as invalid"
        + (f" ({', '.join(f'{k}: {v}' for k, v in report['skipped_by_key'].items())})" if report["skipped"] else "")
    )
    print(f"time: {report['seconds']:.1f} s ({report['evaluate_seconds']:.1f} s in evaluate)")
    print()
    width = max(len(f["title"]) for f in report["findings"]) + 2
    print(f"{'finding':<{width}}{'concerned':>10}{'problem':>10}{'share':>9}")
    print("-" * (width + 29))
    for f in report["findings"]:
        concerned, problems, share = _cell(f)
        tag = "  (info)" if f["info"] else ""
        unit = "" if f["unit"] == "cases" or concerned == "n/a" else f"  {f['unit']}"
        print(f"{f['title']:<{width}}{concerned:>10}{problems:>10}{share:>9}{unit}{tag}")
    print()
    print("examples and details")
    for f in report["findings"]:
        lines = []
        if f.get("values"):
            v = f["values"]
            lines.append(f"margins of the problem cases: min {v['min']}, median {v['median']}, max {v['max']}")
        if f.get("example") and f["problems"]:
            lines.append(f"example: {f['example']}")
        if f.get("notes"):
            top = list(f["notes"].items())[:12]
            lines.append("counts: " + "; ".join(f"{k} ×{n}" for k, n in top))
        if f.get("not_available_in") and f["concerned"] is not None:
            lines.append(f"n/a in {f['not_available_in']} results")
        if lines:
            print(f"  {f['title']}")
            for line in lines:
                print(f"      {line}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="evaluate only the first N answer sets")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--v1-grid", action="store_true", help="leave the contract-v2 answer keys out of the grid")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 0:
        parser.error("--limit must be 0 or more")
    report = sweep(limit=args.limit, v1_grid=args.v1_grid)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
