"""What a report shows, computed from a stored result: summary, counts, groups, charts, and the
labels every format (the report page, the PDF, Markdown, CSV, the decision records) shows for the
checklist's words: one mapping per vocabulary, here."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote

from markupsafe import Markup, escape

from advisor.engine import KnowledgeBase
from advisor.engine.result import close_call
from advisor.engine.schema import DONE_STATUSES, PRIORITIES, STATUSES, TOPICS
from advisor.report.charts import score_chart
from advisor.scanners.evidence import FAILING, evidence_status
from advisor.scanners.preview import DISAGREEING_STATUSES

if TYPE_CHECKING:  # the database models only as types: `advisor evaluate` renders with this module, without them
    from advisor.models import ChecklistStatus, Evidence

TOPIC_LABELS = {t: t.replace("_", " ").capitalize() for t in TOPICS} | {
    "control_plane_access": "Control-plane access",
    "tls": "TLS",
    "rbac": "RBAC",
    "etcd": "etcd",
    "multi_cluster_ops": "Multi-cluster operations",
}
STATUS_LABELS = {
    "todo": "To do",
    "in_progress": "In progress",
    "done": "Done",
    "not_applicable": "Not applicable",
    "accepted_risk": "Risk accepted",
    "inherited": "Inherited from the provider",
}
# engine 2.1: when an item is done, how much work it is, who does it (schema.PHASES, EFFORTS, RESPONSIBILITIES)
PHASE_LABELS = {"before_go_live": "Before go-live", "first_90_days": "First 90 days", "ongoing": "Ongoing"}
EFFORT_LABELS = {"small": "Hours", "medium": "Days", "large": "Weeks"}
RESPONSIBILITY_LABELS = {
    "customer": "Yours",
    "shared": "Shared with the vendor or provider",
    "provider": "The provider's: collect evidence",
}
# Compliance frameworks are named by the questionnaire's options (``framework_names``); the knowledge base
# numbers some requirements bare, so these frameworks' numbers are written as the standard writes them.
REQUIREMENT_PREFIXES = {"gdpr": "Art. ", "iso27001": "A."}
NOT_ANSWERED = "Not answered by this checklist — cover it with your own controls."
START_HERE_INTRO = "The first things to do, in this order: the most urgent work before go-live that falls to your team."
MAPPING_INTRO = (
    "For each compliance framework in the answers: its requirements, the checklist items that help answer each "
    "one, and the requirements this checklist leaves to you. The items are evidence towards a requirement, "
    "not an audit of it."
)


def summary_sentence(result: Mapping[str, Any]) -> str:
    """The recommended architecture in one sentence, from each recommended alternative's phrase; a close call
    says so where it stands, so a narrow win never reads like a firm one."""
    parts = [
        next(a.get("phrase") or a["label"] for a in d["alternatives"] if a["id"] == d["recommended"])
        + (" (a close call)" if close_call(d) else "")
        for d in result["decisions"]
        if d["recommended"] is not None
    ]
    if not parts:
        return "No recommendation could be made."
    return ", ".join(parts) + "."


def lead(margin: float | None, tie_break_named: bool = False) -> str:
    """How far the recommendation leads, in words: a tie is said to be one, never "0.0 points ahead".

    Engine 2.x names each decision's tie-break among the reasons (``tie_break_named``); engine 1.x
    gave a tie to the alternative listed first.
    """
    if margin is None:
        return "the only alternative left"
    if margin == 0:
        how = (
            "the reasons below say how the tie is settled"
            if tie_break_named
            else "a tie goes to the alternative listed first"
        )
        return f"level with the runner-up ({how})"
    if margin < 0.0005:
        return "less than 0.1 points ahead of the runner-up"
    return f"{margin * 100:.1f} points ahead of the runner-up"


def statuses_by_item(rows: list[ChecklistStatus]) -> dict[str, ChecklistStatus]:
    return {row.item_id: row for row in rows}


class HasStatus(Protocol):
    """What counting reads of an item's progress: a database row on the page, a plain record in the exports."""

    @property
    def status(self) -> str: ...

    @property
    def needs_review(self) -> bool: ...

    @property
    def acceptance_approved_by(self) -> str | None: ...

    @property
    def acceptance_expires(self) -> dt.date | None: ...


