"""Issue 16: items a later revision dropped stay listed in a "Removed since an earlier revision" section, with
their last status and any exception, until someone closes them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from typing import Any

import jsonschema
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader

from advisor.engine import evaluate
from advisor.exports import json_export
from advisor.exports.document import StatusRecord
from advisor.extensions import db
from advisor.models import Assessment, AuditEvent, ChecklistStatus
from advisor.services import assessments as svc
from advisor.services.removed import dropped, worth_keeping
from tests.conftest import sign_in
from tests.helpers import BASE_ANSWERS
from tests.test_api import token_for
from tests.web import csrf_token, html, team_assessment

HIGH = {**BASE_ANSWERS, "sensitivity": "high"}  # lists the items below; BASE_ANSWERS does not
ACCEPTED = "cloud-shared-responsibility"
NOT_APPLICABLE = "runtime-threat-detection"
ON_BOTH = evaluate(BASE_ANSWERS)["checklist"][0]["id"]  # on every revision: never removed
PLAIN = "data-at-rest-volume-encryption"  # todo, no note, no evidence: nothing worth keeping
JUSTIFICATION = "Provider <attested> & reviewed"
HEADING = "Removed since an earlier revision"


def removed_setup(app: Flask) -> int:
    """alice's assessment in workspace Payments (viewer vic, editor ed): revision 1 (high sensitivity) with an
    approved risk acceptance, a not-applicable item and an untouched one; revision 3 drops all three. (Revision 1,
    moderate sensitivity, is team_assessment's.)"""
    assessment_id, _ = team_assessment(app, {"vic@example.com": "viewer", "ed@example.com": "editor"})
    kb = app.extensions["advisor.kb"]
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        svc.save_revision(db.session, assessment, HIGH, 1, "High", "alice@example.com", kb)  # revision 2
        db.session.add_all(
            [
                ChecklistStatus(
                    assessment_id=assessment_id,
                    item_id=ACCEPTED,
                    status="accepted_risk",
                    note="Shared model signed off",
                    owner="Platform team",
                    updated_by="alice@example.com",
                    acceptance_justification=JUSTIFICATION,
                    acceptance_expires=dt.date.today() + dt.timedelta(days=90),
                    acceptance_requested_by="alice@example.com",
                    acceptance_approved_by="bob@example.com",
                    acceptance_approved_at=dt.datetime.now(dt.UTC),
                ),
                ChecklistStatus(
                    assessment_id=assessment_id,
                    item_id=NOT_APPLICABLE,
                    status="not_applicable",
                    note="No runtime agents allowed",
                    updated_by="alice@example.com",
                ),
                ChecklistStatus(assessment_id=assessment_id, item_id=PLAIN, updated_by="alice@example.com"),
            ]
        )
        db.session.flush()
        svc.save_revision(db.session, assessment, BASE_ANSWERS, 2, "Moderate", "alice@example.com", kb)  # 3
        db.session.commit()
    return assessment_id


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, email)
    return client


def removed_section(page: str) -> str:
    found = re.search(r'<section aria-labelledby="removed-heading".*?</section>', page, re.DOTALL)
    return " ".join(found.group(0).split()) if found else ""


def test_dropped_names_the_last_revision_and_the_one_that_dropped_it() -> None:
    checklists = [(1, ["a", "b", "c"]), (2, ["a", "c"]), (3, ["a"]), (4, ["a", "b"])]
    assert dropped(checklists, 1) == {}
    assert dropped(checklists, 2) == {"b": (1, 2)}
    assert dropped(checklists, 3) == {"b": (1, 2), "c": (2, 3)}
    assert dropped(checklists, 4) == {"c": (2, 3)}, "b came back"
    assert not worth_keeping(StatusRecord("todo"))
    assert not worth_keeping(None)
    assert worth_keeping(StatusRecord("todo", note="why"))
    assert worth_keeping(StatusRecord("done"))


