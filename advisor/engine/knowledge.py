"""Load and validate the knowledge base: YAML files checked against the schema.

Every problem is collected and reported at once, each naming the file, the
entry and what is wrong, so a broken knowledge base is fixed in one pass.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from advisor.engine.conditions import (
    Condition,
    KeyCondition,
    iter_decision_conditions,
    iter_key_conditions,
)
from advisor.engine.schema import (
    CRITERIA,
    AlternativeModel,
    ChecklistFile,
    ControlsFile,
    ControlSourceModel,
    CriteriaFile,
    CriterionModel,
    DecisionFile,
    FrameworkModel,
    FrameworksFile,
    ItemModel,
    MetaFile,
    OrderFile,
    QuestionModel,
    QuestionsFile,
    StepModel,
    WarningModel,
    WarningsFile,
)

M = TypeVar("M", bound=BaseModel)

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "knowledge"


class KnowledgeBaseError(Exception):
    """The knowledge base is invalid; ``errors`` lists every problem in words."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("invalid knowledge base:\n" + "\n".join(f"  - {e}" for e in errors))


@dataclass(frozen=True, eq=False)  # identity equality: hashable, cheap to use as a cache key
class KnowledgeBase:
    version: str
    title: str
    criteria: tuple[CriterionModel, ...]
    steps: tuple[StepModel, ...]
    questions: tuple[QuestionModel, ...]
    decisions: tuple[DecisionFile, ...]
    items: tuple[ItemModel, ...]
    retired: frozenset[str]
    warnings: tuple[WarningModel, ...]
    sources: tuple[str, ...]
    frameworks: tuple[FrameworkModel, ...] = ()
    # controls.yaml: source key ("kube-bench/cis-1.12", "kubescape", ...) → the check ids it may name
    controls: dict[str, ControlSourceModel] = field(default_factory=dict, repr=False)
    # item id → its place in the order to do critical work (order.yaml); unlisted items come after
    rank: dict[str, int] = field(default_factory=dict, repr=False)
    question_by_key: dict[str, QuestionModel] = field(default_factory=dict, repr=False)
    item_by_id: dict[str, ItemModel] = field(default_factory=dict, repr=False)
    position: dict[str, int] = field(default_factory=dict, repr=False)  # item id → its place in file order
    decision_by_id: dict[str, DecisionFile] = field(default_factory=dict, repr=False)
    framework_by_id: dict[str, FrameworkModel] = field(default_factory=dict, repr=False)
    # (tool, benchmark or None, check id) → the ids of the items that check verifies, in file order
    items_by_control: dict[tuple[str, str | None, str], tuple[str, ...]] = field(default_factory=dict, repr=False)
    # texts composed for answers (an item's steps for one estate and set of clouds), made once each
    composed: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.question_by_key.update({q.key: q for q in self.questions})
        self.item_by_id.update({i.id: i for i in self.items})
        self.position.update({i.id: n for n, i in enumerate(self.items)})
        self.decision_by_id.update({d.id: d for d in self.decisions})
        self.framework_by_id.update({f.id: f for f in self.frameworks})
        index: dict[tuple[str, str | None, str], list[str]] = {}
        for item in self.items:
            for key, checks in item.controls.items():
                tool, _, benchmark = key.partition("/")
                for check in checks:
                    index.setdefault((tool, benchmark or None, check), []).append(item.id)
        self.items_by_control.update({k: tuple(v) for k, v in index.items()})

    def items_for(self, tool: str, benchmark: str | None, check: str) -> list[str]:
        """The ids of the items a scanner's check verifies: ``benchmark`` is the one the tool numbered its
        checks by ("cis-1.12" for kube-bench), or None (or "") for ids of the tool's own (C-0041, KSV-0012)."""
        return list(self.items_by_control.get((tool, benchmark or None, check), ()))


