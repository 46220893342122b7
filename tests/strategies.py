"""Hypothesis strategies that draw valid answers documents from the knowledge base's questions."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from advisor.engine import default_knowledge_base
from advisor.engine.schema import CRITERIA, STATUSES

_KB = default_knowledge_base()
_Q = _KB.question_by_key


def _options(key: str) -> list[Any]:
    return [o.value for o in _Q[key].options]


priorities = st.fixed_dictionaries({c: st.integers(0, 5) for c in CRITERIA}).filter(lambda p: any(p.values()))


@st.composite
def valid_answers(draw: st.DrawFn) -> dict[str, Any]:
    """Any valid answers document, optional keys sometimes left out."""
    applications = draw(st.integers(1, 10000))
    doc: dict[str, Any] = {
        "experience": draw(st.sampled_from(_options("experience"))),
        "automation": draw(st.sampled_from(_options("automation"))),
        "infrastructure": draw(st.sampled_from(_options("infrastructure"))),
        "air_gapped": draw(st.booleans()),
        "applications": applications,
        "services": draw(st.integers(applications, 100000)),
        "tenancy": draw(st.sampled_from(_options("tenancy"))),
        "sensitivity": draw(st.sampled_from(_options("sensitivity"))),
    }
    optional = {
        "compliance": st.lists(st.sampled_from(_options("compliance")), unique=True),
        "environments": st.lists(st.sampled_from(_options("environments")), unique=True, min_size=1),
        "zero_trust": st.booleans(),
        "external_tools": st.lists(st.sampled_from(_options("external_tools")), unique=True),
        "exposure": st.sampled_from(_options("exposure")),
        "priorities": priorities,
        "status": st.dictionaries(st.sampled_from([i.id for i in _KB.items]), st.sampled_from(STATUSES), max_size=8),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            doc[key] = draw(strategy)
    # contract v2 keys, without the contradictions the engine refuses
    in_cloud = doc["infrastructure"] != "on_prem"
    v2: dict[str, Any] = {
        "identity_provider": st.sampled_from(_options("identity_provider")),
        "availability": st.sampled_from(_options("availability")),
        "delivery": st.sampled_from(_options("delivery")),
        "workloads": st.lists(st.sampled_from(_options("workloads")), unique=True),
        "platform_engineers": st.none() | st.integers(0, 10000),
        "egress": st.sampled_from([e for e in _options("egress") if not (doc["air_gapped"] and e == "open")]),
    }
    if in_cloud:
        v2["cloud_providers"] = st.lists(st.sampled_from(_options("cloud_providers")), unique=True)
        v2["node_operations"] = st.sampled_from(_options("node_operations"))
    for key, strategy in v2.items():
        if draw(st.booleans()):
            doc[key] = draw(strategy)
    return doc