def test_an_accepted_risk_dropped_by_a_later_revision_is_listed_in_the_report_and_exports(app: Flask) -> None:
    assessment_id = removed_setup(app)
    alice = signed_in(app, "alice@example.com")
    section = removed_section(html(alice.get(f"/assessments/{assessment_id}")))
    assert HEADING in section
    assert f'data-removed="{ACCEPTED}"' in section
    assert f'data-removed="{NOT_APPLICABLE}"' in section
    assert f'data-removed="{PLAIN}"' not in section, "a plain todo says nothing worth keeping"
    assert "Removed since revision 3 (last on revision 2)" in section
    assert "Provider &lt;attested&gt; &amp; reviewed" in section, "user text is escaped"
    assert "approved by bob@example.com" in section
    assert "/close" in section, "an editor is offered the Close form"
    first = removed_section(html(alice.get(f"/assessments/{assessment_id}/revisions/2")))
    assert not first, "revision 2 still lists them in its checklist"

    exported = alice.get(f"/assessments/{assessment_id}/export?format=json")
    data: dict[str, Any] = json.loads(exported.data)
    jsonschema.validate(data, json_export.schema())
    by_id = {r["id"]: r for r in data["removed"]}
    assert set(by_id) == {ACCEPTED, NOT_APPLICABLE}
    accepted = by_id[ACCEPTED]
    assert (accepted["last_on_revision"], accepted["removed_since_revision"]) == (2, 3)
    assert accepted["status"]["status"] == "accepted_risk"
    assert accepted["status"]["acceptance"]["justification"] == JUSTIFICATION
    assert accepted["status"]["acceptance"]["approved_by"] == "bob@example.com"
    assert accepted["status"]["owner"] == "Platform team"
    assert accepted["evidence_count"] == 0
    assert accepted["title"]
    assert ACCEPTED not in data["statuses"]

    markdown = alice.get(f"/assessments/{assessment_id}/export?format=markdown").get_data(as_text=True)
    tail = markdown.split(f"## {HEADING}", 1)[1].split("\n## ", 1)[0]
    assert f"`{ACCEPTED}` · removed since revision 3 (last on revision 2)" in tail
    assert "Justification: Provider \\<attested\\> & reviewed" in tail
    assert "<attested>" not in tail, "user text is escaped"
    assert f"`{NOT_APPLICABLE}`" in tail
    assert f"`{PLAIN}`" not in tail

    with zipfile.ZipFile(io.BytesIO(alice.get(f"/assessments/{assessment_id}/export?format=csv_tables").data)) as z:
        rows = list(csv.DictReader(io.StringIO(z.read("removed_items.csv").decode("utf-8-sig"))))
    by_item = {r["item_id"]: r for r in rows}
    assert set(by_item) == {ACCEPTED, NOT_APPLICABLE}
    assert (by_item[ACCEPTED]["acceptance_justification"], by_item[ACCEPTED]["removed_since_revision"]) == (
        JUSTIFICATION,
        "3",
    )
    pdf = PdfReader(io.BytesIO(alice.get(f"/assessments/{assessment_id}/export?format=pdf").data))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert HEADING in text
    assert "Revision 3 (last on 2)" in text
    assert JUSTIFICATION in text
    sheet = load_workbook(io.BytesIO(alice.get(f"/assessments/{assessment_id}/export?format=xlsx").data))
    assert sheet["Removed items"].max_row == 3, "a header and the two items"


