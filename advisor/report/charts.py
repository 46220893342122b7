"""Server-rendered SVG charts: each alternative's score as stacked weighted-criterion contributions."""

from __future__ import annotations

import textwrap
from typing import Any

from markupsafe import Markup, escape

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies
COLOURS = {
    "isolation": "#0072B2",
    "attack_surface": "#E69F00",
    "visibility": "#009E73",
    "control": "#CC79A7",
    "simplicity": "#56B4E9",
    "cost": "#D55E00",
}
WIDTH, LABEL_W, BAR_W, ROW_H, TOP = 680, 230, 360, 30, 8
LABEL_CHARS = 30  # what fits in LABEL_W at 13 px, with room for the star; longer labels wrap
LINE_H = 16


def _label_lines(label: str, recommended: bool) -> list[str]:
    return textwrap.wrap(label + (" ★" if recommended else ""), LABEL_CHARS, break_long_words=True) or [""]


def score_chart(decision: dict[str, Any], criteria: list[Any], chart_id: str) -> Markup:
    """An accessible SVG bar chart; its text equivalent is the table the report renders beside it."""
    alts = decision["alternatives"]
    lines = [_label_lines(alt["label"], alt["id"] == decision["recommended"]) for alt in alts]
    heights = [max(ROW_H, LINE_H * len(ls) + 12) for ls in lines]
    rows_h = sum(heights)
    height = TOP + rows_h + 64  # room for a legend on two lines
    labels = {c.id: c.label for c in criteria}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">Scores for {escape(decision["label"])}</title>',
        f'<desc id="{chart_id}-desc">Each bar is an alternative\'s score out of 100, split into the weighted '
        "contribution of each criterion; the table that follows gives the same figures.</desc>",
    ]
    top = TOP
    for alt, label_lines, row_h in zip(alts, lines, heights, strict=True):
        y = top + (row_h - ROW_H) // 2  # the bar sits in the middle of its row
        first = top + (row_h - LINE_H * len(label_lines)) // 2 + 13
        spans = "".join(
            f'<tspan x="0" y="{first + n * LINE_H}">{escape(text)}</tspan>' for n, text in enumerate(label_lines)
        )
        parts.append(f'<text font-size="13" fill="#1b1f24">{spans}</text>')
        top += row_h
        if alt["excluded"]:
            parts.append(
                f'<text x="{LABEL_W}" y="{y + 19}" font-size="13" fill="#57606a" font-style="italic">excluded</text>'
            )
            continue
        x = float(LABEL_W)
        for c in labels:
            w = alt["contributions"][c] * BAR_W
            if w <= 0:
                continue
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 5}" width="{w:.1f}" height="20" fill="{COLOURS[c]}" '
                f'stroke="#ffffff" stroke-width="1"><title>{escape(labels[c])}: '
                f"{alt['contributions'][c] * 100:.1f}</title></rect>"
            )
            x += w
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 19}" font-size="13" font-weight="600" fill="#1b1f24">'
            f"{alt['score'] * 100:.1f}</text>"
        )
    y = TOP + rows_h + 14
    x = 0.0
    for c, label in labels.items():
        parts.append(f'<rect x="{x:.0f}" y="{y}" width="12" height="12" fill="{COLOURS[c]}"/>')
        parts.append(f'<text x="{x + 16:.0f}" y="{y + 11}" font-size="12" fill="#1b1f24">{escape(label)}</text>')
        x += 16 + 7.2 * len(label) + 14
        if x > WIDTH - 100:
            x, y = 0.0, y + 18
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text part above is escaped)
