"""The knowledge base: the built-in one is complete and correct, and a broken one is explained."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from advisor.engine import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from advisor.engine.knowledge import BUILTIN_DIR
from advisor.engine.schema import CRITERIA, TOPICS

CONTRACT_KEYS = [
    "experience",
    "automation",
    "infrastructure",
    "air_gapped",
    "applications",
    "services",
    "tenancy",
    "sensitivity",
    "compliance",
    "environments",
    "zero_trust",
    "external_tools",
    "exposure",
    "priorities",
    "status",
    # contract v2, all optional
    "cloud_providers",
    "node_operations",
    "identity_provider",
    "availability",
    "delivery",
    "workloads",
    "platform_engineers",
    "egress",
]
CONTRACT_DECISIONS = {
    "hosting": ["managed", "self_managed"],
    "clusters": ["single", "multi"],
    "namespaces": ["shared", "per_team", "per_app_env"],
    "service_mesh": ["none", "sidecar", "sidecarless"],
    "tool_integration": ["in_cluster_agents", "external_streaming", "hybrid"],
}


def test_version_is_set(kb: KnowledgeBase) -> None:
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", kb.version)


def test_questions_cover_the_contract(kb: KnowledgeBase) -> None:
    assert sorted(q.key for q in kb.questions) == sorted(CONTRACT_KEYS)
    required = {q.key for q in kb.questions if q.required}
    assert required == {"experience", "automation", "infrastructure", "air_gapped", "applications", "services"} | {
        "tenancy",
        "sensitivity",
    }


def test_v2_questions_have_the_contract_options_and_defaults(kb: KnowledgeBase) -> None:
    options = {q.key: [o.value for o in q.options] for q in kb.questions}
    assert options["cloud_providers"] == ["aws", "azure", "gcp", "other"]
    assert options["node_operations"] == ["team", "provider"]
    assert options["identity_provider"] == ["none", "sso", "directory"]
    assert options["availability"] == ["single_zone", "multi_zone", "multi_region"]
    assert options["delivery"] == ["manual", "ci_push", "gitops"]
    assert options["workloads"] == ["stateful", "gpu", "windows", "batch", "untrusted_code"]
    assert options["egress"] == ["open", "restricted", "none"]
    assert "iso27001" in options["compliance"]
    q = kb.question_by_key
    assert (q["platform_engineers"].nullable, q["platform_engineers"].min, q["platform_engineers"].max) == (
        True,
        0,
        10000,
    )
    for key in ("cloud_providers", "node_operations"):
        assert not q[key].show_if.holds({"infrastructure": "on_prem"})
        assert q[key].show_if.holds({"infrastructure": "hybrid"})


def test_every_question_option_is_explained(kb: KnowledgeBase) -> None:
    for q in kb.questions:
        assert q.label, q.key
        assert q.help, q.key
        for option in q.options:
            assert option.tradeoff.endswith("."), f"{q.key}={option.value}: one sentence ending in a full stop"
            assert len(option.tradeoff.split()) >= 8, f"{q.key}={option.value}: say the trade-off"


def test_questionnaire_steps(kb: KnowledgeBase) -> None:
    assert [s.id for s in kb.steps] == ["context", "hosting", "clusters", "namespaces", "mesh", "tools", "priorities"]
    assert all(q.step for q in kb.questions if q.key != "status")


def test_criteria_are_the_contract_six(kb: KnowledgeBase) -> None:
    assert [c.id for c in kb.criteria] == list(CRITERIA)


def test_decisions_match_the_contract(kb: KnowledgeBase) -> None:
    assert {d.id: [a.id for a in d.alternatives] for d in kb.decisions} == CONTRACT_DECISIONS


def test_checklist_size_and_topics(kb: KnowledgeBase) -> None:
    assert 50 <= len(kb.items) <= 80
    assert {i.topic for i in kb.items} == set(TOPICS), "every topic has at least one item"


def test_checklist_ids_unique_and_stable(kb: KnowledgeBase) -> None:
    counts = Counter(i.id for i in kb.items)
    assert [i for i, n in counts.items() if n > 1] == []
    assert not kb.retired & set(counts)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", i.id) for i in kb.items)


def test_every_item_says_why_and_how_with_https_references(kb: KnowledgeBase) -> None:
    for item in kb.items:
        assert len(item.why) > 40, item.id
        assert len(item.how) > 60, item.id
        assert item.references, item.id
        for ref in item.references:
            assert ref.url.startswith("https://"), (item.id, ref.url)


def test_references_cite_the_public_sources(kb: KnowledgeBase) -> None:
    urls = [r.url for i in kb.items for r in i.references]
    for source in ("cisecurity.org", "media.defense.gov", "owasp.org/www-project-kubernetes-top-ten", "kubernetes.io"):
        assert any(source in u for u in urls), source


def test_current_kubernetes_facts(kb: KnowledgeBase) -> None:
    """Stale advice from older articles must not come back."""
    for item in kb.items:
        text = " ".join([item.title, item.why, item.how])
        assert "Amazon AKS" not in text
        if "PodSecurityPolicy" in text:
            assert "removed" in text, f"{item.id} mentions PodSecurityPolicy without saying it is gone"
        assert "docker/default" not in text
        assert "KMS v1" not in text or "deprecated" in text
    assert any("pod-security.kubernetes.io/enforce" in i.how for i in kb.items)
    assert any("KMS v2" in i.how or "KMSv2" in i.how for i in kb.items)


def test_no_raw_html_in_prose(kb: KnowledgeBase) -> None:
    """Angle brackets only inside `code` spans, where every renderer shows them literally."""
    for item in kb.items:
        for text in (item.title, item.why, item.how):
            assert "<" not in re.sub(r"`[^`]*`", "", text), item.id


# A broken knowledge base is explained, file by file and entry by entry ------------------------


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(BUILTIN_DIR, target)
    return target


def edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def errors_of(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(directory)
    return caught.value.errors


def test_copy_of_builtin_loads(kb_copy: Path) -> None:
    assert len(load_knowledge_base(kb_copy).items) == len(load_knowledge_base().items)


def test_bad_reference_url_named_with_file_and_entry(kb_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        data["items"][0]["references"][0]["url"] = "http://example.com/plain"

    edit(kb_copy / "checklist" / "rbac.yaml", change)
    errors = errors_of(kb_copy)
    assert errors == [
        "checklist/rbac.yaml: items[0] 'rbac-namespaced-roles': references[0].url: "
        "'http://example.com/plain' is not an https URL"
    ]


def test_unknown_topic_and_missing_field(kb_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        data["items"][0]["topic"] = "firewalls"
        del data["items"][0]["why"]

    edit(kb_copy / "checklist" / "rbac.yaml", change)
    errors = errors_of(kb_copy)
    assert any(
        e.startswith("checklist/rbac.yaml: items[0] 'rbac-namespaced-roles': topic: Input should be") for e in errors
    )
    assert "checklist/rbac.yaml: items[0] 'rbac-namespaced-roles': why: is required" in errors


def test_duplicate_item_id_across_files(kb_copy: Path) -> None:
    item = yaml.safe_load((kb_copy / "checklist" / "rbac.yaml").read_text())["items"][0]
    (kb_copy / "checklist" / "zz-extra.yaml").write_text(yaml.safe_dump({"items": [item]}))
    assert (
        "checklist: item id 'rbac-namespaced-roles' is used twice (checklist/rbac.yaml and checklist/zz-extra.yaml)"
        in errors_of(kb_copy)
    )


def test_condition_on_unknown_key_and_value(kb_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        data["alternatives"][0]["adjustments"][0]["when"] = {"key": "experiance", "eq": "novice"}
        data["alternatives"][0]["adjustments"][1]["when"] = {"key": "experience", "eq": "beginner"}

    edit(kb_copy / "decisions" / "hosting.yaml", change)
    errors = errors_of(kb_copy)
    assert (
        "decisions/hosting.yaml: hosting.managed.novice-provider-hardening: unknown answer key 'experiance'" in errors
    )
    assert (
        "decisions/hosting.yaml: hosting.managed.novice-less-to-run: ['beginner'] not allowed for 'experience' "
        "(allowed: novice, intermediate, expert)" in errors
    )


def test_adjustment_may_not_depend_on_a_recommendation(kb_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        data["alternatives"][0]["adjustments"][0]["when"] = {"decision": "hosting", "is": "managed"}

    edit(kb_copy / "decisions" / "clusters.yaml", change)
    errors = errors_of(kb_copy)
    assert errors == [
        "decisions/clusters.yaml: clusters.single.untrusted-tenants-share: cannot depend on a recommendation "
        "('hosting'); only answers may be tested here"
    ]


def test_malformed_condition(kb_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        data["alternatives"][0]["adjustments"][0]["when"] = {"key": "services", "gte": 5, "lte": 9}

    edit(kb_copy / "decisions" / "service_mesh.yaml", change)
    (error,) = errors_of(kb_copy)
    assert error.startswith(
        "decisions/service_mesh.yaml: alternatives[0] 'none': adjustments[0] 'many-services-blind': "
    )
    assert "exactly one operator" in error


def test_value_with_too_many_decimals(kb_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        data["alternatives"][1]["values"]["cost"] = 0.333

    edit(kb_copy / "decisions" / "clusters.yaml", change)
    assert errors_of(kb_copy) == [
        "decisions/clusters.yaml: alternatives[1] 'multi': values.cost: 0.333 has more than two decimal places"
    ]


def test_invalid_yaml_is_reported_with_its_file(kb_copy: Path) -> None:
    (kb_copy / "warnings.yaml").write_text("warnings: [unclosed\n")
    (error,) = errors_of(kb_copy)
    assert error.startswith("warnings.yaml: not valid YAML:")


def test_unknown_field_is_rejected(kb_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        data["criteria"][0]["weight"] = 2

    edit(kb_copy / "criteria.yaml", change)
    assert errors_of(kb_copy) == ["criteria.yaml: criteria[0] 'isolation': weight: is not a known field"]


def test_all_problems_reported_together(kb_copy: Path) -> None:
    def bad_url(data):  # type: ignore[no-untyped-def]
        data["items"][0]["references"][0]["url"] = "ftp://x"

    def bad_question(data):  # type: ignore[no-untyped-def]
        data["questions"][0]["options"][0]["tradeoff"] = ""

    edit(kb_copy / "checklist" / "rbac.yaml", bad_url)
    edit(kb_copy / "questions.yaml", bad_question)
    errors = errors_of(kb_copy)
    assert len(errors) == 2
    assert errors[0].startswith("questions.yaml: questions[0] 'experience': options[0].tradeoff:")
    assert errors[1].startswith("checklist/rbac.yaml:")


def test_missing_directory() -> None:
    assert errors_of(Path("/nonexistent/kb")) == ["/nonexistent/kb: is not a directory"]


def test_condition_data_round_trips(kb: KnowledgeBase) -> None:
    from advisor.engine.conditions import condition_data, parse_condition

    for item in kb.items:
        data = condition_data(item.when)
        assert condition_data(parse_condition(data)) == data
        assert parse_condition(data).describe() == item.when.describe()


def test_show_if_is_checked_against_the_questions(kb_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        next(q for q in data["questions"] if q["key"] == "zero_trust")["show_if"] = {"key": "service", "gte": 2}

    edit(kb_copy / "questions.yaml", change)
    assert errors_of(kb_copy) == ["questions.yaml: question 'zero_trust': show_if: unknown answer key 'service'"]


def test_conditional_defaults_refusals_and_nullable_are_checked(kb_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        questions = {q["key"]: q for q in data["questions"]}
        questions["egress"]["default_when"][0]["value"] = "sealed"
        questions["egress"]["refuse_when"][0]["when"] = {"key": "airgap", "eq": True}
        questions["delivery"]["nullable"] = True

    edit(kb_copy / "questions.yaml", change)
    errors = errors_of(kb_copy)
    assert "questions.yaml: question 'egress': default_when[0]: value 'sealed' is not one of the options" in errors
    assert any(e.startswith("questions.yaml: question 'egress': refuse_when[0]") and "airgap" in e for e in errors)
    assert "questions.yaml: question 'delivery': only a number question may be nullable" in errors


PROVIDER_WORDS = re.compile(
    r"(?<![A-Za-z])(EKS|AKS|GKE|IRSA|AWS|Amazon|Azure|Entra|Google|CloudWatch|CloudTrail)(?![A-Za-z])"
)


def test_provider_steps_live_only_in_their_provider_block(kb: KnowledgeBase) -> None:
    """An item's title, why and how speak to every estate; one cloud's steps sit under how_by_provider,
    named for that cloud only."""
    for item in kb.items:
        for field in ("title", "why", "how", "how_on_prem"):
            text = getattr(item, field) or ""
            assert not PROVIDER_WORDS.search(text), f"{item.id}.{field}: {PROVIDER_WORDS.search(text)}"
        own = {"aws": ("EKS", "AWS", "Amazon", "IRSA", "CloudWatch", "CloudTrail")}
        own |= {"azure": ("AKS", "Azure", "Entra"), "gcp": ("GKE", "Google")}
        for provider, text in item.how_by_provider.items():
            others = {w for p, words in own.items() if p != provider for w in words}
            named = set(PROVIDER_WORDS.findall(text))
            assert not named & others, f"{item.id}.how_by_provider.{provider} names {named & others}"


OWN_WORDS = {
    "aws": ("EKS", "AWS", "Amazon", "IRSA", "CloudWatch", "CloudTrail", "Bottlerocket", "GuardDuty"),
    "azure": ("AKS", "Azure", "Entra", "Microsoft Defender"),
    "gcp": ("GKE", "Google", "Autopilot"),
}


def test_provider_sources_are_tagged_with_their_provider(kb: KnowledgeBase) -> None:
    """A reference about one cloud is listed only where that cloud's steps are: its label names that cloud
    alone and carries ``provider``; a label naming several clouds at once is split."""
    for item in kb.items:
        for ref in item.references:
            named = {p for p, words in OWN_WORDS.items() if any(re.search(rf"\b{w}\b", ref.label) for w in words)}
            assert len(named) <= 1, f"{item.id}: '{ref.label}' names {sorted(named)}: one reference per cloud"
            if named:
                assert ref.provider in named, f"{item.id}: '{ref.label}' needs provider: {named.pop()}"


def test_every_item_carries_the_v2_fields(kb: KnowledgeBase) -> None:
    """Schema: phase, effort, responsibility and why its priority are required (the model refuses an item
    without them); here: none is a placeholder, a provider's item says what evidence to collect, and the
    checklist maps to every ticked framework."""
    for item in kb.items:
        assert "TODO" not in item.priority_because, item.id
        assert len(item.priority_because) > 30, item.id
        owners = {item.responsibility} if isinstance(item.responsibility, str) else item.responsibility.values()
        assert ("provider" in owners) is (item.evidence is not None), item.id
    mapped = {f for item in kb.items for f in item.frameworks}
    assert mapped == {f.id for f in kb.frameworks}
    assert {f.id for f in kb.frameworks} == {str(o.value) for o in kb.question_by_key["compliance"].options}


def test_frameworks_name_requirements_without_quoting_the_standards(kb: KnowledgeBase) -> None:
    for framework in kb.frameworks:
        for r in framework.requirements:
            assert len(r.title) <= 90, (framework.id, r.id)
            assert not r.title.endswith("."), (framework.id, r.id)


def test_every_critical_item_has_a_place_in_the_order(kb: KnowledgeBase) -> None:
    """Items that can become critical are ranked in order.yaml, so start_here and the budget never fall back
    to file order for them."""
    can_be_critical = {i.id for i in kb.items if "critical" in [i.priority, *(r.priority for r in i.priority_rules)]}
    assert can_be_critical <= set(kb.rank), sorted(can_be_critical - set(kb.rank))


def test_a_provider_item_needs_evidence(kb_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        data["items"][0]["responsibility"] = {"cloud": "provider"}
        data["items"][0].pop("evidence", None)

    edit(kb_copy / "checklist" / "rbac.yaml", change)
    errors = errors_of(kb_copy)
    assert any("an item the provider does needs `evidence`" in e for e in errors), errors


def test_requirement_numbers_come_from_the_table(kb_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        data["items"][0]["frameworks"] = {"pci_dss": ["99.9"], "cobit": ["1"]}

    edit(kb_copy / "checklist" / "rbac.yaml", change)
    errors = errors_of(kb_copy)
    where = "checklist/rbac.yaml: item 'rbac-namespaced-roles': frameworks:"
    assert f"{where} pci_dss needs requirement numbers from frameworks.yaml; unknown: 99.9" in errors
    assert any(e.startswith(f"{where} unknown framework 'cobit'") for e in errors), errors


def test_frameworks_follow_the_compliance_question_and_order_names_items(kb_copy: Path) -> None:
    edit(kb_copy / "frameworks.yaml", lambda data: data["frameworks"].pop())
    edit(kb_copy / "order.yaml", lambda data: data["first"].append("no-such-item"))
    errors = errors_of(kb_copy)
    assert any(e.startswith("frameworks.yaml: needs one table for each compliance option") for e in errors)
    assert "order.yaml: 'no-such-item' is not a checklist item" in errors