class HasDueDate(HasStatus, Protocol):
    """An item's progress with its due date: a database row on the page, a plain record in the exports."""

    @property
    def due_on(self) -> dt.date | None: ...


ACCEPTANCE_MONTHS = 12  # an acceptance expires at most this many months after it is recorded
ACCEPTANCE_LABELS = {
    "requested": "Acceptance requested",
    "approved": "Risk accepted",
    "expired": "Acceptance expired",
}


def today() -> dt.date:
    """The day an acceptance's expiry is measured against: in UTC, like every stored time."""
    return dt.datetime.now(dt.UTC).date()


def latest_expiry(start: dt.date) -> dt.date:
    """The last day an acceptance recorded on ``start`` may run to: the same day ``ACCEPTANCE_MONTHS`` later
    (the month's last day when that month is shorter)."""
    month = start.month - 1 + ACCEPTANCE_MONTHS
    year, month = start.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def acceptance_state(row: HasStatus | None, on: dt.date) -> str | None:
    """``requested`` until another owner approves it, ``approved`` until its expiry date has passed, then
    ``expired``; None when the status is not an accepted risk. An acceptance stored before acceptances were
    governed has no approver, so it is only requested."""
    if row is None or row.status != "accepted_risk":
        return None
    if row.acceptance_approved_by is None:
        return "requested"
    if row.acceptance_expires is not None and row.acceptance_expires < on:
        return "expired"
    return "approved"


def finished(row: HasStatus | None) -> bool:
    """Done or not applicable, and not waiting for someone to review it after the answers changed: what counts
    as progress."""
    return row is not None and row.status in DONE_STATUSES and not row.needs_review


def still_open(row: HasStatus | None, on: dt.date) -> bool:
    """What is left to do: not finished, and not a risk another owner accepted until a day still to come (an
    accepted risk is not progress, but nobody has to act on it before it expires). What the report lists
    first, what its Open filter shows and what the command line's --fail-on counts."""
    if finished(row):
        return False
    return not (acceptance_state(row, on) == "approved" and row is not None and not row.needs_review)


def overdue(row: HasDueDate | None, on: dt.date) -> bool:
    """Past its due date (the day after it, on ``on``) and still open."""
    return row is not None and row.due_on is not None and row.due_on < on and still_open(row, on)


def due_label(row: HasDueDate | None, on: dt.date) -> str | None:
    """The item's due date in words, as every format shows it: "Overdue since D", "Due D"; None without one.
    A finished or accepted item keeps its due date but is never overdue."""
    if row is None or row.due_on is None:
        return None
    return f"Overdue since {row.due_on.isoformat()}" if overdue(row, on) else f"Due {row.due_on.isoformat()}"


EVIDENCE_KIND_LABELS = {"link": "Link", "text": "Text", "scan": "Scan"}
VERIFICATION_LABELS = {"pass": "Test passed", "fail": "Test failed", "not_tested": "Not tested"}
SCAN_RESULT_LABELS = {"pass": "pass", "fail": "fail", "not_evaluated": "not evaluated"}
SCAN_STATUS_LABELS = {
    "pass": "Scans pass",
    "fail": "Scans fail",
    "mixed": "Scans mixed",
    "not_evaluated": "Not evaluated by scans",
    "none": "No scan results",
}
DISAGREES = (
    "the latest scan results fail this item, which is marked not applicable, risk accepted or inherited from the "
    "provider; "
    "the import never changes a person's decision: review it"
)


