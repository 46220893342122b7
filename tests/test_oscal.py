"""The OSCAL export: assessment results and a POA&M, valid by compliance-trestle's models, with stable UUIDs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import uuid
import zipfile
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from trestle.oscal import OSCAL_VERSION
from trestle.oscal.assessment_results import Model as ResultsModel
from trestle.oscal.poam import Model as PoamModel

from advisor.cli import cli
from advisor.exports import FORMATS, oscal
from advisor.exports.document import EvidenceRecord, ExportDocument, StatusRecord
from advisor.extensions import db
from advisor.models import AuditEvent
from advisor.report.summary import still_open
from tests.helpers import unpacked
from tests.test_exports import AT, hostile, make_doc
from tests.test_exports_guidance import as_old
from tests.web import new_assessment_with_revision

SCANNED = AT - dt.timedelta(hours=3)
EXPORT_ID = "0b6f7c1e-5d2a-4c8e-9f3a-2e1d4c5b6a79"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[45][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def oscal_doc(*, evil: bool = False, export_id: str = EXPORT_ID, revision: int = 2) -> ExportDocument:
    """``make_doc``'s revision with a scan result on the in-progress item, a requested acceptance, a not
    applicable item and a due date with an owner on a to-do item."""
    doc = make_doc(evil=evil, revision=revision)
    ids = [i["id"] for i in doc.result["checklist"]]
    as_of = doc.exported_at.date()
    statuses = dict(doc.statuses)
    statuses[ids[1]] = dataclasses.replace(
        statuses[ids[1]],
        evidence=(
            *statuses[ids[1]].evidence,
            EvidenceRecord(
                "scan", "1 of 3 resources fail", None, AT, "kubescape", "nsa", "C-0041", "fail", "prod-eu", SCANNED
            ),
        ),
    )
    statuses[ids[3]] = StatusRecord(
        "accepted_risk",
        "Bob",
        "",
        "bob@example.com",
        AT,
        acceptance_justification="Waiting for the vendor",
        acceptance_expires=dt.date(2026, 8, 1),
        acceptance_requested_by="bob@example.com",
        as_of=as_of,
    )
    statuses[ids[4]] = StatusRecord("not_applicable", "", "No Windows nodes.", "alice@example.com", AT, as_of=as_of)
    statuses[ids[5]] = StatusRecord(
        "todo", "Platform team", "", "alice@example.com", AT, as_of=as_of, due_on=dt.date(2026, 6, 30)
    )
    return dataclasses.replace(doc, statuses=statuses, export_id=export_id, as_of=doc.exported_at)


def unzip(content: bytes) -> dict[str, dict[str, Any]]:
    return {name: json.loads(data) for name, data in unpacked(content).items()}


@pytest.fixture(scope="module")
def doc() -> ExportDocument:
    return oscal_doc()


@pytest.fixture(scope="module")
def files(doc: ExportDocument) -> dict[str, dict[str, Any]]:
    return unzip(oscal.render(doc).content)


@pytest.fixture(scope="module")
def results(files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = files[oscal.RESULTS_FILE]["assessment-results"]
    return data


@pytest.fixture(scope="module")
def poam(files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = files[oscal.POAM_FILE]["plan-of-action-and-milestones"]
    return data


def by_item(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Findings, risks or POA&M items by their checklist item's id."""
    return {props(o).get("item-id") or o["target"]["target-id"]: o for o in objects}


def props(obj: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in obj.get("props", ())}


