"""PDF export of a stored revision, laid out by WeasyPrint from ``templates/exports/report.html``.

The document: a cover (title, workspace, revision and milestone, dates, engine and
knowledge-base versions, contents), the summary with the first things to do, each decision
with its SVG chart, figures and reasons, the checklist as a table with statuses, owners and
notes (and, for engine 2.1 results, each item's phase, effort, responsibility and the
requirements it answers), the compliance mapping of each ticked framework with the
answering items' statuses, the references, and two appendices (the answers; the audit trail,
one line per entry). Page numbers and the running header and footer come from ``@page`` rules
in ``static/css/print.css``; the cover and every footer name the export id, the assessment id,
the revision and the as-of time. The file is PDF/A-3b with the JSON export of the same
document attached (same export id), and its bookmarks (from the headings and the checklist's
topic rows) lead to the cover, contents, summary, each decision, topic and framework.

Nothing is fetched: the stylesheet is read from the app's files and handed over as a
string, charts are inline SVG, fonts are the system's, and the URL fetcher refuses every
URL that is not ``data:``. User text is escaped by Jinja's autoescape.

Speed: WeasyPrint's time grows with every element and line, so the template keeps markup
lean (``benchmarks/pdf.py`` times the largest report).
"""

from __future__ import annotations

import functools
import io
from importlib.resources import files
from typing import Any

import jinja2

from advisor.engine.result import close_call, reason
from advisor.engine.wording import sentence
from advisor.exports import (
    Export,
    action_text,
    criteria_labels,
    detail_text,
    file_stem,
    iso,
    json_export,
    minute,
    readable_answers,
    utc,
    when,
)
from advisor.exports.document import (
    APPLICABILITY_INTRO,
    APPLICABILITY_KINDS,
    APPLICABILITY_NONE,
    LEFT_OUT,
    ExportDocument,
    scope_lines,
)
from advisor.exports.result import pct
from advisor.paths import resource_dir
from advisor.report.summary import (
    ACCEPTANCE_LABELS,
    DISAGREES,
    MAPPING_INTRO,
    NOT_ANSWERED,
    START_HERE_INTRO,
    STATUS_LABELS,
    VERIFICATION_LABELS,
    charts,
    checklist_facts,
    compliance_mapping,
    counts,
    framework_names,
    grouped_checklist,
    inline_code,
    lead,
    start_here,
    summary_sentence,
)

MIMETYPE = "application/pdf"
TEMPLATE = "exports/report.html"
STYLESHEET = ("css", "print.css")
PDF_VARIANT = "pdf/a-3b"  # PDF/A-3: archival, and the one PDF/A level that may embed a non-PDF file (the JSON)
OUTPUT_INTENT = "srgb-iec61966-2-1"  # the name of the colour profile PDF/A's output intent points to
COVER_DESCRIPTION = 300  # characters; a longer description opens the summary instead, so the cover stays one page


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_dir("templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["code"] = inline_code
    env.filters["sentence"] = sentence
    env.globals.update(
        when=when,
        minute=minute,
        iso=iso,
        pct=pct,
        action_text=action_text,
        detail_text=detail_text,
        lead=lead,
        reason=reason,
        close_call=close_call,
        STATUS_LABELS=STATUS_LABELS,
        ACCEPTANCE_LABELS=ACCEPTANCE_LABELS,
        DISAGREES=DISAGREES,
        VERIFICATION_LABELS=VERIFICATION_LABELS,
        LEFT_OUT=LEFT_OUT,
        APPLICABILITY_KINDS=APPLICABILITY_KINDS,
        APPLICABILITY_INTRO=APPLICABILITY_INTRO,
        APPLICABILITY_NONE=APPLICABILITY_NONE,
        scope_lines=scope_lines,
        START_HERE_INTRO=START_HERE_INTRO,
        MAPPING_INTRO=MAPPING_INTRO,
        NOT_ANSWERED=NOT_ANSWERED,
    )
    return env


@functools.cache
def _stylesheet_text() -> str:
    return resource_dir("static").joinpath(*STYLESHEET).read_text(encoding="utf-8")


def _fetcher() -> Any:
    """A URL fetcher that refuses every URL except ``data:``: an export never reaches the network or the disk.

    The template references nothing, so this only guards against a mistake (or a future
    template) making WeasyPrint fetch something. A new one per render: fetchers keep state.
    """
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):  # type: ignore[misc]  # URLFetcher is Any: weasyprint ships no types
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"the PDF export fetches nothing: {url[:80]}")
            return super().fetch(url, headers)

    return LocalOnly(allowed_protocols=("data",), allow_redirects=False)