def evidence_by_item(entries: list[Evidence]) -> dict[str, list[Evidence]]:
    """Evidence entries per item, in the order given (oldest first: by id as stored, by time when as of a
    moment, where entries removed since have no id)."""
    grouped: dict[str, list[Evidence]] = {}
    for entry in entries:
        grouped.setdefault(entry.item_id, []).append(entry)
    return grouped


def counts(result: Mapping[str, Any], statuses: Mapping[str, HasStatus], on: dt.date | None = None) -> dict[str, Any]:
    """Progress on the checklist; a status needing review counts as open until someone confirms or changes it,
    and an acceptance until another owner approves it and again once it has expired (on ``on``, today)."""
    on = on or today()
    checklist = result["checklist"]
    status_of = {i["id"]: (statuses[i["id"]].status if i["id"] in statuses else "todo") for i in checklist}
    review = {i["id"] for i in checklist if i["id"] in statuses and statuses[i["id"]].needs_review}
    done = sum(1 for i in checklist if finished(statuses.get(i["id"])))
    by_priority = Counter(i["priority"] for i in checklist)
    by_status = Counter(status_of.values())
    open_by_priority = Counter(i["priority"] for i in checklist if still_open(statuses.get(i["id"]), on))
    acceptances = Counter(acceptance_state(statuses.get(i["id"]), on) for i in checklist)
    implemented = [statuses[i["id"]] for i in checklist if status_of[i["id"]] == "done"]
    return {
        # implementation and verification apart: done, and done with a passed test by someone else
        "implemented": len(implemented),
        "verified": sum(1 for row in implemented if getattr(row, "verification_result", None) == "pass"),
        "not_applicable": by_status.get("not_applicable", 0),
        "inherited": by_status.get("inherited", 0),
        "total": len(checklist),
        "done": done,
        "needs_review": len(review),
        "percent": round(100 * done / len(checklist)) if checklist else 100,
        "by_priority": [(p, by_priority.get(p, 0), open_by_priority.get(p, 0)) for p in PRIORITIES],
        "by_status": [(s, by_status.get(s, 0)) for s in STATUSES],
        "acceptances": {state: acceptances.get(state, 0) for state in ACCEPTANCE_LABELS},
    }


