"""Answers the bundle tests build from: the six panel organisations and a few crafted ones that reach what the
panel does not (shared namespaces, one namespace per team, in-cluster agents, a sidecar mesh, restricted set
aside, names given by the user)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from advisor.bundle.model import BundleContext
from advisor.engine import KnowledgeBase, default_knowledge_base, evaluate
from tests.helpers import BASE_ANSWERS
from tests.panel.organisations import ORGANISATIONS

# what an on-premises bundle never names (contract §3: on-premises results name no cloud service)
CLOUD_NAMES = re.compile(r"\b(aws|amazon|eks|azure|aks|microsoft|gcp|gke|google|cloud provider)\b", re.IGNORECASE)
SIMPLE = {"simplicity": 5, "cost": 5, "isolation": 0, "attack_surface": 0, "visibility": 0, "control": 0}


@dataclass(frozen=True)
class Case:
    id: str
    answers: dict[str, Any]
    teams: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()
    overrides: tuple[tuple[str, str], ...] = ()  # decision → alternative, where no answers reach it


CRAFTED = [
    Case(
        "shared",
        {**BASE_ANSWERS, "experience": "novice", "applications": 1, "services": 2, "sensitivity": "low"}
        | {"priorities": SIMPLE},
        teams=("Web",),
    ),
    Case(
        "per-team-named",
        {**BASE_ANSWERS, "applications": 1, "tenancy": "multi_team", "environments": ["dev", "staging", "prod"]}
        | {"priorities": {"simplicity": 5, "cost": 5, "isolation": 1}, "exposure": "public_api"},
        teams=("Payments Team", "Search & Ranking", "payments team"),
    ),
    Case(
        "in-cluster-agents-on-prem",
        {**BASE_ANSWERS, "infrastructure": "on_prem", "external_tools": ["runtime_security", "siem"]}
        | {"priorities": {"simplicity": 5, "cost": 5, "isolation": 1}, "delivery": "manual"},
        apps=("Card API", "ledger"),
    ),
    Case(
        "sidecar-mesh",
        dict(next(o for o in ORGANISATIONS if o["id"] == "fintech-pci")["answers"]),
        overrides=(("service_mesh", "sidecar"),),
    ),
    Case("restricted-set-aside", {**BASE_ANSWERS, "status": {"psa-restricted-enforce": "accepted_risk"}}),
]
CASES = [Case(str(o["id"]), dict(o["answers"])) for o in ORGANISATIONS] + CRAFTED
IDS = [c.id for c in CASES]


def kb() -> KnowledgeBase:
    return default_knowledge_base()


@cache
def _result(case_id: str) -> dict[str, Any]:
    case = next(c for c in CASES if c.id == case_id)
    result = evaluate(case.answers)
    for decision, alternative in case.overrides:
        entry = next(d for d in result["decisions"] if d["id"] == decision)
        entry["recommended"] = alternative
    return dict(result)


def result_of(case: Case) -> dict[str, Any]:
    """A fresh copy of the case's result (the evaluation is made once)."""
    return copy.deepcopy(_result(case.id))


def context_of(case: Case) -> BundleContext:
    return BundleContext(result_of(case), kb(), case.teams, case.apps)
