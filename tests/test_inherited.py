"""Items inherited from the provider (issue 16): the status needs the provider's attestation in its note, through
every way of setting a status; it counts as progress, never as implemented; every export lists it in the
applicability statement; OSCAL says whose attestation satisfies it; a failing scan contradicts it. And OSCAL lists
the items a later revision dropped that are still on record."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from trestle.oscal.assessment_results import Model as ResultsModel

from advisor.cli import cli
from advisor.engine import default_knowledge_base, evaluate
from advisor.engine.schema import DONE_STATUSES, SETTLED_STATUSES, STATUSES
from advisor.exports import json_export, oscal
from advisor.exports.document import EvidenceRecord, StatusRecord
from advisor.extensions import db
from advisor.models import Assessment, ChecklistStatus
from advisor.report import summary
from advisor.scanners.evidence import failing_items
from advisor.scanners.preview import preview_import
from advisor.services import assessments as svc
from advisor.services import exports
from tests.conftest import sign_in
from tests.helpers import BASE_ANSWERS, unpacked
from tests.test_api import token_for
from tests.test_exports import AT
from tests.test_needs_review import ITEM as REVIEWED
from tests.test_needs_review import eks_assessment_marked_not_applicable, self_managed_revision
from tests.test_oscal import oscal_doc, props
from tests.test_removed_items import ACCEPTED, NOT_APPLICABLE, PLAIN, removed_setup
from tests.test_scan_preview import CHECKLIST, report
from tests.web import csrf_token, html, team_assessment

ERIN = "erin@example.com"
ATTESTATION = "AWS SOC 2 Type II report, 2026, CC6.1 <controls>"


def stored(app: Flask, item: str) -> ChecklistStatus | None:
    with app.app_context():
        return db.session.scalar(db.select(ChecklistStatus).where(ChecklistStatus.item_id == item))


def test_inherited_is_a_status_that_counts_as_progress_and_settled_never_as_implemented() -> None:
    assert "inherited" in STATUSES
    assert "inherited" in DONE_STATUSES
    assert "inherited" in SETTLED_STATUSES
    assert summary.STATUS_LABELS["inherited"] == "Inherited from the provider"
    checklist = evaluate(BASE_ANSWERS)
    ids = [i["id"] for i in checklist["checklist"]]
    statuses = {
        ids[0]: StatusRecord("done", verification_result="pass"),
        ids[1]: StatusRecord("inherited", note=ATTESTATION),
        ids[2]: StatusRecord("not_applicable", note="No Windows nodes"),
        ids[3]: StatusRecord("inherited", note=ATTESTATION, review_reason="Responsibility changed."),
    }
    counted = summary.counts(checklist, statuses)
    assert (counted["implemented"], counted["verified"]) == (1, 1), "inherited is not implemented, nor verified"
    assert (counted["inherited"], counted["not_applicable"]) == (2, 1)
    assert counted["done"] == 3, "done, not applicable and inherited count as progress; needing review does not"
    assert dict(counted["by_status"])["inherited"] == 2
    assert not summary.still_open(statuses[ids[1]], dt.date.today())
    assert summary.still_open(statuses[ids[3]], dt.date.today())


def test_inherited_needs_the_attestation_in_the_service_the_api_the_page_and_a_change_to_several(app: Flask) -> None:
    assessment_id, items = team_assessment(app, {ERIN: "editor"})
    item, other = items[0], items[1]
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        with pytest.raises(svc.StatusRefused, match="name the provider's attestation") as refused:
            svc.set_status(db.session, found, item, "inherited", " \n ", "", 0, ERIN)
        assert refused.value.field == "note"
        db.session.rollback()
    url = f"/api/v1/assessments/{assessment_id}/checklist/{item}"
    answer = app.test_client().patch(url, json={"status": "inherited", "base_version": 0}, headers=token_for(app, ERIN))
    assert answer.status_code == 400
    assert answer.get_json()["errors"][0]["key"] == "note"
    assert "attestation" in answer.get_json()["errors"][0]["message"]
    web = app.test_client()
    sign_in(web, ERIN)
    page = html(web.get(f"/assessments/{assessment_id}"))
    assert '<option value="inherited">Inherited from the provider</option>' in page, "offered on every item"
    assert "Inherited needs the provider’s attestation relied on" in page, "the note's hint says so"
    form = {"csrf_token": csrf_token(page), "status": "inherited", "note": "", "version": "0"}
    saved = web.post(
        f"/assessments/{assessment_id}/checklist/{item}", data=form, headers={"Accept": "application/json"}
    )
    assert saved.status_code == 422
    assert saved.get_json()["errors"][0]["key"] == "note"
    flashed = web.post(f"/assessments/{assessment_id}/checklist/{item}", data=form)
    assert "name the provider&#39;s attestation" in html(web.get(flashed.headers["Location"]))
    several = web.post(
        f"/assessments/{assessment_id}/checklist",
        data={"csrf_token": csrf_token(page), "items": [f"{item}:0", f"{other}:0"], "status": "inherited"},
    )
    assert several.status_code in (302, 303)
    assert "name the provider&#39;s attestation" in html(web.get(several.headers["Location"]))
    assert stored(app, item) is None
    assert stored(app, other) is None, "a change to several is all or nothing"

    form["note"] = ATTESTATION
    assert web.post(f"/assessments/{assessment_id}/checklist/{item}", data=form).status_code == 303
    row = stored(app, item)
    assert row is not None
    assert (row.status, row.note) == ("inherited", ATTESTATION)
    answer = app.test_client().patch(
        url.replace(item, other),
        json={"status": "inherited", "base_version": 0, "note": "GCP ISO 27001 certificate, A.8.1"},
        headers=token_for(app, ERIN),
    )
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "inherited"


def test_the_report_counts_inherited_apart_from_implemented_and_the_dashboard_as_progress(app: Flask) -> None:
    assessment_id, items = team_assessment(app, {ERIN: "editor"})
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        svc.set_status(db.session, found, items[0], "inherited", ATTESTATION, "", 0, ERIN)
        svc.set_status(db.session, found, items[1], "inherited", ATTESTATION, "", 0, ERIN)
        svc.set_status(db.session, found, items[2], "done", "", "", 0, ERIN)
        db.session.commit()
    web = app.test_client()
    sign_in(web, ERIN)
    page = html(web.get(f"/assessments/{assessment_id}"))
    assert (
        "Implemented (done): 1, of which verified by a passed test: 0; not applicable: 0; "
        "inherited from the provider: 2." in page
    )
    assert f"<strong>3 of {len(items)}</strong> checklist items done, not applicable or inherited" in page
    assert 'class="badge status-inherited"' in page
    dashboard = html(web.get("/"))
    assert f'<progress max="{len(items)}" value="3"' in dashboard


def test_every_export_lists_inherited_items_in_the_applicability_statement(app: Flask) -> None:
    assessment_id, items = team_assessment(app, {ERIN: "editor"})
    inherited, exempt = items[2], items[3]
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        svc.set_status(db.session, found, exempt, "not_applicable", "No GPU nodes", "", 0, ERIN)
        svc.set_status(db.session, found, inherited, "inherited", ATTESTATION, "", 0, ERIN)
        db.session.commit()
        kb = app.extensions["advisor.kb"]

        def export(fmt: str) -> bytes:
            return exports.export(db.session, found, 1, fmt, ERIN, "web", kb).content

        as_json = json.loads(export("json"))
        as_md = export("markdown").decode()
        pdf = export("pdf")
        tables = unpacked(export("csv_tables"))
    jsonschema.Draft202012Validator(json_export.schema(), format_checker=jsonschema.FormatChecker()).validate(as_json)
    order = {item_id: n for n, item_id in enumerate(items)}
    expected = sorted(
        [(inherited, "inherited", ATTESTATION), (exempt, "not_applicable", "No GPU nodes")], key=lambda r: order[r[0]]
    )
    assert [(a["item"], a["kind"], a["reason"]) for a in as_json["applicability"]] == expected
    assert as_json["statuses"][inherited]["status"] == "inherited"
    bad = {**as_json, "applicability": [{**as_json["applicability"][0], "kind": "done"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_export.schema())

    section = as_md.split("## Applicability statement", 1)[1].split("\n## ", 1)[0]
    assert "and those inherited from the provider" in section
    assert f"| `{inherited}` |" in section
    assert "| Inherited: AWS SOC 2 Type II report, 2026, CC6.1 \\<controls\\> |" in section
    assert "| Not applicable: No GPU nodes |" in section

    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    statement = text.split("Applicability statement", 2)[-1]
    assert f"Inherited: {ATTESTATION}" in statement
    assert "Not applicable: No GPU nodes" in statement

    rows = {r["item_id"]: r for r in csv.DictReader(io.StringIO(tables["exceptions.csv"].decode("utf-8-sig")))}
    assert set(rows) == {inherited, exempt}
    assert (rows[inherited]["status"], rows[inherited]["status_label"], rows[inherited]["justification"]) == (
        "inherited",
        "Inherited from the provider",
        ATTESTATION,
    )


def test_oscal_an_inherited_item_is_satisfied_on_the_providers_attestation_and_leaves_no_risk() -> None:
    doc = oscal_doc()
    ids = [i["id"] for i in doc.result["checklist"]]
    statuses = dict(doc.statuses)
    statuses[ids[2]] = StatusRecord("inherited", "", ATTESTATION, "alice@example.com", AT, as_of=AT.date())
    doc = dataclasses.replace(doc, statuses=statuses)
    files = {name: json.loads(data) for name, data in unpacked(oscal.render(doc).content).items()}
    results = ResultsModel.model_validate_json(json.dumps(files[oscal.RESULTS_FILE]))
    assert results.assessment_results.results[0].findings
    (result,) = files[oscal.RESULTS_FILE]["assessment-results"]["results"]
    finding = next(f for f in result["findings"] if f["target"]["target-id"] == ids[2])
    status = finding["target"]["status"]
    assert (status["state"], status["reason"]) == ("satisfied", "other"), "met by the provider, not by a test"
    assert status["remarks"] == "Inherited from the provider: AWS SOC 2 Type II report, 2026, CC6.1 \\<controls\\>"
    assert props(finding)["inherited-from"] == "AWS SOC 2 Type II report, 2026, CC6.1 <controls>"
    assert props(finding)["status"] == "inherited"
    assert "implementation-status" not in finding["target"], "never claimed implemented"
    assert ids[2] not in {props(r)["item-id"] for r in result["risks"]}, "no risk left"
    poam = files[oscal.POAM_FILE]["plan-of-action-and-milestones"]
    assert ids[2] not in {props(p)["item-id"] for p in poam["poam-items"]}, "nothing to do"


def test_oscal_lists_removed_items_with_since_when_and_the_risk_of_an_acceptance_still_on_record(app: Flask) -> None:
    assessment_id = removed_setup(app)
    client = app.test_client()
    sign_in(client, "alice@example.com")

    def exported() -> dict[str, Any]:
        content = client.get(f"/assessments/{assessment_id}/export?format=oscal").data
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            raw = archive.read(oscal.RESULTS_FILE)
        ResultsModel.model_validate_json(raw)  # valid OSCAL, by trestle's models
        data: dict[str, Any] = json.loads(raw)["assessment-results"]["results"][0]
        return data

    result = exported()
    findings = {f["target"]["target-id"]: f for f in result["findings"]}
    assert {ACCEPTED, NOT_APPLICABLE} <= set(findings)
    assert PLAIN not in findings, "nothing worth keeping: not listed"
    objectives = {
        o["objective-id"] for o in result["reviewed-controls"]["control-objective-selections"][0]["include-objectives"]
    }
    assert ACCEPTED not in objectives, "not on this revision's checklist"
    accepted = findings[ACCEPTED]
    assert (props(accepted)["removed-since-revision"], props(accepted)["last-on-revision"]) == ("3", "2")
    assert props(accepted)["status"] == "accepted_risk"
    assert accepted["remarks"].startswith(
        "Removed from the checklist since revision 3 (last on revision 2); last status:"
    )
    risks = {r["uuid"]: r for r in result["risks"]}
    (linked,) = accepted["related-risks"]
    risk = risks[linked["risk-uuid"]]
    assert props(risk)["item-id"] == ACCEPTED
    assert risk["status"] == "deviation-approved"
    assert "remediations" not in risk, "nothing to do on this checklist"
    assert "Provider \\<attested\\> & reviewed" in risk["statement"]
    exempt = findings[NOT_APPLICABLE]
    assert props(exempt)["removed-since-revision"] == "3"
    assert exempt["target"]["status"]["state"] == "not-satisfied"
    assert "related-risks" not in exempt, "only an accepted risk stays a risk once its item is gone"
    again = exported()
    assert {f["uuid"] for f in again["findings"]} == {f["uuid"] for f in result["findings"]}, "stable UUIDs"
    assert {r["uuid"] for r in again["risks"]} == set(risks)


def test_a_failing_scan_contradicts_an_inherited_item() -> None:
    preview = preview_import(
        default_knowledge_base(),
        CHECKLIST,
        {"psa-restricted-enforce": "inherited", "netpol-default-deny": "inherited"},
        [report("polaris-cluster.json"), report("checkov-one.json")],
        [],
        cluster="prod-eu-1",
    )
    by_id = {i.item_id: i for i in preview.items}
    assert by_id["psa-restricted-enforce"].disagrees, "inherited, failed by the scan: flagged"
    assert not by_id["netpol-default-deny"].disagrees, "a passing scan contradicts nothing"
    assert summary.scanner_disagrees("inherited", [_scan("fail")])
    assert not summary.scanner_disagrees("inherited", [_scan("pass")])
    assert not summary.scanner_disagrees("done", [_scan("fail")]), (
        "a done item's failing scan is open work, not a clash"
    )
    assert StatusRecord("inherited", note=ATTESTATION, evidence=(_scan("fail"),)).scanner_disagrees


def _scan(result: str) -> EvidenceRecord:
    return EvidenceRecord("scan", "detail", None, AT, "kubescape", "nsa", "C-0041", result, "prod", AT)


def test_the_command_line_takes_inherited_as_settled_unless_its_scans_fail(tmp_path: Path) -> None:
    checklist = evaluate(BASE_ANSWERS)["checklist"]
    path = tmp_path / "answers.yaml"
    path.write_text(
        yaml.safe_dump({**BASE_ANSWERS, "status": dict.fromkeys((i["id"] for i in checklist), "inherited")})
    )
    runner = CliRunner()
    assert runner.invoke(cli, ["evaluate", str(path), "--fail-on", "low"]).exit_code == 0, "inherited is not open"
    failing = runner.invoke(
        cli,
        [
            "evaluate",
            str(path),
            "--fail-on",
            "high",
            "--evidence",
            str(Path(__file__).parent / "fixtures" / "scanners" / "polaris-cluster.json"),
        ],
    )
    assert failing.exit_code == 1, "a failing scan contradicts an inherited claim"
    assert "psa-restricted-enforce" in failing.stderr
    result = {
        "checklist": [
            {"id": "a", "priority": "high", "status": "inherited", "evidence_status": "fail"},
            {"id": "b", "priority": "high", "status": "not_applicable", "evidence_status": "fail"},
            {"id": "c", "priority": "high", "status": "inherited", "evidence_status": "pass"},
        ]
    }
    assert [i["id"] for i in failing_items(result, "high")] == ["a"]


def test_an_inherited_item_needs_review_when_a_new_revision_hands_it_to_the_team(
    client: FlaskClient, app: Flask
) -> None:
    """The provider's attestation covered the item under Amazon EKS; self-managed, nobody's attestation does."""
    assessment_id = eks_assessment_marked_not_applicable(client)
    page = html(client.get(f"/assessments/{assessment_id}"))
    saved = client.post(
        f"/assessments/{assessment_id}/checklist/{REVIEWED}",
        data={"csrf_token": csrf_token(page), "status": "inherited", "note": ATTESTATION, "version": "1"},
    )
    assert saved.status_code == 303
    row = stored(app, REVIEWED)
    assert row is not None
    assert (row.status, row.review_reason) == ("inherited", None)
    self_managed_revision(client, assessment_id)
    row = stored(app, REVIEWED)
    assert row is not None
    assert row.status == "inherited", "the claim stands, in doubt"
    assert row.review_reason is not None
