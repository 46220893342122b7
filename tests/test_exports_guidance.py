"""Engine 2.1's guidance in every export format: the first things to do in order, each item's phase,
effort, responsibility, requirements and reasons in words, and the per-framework mapping with the
answering items' current statuses; results of older engines, which lack all of it, still render."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from typing import Any

import jsonschema
import pytest

from advisor.engine import default_knowledge_base, evaluate
from advisor.engine.schema import EFFORTS, PHASES, RESPONSIBILITIES
from advisor.exports import FORMATS, Export, ExportDocument, csv_export, json_export, markdown, pdf, tables
from advisor.exports import result as result_formats
from advisor.exports.document import StatusRecord
from advisor.exports.text import md_escape, md_prose
from advisor.report.summary import EFFORT_LABELS, NOT_ANSWERED, PHASE_LABELS, RESPONSIBILITY_LABELS
from tests.helpers import with_mapping
from tests.test_exports import RAW_MARKUP, adr_files, make_doc, parse_csv, pdf_text, squash

FRAMEWORK = "pci_dss"
RAW_IDS = ("before_go_live", "first_90_days", "pci_dss")  # vocabulary ids no reader should see
GUIDANCE_KEYS = ("phase", "effort", "responsibility", "priority_because", "frameworks")


def guided_result(result: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """The result with its first framework requirement answered by the first two start-here items and its
    second answered by none; returns it with those two requirements' numbers."""
    view = next(f for f in result["frameworks"] if f["framework"] == FRAMEWORK)
    answered, unanswered = (r["requirement"] for r in view["requirements"][:2])
    first, second = result["start_here"][:2]
    return with_mapping(result, FRAMEWORK, {answered: [first, second]}, [unanswered]), answered, unanswered


@pytest.fixture(scope="module")
def guided() -> tuple[ExportDocument, str, str]:
    """A PCI DSS revision whose first start-here item is done and answers a requirement with the second (in
    progress); another requirement is answered by no item; one item is the provider's."""
    doc = make_doc()
    result, answered, unanswered = guided_result(dict(doc.result))
    first, second = result["start_here"][:2]
    provider = result["checklist"][-1]
    provider["responsibility"] = "provider"
    statuses = {
        **doc.statuses,
        first: StatusRecord("done", "alice@example.com", "", None, None),
        second: StatusRecord("in_progress", "", "", None, None),
    }
    return dataclasses.replace(doc, result=result, statuses=statuses), answered, unanswered


@pytest.fixture(scope="module")
def guided_pdf(guided: tuple[ExportDocument, str, str]) -> str:
    return squash(pdf_text(pdf.render(guided[0]).content))


def item_of(doc: ExportDocument, item_id: str) -> dict[str, Any]:
    return next(i for i in doc.result["checklist"] if i["id"] == item_id)


def meta_line(item: dict[str, Any]) -> str:
    return (
        f"When: {PHASE_LABELS[item['phase']]} · Effort: {EFFORT_LABELS[item['effort']]} · "
        f"Who: {RESPONSIBILITY_LABELS[item['responsibility']]}"
    )


def section(text: str, heading: str) -> str:
    """A Markdown section: from its heading to the next heading of the same level."""
    level = heading.split(" ")[0]
    return text.split(f"\n{heading}\n")[1].split(f"\n{level} ")[0]


def as_old(result: dict[str, Any], engine: str = "1.0.0") -> dict[str, Any]:
    """The result as an engine before 2.1 stored it: no start_here, no frameworks, no per-item guidance,
    and included_because in machine words."""
    old = json.loads(json.dumps(result))
    old["engine_version"] = engine
    for key in ("start_here", "frameworks"):
        old.pop(key, None)
    for item in old["checklist"]:
        for key in GUIDANCE_KEYS:
            item.pop(key, None)
        item["included_because"] = ["sensitivity is high", "hosting is managed"]
    return old


# --- the labels ----------------------------------------------------------------------------------


def test_every_value_of_each_vocabulary_has_a_label_and_the_schema_knows_it() -> None:
    assert set(PHASE_LABELS) == set(PHASES)
    assert set(EFFORT_LABELS) == set(EFFORTS)
    assert set(RESPONSIBILITY_LABELS) == set(RESPONSIBILITIES)
    defs = json_export.schema()["$defs"]
    assert defs["phase"]["enum"] == list(PHASES)
    assert defs["effort"]["enum"] == list(EFFORTS)
    assert defs["responsibility"]["enum"] == list(RESPONSIBILITIES)


# --- Markdown ------------------------------------------------------------------------------------


