"""Validation of the answers document: every error names the key, what was given and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.engine import AnswersError, default_knowledge_base, evaluate
from tests.strategies import valid_answers

_KEYS = [q.key for q in default_knowledge_base().questions]


def errors_for(answers: Any) -> list[dict[str, str]]:
    with pytest.raises(AnswersError) as caught:
        evaluate(answers)
    return caught.value.errors


def only_error(answers: Any) -> dict[str, str]:
    errors = errors_for(answers)
    assert len(errors) == 1, errors
    return errors[0]


def test_defaults_are_filled(answers: dict[str, Any]) -> None:
    normal = evaluate(answers)["answers"]
    assert normal["compliance"] == []
    assert normal["environments"] == ["prod"]
    assert normal["zero_trust"] is False
    assert normal["external_tools"] == []
    assert normal["exposure"] == "internal"
    assert normal["priorities"] == dict.fromkeys(
        ["isolation", "attack_surface", "visibility", "control", "simplicity", "cost"], 3
    )
    assert normal["status"] == {}


def test_lists_are_normalised_to_option_order(answers: dict[str, Any]) -> None:
    normal = evaluate({**answers, "environments": ["prod", "dev"], "compliance": ["soc2", "hipaa"]})["answers"]
    assert normal["environments"] == ["dev", "prod"]
    assert normal["compliance"] == ["hipaa", "soc2"]


def test_all_missing_required_keys_reported_at_once() -> None:
    errors = errors_for({})
    assert [e["key"] for e in errors] == [
        "experience",
        "automation",
        "sensitivity",
        "infrastructure",
        "air_gapped",
        "tenancy",
        "applications",
        "services",
    ]
    assert errors[0]["message"] == "is required; allowed: novice, intermediate, expert"
    assert next(e for e in errors if e["key"] == "air_gapped")["message"] == "is required; allowed: true, false"


def test_unknown_key(answers: dict[str, Any]) -> None:
    err = only_error({**answers, "cluster_count": 3})
    assert err["key"] == "cluster_count"
    assert err["message"].startswith("unknown key; allowed keys: experience, automation")


def test_unknown_choice_value(answers: dict[str, Any]) -> None:
    assert only_error({**answers, "experience": "guru"}) == {
        "key": "experience",
        "message": "got 'guru'; allowed: novice, intermediate, expert",
    }


def test_wrong_type_for_bool(answers: dict[str, Any]) -> None:
    assert only_error({**answers, "air_gapped": "no"}) == {
        "key": "air_gapped",
        "message": "got 'no' (text); allowed: true, false",
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "got 0; allowed: a whole number from 1 to 10000"),
        (10001, "got 10001; allowed: a whole number from 1 to 10000"),
        ("4", "got '4' (text); allowed: a whole number from 1 to 10000"),
        (2.5, "got 2.5 (a number); allowed: a whole number from 1 to 10000"),
        (True, "got true (true/false); allowed: a whole number from 1 to 10000"),
    ],
)
def test_number_out_of_range_or_wrong_type(answers: dict[str, Any], value: Any, message: str) -> None:
    errors = errors_for({**answers, "applications": value})
    assert {"key": "applications", "message": message} in errors


def test_services_must_be_at_least_applications(answers: dict[str, Any]) -> None:
    assert only_error({**answers, "applications": 10, "services": 4}) == {
        "key": "services",
        "message": "got 4; must be at least applications (10)",
    }


def test_duplicate_in_list(answers: dict[str, Any]) -> None:
    assert only_error({**answers, "compliance": ["gdpr", "gdpr"]}) == {
        "key": "compliance[1]",
        "message": "'gdpr' is listed twice; list each value once",
    }


def test_unknown_list_value(answers: dict[str, Any]) -> None:
    assert only_error({**answers, "external_tools": ["siem", "edr"]}) == {
        "key": "external_tools[1]",
        "message": "got 'edr'; allowed: apm, log_shipping, runtime_security, siem",
    }


def test_list_given_as_text(answers: dict[str, Any]) -> None:
    err = only_error({**answers, "compliance": "gdpr"})
    assert err["key"] == "compliance"
    assert err["message"] == "got 'gdpr' (text); allowed: a list of any of hipaa, pci_dss, gdpr, nist, soc2, iso27001"


def test_environments_needs_one(answers: dict[str, Any]) -> None:
    assert only_error({**answers, "environments": []}) == {
        "key": "environments",
        "message": "got an empty list; allowed: at least 1 of dev, staging, prod",
    }


def test_priorities_errors(answers: dict[str, Any]) -> None:
    errors = errors_for({**answers, "priorities": {"speed": 3, "cost": 9, "control": "high"}})
    assert errors == [
        {
            "key": "priorities.speed",
            "message": "unknown criterion 'speed'; allowed: isolation, attack_surface, visibility, control, "
            "simplicity, cost",
        },
        {"key": "priorities.cost", "message": "got 9; allowed: a whole number from 0 to 5"},
        {"key": "priorities.control", "message": "got 'high'; allowed: a whole number from 0 to 5"},
    ]


def test_all_zero_priorities_is_an_error(answers: dict[str, Any]) -> None:
    zeros = dict.fromkeys(["isolation", "attack_surface", "visibility", "control", "simplicity", "cost"], 0)
    err = only_error({**answers, "priorities": zeros})
    assert err["key"] == "priorities"
    assert "every priority is 0" in err["message"]


def test_status_errors(answers: dict[str, Any], kb: Any) -> None:
    known = kb.items[0].id
    errors = errors_for({**answers, "status": {known: "finished", "no-such-item": "done"}})
    assert errors == [
        {
            "key": f"status.{known}",
            "message": "got 'finished'; allowed: todo, in_progress, done, not_applicable, accepted_risk, inherited",
        },
        {"key": "status.no-such-item", "message": "unknown checklist item 'no-such-item'"},
    ]


def test_status_is_carried_into_the_checklist(answers: dict[str, Any]) -> None:
    first = evaluate(answers)["checklist"][0]["id"]
    result = evaluate({**answers, "status": {first: "done"}})
    statuses = {i["id"]: i["status"] for i in result["checklist"]}
    assert statuses[first] == "done"
    assert set(statuses.values()) == {"done", "todo"}


def test_many_errors_are_reported_together(answers: dict[str, Any]) -> None:
    errors = errors_for({**answers, "experience": "x", "applications": 0, "exposure": "dmz", "extra": 1})
    assert {e["key"] for e in errors} == {"experience", "applications", "exposure", "extra"}


def test_document_must_be_a_mapping() -> None:
    assert only_error(["experience", "novice"]) == {
        "key": "(document)",
        "message": "got a list; an answers document is a mapping",
    }


def test_error_message_lists_every_problem(answers: dict[str, Any]) -> None:
    with pytest.raises(AnswersError, match=r"experience: got 'x'.*services: got 1; must be at least applications"):
        evaluate({**answers, "experience": "x", "applications": 5, "services": 1})


@pytest.mark.parametrize("value", [[["soc2"]], [{"a": 1}], [["soc2"], ["soc2"]], [None, 1.5, True]])
def test_list_items_of_any_type_are_named(answers: dict[str, Any], value: Any) -> None:
    answers["compliance"] = value
    errors = errors_for(answers)
    assert [e["key"] for e in errors] == [f"compliance[{i}]" for i in range(len(value))]
    assert all("allowed: " in e["message"] for e in errors)


def test_long_values_are_shortened_in_messages(answers: dict[str, Any]) -> None:
    answers["experience"] = "x" * 100_000
    message = only_error(answers)["message"]
    assert len(message) < 200
    assert message.startswith("got 'xxx")


def _errors_or_none(document: Any) -> list[dict[str, str]] | None:
    """The errors evaluating ``document`` raises, or None when it is valid; any other exception fails the test."""
    try:
        evaluate(document)
    except AnswersError as exc:
        return exc.errors
    return None


# any JSON or YAML value, nested a few levels: what a hostile or careless document may hold
_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=valid_answers(), key=st.sampled_from([*_KEYS, "unknown"]), value=_values)
def test_any_value_under_any_key_is_accepted_or_named(base: dict[str, Any], key: str, value: Any) -> None:
    """Nested and odd types never raise anything but AnswersError, and every error names a key."""
    errors = _errors_or_none({**base, key: value})
    assert errors is None or (errors and all(e["key"] and e["message"] for e in errors))


@settings(max_examples=100, deadline=None)
@given(document=_values)
def test_any_document_is_accepted_or_named(document: Any) -> None:
    errors = _errors_or_none(document)
    assert errors is None or errors


def test_v2_defaults(answers: dict[str, Any]) -> None:
    normal = evaluate(answers)["answers"]
    assert {k: normal[k] for k in ("cloud_providers", "node_operations", "identity_provider", "availability")} == {
        "cloud_providers": [],
        "node_operations": "team",
        "identity_provider": "none",
        "availability": "multi_zone",
    }
    assert (normal["delivery"], normal["workloads"], normal["platform_engineers"], normal["egress"]) == (
        "ci_push",
        [],
        None,
        "open",
    )
    assert evaluate({**answers, "air_gapped": True})["answers"]["egress"] == "none", "air-gapped: no egress by default"
    assert evaluate({**answers, "air_gapped": True, "egress": "restricted"})["answers"]["egress"] == "restricted"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"infrastructure": "on_prem", "node_operations": "provider"}, "node_operations"),
        ({"infrastructure": "on_prem", "cloud_providers": ["aws"]}, "cloud_providers"),
        ({"air_gapped": True, "egress": "open"}, "egress"),
    ],
)
def test_v2_contradictions_are_errors(answers: dict[str, Any], change: dict[str, Any], key: str) -> None:
    error = only_error({**answers, **change})
    assert error["key"] == key
    assert "_" not in error["message"].split(";")[0].replace(key, ""), "says it in words"


def test_platform_engineers_may_be_unknown(answers: dict[str, Any]) -> None:
    assert evaluate({**answers, "platform_engineers": None})["answers"]["platform_engineers"] is None
    assert evaluate({**answers, "platform_engineers": 0})["answers"]["platform_engineers"] == 0
    assert only_error({**answers, "platform_engineers": "two"})["key"] == "platform_engineers"
