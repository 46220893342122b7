"""Score the alternatives of one decision, rank them, and find what would flip the result.

Criterion values are kept as integer hundredths and priorities are integers, so
every score comparison is exact: ``raw = Σ priority × value`` decides the ranking,
and the reported score is ``raw / (100 × Σ priority)``, the weighted sum with the
normalised weights. Ties go to the alternative listed first in the knowledge base.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.engine.schema import CRITERIA, DecisionFile

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


def _explain_reason(facts: Sequence[str], reason: str) -> str:
    return f"{' and '.join(facts)}: {reason}" if facts else reason


def _best(candidates: Sequence[Scored], raws: Sequence[int]) -> int:
    """Index into candidates of the highest raw score; the first listed wins a tie."""
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


def score_decision(dec: DecisionFile, answers: Mapping[str, Any], priorities: Sequence[int]) -> dict[str, Any]:
    """The contract §4 entry for one decision, with traces behind every number."""
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
    scored: list[Scored] = []
    shown: list[dict[str, Any]] = []
    for index, alt in enumerate(dec.alternatives):
        values = [alt.values[c] for c in CRITERIA]
        reasons: list[str] = []
        trace: list[dict[str, Any]] = []
        for adj in alt.adjustments:
            if adj.when.holds(answers):
                c = CRITERIA.index(adj.criterion)
                values[c] += adj.change
                facts = adj.when.explain(answers)
                reasons.append(_explain_reason(facts, adj.reason))
                trace.append(
                    {
                        "entry": f"{dec.id}.{alt.id}.{adj.id}",
                        "kind": "adjustment",
                        "criterion": adj.criterion,
                        "change": adj.change / 100,
                        "because": facts,
                    }
                )
        excluded_because = []
        for con in alt.constraints:
            if con.when.holds(answers):
                facts = con.when.explain(answers)
                excluded_because.append(_explain_reason(facts, con.reason))
                trace.append({"entry": f"{dec.id}.{alt.id}.{con.id}", "kind": "constraint", "because": facts})
        clamped = tuple(min(100, max(0, v)) for v in values)
        raw = sum(p * v for p, v in zip(priorities, clamped, strict=True))
        scored.append(Scored(index, alt.id, clamped, bool(excluded_because), raw))
        shown.append(
            {
                "id": alt.id,
                "label": alt.label,
                "score": _round(raw / scale),
                "excluded": bool(excluded_because),
                "excluded_because": "; ".join(excluded_because) or None,
                "criteria": {c: v / 100 for c, v in zip(CRITERIA, clamped, strict=True)},
                "contributions": {
                    c: _round(p * v / scale) for c, p, v in zip(CRITERIA, priorities, clamped, strict=True)
                },
                "base": {c: alt.values[c] / 100 for c in CRITERIA},
                "summary": alt.summary,
                "phrase": alt.phrase,
                "reasons": reasons,
                "trace": trace,
            }
        )
    order = sorted(scored, key=lambda s: (s.excluded, -s.raw, s.index))
    eligible = [s for s in order if not s.excluded]
    recommended = eligible[0] if eligible else None
    margin = _round((eligible[0].raw - eligible[1].raw) / scale) if len(eligible) > 1 else None
    return {
        "id": dec.id,
        "label": dec.label,
        "applicable": True,
        "recommended": recommended.id if recommended else None,
        "margin": margin,
        "alternatives": [shown[s.index] for s in order],
        "flip": find_flip(sorted(eligible, key=lambda s: s.index), priorities),
    }