def test_markdown_starts_with_the_first_things_to_do_in_order(guided: tuple[ExportDocument, str, str]) -> None:
    doc, _, _ = guided
    text = markdown.render(doc).content.decode("utf-8")
    listed = re.findall(r"^\d+\. .* \(`([a-z0-9-]+)`\) — ", section(text, "## Start here"), re.M)
    assert listed == doc.result["start_here"]
    first = item_of(doc, listed[0])
    assert (
        f"1. {md_escape(first['title'])} (`{first['id']}`) — priority {first['priority']} · "
        f"effort {EFFORT_LABELS[first['effort']]} · status **Done**"
    ) in text
    assert text.index("## Start here") < text.index("## Decisions")


def test_markdown_states_each_items_guidance_in_words(guided: tuple[ExportDocument, str, str]) -> None:
    doc, answered, _ = guided
    text = markdown.render(doc).content.decode("utf-8")
    for raw in RAW_IDS:
        assert raw not in text, raw
    first = item_of(doc, doc.result["start_here"][0])
    block = section(text, f"#### {md_escape(first['title'])}")
    assert f"- {meta_line(first)}" in block
    assert f"- Answers: PCI DSS {answered}" in block
    assert f"**Priority:** {md_prose(first['priority_because'])}" in block
    assert f"**Included because:** {' '.join(md_prose(s) for s in first['included_because'])}" in block
    assert block.index("**Why:**") < block.index("**How:**") < block.index("**Priority:**")
    provider = doc.result["checklist"][-1]
    provided = section(text, f"#### {md_escape(provider['title'])}")
    assert "Who: The provider's: collect evidence" in provided
    assert f"**Evidence to collect from the provider:** {md_prose(provider['how'])}" in provided


def test_markdown_maps_each_framework_with_statuses_and_says_what_is_not_answered(
    guided: tuple[ExportDocument, str, str],
) -> None:
    doc, answered, unanswered = guided
    text = markdown.render(doc).content.decode("utf-8")
    mapping = section(text, "## Compliance mapping")
    view = doc.result["frameworks"][0]
    assert f"### {md_escape(view['label'])}" in mapping
    titles = {r["requirement"]: r["title"] for r in view["requirements"]}
    first, second = (item_of(doc, i) for i in doc.result["start_here"][:2])
    assert (
        f"| {answered} | {md_escape(titles[answered])} | `{first['id']}` {md_escape(first['title'])} (Done); "
        f"`{second['id']}` {md_escape(second['title'])} (In progress) |"
    ) in mapping
    assert f"| {unanswered} | {md_escape(titles[unanswered])} | **{NOT_ANSWERED}** |" in mapping
    open_ = sum(1 for r in view["requirements"] if not r["items"])
    assert f"requirements answered by checklist items; {open_} not answered." in mapping
    assert text.index("## Compliance mapping") < text.index("## Activity")


def test_the_cli_markdown_and_csv_carry_the_guidance_too() -> None:
    result, answered, unanswered = guided_result(evaluate(make_doc().result["answers"]))
    text = result_formats.to_markdown(result, default_knowledge_base())
    listed = re.findall(r"^\d+\. .* \(`([a-z0-9-]+)`\) — ", section(text, "## Start here"), re.M)
    assert listed == result["start_here"]
    first = next(i for i in result["checklist"] if i["id"] == listed[0])
    assert f"- {meta_line(first)}" in text
    assert f"| {unanswered} | " in text
    assert f"**{NOT_ANSWERED}**" in text
    assert f"`{first['id']}` {md_escape(first['title'])} (To do)" in section(text, "## Compliance mapping")
    rows = list(csv.DictReader(io.StringIO(result_formats.to_csv(result, default_knowledge_base()))))
    row = next(r for r in rows if r["id"] == first["id"])
    assert (row["start_here"], row["phase"]) == ("1", PHASE_LABELS[first["phase"]])
    assert f"PCI DSS {answered}" in row["frameworks"].split("; ")


# --- CSV -----------------------------------------------------------------------------------------


