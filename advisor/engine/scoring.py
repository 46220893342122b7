"""Score the alternatives of one decision, rank them, and find what would flip the result.

Criterion values are kept as integer hundredths and priorities are integers, so
every score comparison is exact: ``raw = Σ priority × value`` decides the ranking,
and the reported score is ``raw / (100 × Σ priority)``, the weighted sum with the
normalised weights. A tie goes where the decision's ``tie_break`` says, never to whichever
alternative happens to be listed first, and the recommended alternative's reasons say so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from advisor.engine.result import CLOSE_CALL, Alternative, Decision, Reason
from advisor.engine.schema import CRITERIA, DecisionFile
from advisor.engine.wording import describe, sentence

if TYPE_CHECKING:
    from advisor.engine.knowledge import KnowledgeBase

PRIORITY_VALUES = range(0, 6)


@dataclass(frozen=True, slots=True)
class Scored:
    """One alternative's exact values for the current answers."""

    index: int
    id: str
    values: tuple[int, ...]  # hundredths, in CRITERIA order
    excluded: bool
    raw: int  # Σ priority × value


def _round(x: float) -> float:
    return round(x, 4)


STRENGTH = 10  # hundredths: a base value this far from the others' mean is worth stating as a reason


def _best(candidates: Sequence[Scored], raws: Sequence[int]) -> int:
    """Index into candidates of the highest raw score; on a tie, the one listed first in ``candidates``
    (callers order them by the decision's tie-break)."""
    best = 0
    for i in range(1, len(candidates)):
        if raws[i] > raws[best]:
            best = i
    return best


def find_flip(eligible: Sequence[Scored], priorities: Sequence[int]) -> dict[str, Any] | None:
    """The smallest change to one priority that changes the recommendation, or None.

    Distances 1 … 5 are tried in order, criteria in contract order, the lower
    value first; so the answer is the smallest change, chosen deterministically.
    """
    if len(eligible) < 2:
        return None
    raws = [s.raw for s in eligible]
    current = _best(eligible, raws)
    total = sum(priorities)
    for distance in range(1, PRIORITY_VALUES.stop):
        for c, p in enumerate(priorities):
            for new in (p - distance, p + distance):
                if new not in PRIORITY_VALUES or total - p + new == 0:
                    continue
                delta = new - p
                moved = [r + delta * s.values[c] for r, s in zip(raws, eligible, strict=True)]
                winner = _best(eligible, moved)
                if winner != current:
                    return {"criterion": CRITERIA[c], "priority": new, "from": p, "alternative": eligible[winner].id}
    return None


def _sentence(text: str) -> str:
    text = text.strip()
    return sentence(text[0].upper() + text[1:])


def _said(entry: Any, kb: KnowledgeBase) -> str:
    """An adjustment's or constraint's reason as a plain sentence: its own ``text``, or the condition in the
    questionnaire's words followed by the reason. Worded once per knowledge base (entries never change, and
    the knowledge base holds them, so their ids stay theirs)."""
    key = ("said", id(entry))
    text: str | None = kb.composed.get(key)
    if text is None:
        text = _sentence(entry.text) if entry.text else _sentence(f"{describe(entry.when, kb)}: {entry.reason}")
        kb.composed[key] = text
    return text


def _points(hundredths: float, priority: int, total: int) -> float:
    """A change of ``hundredths`` on a criterion of this priority, in points of the score out of 100."""
    return round(priority * hundredths / total, 1)


def _base_reasons(
    dec: DecisionFile, index: int, priorities: Sequence[int], total: int, kb: KnowledgeBase, labels: Sequence[str]
) -> list[Reason]:
    """What an alternative brings before any answer moves it: criteria where its base value stands
    clearly above or below the other alternatives' mean, stated as such. The wording depends only on
    the knowledge base and the labels, so it is made once; the points follow the priorities."""
    key = ("base", dec.id, index, tuple(labels))
    leads: list[tuple[int, str, float, str]] | None = kb.composed.get(key)
    if leads is None:
        alt = dec.alternatives[index]
        others = [a for i, a in enumerate(dec.alternatives) if i != index]
        others_text = " and ".join(f"“{name}”" for i, name in enumerate(labels) if i != index)
        leads = []
        for c, criterion in enumerate(CRITERIA):
            lead = alt.values[criterion] - sum(o.values[criterion] for o in others) / len(others)
            if abs(lead) >= STRENGTH:
                ahead = "starts ahead of" if lead > 0 else "starts behind"
                text = _sentence(f"By its nature it {ahead} {others_text} on {kb.criteria[c].label.lower()}")
                leads.append((c, criterion, lead, text))
        kb.composed[key] = leads
    return [
        {
            "text": text,
            "effect": "for" if lead > 0 else "against",
            "criterion": criterion,
            "points": _points(lead, priorities[c], total),
        }
        for c, criterion, lead, text in leads
        if priorities[c]
    ]


def _order(reasons: list[Reason]) -> list[Reason]:
    return sorted(reasons, key=lambda r: -abs(r["points"] or 0))


