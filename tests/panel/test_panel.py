"""The expert panel: for each organisation, the engine recommends what the architect would sign."""

from __future__ import annotations

import re
from typing import Any

import pytest

from advisor.engine import evaluate
from tests.panel.organisations import ORGANISATIONS
from tests.panel.texts import decision_texts


@pytest.mark.parametrize("org", ORGANISATIONS, ids=[o["id"] for o in ORGANISATIONS])
def test_the_architect_signs_each_decision(org: dict[str, Any]) -> None:
    result = evaluate(org["answers"])
    chosen = {d["id"]: d["recommended"] for d in result["decisions"]}
    wrong = {k: (chosen[k], ok) for k, ok in org["expect"].items() if chosen[k] not in ok}
    assert not wrong, f"{org['id']}: recommended vs acceptable {wrong}"


@pytest.mark.parametrize("org", ORGANISATIONS, ids=[o["id"] for o in ORGANISATIONS])
def test_no_word_the_architect_rules_out_anywhere(org: dict[str, Any]) -> None:
    """The decisions' texts (labels, phrases, summaries, reasons, exclusions, advice), the warnings, and
    every checklist item's title, why and how."""
    result = evaluate(org["answers"])
    texts = decision_texts(result) + [t for i in result["checklist"] for t in (i["title"], i["why"], i["how"])]
    for word in org["text_never"]:
        found = [t for t in texts if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", t)]
        assert not found, f"{org['id']}: '{word}' in {found[:2]}"