def test_csv_has_the_guidance_columns_as_codes_beside_words(guided: tuple[ExportDocument, str, str]) -> None:
    doc, answered, _ = guided
    rows = parse_csv(csv_export.render(doc).content)
    order = {item_id: n for n, item_id in enumerate(doc.result["start_here"], start=1)}
    for row in rows:
        item = item_of(doc, row["id"])
        assert row["start_here"] == str(order.get(row["id"], ""))
        assert (row["phase"], row["phase_label"]) == (item["phase"], PHASE_LABELS[item["phase"]])
        assert (row["effort"], row["effort_label"]) == (item["effort"], EFFORT_LABELS[item["effort"]])
        assert row["responsibility"] == item["responsibility"]
        assert row["responsibility_label"] == RESPONSIBILITY_LABELS[item["responsibility"]]
        assert row["priority_because"] == item["priority_because"]
        assert row["included_because"] == " ".join(item["included_because"])
        words = {k: v for k, v in row.items() if k not in ("phase", "effort", "responsibility")}
        assert not any(raw in cell for cell in words.values() for raw in RAW_IDS[:2]), "codes only in code columns"
    ordered = sorted((r for r in rows if r["start_here"]), key=lambda r: int(r["start_here"]))
    assert [r["id"] for r in ordered] == doc.result["start_here"]
    assert "frameworks" not in rows[0], "one value a cell: the requirements an item answers are the mapping's rows"
    first = doc.result["start_here"][0]
    mapped = parse_csv(csv_export.render_mapping(doc).content)
    assert answered in {r["requirement"] for r in mapped if r["item_id"] == first}


def test_compliance_csv_lists_each_requirement_with_its_items_status_and_the_unanswered(
    guided: tuple[ExportDocument, str, str],
) -> None:
    doc, answered, unanswered = guided
    rendered = FORMATS["compliance_csv"](doc)
    assert rendered.filename.endswith("-compliance.csv")
    rows = parse_csv(rendered.content)
    assert list(rows[0]) == list(csv_export.MAPPING_COLUMNS)
    first, second = doc.result["start_here"][:2]
    label = doc.result["frameworks"][0]["label"]
    mine = [(r["item_id"], r["status"], r["status_label"], r["answered"]) for r in rows if r["requirement"] == answered]
    assert mine == [(first, "done", "Done", "yes"), (second, "in_progress", "In progress", "yes")]
    (gap,) = [r for r in rows if r["requirement"] == unanswered]
    assert (gap["framework"], gap["framework_label"], gap["answered"]) == (FRAMEWORK, label, "no")
    assert (gap["item_id"], gap["item_title"], gap["status"]) == ("", NOT_ANSWERED, "")
    requirements = {r["requirement"] for r in rows}
    assert requirements == {r["requirement"] for r in doc.result["frameworks"][0]["requirements"]}
    assert {(r["assessment_id"], r["revision"], r["export_id"]) for r in rows} == {
        (str(doc.assessment_id), str(doc.revision_number), doc.export_id)
    }


# --- JSON ----------------------------------------------------------------------------------------


def test_json_lists_the_first_things_and_each_requirement_with_its_items_status(
    guided: tuple[ExportDocument, str, str],
) -> None:
    doc, answered, unanswered = guided
    data = json.loads(json_export.render(doc).content)
    jsonschema.Draft202012Validator(json_export.schema(), format_checker=jsonschema.FormatChecker()).validate(data)
    assert [s["id"] for s in data["start_here"]] == doc.result["start_here"]
    first, second = doc.result["start_here"][:2]
    assert data["start_here"][0]["status"] == "done"
    assert data["start_here"][0]["phase"] == item_of(doc, first)["phase"]
    (framework,) = data["frameworks"]
    assert (framework["framework"], framework["label"]) == (FRAMEWORK, doc.result["frameworks"][0]["label"])
    rows = {r["requirement"]: r for r in framework["requirements"]}
    assert rows[answered]["answered"] is True
    assert rows[answered]["label"] == f"PCI DSS {answered}"
    assert [(i["id"], i["status"]) for i in rows[answered]["items"]] == [(first, "done"), (second, "in_progress")]
    assert rows[unanswered]["answered"] is False
    assert rows[unanswered]["items"] == []
    assert data["result"] == doc.result, "the stored result itself is unchanged"


# --- PDF -----------------------------------------------------------------------------------------


def test_pdf_lists_the_first_things_in_order(guided: tuple[ExportDocument, str, str], guided_pdf: str) -> None:
    doc, _, _ = guided
    at = guided_pdf.index("Starthere")
    for item_id in doc.result["start_here"]:
        at = guided_pdf.index(f"({item_id})—", at)  # each after the one before
    assert squash(f"({doc.result['start_here'][0]}) — Critical · effort") in guided_pdf


