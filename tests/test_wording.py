"""Conditions in the questionnaire's words: labels of questions and options, never ids."""

from __future__ import annotations

import pytest

from advisor.engine import KnowledgeBase
from advisor.engine.conditions import parse_condition
from advisor.engine.wording import describe, field_message


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"key": "air_gapped", "eq": True}, "“Must the clusters be air-gapped?” is “Yes”"),
        ({"key": "services", "gte": 2}, "the number of services is 2 or more"),
        ({"key": "services", "lt": 5}, "the number of services is fewer than 5"),
        ({"key": "platform_engineers", "lte": 1}, "“People who operate the platform” is 1 or fewer"),
        (
            {"key": "tenancy", "in": ["multi_team", "multi_customer"]},
            "“Who shares the platform” is “Several internal teams” or “Untrusted tenants (customers)”",
        ),
        (
            {"key": "compliance", "contains_any": ["pci_dss", "hipaa"]},
            "“Compliance frameworks” include “PCI DSS” or “HIPAA”",
        ),
        (
            {"key": "external_tools", "empty": True},
            "nothing is chosen for “Third-party monitoring and security tools planned”",
        ),
        (
            {"not": {"key": "experience", "eq": "novice"}},
            "it is not the case that “Kubernetes security experience of the team” is “Novice”",
        ),
        ({"decision": "hosting", "is": "self_managed"}, "the recommendation for hosting is “Self-managed Kubernetes”"),
    ],
)
def test_conditions_read_as_the_questionnaire_does(kb: KnowledgeBase, raw: dict, words: str) -> None:  # type: ignore[type-arg]
    assert describe(parse_condition(raw), kb) == words


def test_every_condition_in_the_knowledge_base_reads_without_ids(kb: KnowledgeBase) -> None:
    conditions = [q.show_if for q in kb.questions] + [
        e.when for d in kb.decisions for a in d.alternatives for e in [*a.adjustments, *a.constraints]
    ]
    for cond in conditions:
        text = describe(cond, kb)
        for key in kb.question_by_key:
            if "_" in key:
                assert key not in text, text


def test_reasons_name_the_recommendation_as_it_is_called_where_the_clusters_run() -> None:
    """The same recommendation reads differently per cloud (and per estate); worded reasons are cached, so
    the cache must tell them apart."""
    from advisor.engine import evaluate
    from tests.helpers import BASE_ANSWERS

    def managed_reason(**answers: object) -> str:
        result = evaluate({**BASE_ANSWERS, "experience": "novice", **answers})
        item = next(i for i in result["checklist"] if i["id"] == "cp-managed-private-endpoint")
        return " ".join(item["included_because"])

    assert "EKS" in managed_reason(infrastructure="public_cloud", cloud_providers=["aws"])
    azure = managed_reason(infrastructure="public_cloud", cloud_providers=["azure"])
    assert "AKS" in azure
    assert "EKS" not in azure


@pytest.mark.parametrize(
    ("key", "message", "words"),
    [
        (
            "experience",
            "is required; allowed: novice, intermediate, expert",
            "Choose one of: Novice, Intermediate, Expert",
        ),
        (
            "experience",
            "got 'guru'; allowed: novice, intermediate, expert",
            "Choose one of: Novice, Intermediate, Expert",
        ),
        ("air_gapped", "got 'maybe' (text); allowed: true, false", "Choose Yes or No"),
        (
            "applications",
            "got 'x' (text); allowed: a whole number from 1 to 10000",
            "Enter a whole number from 1 to 10000",
        ),
        (
            "services",
            "got 4; must be at least applications (8)",
            "must be at least the number of distinct applications (8)",
        ),
        ("environments[1]", "'prod' is listed twice; list each value once", "Choose each option once"),
        ("priorities.cost", "got 9; allowed: a whole number from 0 to 5", "Enter a whole number from 0 to 5"),
        (
            "priorities",
            "every priority is 0; at least one criterion must matter (1 … 5)",
            "Give at least one criterion a priority from 1 to 5",
        ),
        ("egress", "an air-gapped cluster has no open path", "an air-gapped cluster has no open path"),
        ("unknown", "unknown key; allowed keys: a, b", "unknown key; allowed keys: a, b"),
    ],
)
def test_engine_errors_read_in_the_questionnaire_words(kb: KnowledgeBase, key: str, message: str, words: str) -> None:
    assert field_message(kb, key, message) == words