# libyaml's parser reads the knowledge base in a tenth of the time (what `advisor evaluate` spends on start-up);
# a file it refuses is read again by PyYAML's own, whose message names the problem as it always has
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path, errors: list[str], label: str) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            try:
                return yaml.load(fh, Loader=_FAST_LOADER)  # noqa: S506 (a safe loader)
            except yaml.YAMLError:
                fh.seek(0)
                return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        errors.append(f"{label}: not valid YAML: {exc}".replace("\n", " "))
    except OSError as exc:
        errors.append(f"{label}: cannot be read: {exc.strerror}")
    return None


def _entry_name(raw: Any, loc: tuple[int | str, ...]) -> tuple[str, tuple[int | str, ...]]:
    """Name the entries (by id) an error sits in, outermost first, and return the rest of the path."""
    node, path, named, rest = raw, "", [], loc
    for i, part in enumerate(loc):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        if isinstance(part, int) and isinstance(node, dict):
            ident = node.get("id") or node.get("key")
            if ident is not None:
                named.append(f"{path} '{ident}'")
                path, rest = "", loc[i + 1 :]
    return ": ".join(named), rest


def _format_validation(label: str, raw: Any, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        entry, rest = _entry_name(raw, loc)
        where = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in rest).replace(".[", "[")
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "is not a known field"
        elif err["type"] == "missing":
            msg = "is required"
        parts = [p for p in (entry, where) if p]
        out.append(f"{label}: {': '.join(parts) + ': ' if parts else ''}{msg}")
    return out


def _parse(model: type[M], path: Path, base: Path, errors: list[str], prefix: str = "") -> M | None:
    label = prefix + (path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path))
    raw = _read_yaml(path, errors, label)
    if raw is None and not errors:
        errors.append(f"{label}: is empty")
    if raw is None:
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors.extend(_format_validation(label, raw, exc))
        return None


def _check_leaf(leaf: KeyCondition, q: QuestionModel) -> str | None:
    """Return what is wrong with a test on answer ``q``, or None."""
    values = leaf.value if isinstance(leaf.value, list) else [leaf.value]
    allowed: list[Any] = [o.value for o in q.options]
    numeric = ("gte", "gt", "lte", "lt")
    if q.type in ("choice", "bool"):
        if leaf.op not in ("eq", "ne", "in", "not_in"):
            return f"'{leaf.op}' cannot test {q.type} question '{q.key}' (use eq, ne, in, not_in)"
    elif q.type == "int":
        if leaf.op not in (*numeric, "eq", "ne", "in", "not_in"):
            return f"'{leaf.op}' cannot test number question '{q.key}'"
        bad = [v for v in values if isinstance(v, bool) or not isinstance(v, int | float)]
        return f"'{q.key}' is a number; {bad} are not" if bad else None
    elif q.type == "multi":
        if leaf.op not in ("contains", "contains_any", "contains_all", "empty"):
            return f"'{leaf.op}' cannot test list question '{q.key}' (use contains, contains_any, contains_all, empty)"
        if leaf.op == "empty":
            return None
    else:
        return f"conditions cannot test '{q.key}' ({q.type})"
    unknown = [v for v in values if v not in allowed or type(v) is not type(allowed[0])]
    if unknown:
        return f"{unknown} not allowed for '{q.key}' (allowed: {', '.join(map(str, allowed))})"
    return None


class _Checker:
    def __init__(self, questions: dict[str, QuestionModel], decisions: dict[str, DecisionFile]) -> None:
        self.questions = questions
        self.decisions = decisions
        self.errors: list[str] = []

    def condition(self, cond: Condition, where: str, *, allow_decisions: bool) -> None:
        for leaf in iter_key_conditions(cond):
            q = self.questions.get(leaf.key)
            if q is None:
                self.errors.append(f"{where}: unknown answer key '{leaf.key}'")
            elif (problem := _check_leaf(leaf, q)) is not None:
                self.errors.append(f"{where}: {problem}")
        for dleaf in iter_decision_conditions(cond):
            if not allow_decisions:
                self.errors.append(
                    f"{where}: cannot depend on a recommendation ('{dleaf.decision}'); only answers may be tested here"
                )
                continue
            dec = self.decisions.get(dleaf.decision)
            if dec is None:
                self.errors.append(f"{where}: unknown decision '{dleaf.decision}'")
                continue
            alts = {a.id for a in dec.alternatives}
            wanted = [] if dleaf.op == "applicable" else ([dleaf.value] if dleaf.op == "is" else list(dleaf.value))
            bad = [w for w in wanted if w not in alts]
            if bad:
                self.errors.append(
                    f"{where}: {bad} are not alternatives of '{dleaf.decision}' ({', '.join(sorted(alts))})"
                )