def test_pdf_states_each_items_guidance_and_maps_the_framework(
    guided: tuple[ExportDocument, str, str], guided_pdf: str
) -> None:
    doc, answered, unanswered = guided
    first = item_of(doc, doc.result["start_here"][0])
    assert squash(f"{meta_line(first)} · Answers: PCI DSS {answered}") in guided_pdf
    for raw in RAW_IDS:
        assert raw not in guided_pdf
    mapping = guided_pdf[guided_pdf.index("Compliancemapping", guided_pdf.index("Checklist")) :]
    assert squash(doc.result["frameworks"][0]["label"]) in mapping
    assert squash(f"{first['id']} (done); {doc.result['start_here'][1]} (in progress)") in mapping
    titles = {r["requirement"]: r["title"] for r in doc.result["frameworks"][0]["requirements"]}
    assert squash(f"{unanswered}{titles[unanswered]}{NOT_ANSWERED}") in mapping


# --- ADR -----------------------------------------------------------------------------------------


def test_decision_records_say_when_and_who_for_the_items_they_bring(guided: tuple[ExportDocument, str, str]) -> None:
    doc, _, _ = guided
    text = adr_files(doc)["0001-hosting.md"]
    brought = [i for i in doc.result["checklist"] if "hosting" in i["decisions"]]
    assert brought
    for item in brought:
        when, who = PHASE_LABELS[item["phase"]], RESPONSIBILITY_LABELS[item["responsibility"]]
        assert re.search(rf"`{item['id']}` .*; when: {when}; who: {re.escape(who)}", text), item["id"]


# --- older results --------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["1.0.0", "2.0.0"])
def test_a_result_without_the_guidance_renders_in_every_format(engine: str) -> None:
    doc = make_doc()
    old = dataclasses.replace(doc, result=as_old(dict(doc.result), engine), engine_version=engine)
    rendered = {fmt: FORMATS[fmt](old) for fmt in FORMATS}
    assert all(isinstance(r, Export) and r.content for r in rendered.values())
    text = rendered["markdown"].content.decode("utf-8")
    for absent in ("## Start here", "## Compliance mapping", "When:", "Included because", "**Priority:**"):
        assert absent not in text, absent
    assert "sensitivity is high" not in text, "machine words are not shown as reasons"
    assert "**How:**" in text
    for row in parse_csv(rendered["csv"].content):
        assert [row[c] for c in tables.GUIDANCE_COLUMNS] == [""] * len(tables.GUIDANCE_COLUMNS)
    data = json.loads(rendered["json"].content)
    assert (data["start_here"], data["frameworks"]) == ([], [])
    jsonschema.Draft202012Validator(json_export.schema()).validate(data)
    text = squash(pdf_text(rendered["pdf"].content))
    assert "Starthere" not in text
    assert "Compliancemapping" not in text
    assert "when:" not in "\n".join(adr_files(old).values())
    assert "## Start here" not in result_formats.to_markdown(old.result, default_knowledge_base())
    assert result_formats.to_csv(old.result, default_knowledge_base()).count("\r\n") == len(old.result["checklist"]) + 1


# --- stored texts are escaped ----------------------------------------------------------------------

HOSTILE = "=cmd|' /C calc'!A0 <script>alert('kb')</script> [x](javascript:alert(1)) |pipe|"


def test_stored_guidance_texts_are_escaped(guided: tuple[ExportDocument, str, str]) -> None:
    """A stored result is data: its reasons, requirement titles and labels are escaped like any text."""
    doc = guided[0]
    result = json.loads(json.dumps(doc.result))
    item = next(i for i in result["checklist"] if i["id"] == result["start_here"][0])
    item["priority_because"] = HOSTILE
    item["included_because"] = [HOSTILE]
    item["phase"] = "<b>soon</b>"
    item["frameworks"][0]["title"] = HOSTILE
    view = result["frameworks"][0]
    view["label"] = HOSTILE
    for r in view["requirements"]:
        r["title"] = HOSTILE
    hostile = dataclasses.replace(doc, result=result)
    text = markdown.render(hostile).content.decode("utf-8")
    assert not re.search(r"(?<!\\)<script", text)  # reasons are prose, as why and how are: md_prose
    tables = section(text, "## Compliance mapping") + section(text, "## Start here")
    assert not RAW_MARKUP.search(tables), "titles and labels are escaped whole"
    assert "\\<script\\>alert('kb')\\</script\\>" in text  # requirement titles and the label, escaped
    assert "&lt;script&gt;alert('kb')&lt;/script&gt;" in text  # reasons are prose: markup neutralised
    assert "\\<b\\>soon\\</b\\>" in text
    for row in parse_csv(csv_export.render(hostile).content):
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@")), cell
    html = pdf.to_html(hostile)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;kb&#39;)&lt;/script&gt;" in html
    assert "&lt;b&gt;soon&lt;/b&gt;" in html