def _short(text: str | None, limit: int) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _references(checklist: list[dict[str, Any]]) -> tuple[list[dict[str, str]], dict[str, list[int]]]:
    """Every distinct reference, numbered in order of first citation, and each item's numbers."""
    numbers: dict[tuple[str, str], int] = {}
    item_refs: dict[str, list[int]] = {}
    for item in checklist:
        cited = item_refs.setdefault(item["id"], [])
        for r in item["references"]:
            n = numbers.setdefault((r["label"], r["url"]), len(numbers) + 1)
            if n not in cited:
                cited.append(n)
    return [{"label": label, "url": url} for label, url in numbers], item_refs


def to_html(doc: ExportDocument) -> str:
    result = doc.result
    kb = doc.kb
    groups = grouped_checklist(result)
    ordered = [item for _, _, items in groups for item in items]
    refs, item_refs = _references(ordered)  # numbered in the order the table shows them
    description = [p for p in doc.description.replace("\r\n", "\n").split("\n\n") if p.strip()]
    names = framework_names(kb, result)
    context = {
        "doc": doc,
        "result": result,
        "summary": summary_sentence(result),
        "description": description,
        "description_on_cover": len(doc.description) <= COVER_DESCRIPTION and len(description) <= 2,
        "progress": counts(result, doc.statuses, doc.exported_at.date()),
        "groups": groups,
        "start_here": start_here(result),
        "facts": checklist_facts(result, names),
        "mapping": compliance_mapping(result, names),
        "charts": charts(result, kb),
        "criteria": list(kb.criteria),
        "criteria_labels": criteria_labels(kb),
        "priorities": result["answers"].get("priorities", {}),
        "answers": readable_answers(kb, result["answers"]),
        "refs": refs,
        "item_refs": item_refs,
        "header_title": _short(doc.title, 75),
        "header_label": _short(doc.revision_label, 28),
        "header_workspace": _short(doc.workspace, 40),
    }
    return _environment().get_template(TEMPLATE).render(context)


@functools.cache
def _srgb_icc() -> bytes:
    return files("weasyprint.pdf").joinpath("sRGB2014.icc").read_bytes()


def _srgb_profile() -> Any:
    """PDF/A's output intent: WeasyPrint's own sRGB profile, handed over as bytes. Left to itself (the "srgb"
    intent) WeasyPrint opens the profile's file and never closes it; a new profile per render, as WeasyPrint
    records each render's PDF object in it."""
    from weasyprint.css import ColorProfile

    return ColorProfile(io.BytesIO(_srgb_icc()), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))


def to_pdf(doc: ExportDocument) -> bytes:
    """The report as PDF/A-3b (archivable: fonts embedded, colours in sRGB, XMP metadata), with the JSON export
    of the same document attached (so the same export id), for machines to read what people read."""
    import weasyprint  # imported on first use: it is slow to import and only this format needs it

    fetcher = _fetcher()
    html = weasyprint.HTML(string=to_html(doc), base_url=None, url_fetcher=fetcher)
    css = weasyprint.CSS(string=_stylesheet_text(), url_fetcher=fetcher)
    data = json_export.render(doc)
    attachment = weasyprint.Attachment(
        file_obj=io.BytesIO(data.content),  # the very bytes of the JSON download
        url_fetcher=fetcher,
        name=data.filename,
        description=f"JSON export {doc.export_id} of this report ({json_export.FORMAT} {json_export.FORMAT_VERSION})",
        created=utc(doc.exported_at),  # dated by the export, not by the clock of the render
        modified=utc(doc.exported_at),
        relationship="Data",  # PDF/A-3: the data the pages present
    )
    pdf: bytes = html.write_pdf(
        stylesheets=[css],
        pdf_variant=PDF_VARIANT,
        attachments=[attachment],
        color_profiles={OUTPUT_INTENT: _srgb_profile()},
        output_intent=OUTPUT_INTENT,
    )
    return pdf


def render(doc: ExportDocument) -> Export:
    return Export(to_pdf(doc), MIMETYPE, f"{file_stem(doc)}.pdf")