def _check_questions(qf: QuestionsFile, errors: list[str]) -> None:
    label = "questions.yaml"
    steps = {s.id for s in qf.steps}
    seen: set[str] = set()
    keys = {q.key: q for q in qf.questions}
    for q in qf.questions:
        where = f"{label}: question '{q.key}'"
        if q.key in seen:
            errors.append(f"{where}: duplicate key")
        seen.add(q.key)
        if q.step is not None and q.step not in steps:
            errors.append(f"{where}: unknown step '{q.step}' (steps: {', '.join(sorted(steps))})")
        values = [o.value for o in q.options]
        if len(set(map(repr, values))) != len(values):
            errors.append(f"{where}: duplicate option values")
        if q.type in ("choice", "multi") and (not values or not all(isinstance(v, str) for v in values)):
            errors.append(f"{where}: a {q.type} question needs options with text values")
        if q.type == "bool" and sorted(map(repr, values)) != ["False", "True"]:
            errors.append(f"{where}: a bool question needs exactly the options true and false, each explained")
        if q.type in ("int", "priorities", "statuses") and values:
            errors.append(f"{where}: a {q.type} question takes no options")
        if q.type == "int" and (q.min is None or q.max is None or q.min > q.max):
            errors.append(f"{where}: a number question needs min ≤ max")
        if q.at_least_key is not None and (q.type != "int" or keys.get(q.at_least_key, q).type != "int"):
            errors.append(f"{where}: at_least_key must link two number questions")
        if q.required and q.default is not None:
            errors.append(f"{where}: a required question takes no default")
        if q.nullable and q.type != "int":
            errors.append(f"{where}: only a number question may be nullable")
        needs_default = q.type not in ("priorities", "statuses", "multi") and not q.nullable
        if not q.required and q.default is None and needs_default:
            errors.append(f"{where}: an optional question needs a default")
        if q.default is not None and q.type in ("choice", "bool") and q.default not in values:
            errors.append(f"{where}: default {q.default!r} is not one of the options")
        if (
            q.type == "multi"
            and q.default is not None
            and (not isinstance(q.default, list) or any(v not in values for v in q.default))
        ):
            errors.append(f"{where}: default {q.default!r} must be a list of the options")


def _check_alternative(dec: DecisionFile, alt: AlternativeModel, checker: _Checker) -> None:
    for i, variant in enumerate(alt.variants):
        checker.condition(
            variant.when, f"decisions/{dec.id}.yaml: {dec.id}.{alt.id}.variants[{i}]", allow_decisions=False
        )
    seen: set[str] = set()
    for kind, entries in (("adjustment", alt.adjustments), ("constraint", alt.constraints)):
        for e in entries:
            where = f"decisions/{dec.id}.yaml: {dec.id}.{alt.id}.{e.id}"
            if e.id in seen:
                checker.errors.append(f"{where}: duplicate {kind} id")
            seen.add(e.id)
            checker.condition(e.when, where, allow_decisions=False)


def _check_frameworks(ff: FrameworksFile, qf: QuestionsFile, errors: list[str]) -> dict[str, set[str]]:
    """One table per option of the compliance question; returns each framework's requirement ids."""
    question = next((q for q in qf.questions if q.key == "compliance"), None)
    options = [str(o.value) for o in question.options] if question else []
    tables = {f.id: {r.id for r in f.requirements} for f in ff.frameworks}
    if sorted(tables) != sorted(options) or len(tables) != len(ff.frameworks):
        errors.append(
            f"frameworks.yaml: needs one table for each compliance option ({', '.join(options)}); "
            f"has {', '.join(f.id for f in ff.frameworks)}"
        )
    for f in ff.frameworks:
        if len(tables[f.id]) != len(f.requirements):
            errors.append(f"frameworks.yaml: framework '{f.id}' lists a requirement twice")
    return tables


