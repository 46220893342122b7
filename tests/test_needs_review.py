"""Issue 14: revisions never carry stale claims. A settled status whose item a new revision includes for other
reasons (or hands to someone else) needs review; a revision identical to the latest is refused; a refused
draft save from another tab says once who changed the answers and when."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import jsonschema
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from advisor.exports import csv_export, json_export, markdown
from advisor.exports.document import StatusRecord
from advisor.extensions import db
from advisor.models import Assessment, AuditEvent, ChecklistStatus, Draft, Revision
from advisor.report.summary import counts
from advisor.services import assessments as svc
from advisor.services import review
from tests.conftest import make_user
from tests.helpers import BASE_ANSWERS
from tests.test_api import create, token_for
from tests.test_exports import make_doc
from tests.test_sharing import make_link
from tests.web import (
    STEP_ANSWERS,
    create_assessment,
    csrf_token,
    form_post,
    html,
    item_block,
    new_assessment_with_revision,
    save_revision,
    version_on,
)

ITEM = "cloud-shared-responsibility"  # under Amazon EKS: included for the hosting; self-managed: for the cloud
NOTE = "EKS managed node groups"
REASON = "Included for different reasons since revision 2."


def eks_assessment_marked_not_applicable(client: FlaskClient) -> int:
    """Revision 1 recommends Amazon EKS; the item is marked not applicable with a note."""
    assessment_id = create_assessment(client)
    for step, answers in STEP_ANSWERS.items():
        extra = {"cloud_providers": ["aws"]} if step == "hosting" else {}
        response = form_post(client, f"/assessments/{assessment_id}/answers/{step}", {**answers, **extra})
        assert response.status_code == 302, (step, html(response))
    assert save_revision(client, assessment_id, "EKS").status_code == 302
    saved = form_post(
        client,
        f"/assessments/{assessment_id}/checklist/{ITEM}",
        {"status": "not_applicable", "note": NOTE, "version": "0"},
        page_url=f"/assessments/{assessment_id}",
    )
    assert saved.status_code == 303
    return assessment_id


def self_managed_revision(client: FlaskClient, assessment_id: int) -> None:
    response = form_post(
        client,
        f"/assessments/{assessment_id}/answers/hosting",
        {"infrastructure": "public_cloud", "cloud_providers": ["aws"], "air_gapped": "true", "egress": "none"},
    )
    assert response.status_code == 302, html(response)
    assert save_revision(client, assessment_id, "Air gap").status_code == 302


def stored(app: Flask, item_id: str = ITEM) -> ChecklistStatus:
    with app.app_context():
        row = db.session.execute(db.select(ChecklistStatus).where(ChecklistStatus.item_id == item_id)).scalar_one()
        db.session.expunge(row)
        return row


def test_the_issues_example_needs_review_on_the_report_share_link_and_pdf(client: FlaskClient, app: Flask) -> None:
    assessment_id = eks_assessment_marked_not_applicable(client)
    assert "Needs review" not in item_block(html(client.get(f"/assessments/{assessment_id}")), ITEM)
    token = make_link(client, assessment_id)
    self_managed_revision(client, assessment_id)
    with app.app_context():
        latest = db.session.execute(db.select(Revision).where(Revision.number == 2)).scalar_one()
        assert latest.recommended["hosting"] == "self_managed"
    row = stored(app)
    assert (row.status, row.note, row.review_reason, row.review_since) == ("not_applicable", NOTE, REASON, 2)

    block = item_block(html(client.get(f"/assessments/{assessment_id}")), ITEM)
    assert "Needs review" in block
    assert REASON in block
    assert "confirm" in block, "an editor is offered the Confirm form"
    shared = item_block(html(app.test_client().get(f"/share/{token}")), ITEM)
    assert "Needs review" in shared
    assert REASON in shared
    assert "/confirm" not in shared, "a share-link reader cannot confirm"
    pdf = client.get(f"/assessments/{assessment_id}/export?format=pdf")
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "Needs review" in text
    assert "Included for different reasons since revision" in text

    page = html(client.get(f"/assessments/{assessment_id}"))
    confirm_form = item_block(page, ITEM).split("/confirm")[1]
    confirmed = client.post(
        f"/assessments/{assessment_id}/checklist/{ITEM}/confirm",
        data={
            "csrf_token": csrf_token(page),
            "version": re.search(r'name="version" value="(\d+)"', confirm_form).group(1),  # type: ignore[union-attr]
            "next": f"/assessments/{assessment_id}",
        },
    )
    assert confirmed.status_code == 302
    assert "Needs review" not in item_block(html(client.get(f"/assessments/{assessment_id}")), ITEM)
    row = stored(app)
    assert (row.status, row.note, row.review_reason) == ("not_applicable", NOTE, None)
    with app.app_context():
        event = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "status_confirmed")).scalar_one()
        assert event.detail["item"] == ITEM
        assert event.detail["reason"] == REASON


def test_a_status_needing_review_counts_as_open_and_a_new_status_clears_it(client: FlaskClient, app: Flask) -> None:
    assessment_id = eks_assessment_marked_not_applicable(client)
    with app.app_context():
        first = db.session.execute(db.select(Revision).where(Revision.number == 1)).scalar_one()
    self_managed_revision(client, assessment_id)
    page = html(client.get(f"/assessments/{assessment_id}"))
    assert re.search(r"<strong>0 of \d+</strong> checklist items done", page), "not counted as done"
    assert "; 1 needs review after a new revision and counts as open." in page
    dashboard = html(client.get("/"))
    assert "0 of" in dashboard
    assert "1 needs review" in dashboard
    assert first.answers["cloud_providers"] == ["aws"]
    still_open = html(client.get(f"/assessments/{assessment_id}?status=open"))
    assert f'id="item-{ITEM}"' in still_open, "the report's Open filter lists it too"
    assert f'id="item-{ITEM}"' not in html(client.get(f"/assessments/{assessment_id}?status=in_progress"))

    version = str(stored(app).version)
    response = client.post(
        f"/assessments/{assessment_id}/checklist/{ITEM}",
        data={"csrf_token": csrf_token(page), "status": "done", "note": NOTE, "version": version},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json is not None
    assert response.json["review_cleared"] is True
    assert response.json["needs_review"] is False
    assert stored(app).review_reason is None
    assert re.search(
        r"<strong>1 of \d+</strong> checklist items done", html(client.get(f"/assessments/{assessment_id}"))
    )


def test_changing_only_the_note_keeps_the_flag(client: FlaskClient, app: Flask) -> None:
    assessment_id = eks_assessment_marked_not_applicable(client)
    self_managed_revision(client, assessment_id)
    page = html(client.get(f"/assessments/{assessment_id}"))
    response = client.post(
        f"/assessments/{assessment_id}/checklist/{ITEM}",
        data={
            "csrf_token": csrf_token(page),
            "status": "not_applicable",
            "note": "still",
            "version": str(stored(app).version),
        },
        headers={"Accept": "application/json"},
    )
    assert response.json is not None
    assert (response.json["review_cleared"], response.json["needs_review"]) == (False, True)
    assert stored(app).review_reason == REASON


def test_open_statuses_are_not_flagged(client: FlaskClient, app: Flask) -> None:
    assessment_id = eks_assessment_marked_not_applicable(client)
    page = html(client.get(f"/assessments/{assessment_id}"))
    client.post(
        f"/assessments/{assessment_id}/checklist/{ITEM}",
        data={"csrf_token": csrf_token(page), "status": "in_progress", "version": str(stored(app).version)},
    )
    self_managed_revision(client, assessment_id)
    assert stored(app).review_reason is None


def test_confirm_needs_an_editor_and_a_flag(client: FlaskClient, app: Flask) -> None:
    assessment_id = eks_assessment_marked_not_applicable(client)
    page = html(client.get(f"/assessments/{assessment_id}"))
    refused = client.post(
        f"/assessments/{assessment_id}/checklist/{ITEM}/confirm",
        data={"csrf_token": csrf_token(page), "version": str(stored(app).version)},
    )
    assert refused.status_code == 302
    assert "no longer needs review" in html(client.get(refused.headers["Location"]))
    assert client.post(f"/assessments/{assessment_id}/checklist/{ITEM}/confirm", data={}).status_code == 400


def test_review_reasons_name_the_change() -> None:
    item = {"id": "x", "responsibility": "provider", "included_because": ["It applies to every cluster."]}
    assert review.review_reasons(item, item, 3) == []
    moved = {**item, "responsibility": "customer"}
    assert review.review_reasons(item, moved, 3) == ["Responsibility changed: the provider → your team."]
    other = {**item, "included_because": ["The recommendation for hosting is “Self-managed Kubernetes”."]}
    assert review.review_reasons(item, other, 3) == ["Included for different reasons since revision 3."]
    assert review.review_reasons(None, item, 4) == ["Included for different reasons since revision 4."]
    assert review.review_reasons({"id": "x"}, {"id": "x"}, 2) == [], "results of engines before 2.1: nothing claimed"


def test_every_export_shows_needs_review() -> None:
    doc = make_doc()
    first = doc.result["checklist"][0]["id"]
    flagged = {**doc.statuses, first: StatusRecord("done", review_reason="Responsibility changed: a → b.")}
    doc = type(doc)(**{**doc.__dict__, "statuses": flagged})
    assert counts(doc.result, doc.statuses)["needs_review"] == 1
    assert counts(doc.result, doc.statuses)["done"] == 0, "a done status needing review is open"
    text = markdown.to_markdown(doc)
    assert "Needs review:** Responsibility changed: a → b." in text
    rows = list(csv.DictReader(io.StringIO(csv_export.to_csv(doc))))
    assert rows[0]["needs_review"] == "Responsibility changed: a → b."
    assert rows[1]["needs_review"] == ""
    data = json.loads(json_export.to_json(doc))
    jsonschema.validate(data, json.loads(json_export.SCHEMA_PATH.read_text()))
    assert data["statuses"][first]["needs_review"] is True
    assert data["statuses"][first]["review_reason"] == "Responsibility changed: a → b."


def test_api_statuses_carry_the_flag(client: FlaskClient, app: Flask) -> None:
    assessment_id = eks_assessment_marked_not_applicable(client)
    self_managed_revision(client, assessment_id)
    body = app.test_client().get(f"/api/v1/assessments/{assessment_id}", headers=token_for(app, "owner@example.com"))
    assert body.status_code == 200
    assert body.json is not None
    assert body.json["statuses"][ITEM]["needs_review"] is True
    assert body.json["statuses"][ITEM]["review_reason"] == REASON


def test_api_refuses_a_revision_identical_to_the_latest(app: Flask) -> None:
    make_user(app, "owner@example.com")
    api = app.test_client()
    owner = token_for(app, "owner@example.com")
    created = create(api, owner)
    url = f"/api/v1/assessments/{created['id']}/revisions"
    # the same answers spelled differently (a default given): the same after normalisation
    same = api.post(url, json={"answers": {**BASE_ANSWERS, "egress": "open"}, "base_revision": 1}, headers=owner)
    assert same.status_code == 409
    assert same.json == {
        "errors": [
            {
                "key": "answers",
                "message": "the answers are the same as revision 1, evaluated with the same knowledge base; "
                "nothing was saved",
            }
        ]
    }
    changed = api.post(url, json={"answers": {**BASE_ANSWERS, "services": 9}, "base_revision": 1}, headers=owner)
    assert changed.status_code == 201
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Revision.id))).scalar_one() == 2


def test_web_refuses_an_identical_revision_and_allows_a_newer_knowledge_base(client: FlaskClient, app: Flask) -> None:
    assessment_id = new_assessment_with_revision(client)
    form_post(client, f"/assessments/{assessment_id}/answers/context", STEP_ANSWERS["context"])  # no change
    response = save_revision(client, assessment_id, "again")
    assert response.status_code == 302
    report = html(client.get(response.headers["Location"]))
    assert "the same as revision 1, so it still stands. The draft is closed." in report
    assert "Resume draft" not in report, "a draft that holds nothing new is not offered again"
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Revision.id))).scalar_one() == 1
        assert db.session.execute(db.select(Assessment.draft)).scalar_one() is None
        revision = db.session.execute(db.select(Revision)).scalar_one()
        assessment = revision.assessment
        # stored by an older knowledge base: evaluating the same answers again is a new revision
        db.session.execute(db.update(Revision).values(knowledge_base_version="2020.1.0"))
        db.session.expire_all()
        again = svc.save_revision(db.session, assessment, revision.answers, 1, None, None, app.extensions["advisor.kb"])
        assert again.number == 2


def two_tabs(client: FlaskClient, **late_changes: str) -> tuple[str, dict[str, str], str]:
    """The context step opened in two tabs; the first saves the step, then the second, with ``late_changes``,
    is refused (409). The step's address, the first tab's data and the refused page."""
    assessment_id = create_assessment(client)
    url = f"/assessments/{assessment_id}/answers/context"
    first_tab, second_tab = html(client.get(url)), html(client.get(url))
    data = {**STEP_ANSWERS["context"], "action": "next"}
    assert client.post(url, data={**data, "csrf_token": csrf_token(first_tab), "version": version_on(first_tab)})
    late = client.post(
        url, data={**data, **late_changes, "csrf_token": csrf_token(second_tab), "version": version_on(second_tab)}
    )
    assert late.status_code == 409
    return url, data, html(late)


def test_a_refused_draft_save_says_once_that_it_was_you_in_another_tab(client: FlaskClient) -> None:
    url, data, page = two_tabs(client, experience="expert")
    assert page.count("Not saved") == 1
    assert re.search(r"changed by you, in another tab or window, at \d\d:\d\d UTC", page)
    assert re.search(r'value="expert"[^>]*checked', page), "what was typed stays in the form"
    # and what saving it again would replace is said, in words: the first tab's Novice against this page's Expert
    differences = page.split('<table class="differences">')[1].split("</table>")[0]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td></tr>', differences)
    assert rows == [("Kubernetes security experience of the team", "Novice", "Expert")]
    # saving again from the refused page keeps the typed answer
    again = client.post(
        url, data={**data, "experience": "expert", "csrf_token": csrf_token(page), "version": version_on(page)}
    )
    assert again.status_code == 302
    assert re.search(r'value="expert"[^>]*checked', html(client.get(url)))


def test_a_refused_draft_save_with_the_same_answers_says_so(client: FlaskClient) -> None:
    _, _, page = two_tabs(client)
    assert '<table class="differences">' not in page
    assert "This step's answers on this page are the same as those saved in the meantime." in page


def test_a_refused_save_names_another_person(client: FlaskClient, app: Flask) -> None:
    assessment_id = create_assessment(client)
    url = f"/assessments/{assessment_id}/answers/context"
    page = html(client.get(url))
    with app.app_context():
        from advisor.models import Assessment

        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        svc.save_draft(
            db.session, assessment, Draft({"experience": "expert"}, 0), assessment.version, "bea@example.com"
        )
        db.session.commit()
        assert Draft.from_json(assessment.draft or {}).updated_by == "bea@example.com"
    late = client.post(
        url, data={**STEP_ANSWERS["context"], "csrf_token": csrf_token(page), "version": version_on(page)}
    )
    assert late.status_code == 409
    assert re.search(r"changed by bea@example.com, at \d\d:\d\d UTC", html(late))


def test_old_drafts_without_the_stamp_read_fine() -> None:
    draft = Draft.from_json({"values": {"experience": "novice"}, "steps_done": [], "base_revision": 0})
    assert (draft.updated_by, draft.updated_at) == (None, None)
    assert Draft.from_json(draft.to_json()) == draft


def test_review_and_save_from_a_stale_tab_makes_no_duplicate(client: FlaskClient, app: Flask) -> None:
    assessment_id = new_assessment_with_revision(client)
    form_post(
        client, f"/assessments/{assessment_id}/answers/context", {**STEP_ANSWERS["context"], "experience": "expert"}
    )
    url = f"/assessments/{assessment_id}/answers/review"
    stale = html(client.get(url))
    assert save_revision(client, assessment_id, "first tab").status_code == 302
    data: dict[str, Any] = {"csrf_token": csrf_token(stale), "version": version_on(stale), "base_revision": "1"}
    refused = client.post(url, data=data)
    assert refused.status_code == 409
    page = html(refused)
    assert page.count("Not saved") == 1
    assert "you, in another tab or window" in page
    retry = client.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "version": version_on(page),
            "base_revision": re.search(r'name="base_revision" type="hidden" value="(\d+)"', page).group(1),  # type: ignore[union-attr]
        },
    )
    assert retry.status_code == 302
    assert "the same as revision 2" in html(client.get(retry.headers["Location"]))
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Revision.id))).scalar_one() == 2
