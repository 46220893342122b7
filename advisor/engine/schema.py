"""Pydantic models of the knowledge-base files: the shape each YAML file must have.

These check one file at a time; ``knowledge.py`` then checks what spans files
(a condition naming a question that exists, a decision that exists, ...).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from advisor.engine.conditions import Condition, ConditionError, parse_condition

Criterion = Literal["isolation", "attack_surface", "visibility", "control", "simplicity", "cost"]
Priority = Literal["critical", "high", "medium", "low"]
Status = Literal["todo", "in_progress", "done", "not_applicable", "accepted_risk", "inherited"]
Topic = Literal[
    "control_plane_access",
    "cloud_credentials",
    "host_hardening",
    "etcd",
    "upgrades",
    "image_supply_chain",
    "pod_security",
    "rbac",
    "namespaces",
    "network_policy",
    "secrets",
    "tls",
    "service_mesh",
    "ingress",
    "monitoring",
    "audit_logging",
    "runtime_security",
    "resource_limits",
    "compliance",
    "multi_cluster_ops",
]
# The contract's fixed vocabularies, in contract order.
CRITERIA: tuple[str, ...] = get_args(Criterion)
PRIORITIES: tuple[str, ...] = get_args(Priority)
STATUSES: tuple[str, ...] = get_args(Status)
# counted as progress; every other status is open. Only done is implemented: not applicable and inherited (from
# the provider, relying on its attestation) are the applicability statement's, never counted as implemented
DONE_STATUSES: tuple[str, ...] = ("done", "not_applicable", "inherited")
# statuses that claim an item is settled: a new revision that changes why the item applies or who does it
# marks such a status "needs review" (and a status needing review counts as open)
SETTLED_STATUSES: tuple[str, ...] = ("done", "not_applicable", "accepted_risk", "inherited")
TOPICS: tuple[str, ...] = get_args(Topic)

_ID = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"'{value}' is not a valid id (lower-case letters, digits, '-' or '_')")
    return value


def _check_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _to_condition(value: Any) -> Condition:
    try:
        return parse_condition(value)
    except ConditionError as exc:
        raise ValueError(str(exc)) from exc


def _to_hundredths(value: Any) -> int:
    """Criterion values are decimals with at most two places, kept as exact integers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    scaled = round(value * 100)
    if abs(scaled - value * 100) > 1e-6:
        raise ValueError(f"{value} has more than two decimal places")
    return scaled


Id = Annotated[str, AfterValidator(_check_id)]
Text = Annotated[str, AfterValidator(_check_text)]
Cond = Annotated[Any, AfterValidator(_to_condition)]
Hundredths = Annotated[Any, AfterValidator(_to_hundredths)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, validate_default=True)


class MetaFile(Strict):
    version: Text
    title: Text
    description: Text = "—"


class CriterionModel(Strict):
    id: Criterion
    label: Text
    description: Text
    question: Text = Field(description="how the priorities step asks about it")


class CriteriaFile(Strict):
    criteria: list[CriterionModel]


class OptionModel(Strict):
    value: str | bool
    label: Text
    tradeoff: Text


class StepModel(Strict):
    id: Id
    title: Text
    intro: Text


class DefaultRuleModel(Strict):
    """A default that depends on other answers: the first rule whose condition holds gives it."""

    when: Cond
    value: Any


class RefusalModel(Strict):
    """An answer that contradicts another: given while ``when`` holds, it is an error with this message."""

    when: Cond
    message: Text


class QuestionModel(Strict):
    key: Id
    step: Id | None = None
    type: Literal["choice", "bool", "int", "multi", "priorities", "statuses"]
    label: Text
    help: Text
    required: bool = False
    default: Any = None
    default_when: list[DefaultRuleModel] = []
    nullable: bool = Field(default=False, description="an int question whose answer may be null: not known")
    options: list[OptionModel] = []
    min: int | None = None
    max: int | None = None
    at_least_key: str | None = None
    min_items: int = 0
    show_if: Cond = None
    refuse_when: list[RefusalModel] = []


class QuestionsFile(Strict):
    steps: list[StepModel]
    questions: list[QuestionModel]


class AdjustmentModel(Strict):
    id: Id
    when: Cond
    criterion: Criterion
    change: Hundredths
    reason: Text
    text: Text | None = Field(
        default=None,
        description="the reason as a whole plain sentence for the report; without it the engine puts the "
        "condition in the questionnaire's words before ``reason``",
    )

    @field_validator("change")
    @classmethod
    def _nonzero(cls, v: int) -> int:
        if v == 0:
            raise ValueError("a change of 0 has no effect")
        return v


class ConstraintModel(Strict):
    id: Id
    when: Cond
    reason: Text
    text: Text | None = None