def _check_item_frameworks(item: ItemModel, requirements: dict[str, set[str]], where: str, errors: list[str]) -> None:
    for framework, ids in item.frameworks.items():
        known = requirements.get(framework)
        if known is None:
            errors.append(f"{where}: frameworks: unknown framework '{framework}' (known: {', '.join(requirements)})")
            continue
        missing = [i for i in ids if i not in known]
        if missing or not ids:
            errors.append(
                f"{where}: frameworks: {framework} needs requirement numbers from frameworks.yaml; "
                f"unknown: {', '.join(missing) or 'none given'}"
            )


def _check_item_controls(
    item: ItemModel, catalog: dict[str, ControlSourceModel], where: str, errors: list[str]
) -> None:
    """Each source key is one of controls.yaml's, each id one its list holds, once, in that list's order."""
    for key, checks in item.controls.items():
        source = catalog.get(key)
        if source is None:
            errors.append(f"{where}: controls: unknown source '{key}' (known: {', '.join(catalog)})")
            continue
        place = {check: n for n, check in enumerate(source.ids)}
        unknown = [c for c in checks if c not in place]
        if unknown:
            errors.append(f"{where}: controls: {key}: not checks of controls.yaml: {', '.join(unknown)}")
        twice = sorted({c for c in checks if checks.count(c) > 1}, key=checks.index)
        if twice:
            errors.append(f"{where}: controls: {key}: lists {', '.join(twice)} twice")
        known = [c for c in dict.fromkeys(checks) if c in place]
        if known != sorted(known, key=place.__getitem__):
            errors.append(
                f"{where}: controls: {key}: list the ids in the order of controls.yaml: "
                f"{', '.join(sorted(known, key=place.__getitem__))}"
            )


def _checklist_files(base: Path) -> list[Path]:
    return sorted((base / "checklist").glob("*.yaml"))


def _apply_overlay(
    overlay: Path,
    version: str,
    decisions: list[DecisionFile],
    lists: list[tuple[str, ChecklistFile]],
    warnings: list[WarningModel],
    errors: list[str],
) -> str:
    """Merge an organisation's directory into the built-in parts; returns the combined version."""
    prefix = f"{overlay.as_posix().rstrip('/')}/"
    if not overlay.is_dir():
        errors.append(f"{overlay}: is not a directory")
        return version
    if (overlay / "questions.yaml").exists() or (overlay / "criteria.yaml").exists():
        errors.append(
            f"{prefix}: questions and criteria are the public contract; a custom knowledge base cannot change them"
        )
    if (overlay / "controls.yaml").exists():
        errors.append(
            f"{prefix}controls.yaml: the catalog of scanner checks is the built-in one; "
            "a custom knowledge base's items name checks from it"
        )
    meta_path = overlay / "meta.yaml"
    meta = _parse(MetaFile, meta_path, overlay, errors, prefix) if meta_path.exists() else None
    if meta_path.exists() and meta is not None:
        version = f"{version}+{meta.version}"
    elif not meta_path.exists():
        errors.append(f"{prefix}meta.yaml: is required, with a version for the reports to show")
    known = {d.id: i for i, d in enumerate(decisions)}
    for path in sorted((overlay / "decisions").glob("*.yaml")):
        dec = _parse(DecisionFile, path, overlay, errors, prefix)
        if dec is None:
            continue
        if dec.id not in known:
            errors.append(
                f"{prefix}{path.name}: '{dec.id}' is not a decision of the contract; only these can be "
                f"replaced: {', '.join(known)}"
            )
        else:
            decisions[known[dec.id]] = dec
    for path in _checklist_files(overlay):
        cf = _parse(ChecklistFile, path, overlay, errors, prefix)
        if cf is not None:
            lists.append((prefix + path.relative_to(overlay).as_posix(), cf))
    warn_path = overlay / "warnings.yaml"
    if warn_path.exists() and (wf := _parse(WarningsFile, warn_path, overlay, errors, prefix)) is not None:
        by_id = {w.id: i for i, w in enumerate(warnings)}
        for w in wf.warnings:
            if w.id in by_id:
                warnings[by_id[w.id]] = w
            else:
                warnings.append(w)
    return version


