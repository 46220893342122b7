"""Every text a result shows about its decisions, for checks on wording."""

from __future__ import annotations

from typing import Any


def decision_texts(result: dict[str, Any]) -> list[str]:
    texts = list(result["warnings"])
    for d in result["decisions"]:
        texts += [d["label"], d.get("not_applicable_because") or "", d.get("close_call_advice") or ""]
        for alt in d["alternatives"]:
            texts += [alt["label"], alt["phrase"], alt["summary"], alt["excluded_because"] or ""]
            texts += [r["text"] for r in alt["reasons"]]
    return [t for t in texts if t]