def uuids(value: Any) -> set[str]:
    """Every "uuid" in a document, nested or not."""
    if isinstance(value, dict):
        own = {value["uuid"]} if isinstance(value.get("uuid"), str) else set()
        return own.union(*(uuids(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(uuids(v) for v in value))
    return set()


# --- validity -----------------------------------------------------------------------------------


def test_the_zip_holds_both_documents_and_they_validate(doc: ExportDocument) -> None:
    rendered = FORMATS["oscal"](doc)
    assert rendered.mimetype == "application/zip"
    assert rendered.filename == "payments-platform-plain-title-rev-2-2026-05-05-oscal.zip"
    with zipfile.ZipFile(io.BytesIO(rendered.content)) as archive:
        assert archive.namelist() == ["assessment-results.json", "poam.json", "SHA256SUMS"]
        texts = {name: archive.read(name) for name in archive.namelist()}
    # parsed back with trestle's models: the files are OSCAL, and writing them again changes nothing
    results = ResultsModel.model_validate_json(texts["assessment-results.json"])
    plan = PoamModel.model_validate_json(texts["poam.json"])
    assert json.loads(results.assessment_results.oscal_serialize_json()) == json.loads(texts["assessment-results.json"])
    assert json.loads(plan.plan_of_action_and_milestones.oscal_serialize_json()) == json.loads(texts["poam.json"])


def test_metadata(results: dict[str, Any], poam: dict[str, Any], doc: ExportDocument) -> None:
    meta = results["metadata"]
    assert meta["oscal-version"] == OSCAL_VERSION
    assert meta["version"] == "2"
    assert meta["last-modified"] == "2026-05-05T13:20:00+00:00"  # the as-of time
    assert meta["title"] == "Payments platform Plain title — revision 2: assessment results"
    assert props(meta)["export-id"] == EXPORT_ID
    parties = {p["name"]: p["uuid"] for p in meta["parties"]}
    responsible = {r["role-id"]: r["party-uuids"] for r in meta["responsible-parties"]}
    assert responsible == {"prepared-by": [parties["erin@example.com"]], "creator": [parties["dave@example.com"]]}
    assert {r["id"] for r in meta["roles"]} >= set(responsible)
    assert results["uuid"] == EXPORT_ID, "the document is the export"
    assert poam["uuid"] != EXPORT_ID
    assert poam["metadata"]["title"].endswith("revision 2: plan of action and milestones")
    assert results["import-ap"]["href"] == f"#{results['back-matter']['resources'][0]['uuid']}"


def test_uuids_are_the_same_in_every_export_of_a_revision() -> None:
    first = unzip(oscal.render(oscal_doc(export_id=str(uuid.uuid4()))).content)
    later = dataclasses.replace(oscal_doc(export_id=str(uuid.uuid4())), exported_at=AT + dt.timedelta(days=2))
    second = unzip(oscal.render(later).content)
    other_revision = unzip(oscal.render(oscal_doc(revision=3)).content)

    def objects(files: dict[str, dict[str, Any]]) -> set[str]:
        body = files[oscal.RESULTS_FILE]["assessment-results"]
        return uuids(body["results"]) | uuids(files[oscal.POAM_FILE]["plan-of-action-and-milestones"]["poam-items"])

    assert objects(first) == objects(second)
    assert (
        first[oscal.RESULTS_FILE]["assessment-results"]["uuid"]
        != second[oscal.RESULTS_FILE]["assessment-results"]["uuid"]
    )
    assert not objects(first) & objects(other_revision), "another revision's objects are other objects"
    assert all(UUID.fullmatch(u) for u in objects(first))


# --- findings, observations, risks --------------------------------------------------------------


def test_a_finding_per_checklist_item_with_its_state(results: dict[str, Any], doc: ExportDocument) -> None:
    (result,) = results["results"]
    findings = by_item(result["findings"])
    ids = [i["id"] for i in doc.result["checklist"]]
    assert list(findings) == ids
    assert [
        o["objective-id"] for o in result["reviewed-controls"]["control-objective-selections"][0]["include-objectives"]
    ] == ids
    for item_id, finding in findings.items():
        target = finding["target"]
        assert target["type"] == "objective-id"
        assert target["target-id"] == item_id
        done = doc.status_of(item_id).status == "done"
        assert target["status"]["state"] == ("satisfied" if done else "not-satisfied"), item_id
        assert props(finding)["status"] == doc.status_of(item_id).status
    assert findings[ids[0]]["target"]["implementation-status"]["state"] == "implemented"
    assert findings[ids[4]]["target"]["implementation-status"]["state"] == "not-applicable"
    # the compliance frameworks each item answers, as props
    mapped = next(i for i in doc.result["checklist"] if i.get("frameworks"))
    requirements = [p["value"] for p in findings[mapped["id"]]["props"] if p["name"] == "framework-requirement"]
    assert requirements
    assert all(r.startswith("PCI DSS") for r in requirements)
    assert findings[mapped["id"]]["links"][0]["href"].startswith("https://")


def test_observations_from_evidence(results: dict[str, Any], doc: ExportDocument) -> None:
    (result,) = results["results"]
    observations = {o["uuid"]: o for o in result["observations"]}
    evidence = [e for item in doc.result["checklist"] for e in doc.status_of(item["id"]).evidence]
    assert len(observations) == len(evidence) == 4
    item_id = doc.result["checklist"][1]["id"]
    finding = by_item(result["findings"])[item_id]
    related = [observations[r["observation-uuid"]] for r in finding["related-observations"]]
    assert [props(o)["evidence-kind"] for o in related] == ["text", "link", "link", "scan"]
    text, link, bad_link, scan = related
    assert text["methods"] == ["EXAMINE"]
    assert text["collected"] == "2026-05-04T13:20:00+00:00"
    assert text["origins"][0]["actors"][0]["type"] == "party"
    assert link["relevant-evidence"][0]["href"] == "https://wiki.example.com/sec-12?a=1&b=2"
    assert "href" not in bad_link["relevant-evidence"][0], "only http(s) URLs become links"
    assert scan["methods"] == ["TEST"]
    assert scan["collected"] == "2026-05-04T10:20:00+00:00"  # when it was scanned
    assert {k: v for k, v in props(scan).items() if k in ("tool", "benchmark", "check", "result", "cluster")} == {
        "tool": "kubescape",
        "benchmark": "nsa",
        "check": "C-0041",
        "result": "fail",
        "cluster": "prod-eu",
    }


def test_risks_for_exceptions_and_open_items(results: dict[str, Any], doc: ExportDocument) -> None:
    (result,) = results["results"]
    risks = by_item(result["risks"])
    ids = [i["id"] for i in doc.result["checklist"]]
    assert ids[0] not in risks, "a done item leaves no risk"
    approved = risks[ids[2]]
    assert approved["status"] == "deviation-approved"
    assert approved["statement"] == "Vendor fix due in Q3 Plain justification"
    assert approved["deadline"] == "2026-09-30T23:59:59+00:00", "the acceptance runs until its expiry day is over"
    assert props(approved)["acceptance-approved-by"] == "carol@example.com"
    assert props(approved)["acceptance-expires"] == "2026-09-30"
    (entry,) = approved["risk-log"]["entries"]
    parties = {p["uuid"]: p["name"] for p in results["metadata"]["parties"]}
    assert parties[entry["logged-by"][0]["party-uuid"]] == "carol@example.com"
    assert "remediations" not in approved, "nobody has to act on an approved acceptance before it expires"
    assert risks[ids[3]]["status"] == "deviation-requested"
    assert risks[ids[4]]["status"] == "closed"
    assert risks[ids[4]]["statement"] == "No Windows nodes."
    assert risks[ids[1]]["status"] == "remediating"
    assert risks[ids[6]]["status"] == "open"
    findings = by_item(result["findings"])
    assert findings[ids[2]]["related-risks"] == [{"risk-uuid": approved["uuid"]}]


def test_poam_items_for_the_open_items(poam: dict[str, Any], doc: ExportDocument) -> None:
    items = by_item(poam["poam-items"])
    on = doc.exported_at.date()
    open_ids = [i["id"] for i in doc.result["checklist"] if still_open(doc.status_of(i["id"]), on)]
    assert list(items) == open_ids
    ids = [i["id"] for i in doc.result["checklist"]]
    assert not {ids[0], ids[2], ids[4]} & set(items), "done, accepted and not applicable are not open"
    assert ids[3] in items, "a requested acceptance is still open"
    # every reference resolves inside the POA&M
    findings, risks = {f["uuid"] for f in poam["findings"]}, {r["uuid"]: r for r in poam["risks"]}
    observations = {o["uuid"] for o in poam["observations"]}
    for item in poam["poam-items"]:
        assert {r["finding-uuid"] for r in item["related-findings"]} <= findings
        assert {r["risk-uuid"] for r in item["related-risks"]} <= set(risks)
        assert {r["observation-uuid"] for r in item.get("related-observations", ())} <= observations
    # the due date is the risk's deadline and the milestone's date; the owner is the milestone's responsible party
    due = items[ids[5]]
    assert props(due)["due-on"] == "2026-06-30"
    risk = risks[due["related-risks"][0]["risk-uuid"]]
    assert risk["deadline"] == "2026-06-30T23:59:59+00:00"
    (remediation,) = risk["remediations"]
    assert remediation["lifecycle"] == "planned"
    (task,) = remediation["tasks"]
    assert task["type"] == "milestone"
    assert task["timing"]["on-date"]["date"] == "2026-06-30T23:59:59+00:00"
    parties = {p["uuid"]: p["name"] for p in poam["metadata"]["parties"]}
    assert [parties[u] for u in task["responsible-roles"][0]["party-uuids"]] == ["Platform team"]
    assert task["responsible-roles"][0]["role-id"] == "item-owner"
    overdue = items[ids[1]]
    assert props(overdue)["overdue"] == "true"
    untouched = risks[items[ids[6]]["related-risks"][0]["risk-uuid"]]
    assert untouched["remediations"][0]["lifecycle"] == "recommendation"
    assert "deadline" not in untouched


def test_nothing_open_leaves_the_poam_out(doc: ExportDocument) -> None:
    done = {i["id"]: StatusRecord("done") for i in doc.result["checklist"]}
    files = unzip(oscal.render(dataclasses.replace(doc, statuses=done)).content)
    assert list(files) == [oscal.RESULTS_FILE], "OSCAL needs at least one POA&M item"
    (result,) = files[oscal.RESULTS_FILE]["assessment-results"]["results"]
    assert "risks" not in result
    assert {f["target"]["status"]["state"] for f in result["findings"]} == {"satisfied"}


@pytest.mark.parametrize("engine", ["1.0.0", "2.0.0"])
def test_results_of_older_engines(engine: str) -> None:
    """Results stored by engines before 2.1 lack phases, frameworks and more: still a valid export."""
    doc = make_doc()
    old = dataclasses.replace(doc, result=as_old(dict(doc.result), engine), engine_version=engine)
    files = unzip(oscal.render(old).content)
    ResultsModel.model_validate(files[oscal.RESULTS_FILE])
    PoamModel.model_validate(files[oscal.POAM_FILE])
    (result,) = files[oscal.RESULTS_FILE]["assessment-results"]["results"]
    assert len(result["findings"]) == len(doc.result["checklist"])


# --- user text ----------------------------------------------------------------------------------


def strings(value: Any, key: str = "") -> list[tuple[str, str]]:
    """(key, string) for every string in a document."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in strings(v, k)]
    if isinstance(value, list):
        return [pair for v in value for pair in strings(v, key)]
    return [(key, value)] if isinstance(value, str) else []


MARKUP = {"title", "description", "remarks", "statement", "text", "prose"}  # OSCAL's Markdown fields


def test_user_text_stays_text() -> None:
    rendered = oscal.render(oscal_doc(evil=True))
    with zipfile.ZipFile(io.BytesIO(rendered.content)) as archive:
        assert archive.namelist() == ["assessment-results.json", "poam.json", "SHA256SUMS"], "no user text in names"
    raw = unpacked(rendered.content)
    ResultsModel.model_validate_json(raw["assessment-results.json"])
    PoamModel.model_validate_json(raw["poam.json"])
    for name, content in raw.items():
        found = strings(json.loads(content))
        for key, text in found:
            if key in MARKUP:  # Markdown: every special escaped, so no tag, link or image renders
                assert not re.search(r"(?<!\\)<script|(?<!\\)\]\(javascript:", text), (name, key, text)
            if key == "href":
                assert text.startswith(("https://", "http://", "#")), (name, text)
        values = {text for key, text in found if key in ("value", "name")}
        # plain-text fields keep the text as it was typed, on one line
        assert " ".join(hostile("owner").split()) in values
        assert f"Platform {hostile('workspace')}" in values
    title = json.loads(raw["assessment-results.json"])["assessment-results"]["metadata"]["title"]
    assert title.startswith("Payments platform =HYPERLINK(\"http://x/title\") \\<script\\>alert('title')\\</script\\>")


def test_multiline_user_text_keeps_its_lines() -> None:
    assert oscal.md_text("a <b>\r\n\n  [c](javascript:x)  ") == "a \\<b\\>\n\n\\[c\\](javascript:x)"
    assert oscal.md_line(" a\n*b* ") == "a \\*b\\*"
    assert oscal.web_url("javascript:alert(1)") is None
    assert oscal.web_url("https://example.com/x y") is None
    assert oscal.web_url(" https://example.com/x ") == "https://example.com/x"


# --- downloads ----------------------------------------------------------------------------------


def exported_formats(app: Flask) -> list[str]:
    with app.app_context():
        events = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "exported")).scalars()
        return [e.detail["format"] for e in events]


def test_web_api_and_command_line_downloads(app: Flask, client: FlaskClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.test_api import token_for

    assessment_id = new_assessment_with_revision(client)
    headers = token_for(app, "owner@example.com")
    item_id = client.get(f"/api/v1/assessments/{assessment_id}", headers=headers).get_json()["result"]["checklist"][0][
        "id"
    ]
    patched = client.patch(
        f"/api/v1/assessments/{assessment_id}/checklist/{item_id}",
        json={"status": "done", "base_version": 0, "note": "<b>done</b>"},
        headers=headers,
    )
    assert patched.status_code == 200, patched.get_json()
    for url, sent in (
        (f"/assessments/{assessment_id}/export?format=oscal", {}),
        (f"/api/v1/assessments/{assessment_id}/export?format=oscal", headers),
    ):
        response = client.get(url, headers=sent)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == "application/zip"
        today = dt.datetime.now(dt.UTC).date().isoformat()
        disposition = f'attachment; filename="shop-platform-rev-1-{today}-oscal.zip"'
        assert response.headers["Content-Disposition"] == disposition
        files = unzip(response.data)
        ResultsModel.model_validate(files[oscal.RESULTS_FILE])
        PoamModel.model_validate(files[oscal.POAM_FILE])
        (result,) = files[oscal.RESULTS_FILE]["assessment-results"]["results"]
        done = by_item(result["findings"])[item_id]
        assert done["target"]["status"]["state"] == "satisfied"
        assert done["remarks"] == "\\<b\\>done\\</b\\>"
        assert files[oscal.RESULTS_FILE]["assessment-results"]["metadata"]["parties"]
    target = tmp_path / "oscal.zip"
    ran = app.test_cli_runner().invoke(cli, ["export", str(assessment_id), "--format", "oscal", "-o", str(target)])
    assert ran.exit_code == 0, ran.output
    ResultsModel.model_validate(unzip(target.read_bytes())[oscal.RESULTS_FILE])
    assert exported_formats(app) == ["oscal", "oscal", "oscal"]


def test_openapi_offers_the_format(app: Flask) -> None:
    from advisor.views.api import openapi_document

    with app.test_request_context("/api/v1/openapi.json"):
        document = openapi_document("http://localhost")
    export = document["paths"]["/api/v1/assessments/{assessment_id}/export"]["get"]
    formats = next(p for p in export["parameters"] if p["name"] == "format")["schema"]["enum"]
    assert "oscal" in formats
    assert oscal.MIMETYPE in export["responses"]["200"]["content"]
