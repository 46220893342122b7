"""Architecture decision records: a zip of one MADR record per applicable decision, an index (``README.md``, which
names the export, the assessment, the revision and the as-of time) and ``SHA256SUMS`` over both.

Each record follows MADR 4 (https://adr.github.io/madr/): front matter with status and date,
then "Context and Problem Statement", "Decision Drivers", "Considered Options",
"Decision Outcome" with "Consequences" and "Confirmation" (the checklist items the decision
brings), "Pros and Cons of the Options" and "More Information". The status is ``proposed``
(the advisor recommends, the team decides) until the revision is signed off and approved: then ``accepted``,
with the assessor and the approving owner as decision-makers and the day of approval as the date.

User text goes through ``md_escape`` (and JSON quoting in the YAML front matter);
knowledge-base prose through ``md_prose``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from advisor.engine import KnowledgeBase
from advisor.engine.result import reason
from advisor.engine.schema import DONE_STATUSES, CriterionModel
from advisor.exports import (
    Export,
    day,
    file_stem,
    iso,
    readable_answers,
    utc,
    when,
)
from advisor.exports.archive import MANIFEST, zip_with_manifest
from advisor.exports.document import ExportDocument
from advisor.exports.result import pct
from advisor.exports.text import md_escape, md_prose
from advisor.report.summary import STATUS_LABELS, framework_names, item_facts

MIMETYPE = "application/zip"
GOOD, BAD = 0.7, 0.4  # a criterion value at or above GOOD is a good consequence, at or below BAD a bad one


def record_name(number: int, decision_id: str) -> str:
    return f"{number:04d}-{decision_id.replace('_', '-')}.md"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _criteria(kb: KnowledgeBase) -> dict[str, CriterionModel]:
    return {c.id: c for c in kb.criteria}


def _criterion_label(kb: KnowledgeBase, criterion: str) -> str:
    c = _criteria(kb).get(criterion)
    return c.label if c else criterion


def _criterion_phrase(kb: KnowledgeBase, criterion: str, value: float, explain: bool = True) -> str:
    """``simplicity rates 0.90 of 1 (less for this team to set up …)``; the parenthesis only when ``explain``."""
    phrase = f"{_criterion_label(kb, criterion).lower()} rates {value:.2f} of 1"
    c = _criteria(kb).get(criterion)
    if explain and c is not None:
        phrase += f" ({md_prose(_lower_first(c.description.rstrip('.')))})"
    return phrase


def _runner_up(d: Mapping[str, Any]) -> Mapping[str, Any] | None:
    eligible = [a for a in d["alternatives"] if not a["excluded"] and a["id"] != d["recommended"]]
    return eligible[0] if eligible else None


def _front_matter(doc: ExportDocument) -> list[str]:
    signed = doc.sign_off
    if signed.decided_on is None:
        return ["---", "status: proposed", f"date: {day(doc.revision_created_at)}", "---", ""]
    makers = ", ".join(json.dumps(name, ensure_ascii=False) for name in signed.deciders)
    return [
        "---",
        "status: accepted",
        f"date: {signed.decided_on.isoformat()}",
        f"decision-makers: [{makers}]",
        "---",
        "",
    ]


def _context(doc: ExportDocument, d: Mapping[str, Any]) -> list[str]:
    kb_decision = doc.kb.decision_by_id.get(d["id"])
    lines = ["## Context and Problem Statement", ""]
    if kb_decision is not None:
        lines += [md_prose(kb_decision.question), ""]
    lines += [
        f"This record comes from the assessment “{md_escape(doc.title)}” of workspace "
        f"“{md_escape(doc.workspace)}”, revision {doc.revision_number}"
        + (f" ({md_escape(doc.revision_label)})" if doc.revision_label else "")
        + ". The team described its situation as follows:",
        "",
    ]
    lines += [
        f"- {md_prose(question)}: {md_escape(answer)}"
        for question, answer in readable_answers(doc.kb, doc.result["answers"])
    ]
    lines.append("")
    if doc.description.strip():
        lines += ["About the assessment:", ""]
        paras = [md_escape(p) for p in doc.description.replace("\r\n", "\n").split("\n\n") if p.strip()]
        lines += ["\n>\n".join(f"> {p}" for p in paras), ""]
    return lines


def _drivers(doc: ExportDocument) -> list[str]:
    weights: dict[str, float] = doc.result["weights"]
    priorities: dict[str, int] = doc.result["answers"].get("priorities", {})
    lines = ["## Decision Drivers", "", "The team's priorities, heaviest first (weights sum to 100%):", ""]
    for criterion, weight in sorted(weights.items(), key=lambda cw: -cw[1]):
        c = _criteria(doc.kb).get(criterion)
        what = f": {md_prose(_lower_first(c.description))}" if c else ""
        priority = priorities.get(criterion)
        given = f"priority {priority} of 5, " if priority is not None else ""
        lines.append(
            f"- **{md_escape(_criterion_label(doc.kb, criterion))}** ({given}weight {weight * 100:.1f}%){what}"
        )
    return [*lines, ""]


def _options(d: Mapping[str, Any]) -> list[str]:
    lines = ["## Considered Options", ""]
    for alt in d["alternatives"]:
        if alt["excluded"]:
            lines.append(f"- {md_escape(alt['label'])} — excluded: {md_prose(alt['excluded_because'] or '')}")
        else:
            mark = " (recommended)" if alt["id"] == d["recommended"] else ""
            lines.append(f"- {md_escape(alt['label'])} — score {pct(alt['score'])} of 100{mark}")
    return [*lines, ""]


def _leads(kb: KnowledgeBase, chosen: Mapping[str, Any], other: Mapping[str, Any]) -> list[str]:
    """Criteria on which the chosen option gains the most weighted points over another."""
    gains = {
        c: chosen["contributions"][c] - other["contributions"].get(c, 0)
        for c in chosen.get("contributions", {})
        if chosen["contributions"][c] - other["contributions"].get(c, 0) > 0.0005
    }
    top = sorted(gains.items(), key=lambda cg: -cg[1])[:3]
    return [f"{_criterion_label(kb, c).lower()} (+{g * 100:.1f})" for c, g in top]


def _outcome(kb: KnowledgeBase, d: Mapping[str, Any]) -> list[str]:
    lines = ["## Decision Outcome", ""]
    chosen = next((a for a in d["alternatives"] if a["id"] == d["recommended"]), None)
    if chosen is None:
        lines += [
            "No option can be chosen: every considered option is excluded by a constraint (see above). "
            "Revisit the constraints before deciding.",
            "",
        ]
        return lines
    runner = _runner_up(d)
    because = [md_prose(r["text"]) for r in map(reason, chosen["reasons"]) if r["effect"] != "against"]
    if runner is not None:
        leads = _leads(kb, chosen, runner)
        gap = f"{pct(d['margin'])} points ahead of" if d["margin"] else "level with"
        ahead = (
            f"it scores {pct(chosen['score'])} of 100 for the team's priorities, {gap} "
            f"“{md_escape(runner['label'])}” ({pct(runner['score'])})"
        )
        if not d["margin"] and "close_call" not in d:  # engine 1.x settled ties by the order of the list
            ahead += "; a tie goes to the option listed first"
        if leads:
            ahead += ", gaining most on " + ", ".join(leads)
        because.insert(0, ahead)
    else:
        because.insert(0, f"it is the only option left (score {pct(chosen['score'])} of 100)")
    excluded = [a for a in d["alternatives"] if a["excluded"]]
    because += [f"“{md_escape(a['label'])}” is ruled out: {md_prose(a['excluded_because'] or '')}" for a in excluded]
    lines += [f'Chosen option: "{md_escape(chosen["label"])}", because {because[0]}.', ""]
    if len(because) > 1:
        lines += ["Also:", ""] + [f"- {b}" for b in because[1:]] + [""]
    if chosen.get("summary"):
        lines += [md_prose(chosen["summary"]), ""]
    flip = d.get("flip")
    if flip:
        target = next((a for a in d["alternatives"] if a["id"] == flip["alternative"]), None)
        target_label = target["label"] if target else flip["alternative"]
        origin = f" from {flip['from']}" if "from" in flip else ""
        lines += [
            "What would change this: setting the priority of "
            f"{md_escape(_criterion_label(kb, flip['criterion']).lower())}"
            f"{origin} to {flip['priority']} would make “{md_escape(target_label)}” the recommendation; "
            "no smaller change to a single priority would.",
            "",
        ]
    else:
        lines += ["What would change this: no change to a single priority would change this recommendation.", ""]

    lines += ["### Consequences", ""]
    values: dict[str, float] = chosen["criteria"]
    for c, v in values.items():
        if v >= GOOD:
            lines.append(f"- Good, because {_criterion_phrase(kb, c, v)}")
    for c, v in values.items():
        if BAD < v < GOOD:
            lines.append(f"- Neutral, because {_criterion_phrase(kb, c, v)}")
    for c, v in values.items():
        if v <= BAD:
            lines.append(f"- Bad, because {_criterion_phrase(kb, c, v)}")
    return [*lines, ""]


def _confirmation(doc: ExportDocument, d: Mapping[str, Any]) -> list[str]:
    items = [i for i in doc.result["checklist"] if d["id"] in i["decisions"]]
    lines = ["### Confirmation", ""]
    if not items:
        return [*lines, "This decision brings no checklist items of its own.", ""]
    lines += [
        f"The decision is carried out through these {len(items)} checklist items it brings "
        f"(status as of {when(doc.exported_at)}):",
        "",
    ]
    names = framework_names(doc.kb, doc.result)
    for item in items:
        st = doc.status_of(item["id"])
        box = "x" if st.status in DONE_STATUSES and not st.needs_review else " "
        facts = item_facts(item, names)  # engine 2.1: when, and who does it
        extra = f"; when: {md_escape(facts.phase)}" if facts.phase else ""
        if facts.responsibility:
            extra += f"; who: {md_escape(facts.responsibility)}"
        if st.owner:
            extra += f"; owner {md_escape(st.owner)}"
        if st.note:
            extra += f"; note: {md_escape(st.note)}"
        if st.needs_review:
            extra += f"; needs review: {md_escape(st.review_reason or '')}"
        if st.due_label:
            extra += f"; {st.due_label.lower()}"
        if st.evidence:
            extra += f"; evidence: {'; '.join(md_escape(entry.summary()) for entry in st.evidence)}"
        lines.append(
            f"- [{box}] `{item['id']}` {md_escape(item['title'])} — {item['priority']}, "
            f"{STATUS_LABELS.get(st.status, st.status).lower()}{extra}"
        )
    return [*lines, ""]


def _pros_and_cons(kb: KnowledgeBase, d: Mapping[str, Any]) -> list[str]:
    lines = ["## Pros and Cons of the Options", ""]
    for alt in d["alternatives"]:
        lines += [f"### {md_escape(alt['label'])}", ""]
        if alt.get("summary"):
            lines += [md_prose(alt["summary"]), ""]
        if alt["excluded"]:
            lines.append(f"- Bad, because it is excluded: {md_prose(alt['excluded_because'] or '')}")
        stated = [reason(r) for r in alt["reasons"]]
        adjustments = [t for t in alt.get("trace", []) if t.get("kind") == "adjustment"]
        if all(r["effect"] is not None for r in stated) and stated:  # engine 2.x: each reason says its way
            for r in sorted(stated, key=lambda r: r["effect"] != "for"):
                points = f" ({r['points']:+.1f} points)" if r["points"] else ""
                lines.append(f"- {'Good' if r['effect'] == 'for' else 'Bad'}, because {md_prose(r['text'])}{points}")
        elif len(adjustments) == len(alt["reasons"]):  # engine 1.x: a reason per adjustment, in order
            signed = [(t["change"] > 0, text, t) for text, t in zip(alt["reasons"], adjustments, strict=True)]
            for good, text, t in sorted(signed, key=lambda s: not s[0]):
                change = f"{_criterion_label(kb, t['criterion']).lower()} {t['change']:+.2f}"
                lines.append(f"- {'Good' if good else 'Bad'}, because {md_prose(text)} ({change})")
        else:
            lines += [f"- {md_prose(r)}" for r in alt["reasons"]]
        values = alt["criteria"].items()
        lines += [f"- Good, because {_criterion_phrase(kb, c, v, explain=False)}" for c, v in values if v >= GOOD]
        lines += [f"- Bad, because {_criterion_phrase(kb, c, v, explain=False)}" for c, v in values if v <= BAD]
        lines.append("")
    return lines


def _more(doc: ExportDocument) -> list[str]:
    lines = [
        "## More Information",
        "",
        f"Recommended by the secure Kubernetes architecture advisor (engine {md_escape(doc.engine_version)}, "
        f"knowledge base {md_escape(doc.knowledge_base_version)}) for assessment {doc.assessment_id} "
        f"revision {doc.revision_number}, saved {when(doc.revision_created_at)}; exported {when(doc.exported_at)}"
        + (f" by {md_escape(doc.exported_by)}" if doc.exported_by else "")
        + ". Scores are out of 100: the weighted sum of each option's criterion values (0 … 1).",
        "",
    ]
    if doc.result["warnings"]:
        lines += ["Warnings from the advisor:", ""] + [f"- {md_prose(w)}" for w in doc.result["warnings"]] + [""]
    return lines


def record(doc: ExportDocument, d: Mapping[str, Any]) -> str:
    """One MADR record for an applicable decision."""
    chosen = next((a for a in d["alternatives"] if a["id"] == d["recommended"]), None)
    title = f"{md_escape(d['label'])}: {md_escape(chosen['label']) if chosen else 'no option left'}"
    lines = [*_front_matter(doc), f"# {title}", ""]
    lines += _context(doc, d) + _drivers(doc) + _options(d) + _outcome(doc.kb, d)
    if chosen is not None:
        lines += _confirmation(doc, d)
    lines += _pros_and_cons(doc.kb, d) + _more(doc)
    return "\n".join(lines)


def records(doc: ExportDocument) -> dict[str, str]:
    """File name → Markdown, one per applicable decision, numbered in decision order."""
    applicable = [d for d in doc.result["decisions"] if d["applicable"]]
    return {record_name(n, d["id"]): record(doc, d) for n, d in enumerate(applicable, start=1)}


def index(doc: ExportDocument, names: dict[str, str]) -> str:
    applicable = [d for d in doc.result["decisions"] if d["applicable"]]
    lines = [
        "# Architecture decision records",
        "",
        f"For the assessment “{md_escape(doc.title)}” (workspace “{md_escape(doc.workspace)}”), revision "
        f"{doc.revision_number}" + (f" ({md_escape(doc.revision_label)})" if doc.revision_label else "") + ", saved "
        f"{when(doc.revision_created_at)}; engine {md_escape(doc.engine_version)}, knowledge base "
        f"{md_escape(doc.knowledge_base_version)}. Records follow MADR 4 (<https://adr.github.io/madr/>); "
        "each is *proposed* until the team accepts it.",
        "",
        *_acceptance(doc),
        f"Export `{doc.export_id}` of assessment {doc.assessment_id}, revision {doc.revision_number}, as of "
        f"{iso(doc.as_of_time)}. `{MANIFEST}` holds the SHA-256 of every other file here: `sha256sum -c {MANIFEST}` "
        "checks them.",
        "",
        "| No. | Decision | Chosen option | Status |",
        "|---|---|---|---|",
    ]
    for (name, _), d in zip(names.items(), applicable, strict=True):
        chosen = next((a["label"] for a in d["alternatives"] if a["id"] == d["recommended"]), "no option left")
        lines.append(
            f"| [{name[:4]}]({name}) | {md_escape(d['label'])} | {md_escape(chosen)} | {doc.sign_off.decision_status} |"
        )
    lines.append("")
    skipped = [d for d in doc.result["decisions"] if not d["applicable"]]
    if skipped:
        lines += ["Not recorded, because not applicable:", ""]
        lines += [f"- {md_escape(d['label'])}: {md_prose(d.get('not_applicable_because') or '')}" for d in skipped]
        lines.append("")
    return "\n".join(lines)


def _acceptance(doc: ExportDocument) -> list[str]:
    signed = doc.sign_off
    if signed.approver is None or signed.decided_on is None:
        return []
    return [
        f"Accepted on {signed.decided_on.isoformat()}: the revision was signed off by its assessor, "
        + "; approved by ".join(
            md_escape(f"{s.by or 'unknown'} ({s.at:%Y-%m-%d})") for s in (signed.assessor, signed.approver) if s
        )
        + ".",
        "",
    ]


def to_zip(doc: ExportDocument) -> bytes:
    madr = records(doc)
    files = {name: text.encode("utf-8") for name, text in {"README.md": index(doc, madr), **madr}.items()}
    return zip_with_manifest(files, utc(doc.revision_created_at))  # entries dated by the revision


def render(doc: ExportDocument) -> Export:
    return Export(to_zip(doc), MIMETYPE, f"{file_stem(doc)}-adr.zip")
