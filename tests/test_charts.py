"""The score charts and the lead sentence: labels stay in their column, ties are called ties, text is escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from advisor.engine import KnowledgeBase
from advisor.report.charts import LABEL_CHARS, LABEL_W, score_chart

SVG = "{http://www.w3.org/2000/svg}"


def decision(labels: list[str], kb: KnowledgeBase) -> dict[str, Any]:
    share = {c.id: 0.1 for c in kb.criteria}
    alternatives = [
        {"id": f"alt{n}", "label": label, "excluded": n == 2, "score": 0.6, "contributions": share}
        for n, label in enumerate(labels)
    ]
    return {"label": "Namespaces <&>", "recommended": "alt0", "alternatives": alternatives}


def test_long_labels_wrap_inside_their_column_and_rows_grow(kb: KnowledgeBase) -> None:
    long = "One namespace per application and environment, each with its own quota"
    chart = score_chart(decision([long, "Short", "<b>Excluded</b>"], kb), list(kb.criteria), "c")
    svg = ET.fromstring(str(chart))  # noqa: S314 - markup this app generated, not untrusted input
    texts = svg.findall(f"{SVG}text")
    label_spans = [t.findall(f"{SVG}tspan") for t in texts if t.findall(f"{SVG}tspan")]
    assert [len(spans) for spans in label_spans] == [3, 1, 1]
    assert all(len(span.text or "") <= LABEL_CHARS for spans in label_spans for span in spans)
    assert " ".join(span.text or "" for span in label_spans[0]) == long + " ★", "wrapped, nothing lost"
    assert label_spans[2][0].text == "<b>Excluded</b>", "escaped in the markup, read back as text"

    first_lines = [float(spans[0].get("y", 0)) for spans in label_spans]
    last_lines = [float(spans[-1].get("y", 0)) for spans in label_spans]
    assert last_lines[0] < first_lines[1], "the next label starts below the wrapped one"
    bars = [r for r in svg.findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert min(float(r.get("x", 0)) for r in bars) >= LABEL_W, "bars start right of the label column"
    first_row_bars = [float(r.get("y", 0)) for r in bars[: len(kb.criteria)]]
    second_row_bars = [float(r.get("y", 0)) for r in bars[len(kb.criteria) :]]
    assert max(first_row_bars) + 20 <= min(second_row_bars), "bars of consecutive rows do not overlap"
    height = float(svg.get("height", 0))
    assert height > last_lines[-1] + 30, "the legend has room below the rows"
    assert "Namespaces &lt;&amp;&gt;" in str(score_chart(decision(["A"], kb), list(kb.criteria), "d"))


def test_the_lead_is_said_in_words_and_a_tie_is_called_one() -> None:
    from advisor.report.summary import lead

    assert lead(0.117) == "11.7 points ahead of the runner-up"
    assert lead(0.0002) == "less than 0.1 points ahead of the runner-up"
    assert lead(0.0) == "level with the runner-up (a tie goes to the alternative listed first)"
    assert lead(None) == "the only alternative left"