class VariantModel(Strict):
    """What the alternative is called and means where ``when`` holds (hosting on premises is a vendor's
    distribution, not a cloud service); the first variant that holds wins, else the alternative's own words."""

    when: Cond
    label: Text | None = None
    phrase: Text | None = None
    summary: Text | None = None


class AlternativeModel(Strict):
    id: Id
    label: Text
    phrase: Text = Field(description="the alternative inside a sentence, for the report's summary")
    summary: Text
    variants: list[VariantModel] = []
    values: dict[str, Hundredths]
    adjustments: list[AdjustmentModel] = []
    constraints: list[ConstraintModel] = []

    @field_validator("values")
    @classmethod
    def _all_criteria(cls, v: dict[str, int]) -> dict[str, int]:
        missing = [c for c in CRITERIA if c not in v]
        extra = [c for c in v if c not in CRITERIA]
        if missing or extra:
            raise ValueError(f"needs exactly the criteria {', '.join(CRITERIA)}; missing {missing}, unknown {extra}")
        out_of_range = [c for c, x in v.items() if not 0 <= x <= 100]
        if out_of_range:
            raise ValueError(f"base values must lie in 0 … 1; out of range: {out_of_range}")
        return v


class TieBreakModel(Strict):
    """Which alternative a tie goes to, and why: never the order the file happens to list them in."""

    order: list[Id] = Field(min_length=2)
    reason: Text


class DecisionFile(Strict):
    id: Id
    order: int
    label: Text
    question: Text
    applicable_when: Cond = None
    not_applicable_reason: str | None = None
    tie_break: TieBreakModel
    close_call_advice: Text = Field(description="what settles the decision when two alternatives are close")
    alternatives: list[AlternativeModel] = Field(min_length=2)


class ReferenceModel(Strict):
    label: Text
    url: str
    provider: Literal["aws", "azure", "gcp"] | None = Field(
        default=None, description="a source about one cloud's service: listed where that cloud's steps are"
    )

    @field_validator("url")
    @classmethod
    def _https(cls, v: str) -> str:
        if not re.match(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/\S*)?$", v):
            raise ValueError(f"'{v}' is not an https URL")
        return v


class PriorityRuleModel(Strict):
    when: Cond
    priority: Priority
    because: Text | None = Field(
        default=None,
        description="why this answer changes the priority, as a whole sentence; without it the engine says "
        "which answers raised or lowered it",
    )


Provider = Literal["aws", "azure", "gcp"]
PROVIDERS: tuple[str, ...] = get_args(Provider)
Phase = Literal["before_go_live", "first_90_days", "ongoing"]
PHASES: tuple[str, ...] = get_args(Phase)
Effort = Literal["small", "medium", "large"]
EFFORTS: tuple[str, ...] = get_args(Effort)
Responsibility = Literal["customer", "shared", "provider"]
RESPONSIBILITIES: tuple[str, ...] = get_args(Responsibility)  # most to least of the team's own work


class ResponsibilityModel(Strict):
    """Who does an item under each way of running Kubernetes (the recommended hosting and, in a cloud,
    ``node_operations``). A key left out means the team (customer)."""

    self_managed: Responsibility = "customer"
    vendor: Responsibility = Field(default="customer", description="a vendor-supported distribution on premises")
    cloud: Responsibility = Field(default="customer", description="a cloud provider's service; the team runs nodes")
    provider_nodes: Responsibility | None = Field(
        default=None, description="a cloud provider's service that also runs the nodes; unset: as ``cloud``"
    )

    def under(self, model: str) -> str:
        if model == "provider_nodes":
            return self.provider_nodes or self.cloud
        return str(getattr(self, model))

    def values(self) -> set[str]:
        return {self.self_managed, self.vendor, self.cloud, self.provider_nodes or self.cloud}


# Scanner checks: a source key is a tool ("kubescape") or a tool and the benchmark that numbers its checks
# ("kube-bench/cis-1.12"); controls.yaml lists the keys and the ids each may name
SourceKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*(?:/[a-z0-9][a-z0-9.-]*)?$")]
_CIS_ID = r"^\d+(?:\.\d+)+$"
# the shape of a check id by source key: the key itself, else its tool with a benchmark ("tool/"), else the tool
CHECK_ID_SHAPES: dict[str, tuple[str, str]] = {
    "kube-bench/": (_CIS_ID, "a CIS id such as 5.2.2"),
    "kubescape/": (_CIS_ID, "a CIS id such as 5.2.2"),
    "kubescape": (r"^C-\d{4}$", "a kubescape control id such as C-0041"),
    "trivy/": (_CIS_ID, "a CIS id such as 5.2.2"),
    "trivy": (r"^K[SC]V-\d{4}$", "a Trivy check id such as KSV-0012 (four digits after a dash)"),
    "polaris": (r"^[a-z][A-Za-z0-9]*$", "a Polaris check id such as hostNetworkSet"),
    "checkov": (r"^CKV2?_K8S_\d+$", "a Checkov check id such as CKV_K8S_20 or CKV2_K8S_6"),
}