def score_decision(
    dec: DecisionFile, answers: Mapping[str, Any], priorities: Sequence[int], kb: KnowledgeBase
) -> Decision:
    """The contract §4 entry for one decision (v2: reasons with effect and points, close calls, named
    tie-breaks), with traces behind every number."""
    if not dec.applicable_when.holds(answers):
        return {
            "id": dec.id,
            "label": dec.label,
            "applicable": False,
            "not_applicable_because": dec.not_applicable_reason,
            "recommended": None,
            "margin": None,
            "alternatives": [],
            "flip": None,
        }
    total = sum(priorities)
    scale = 100 * total
    rank = {alt_id: i for i, alt_id in enumerate(dec.tie_break.order)}
    variants = [next((v for v in alt.variants if v.when.holds(answers)), None) for alt in dec.alternatives]
    labels = [(v and v.label) or alt.label for v, alt in zip(variants, dec.alternatives, strict=True)]
    scored: list[Scored] = []
    shown: list[Alternative] = []
    for index, alt in enumerate(dec.alternatives):
        base = [alt.values[c] for c in CRITERIA]
        values = list(base)
        applied: list[tuple[Any, int]] = []
        trace: list[dict[str, Any]] = []
        for adj in alt.adjustments:
            if adj.when.holds(answers):
                c = CRITERIA.index(adj.criterion)
                values[c] += adj.change
                applied.append((adj, c))
                trace.append(
                    {
                        "entry": f"{dec.id}.{alt.id}.{adj.id}",
                        "kind": "adjustment",
                        "criterion": adj.criterion,
                        "change": adj.change / 100,
                        "because": adj.when.explain(answers),
                    }
                )
        excluded_because = []
        for con in alt.constraints:
            if con.when.holds(answers):
                excluded_because.append(_said(con, kb))
                trace.append(
                    {"entry": f"{dec.id}.{alt.id}.{con.id}", "kind": "constraint", "because": con.when.explain(answers)}
                )
        clamped = tuple(min(100, max(0, v)) for v in values)
        # clamping to 0 … 1 can swallow part of the changes on a criterion: share what is left among them
        kept = [(k - b) / (v - b) if v != b else 0.0 for k, b, v in zip(clamped, base, values, strict=True)]
        reasons: list[Reason] = [
            {
                "text": _said(adj, kb),
                "effect": "for" if adj.change > 0 else "against",
                "criterion": adj.criterion,
                "points": _points(adj.change * kept[c], priorities[c], total),
            }
            for adj, c in applied
        ]
        reasons += _base_reasons(dec, index, priorities, total, kb, labels)
        reasons += [{"text": text, "effect": "against", "criterion": None, "points": 0.0} for text in excluded_because]
        raw = sum(p * v for p, v in zip(priorities, clamped, strict=True))
        scored.append(Scored(index, alt.id, clamped, bool(excluded_because), raw))
        variant = variants[index]
        shown.append(
            {
                "id": alt.id,
                "label": labels[index],
                "score": _round(raw / scale),
                "excluded": bool(excluded_because),
                "excluded_because": " ".join(excluded_because) or None,
                "criteria": {c: v / 100 for c, v in zip(CRITERIA, clamped, strict=True)},
                "contributions": {
                    c: _round(p * v / scale) for c, p, v in zip(CRITERIA, priorities, clamped, strict=True)
                },
                "base": {c: alt.values[c] / 100 for c in CRITERIA},
                "summary": (variant and variant.summary) or alt.summary,
                "phrase": (variant and variant.phrase) or alt.phrase,
                "reasons": _order(reasons),
                "trace": trace,
            }
        )
    order = sorted(scored, key=lambda s: (s.excluded, -s.raw, rank[s.id]))
    eligible = [s for s in order if not s.excluded]
    recommended = eligible[0] if eligible else None
    margin = _round((eligible[0].raw - eligible[1].raw) / scale) if len(eligible) > 1 else None
    if recommended is not None:
        _make_the_case(dec, shown[recommended.index], eligible, shown, margin)
    close = margin is not None and margin < CLOSE_CALL
    return {
        "id": dec.id,
        "label": dec.label,
        "applicable": True,
        "recommended": recommended.id if recommended else None,
        "margin": margin,
        "close_call": close,
        "close_call_advice": dec.close_call_advice if close else None,
        "alternatives": [shown[s.index] for s in order],
        "flip": find_flip(sorted(eligible, key=lambda s: rank[s.id]), priorities),
    }


def _make_the_case(
    dec: DecisionFile,
    chosen: Alternative,
    eligible: Sequence[Scored],
    shown: Sequence[Alternative],
    margin: float | None,
) -> None:
    """The recommended alternative always says why it is recommended: a tie names its tie-break, the
    only alternative left says so, and one that won on the others' losses says that."""
    runner = shown[eligible[1].index] if len(eligible) > 1 else None
    extra = None
    if runner is not None and margin == 0:
        extra = f"It is level with “{runner['label']}” on your priorities; {dec.tie_break.reason}."
    elif runner is None and len(shown) > 1:
        extra = "It is the only alternative left: the others are ruled out (see why under each)."
    elif not any(r["effect"] == "for" for r in chosen["reasons"]):
        extra = "The other alternatives lose more on your priorities than this one does (see their reasons)."
    if extra is not None:
        chosen["reasons"].insert(0, {"text": _sentence(extra), "effect": "for", "criterion": None, "points": 0.0})