def load_knowledge_base(directory: Path | str | None = None, overlay: Path | str | None = None) -> KnowledgeBase:
    """Read a knowledge-base directory (and an organisation's overlay), validate all of it, or raise
    KnowledgeBaseError listing every problem.

    The overlay adds or replaces checklist items by id (and retires built-in ones), adds or replaces
    warnings, and may replace a decision's file; its ``meta.yaml`` version is appended to the version.
    """
    base = Path(directory) if directory is not None else BUILTIN_DIR
    errors: list[str] = []
    if not base.is_dir():
        raise KnowledgeBaseError([f"{base}: is not a directory"])
    meta = _parse(MetaFile, base / "meta.yaml", base, errors)
    crit = _parse(CriteriaFile, base / "criteria.yaml", base, errors)
    qf = _parse(QuestionsFile, base / "questions.yaml", base, errors)
    wf = _parse(WarningsFile, base / "warnings.yaml", base, errors)
    ff = _parse(FrameworksFile, base / "frameworks.yaml", base, errors)
    of = _parse(OrderFile, base / "order.yaml", base, errors)
    cf_controls = _parse(ControlsFile, base / "controls.yaml", base, errors)
    decision_files = sorted((base / "decisions").glob("*.yaml"))
    checklist_files = _checklist_files(base)
    decisions = [d for p in decision_files if (d := _parse(DecisionFile, p, base, errors))]
    lists = [
        (p.relative_to(base).as_posix(), c) for p in checklist_files if (c := _parse(ChecklistFile, p, base, errors))
    ]
    warnings = list(wf.warnings) if wf else []
    if not decision_files:
        errors.append("decisions/: holds no decision files")
    if not checklist_files:
        errors.append("checklist/: holds no checklist files")
    version = meta.version if meta else ""
    if overlay is not None:
        version = _apply_overlay(Path(overlay), version, decisions, lists, warnings, errors)
    if (
        errors
        or meta is None
        or crit is None
        or qf is None
        or wf is None
        or ff is None
        or of is None
        or cf_controls is None
    ):
        raise KnowledgeBaseError(errors)
    catalog = dict(cf_controls.sources)
    requirements = _check_frameworks(ff, qf, errors)

    crit_ids = [c.id for c in crit.criteria]
    if sorted(crit_ids) != sorted(CRITERIA):
        errors.append(f"criteria.yaml: needs each of {', '.join(CRITERIA)} exactly once; has {', '.join(crit_ids)}")
    _check_questions(qf, errors)

    decisions.sort(key=lambda d: (d.order, d.id))
    checker = _Checker({q.key: q for q in qf.questions}, {d.id: d for d in decisions})
    for q in qf.questions:
        checker.condition(q.show_if, f"questions.yaml: question '{q.key}': show_if", allow_decisions=False)
        for i, default in enumerate(q.default_when):
            where = f"questions.yaml: question '{q.key}': default_when[{i}]"
            checker.condition(default.when, where, allow_decisions=False)
            if q.options and default.value not in [o.value for o in q.options]:
                checker.errors.append(f"{where}: value {default.value!r} is not one of the options")
        for i, refusal in enumerate(q.refuse_when):
            where = f"questions.yaml: question '{q.key}': refuse_when[{i}]"
            checker.condition(refusal.when, where, allow_decisions=False)
    seen_dec: set[str] = set()
    for dec in decisions:
        if dec.id in seen_dec:
            errors.append(f"decisions/{dec.id}.yaml: duplicate decision id '{dec.id}'")
        seen_dec.add(dec.id)
        checker.condition(dec.applicable_when, f"decisions/{dec.id}.yaml: applicable_when", allow_decisions=False)
        alt_ids = [a.id for a in dec.alternatives]
        if len(set(alt_ids)) != len(alt_ids):
            errors.append(f"decisions/{dec.id}.yaml: duplicate alternative ids in {alt_ids}")
        for alt in dec.alternatives:
            _check_alternative(dec, alt, checker)
        if sorted(dec.tie_break.order) != sorted(alt_ids):
            errors.append(
                f"decisions/{dec.id}.yaml: tie_break.order must list each alternative once ({', '.join(alt_ids)}); "
                f"has {', '.join(dec.tie_break.order)}"
            )

    items: dict[str, ItemModel] = {}
    retired: set[str] = set()
    origin: dict[str, tuple[str, str]] = {}
    overlay_prefix = f"{Path(overlay).as_posix().rstrip('/')}/" if overlay is not None else ""
    for label, cf in lists:
        retired.update(cf.retired)
        for item in cf.items:
            where = f"{label}: item '{item.id}'"
            checker.condition(item.when, where + ": when", allow_decisions=True)
            for i, rule in enumerate(item.priority_rules):
                checker.condition(rule.when, f"{where}: priority_rules[{i}]", allow_decisions=True)
            _check_item_frameworks(item, requirements, where, errors)
            _check_item_controls(item, catalog, where, errors)
            unknown = [d for d in item.decisions if d not in seen_dec]
            if unknown:
                errors.append(f"{where}: unknown decisions {unknown} (known: {', '.join(sorted(seen_dec))})")
            source = "overlay" if overlay_prefix and label.startswith(overlay_prefix) else "base"
            first = origin.get(item.id)
            # a repeat inside one knowledge base is a mistake; an overlay's item replaces the built-in one
            if first is not None and first[1] == source:
                errors.append(f"checklist: item id '{item.id}' is used twice ({first[0]} and {label})")
            origin[item.id] = (label, source)
            items[item.id] = item
    overlay_retired = {
        i for label, cf in lists if overlay_prefix and label.startswith(overlay_prefix) for i in cf.retired
    }
    for item_id in overlay_retired:
        items.pop(item_id, None)
    errors.extend(
        f"checklist: item id '{i}' is retired and cannot be reused" for i in items if i in retired - overlay_retired
    )

    errors.extend(
        f"order.yaml: '{i}' is not a checklist item" for i in of.first if i not in items and i not in overlay_retired
    )
    if len(set(of.first)) != len(of.first):
        errors.append("order.yaml: lists an item twice")

    seen_warn: set[str] = set()
    for w in warnings:
        if w.id in seen_warn:
            errors.append(f"warnings.yaml: duplicate warning id '{w.id}'")
        seen_warn.add(w.id)
        checker.condition(w.when, f"warnings.yaml: warning '{w.id}'", allow_decisions=True)
    errors.extend(checker.errors)
    if errors:
        raise KnowledgeBaseError(errors)

    order = {c: i for i, c in enumerate(CRITERIA)}
    return KnowledgeBase(
        version=version,
        title=meta.title,
        criteria=tuple(sorted(crit.criteria, key=lambda c: order[c.id])),
        steps=tuple(qf.steps),
        questions=tuple(qf.questions),
        decisions=tuple(decisions),
        items=tuple(items.values()),
        retired=frozenset(retired),
        warnings=tuple(warnings),
        sources=(str(base),) + ((str(overlay),) if overlay is not None else ()),
        frameworks=tuple(ff.frameworks),
        controls=catalog,
        rank={item_id: i for i, item_id in enumerate(of.first)},
    )


OVERLAY_ENV = "ADVISOR_KNOWLEDGE_BASE"
_loaded: dict[str | None, KnowledgeBase] = {}
_lock = threading.Lock()


def knowledge_base_for(overlay: str | None) -> KnowledgeBase:
    """The built-in knowledge base with an optional organisation overlay, loaded and validated once."""
    if overlay not in _loaded:
        with _lock:
            if overlay not in _loaded:
                _loaded[overlay] = load_knowledge_base(overlay=overlay)
    return _loaded[overlay]


def default_knowledge_base() -> KnowledgeBase:
    """The knowledge base in force: built-in, plus the directory named by ADVISOR_KNOWLEDGE_BASE if set."""
    return knowledge_base_for(os.environ.get(OVERLAY_ENV) or None)