def check_id_problem(key: str, check: str) -> str | None:
    """What is wrong with the shape of ``check`` under source ``key``, or None (unknown tools: anything goes here;
    the catalog decides which keys exist)."""
    tool, _, benchmark = key.partition("/")
    shape = CHECK_ID_SHAPES.get(f"{tool}/" if benchmark else tool)
    if shape is not None and not re.match(shape[0], check):
        return f"{key}: '{check}' is not {shape[1]}"
    return None


def _check_controls(value: dict[str, list[str]]) -> dict[str, list[str]]:
    problems = [p for key, ids in value.items() for check in ids if (p := check_id_problem(key, check))]
    problems += [f"{key}: lists no check ids" for key, ids in value.items() if not ids]
    if problems:
        raise ValueError("; ".join(problems))
    return value


class ControlSourceModel(Strict):
    description: Text = Field(description="one line: the tool and what its ids are")
    ids: list[str] = Field(min_length=1)


class ControlsFile(Strict):
    """controls.yaml: the checks each scanner source can report, ids only, in the order items list them."""

    sources: dict[SourceKey, ControlSourceModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_have_their_tool_s_shape(self) -> ControlsFile:
        _check_controls({key: source.ids for key, source in self.sources.items()})
        twice = [f"{key}: '{i}'" for key, s in self.sources.items() for i in set(s.ids) if s.ids.count(i) > 1]
        if twice:
            raise ValueError(f"ids listed twice: {', '.join(sorted(twice))}")
        return self


class ItemModel(Strict):
    id: Id
    topic: Topic
    priority: Priority
    priority_rules: list[PriorityRuleModel] = []
    when: Cond = None
    decisions: list[str] = []
    title: Text
    why: Text
    how: Text = Field(description="what to do anywhere, naming no cloud provider")
    how_by_provider: dict[Provider, Text] = Field(
        default={},
        description="steps for one cloud's service, shown for the clouds the answers name (all when none is named) "
        "and never on premises",
    )
    how_on_prem: Text | None = Field(default=None, description="steps for clusters on your own machines")
    priority_because: Text = Field(description="why the item's own priority, as one sentence")
    phase: Phase = Field(description="when to do it; a critical item is always before go-live")
    effort: Effort = Field(description="small: hours; medium: days; large: weeks")
    responsibility: Responsibility | ResponsibilityModel
    evidence: Text | None = Field(
        default=None,
        description="what to collect when the provider does the item (an attestation, a benchmark result); "
        "shown instead of the steps then, and required when any responsibility is the provider's",
    )
    frameworks: dict[Id, list[str]] = Field(
        default={}, description="compliance framework id → the requirement numbers of frameworks.yaml it answers"
    )
    controls: Annotated[dict[SourceKey, list[str]], AfterValidator(_check_controls)] = Field(
        default={},
        description="scanner checks whose pass shows (part of) the item done: source key of controls.yaml → "
        "check ids, in that file's order",
    )
    references: list[ReferenceModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _evidence_for_provider_items(self) -> ItemModel:
        owners = {self.responsibility} if isinstance(self.responsibility, str) else self.responsibility.values()
        if "provider" in owners and self.evidence is None:
            raise ValueError("an item the provider does needs `evidence`: what to collect from the provider")
        return self

    def responsible(self, models: tuple[str, ...]) -> str:
        """Who does the item where the clusters run under ``models`` (a hybrid estate has two): the one
        with most of the work wins, since the team has to do it in at least one estate."""
        if isinstance(self.responsibility, str):
            return self.responsibility
        owners = {self.responsibility.under(m) for m in models}
        return next(r for r in RESPONSIBILITIES if r in owners)


class ChecklistFile(Strict):
    items: list[ItemModel] = []
    retired: list[Id] = []


class RequirementModel(Strict):
    id: Text
    title: Text


class FrameworkModel(Strict):
    id: Id
    label: Text
    reference: ReferenceModel
    requirements: list[RequirementModel] = Field(min_length=1)


class FrameworksFile(Strict):
    frameworks: list[FrameworkModel]


class OrderFile(Strict):
    """The order to do critical work in before go-live; when more items would be critical than the
    budget allows, the ones listed first stay critical. Items not listed come after, in file order."""

    first: list[Id]


class WarningModel(Strict):
    id: Id
    when: Cond
    message: Text


class WarningsFile(Strict):
    warnings: list[WarningModel]