def grouped_checklist(result: Mapping[str, Any]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Items grouped by topic in contract order, most urgent first within a topic."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in result["checklist"]:
        groups.setdefault(item["topic"], []).append(item)
    return [(t, TOPIC_LABELS[t], groups[t]) for t in TOPICS if t in groups]


OPEN = "open"  # the status filter's value for every item still to act on (summary.still_open)
OVERDUE = "overdue"  # the status filter's value for every item past its due date and still open (summary.overdue)
DISAGREEING = "disagrees"  # the status filter's value for every item the latest scans contradict (scanner_disagrees)


@dataclass(frozen=True)
class ChecklistFilter:
    """Which checklist items the report lists: each field empty (any) or one value of its vocabulary; ``owner``
    matches any part of the owner's name. Read from the page's query string, so a filtered view is a link."""

    priority: str = ""
    status: str = ""  # a status, OPEN, OVERDUE or DISAGREEING
    phase: str = ""
    responsibility: str = ""
    topic: str = ""
    framework: str = ""
    owner: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ChecklistFilter:
        return cls(**{name: str(args.get(name, "")).strip()[:100] for name in cls.__dataclass_fields__})

    @property
    def active(self) -> bool:
        return any(vars(self).values())

    @property
    def query(self) -> str:
        """The filter as a query string (``?priority=critical&status=open``), empty when nothing is filtered."""
        given = [f"{name}={quote(value)}" for name, value in vars(self).items() if value]
        return "?" + "&".join(given) if given else ""

    def matches(
        self, item: Mapping[str, Any], row: HasDueDate | None, on: dt.date, evidence: Sequence[ScanEntry] | None = None
    ) -> bool:
        status = row.status if row else "todo"
        owner = str(getattr(row, "owner", "") or "")
        frameworks = {str(f.get("framework")) for f in item.get("frameworks") or () if isinstance(f, Mapping)}
        return (
            self.priority in ("", item.get("priority"))
            and (
                self.status in ("", status)
                or (self.status == OPEN and still_open(row, on))
                or (self.status == OVERDUE and overdue(row, on))
                or (self.status == DISAGREEING and scanner_disagrees(status, evidence or []))
            )
            and self.phase in ("", item.get("phase"))
            and self.responsibility in ("", item.get("responsibility"))
            and self.topic in ("", item.get("topic"))
            and (not self.framework or self.framework in frameworks)
            and (not self.owner or self.owner.casefold() in owner.casefold())
        )


def shown_checklist(
    result: Mapping[str, Any],
    statuses: Mapping[str, HasDueDate],
    wanted: ChecklistFilter,
    on: dt.date,
    evidence: Mapping[str, list[Any]] | None = None,
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """The report's checklist: the items ``wanted`` lets through, by topic, open items before the others
    (each kept in the engine's order of urgency), topics left empty by the filter left out; ``evidence`` is
    each item's current evidence (for the Scanner disagrees filter)."""
    shown = []
    evidence = evidence or {}
    for topic, label, items in grouped_checklist(result):
        kept = [item for item in items if wanted.matches(item, statuses.get(item["id"]), on, evidence.get(item["id"]))]
        kept.sort(key=lambda item: not still_open(statuses.get(item["id"]), on))
        if kept:
            shown.append((topic, label, kept))
    return shown


def charts(result: Mapping[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    return {
        d["id"]: score_chart(d, list(kb.criteria), f"chart-{d['id']}")
        for d in result["decisions"]
        if d["applicable"] and d["alternatives"]
    }


_CODE = re.compile(r"`([^`]+)`")


def inline_code(text: str) -> Markup:
    """Escape knowledge-base prose, then show its `code` spans as <code>."""
    return Markup(_CODE.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(text))))  # noqa: S704 (escaped first)


def label_of(labels: Mapping[str, str], value: object) -> str:
    """A value's label; a value the mapping does not know (a newer engine's) in words, never as an id;
    "" for none."""
    if not value:
        return ""
    text = str(value)
    return labels.get(text) or text.replace("_", " ").capitalize()


def framework_names(kb: KnowledgeBase, result: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Each compliance framework's short name, as the questionnaire offers it ("PCI DSS"); a framework
    the knowledge base does not know (a stored result's) by the label its result gave it."""
    question = kb.question_by_key.get("compliance")
    names = {str(o.value): o.label for o in question.options} if question else {}
    for view in (result or {}).get("frameworks") or ():
        framework = str(view.get("framework") or "")
        if framework and framework not in names:
            names[framework] = str(view.get("label") or label_of({}, framework))
    return names


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def requirement_anchor(framework: str, requirement: str) -> str:
    """The id of a requirement's row in the report's compliance mapping."""
    return f"req-{_slug(framework)}-{_slug(requirement)}"


def requirement_number(framework: str, requirement: str) -> str:
    """``6.5.3``; ``Art. 32`` for GDPR and ``A.8.15`` for ISO/IEC 27001, whose numbers the knowledge base gives bare."""
    prefix = REQUIREMENT_PREFIXES.get(framework, "")
    return prefix + requirement if prefix and requirement[:1].isdigit() else requirement


def requirement_label(names: Mapping[str, str], framework: str, requirement: str) -> str:
    """``PCI DSS 6.5.3``: the framework's short name and the requirement's number."""
    return f"{names.get(framework) or label_of({}, framework)} {requirement_number(framework, requirement)}"


@dataclass(frozen=True)
class RequirementRef:
    """A requirement of a ticked framework that a checklist item answers."""

    label: str  # "PCI DSS 6.5.3"
    title: str
    anchor: str


@dataclass(frozen=True)
class ItemFacts:
    """What an engine 2.1 item says beyond its why and how, in words; empty for older results."""

    phase: str = ""
    effort: str = ""
    responsibility: str = ""
    provider: bool = False  # the provider's: the item's ``how`` is the evidence to collect
    requirements: list[RequirementRef] = field(default_factory=list)
    priority_because: str = ""
    included_because: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        """Whether there is a meta line to show."""
        return bool(self.phase or self.effort or self.responsibility or self.requirements)

    @property
    def meta(self) -> list[tuple[str, str]]:
        """(what, words) of each fact the item states: ``("When", "Before go-live")``, … ``("Answers", …)``."""
        said = [
            ("When", self.phase),
            ("Effort", self.effort),
            ("Who", self.responsibility),
            ("Answers", ", ".join(r.label for r in self.requirements)),
        ]
        return [(what, words) for what, words in said if words]

    @property
    def requirement_labels(self) -> str:
        """``PCI DSS 6.5.3; PCI DSS 10.5.1``."""
        return "; ".join(r.label for r in self.requirements)


def item_facts(item: Mapping[str, Any], names: Mapping[str, str]) -> ItemFacts:
    """An item's phase, effort, responsibility, requirements and reasons, as every format shows them.

    Results of engines before 2.1 lack these keys and show nothing. Their ``included_because`` was
    machine words (``sensitivity is high``), not sentences, so it is shown only beside a ``phase``.
    """
    requirements = [
        RequirementRef(
            label=requirement_label(names, str(f.get("framework", "")), str(f.get("requirement", ""))),
            title=str(f.get("title") or ""),
            anchor=requirement_anchor(str(f.get("framework", "")), str(f.get("requirement", ""))),
        )
        for f in item.get("frameworks") or ()
        if isinstance(f, Mapping) and f.get("framework") and f.get("requirement")
    ]
    return ItemFacts(
        phase=label_of(PHASE_LABELS, item.get("phase")),
        effort=label_of(EFFORT_LABELS, item.get("effort")),
        responsibility=label_of(RESPONSIBILITY_LABELS, item.get("responsibility")),
        provider=item.get("responsibility") == "provider",
        requirements=requirements,
        priority_because=str(item.get("priority_because") or ""),
        included_because=[str(s) for s in item.get("included_because") or () if s] if "phase" in item else [],
    )


def checklist_facts(result: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, ItemFacts]:
    """``item_facts`` of every checklist item, by id."""
    return {item["id"]: item_facts(item, names) for item in result["checklist"]}


def start_here(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The first things to do (engine 2.1), in order, as checklist items; none for older results."""
    by_id = {item["id"]: item for item in result["checklist"]}
    return [by_id[i] for i in dict.fromkeys(result.get("start_here") or ()) if i in by_id]


@dataclass(frozen=True)
class RequirementRow:
    requirement: str  # as the knowledge base numbers it: "6.5.3", "32"
    number: str  # as the standard writes it: "6.5.3", "Art. 32"
    label: str  # "PCI DSS 6.5.3"
    title: str
    anchor: str
    items: list[Mapping[str, Any]]  # the checklist items that answer it; none: the checklist does not


@dataclass(frozen=True)
class FrameworkSection:
    framework: str
    label: str  # the knowledge base's full name: "PCI DSS v4.0.1"
    anchor: str
    requirements: list[RequirementRow]

    @property
    def answered(self) -> int:
        return sum(1 for r in self.requirements if r.items)

    @property
    def unanswered(self) -> int:
        return len(self.requirements) - self.answered


def compliance_mapping(result: Mapping[str, Any], names: Mapping[str, str]) -> list[FrameworkSection]:
    """Each ticked framework (engine 2.1) with every requirement and the checklist items answering it;
    none for older results."""
    by_id = {item["id"]: item for item in result["checklist"]}
    sections = []
    for view in result.get("frameworks") or ():
        framework = str(view.get("framework") or "")
        rows = []
        for r in view.get("requirements") or ():
            requirement = str(r.get("requirement") or "")
            rows.append(
                RequirementRow(
                    requirement=requirement,
                    number=requirement_number(framework, requirement),
                    label=requirement_label(names, framework, requirement),
                    title=str(r.get("title") or ""),
                    anchor=requirement_anchor(framework, requirement),
                    items=[by_id[i] for i in dict.fromkeys(r.get("items") or ()) if i in by_id],
                )
            )
        label = str(view.get("label") or names.get(framework) or label_of({}, framework))
        sections.append(FrameworkSection(framework, label, f"framework-{_slug(framework)}", rows))
    return sections


def report_contents(
    result: Mapping[str, Any],
    statuses: dict[str, ChecklistStatus],
    kb: KnowledgeBase,
    wanted: ChecklistFilter = ChecklistFilter(),
    on: dt.date | None = None,
    evidence: Mapping[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """What the report page's body shows beside the result itself, by the names its template uses; ``on`` is
    the day acceptances are measured against (today), ``evidence`` each item's current evidence."""
    on = on or today()
    names = framework_names(kb, result)
    mapping = compliance_mapping(result, names)
    groups = shown_checklist(result, statuses, wanted, on, evidence)
    return {
        "on": on,
        "summary": summary_sentence(result),
        "counts": counts(result, statuses, on),
        "groups": groups,
        "wanted": wanted,
        "shown_count": sum(len(items) for _, _, items in groups),
        "framework_options": [(str(v["framework"]), str(v["label"])) for v in result.get("frameworks") or ()],
        "start_here": start_here(result),
        "facts": checklist_facts(result, names),
        "mapping": mapping,
        "mapped": {row.anchor for section in mapping for row in section.requirements},
        "charts": charts(result, kb),
    }


class ScanEntry(Protocol):
    """An evidence entry as stored (models.Evidence) or exported (exports.document.EvidenceRecord)."""

    @property
    def kind(self) -> str: ...
    @property
    def tool(self) -> str | None: ...
    @property
    def benchmark(self) -> str | None: ...
    @property
    def check(self) -> str | None: ...
    @property
    def cluster(self) -> str | None: ...
    @property
    def scanned_at(self) -> dt.datetime | None: ...
    @property
    def result(self) -> str | None: ...


_E = TypeVar("_E", bound=ScanEntry)
_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


def _scanned(entry: ScanEntry) -> dt.datetime:
    moment = entry.scanned_at
    if moment is None:
        return _NEVER
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def current_evidence(entries: Sequence[_E]) -> list[_E]:
    """The entries that count, in their order: every link and text, and of the imported scan results per (tool,
    benchmark, check, cluster) those of the latest scan. Earlier results of the same check stay stored as
    history (each imported report is recorded) but no longer speak for the item."""
    latest: dict[tuple[str | None, ...], dt.datetime] = {}
    for e in entries:
        if e.kind == "scan":
            key = (e.tool, e.benchmark, e.check, e.cluster)
            latest[key] = max(latest.get(key, _NEVER), _scanned(e))
    return [e for e in entries if e.kind != "scan" or _scanned(e) == latest[(e.tool, e.benchmark, e.check, e.cluster)]]


def scan_status(entries: Sequence[ScanEntry]) -> str:
    """What an item's current scan results say: pass, fail, mixed, not_evaluated, or none without any."""
    return evidence_status(e.result or "" for e in current_evidence(entries) if e.kind == "scan")


def scan_fails(entries: Sequence[ScanEntry]) -> bool:
    """The item's latest scan results fail it (every evaluated check, or some)."""
    return scan_status(entries) in FAILING


def scanner_disagrees(status: str, entries: Sequence[ScanEntry]) -> bool:
    """The latest scans fail an item a person marked not applicable, accepted or inherited: flagged, never
    overwritten."""
    return status in DISAGREEING_STATUSES and scan_fails(entries)
