"""Escaping for the text formats."""

from __future__ import annotations

import pytest

from advisor.exports.text import csv_cell, md_escape, md_prose


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx"])
def test_csv_formula_cells_are_neutralised(value: str) -> None:
    assert csv_cell(value) == "'" + value


def test_csv_plain_cells_unchanged() -> None:
    assert csv_cell("Use Roles") == "Use Roles"
    assert csv_cell(None) == ""


@pytest.mark.parametrize(
    ("value", "neutral"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("\tx", "'\tx"),
        ("ok;=HYPERLINK(1)", "ok;'=HYPERLINK(1)"),
        ("a,@SUM(1)", "a,'@SUM(1)"),
        ("a\t-1", "a\t'-1"),
        ("a\n+1", "a\n'+1"),
        ("a\r@x", "a\r'@x"),
        ("a; =1", "a;' =1"),
        (" =1", "' =1"),
        ('a;"=1', "a;'\"=1"),
        ("=1;=2", "'=1;'=2"),
    ],
)
def test_csv_export_cells_neutralise_formulas_after_separators(value: str, neutral: str) -> None:
    assert csv_cell(value) == neutral


def test_csv_export_cells_leave_plain_text_alone() -> None:
    for plain in ("Use Roles", "Private endpoint on; CIDRs in terraform/network.tf.", "a, b\tc\nd", "x=1;y", ""):
        assert csv_cell(plain) == plain
    assert csv_cell(None) == ""
    assert csv_cell(3) == "3"


def test_markdown_escape_makes_text_literal() -> None:
    assert md_escape("<script>*x*</script>\n| [y](z)") == r"\<script\>\*x\*\</script\> \| \[y\](z)"


def test_markdown_prose_keeps_code_spans_and_neutralises_html() -> None:
    text = "Mirror in `/etc/containerd/certs.d/<registry>/hosts.toml` not <b>here</b> & there"
    assert md_prose(text) == (
        "Mirror in `/etc/containerd/certs.d/<registry>/hosts.toml` not &lt;b&gt;here&lt;/b&gt; &amp; there"
    )