def test_closing_removes_it_from_the_list_and_records_it(app: Flask) -> None:
    assessment_id = removed_setup(app)
    alice = signed_in(app, "alice@example.com")
    page = html(alice.get(f"/assessments/{assessment_id}"))
    form = page.split(f"/checklist/{ACCEPTED}/close")[1]
    closed = alice.post(
        f"/assessments/{assessment_id}/checklist/{ACCEPTED}/close",
        data={
            "csrf_token": csrf_token(page),
            "version": re.search(r'name="version" value="(\d+)"', form).group(1),  # type: ignore[union-attr]
            "next": f"/assessments/{assessment_id}",
        },
    )
    assert closed.status_code == 302
    section = removed_section(html(alice.get(f"/assessments/{assessment_id}")))
    assert f'data-removed="{ACCEPTED}"' not in section
    assert f'data-removed="{NOT_APPLICABLE}"' in section
    data = json.loads(alice.get(f"/assessments/{assessment_id}/export?format=json").data)
    assert [r["id"] for r in data["removed"]] == [NOT_APPLICABLE]
    with app.app_context():
        event = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "removed_item_closed")).scalar_one()
        assert event.actor == "alice@example.com"
        assert event.detail["item"] == ACCEPTED
        assert event.detail["removed_since"] == 3
        row = db.session.execute(db.select(ChecklistStatus).where(ChecklistStatus.item_id == ACCEPTED)).scalar_one()
        assert row.status == "accepted_risk", "closing keeps the status"
        assert (row.closed_by, row.closed_removed_since) == ("alice@example.com", 3)
        assert row.closed_at is not None
    again = alice.post(
        f"/assessments/{assessment_id}/checklist/{ACCEPTED}/close",
        data={"csrf_token": csrf_token(page), "version": str(row.version), "next": f"/assessments/{assessment_id}"},
    )
    assert again.status_code == 302
    assert "Not closed" in html(alice.get(f"/assessments/{assessment_id}"))


def test_the_api_closes_for_editors_and_a_viewer_cannot(app: Flask) -> None:
    assessment_id = removed_setup(app)
    url = f"/api/v1/assessments/{assessment_id}/checklist/{NOT_APPLICABLE}/close"
    api = app.test_client()
    viewer = signed_in(app, "vic@example.com")
    page = html(viewer.get(f"/assessments/{assessment_id}"))
    assert f'data-removed="{NOT_APPLICABLE}"' in removed_section(page), "a viewer sees the section"
    assert "/close" not in removed_section(page), "but no Close form"
    refused = viewer.post(
        f"/assessments/{assessment_id}/checklist/{NOT_APPLICABLE}/close",
        data={"csrf_token": csrf_token(page), "version": "1"},
    )
    assert refused.status_code == 403
    assert api.post(url, json={"base_version": 1}, headers=token_for(app, "vic@example.com")).status_code == 403

    editor = token_for(app, "ed@example.com")
    stale = api.post(url, json={"base_version": 7}, headers=editor)
    assert stale.status_code == 409
    done = api.post(url, json={"base_version": 1}, headers=editor)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "not_applicable"
    listed = api.post(
        f"/api/v1/assessments/{assessment_id}/checklist/{ON_BOTH}/close",
        json={"base_version": 0},
        headers=editor,
    )
    assert listed.status_code == 400
    assert "item_id" in json.dumps(listed.get_json())


def test_an_item_that_comes_back_is_shown_normally(app: Flask) -> None:
    assessment_id = removed_setup(app)
    kb = app.extensions["advisor.kb"]
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        svc.save_revision(db.session, assessment, HIGH, 3, "High again", "alice@example.com", kb)
        db.session.commit()
    alice = signed_in(app, "alice@example.com")
    page = html(alice.get(f"/assessments/{assessment_id}"))
    assert HEADING not in page
    assert f'id="item-{ACCEPTED}"' in page
    assert 'data-status="accepted_risk"' in page.split(f'id="item-{ACCEPTED}"')[1][:2000]
    data = json.loads(alice.get(f"/assessments/{assessment_id}/export?format=json").data)
    assert data["removed"] == []
    assert data["statuses"][ACCEPTED]["status"] == "accepted_risk"
    # revision 3, looked at later, still lists what it dropped
    assert HEADING in html(alice.get(f"/assessments/{assessment_id}/revisions/3"))
