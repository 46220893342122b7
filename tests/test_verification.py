"""Verification apart from implementation (issue 16): a done item is tested by someone other than who marked it
done; the result, procedure, tester and time are kept, shown and exported; reopening the item clears the test."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from advisor.extensions import db
from advisor.models import Assessment, ChecklistStatus
from advisor.services import assessments as svc
from advisor.services import exports
from advisor.services.verification import VerificationRefused, marked_done_by, record_verification
from tests.conftest import sign_in
from tests.test_api import token_for
from tests.web import csrf_token, html, item_block, team_assessment

ERIN, TESS = "erin@example.com", "tess@example.com"


def row_of(app: Flask, item: str) -> ChecklistStatus:
    with app.app_context():
        row = db.session.scalar(db.select(ChecklistStatus).where(ChecklistStatus.item_id == item))
        assert row is not None
        return row


def set_done(app: Flask, assessment_id: int, item: str, actor: str = ERIN, status: str = "done") -> None:
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        row = svc._status_row(db.session, found, item)
        svc.set_status(db.session, found, item, status, "", "", row.version if row else 0, actor)
        db.session.commit()


def test_the_one_who_marked_it_done_never_tests_it_and_a_test_says_how(app: Flask) -> None:
    assessment_id, items = team_assessment(app, {ERIN: "editor", TESS: "editor"})
    item = items[0]
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        with pytest.raises(VerificationRefused, match="only a done item"):
            record_verification(db.session, found, item, "pass", "looked", 0, TESS)
    set_done(app, assessment_id, item, ERIN)
    set_done(app, assessment_id, item, TESS)  # a later edit while still done: ERIN marked it done
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        assert marked_done_by(db.session, assessment_id, item) == ERIN
        version = row_of(app, item).version
        with pytest.raises(VerificationRefused, match="someone else tests it"):
            record_verification(db.session, found, item, "pass", "kubectl auth can-i --list", version, ERIN)
        with pytest.raises(VerificationRefused, match="say how it was tested") as refused:
            record_verification(db.session, found, item, "fail", "  ", version, TESS)
        assert refused.value.field == "procedure"
        record_verification(db.session, found, item, "pass", "kubectl auth can-i --list as each role", version, TESS)
        db.session.commit()
    row = row_of(app, item)
    assert (row.verification_result, row.verified_by) == ("pass", TESS)
    assert row.verified_at is not None
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        document = json.loads(
            exports.export(db.session, found, 1, "json", TESS, "web", app.extensions["advisor.kb"]).content
        )
    verification = document["statuses"][item]["verification"]
    assert (verification["result"], verification["by"]) == ("pass", TESS)
    set_done(app, assessment_id, item, TESS, status="in_progress")
    assert row_of(app, item).verification_result is None, "reopened: tested again once done"


def test_the_page_and_the_api_record_tests_and_count_them_apart(app: Flask) -> None:
    assessment_id, items = team_assessment(app, {ERIN: "editor", TESS: "editor"})
    item = items[0]
    set_done(app, assessment_id, item, ERIN)
    web = app.test_client()
    sign_in(web, TESS)
    url = f"/assessments/{assessment_id}"
    page = html(web.get(url))
    assert "Not tested yet" in item_block(page, item)
    assert "Implemented (done): 1, of which verified by a passed test: 0" in page
    form = {"csrf_token": csrf_token(page), "result": "pass", "procedure": "ran the CIS check 5.1.1", "version": "1"}
    assert web.post(f"{url}/checklist/{item}/verification", data=form).status_code in (302, 303)
    page = html(web.get(url))
    assert "Test passed" in item_block(page, item)
    assert "ran the CIS check 5.1.1" in item_block(page, item)
    assert "Implemented (done): 1, of which verified by a passed test: 1" in page
    api = app.test_client()
    answer = api.post(
        f"/api/v1/assessments/{assessment_id}/checklist/{item}/verification",
        json={"result": "fail", "procedure": "a wildcard role remains", "base_version": row_of(app, item).version},
        headers=token_for(app, ERIN),
    )
    assert answer.status_code == 400, "ERIN marked it done"
    assert answer.get_json()["errors"][0]["key"] == "result"
    second = api.post(
        f"/api/v1/assessments/{assessment_id}/checklist/{item}/verification",
        json={"result": "fail", "procedure": "a wildcard role remains", "base_version": row_of(app, item).version},
        headers=token_for(app, TESS),
    )
    assert second.status_code == 200
    assert second.get_json()["verification"]["result"] == "fail"
    stale = api.post(
        f"/api/v1/assessments/{assessment_id}/checklist/{item}/verification",
        json={"result": "pass", "procedure": "again", "base_version": 1},
        headers=token_for(app, TESS),
    )
    assert stale.status_code == 409


def test_the_spreadsheets_carry_the_test(app: Flask) -> None:
    import csv
    import io

    assessment_id, items = team_assessment(app, {ERIN: "editor", TESS: "editor"})
    item = items[0]
    set_done(app, assessment_id, item, ERIN)
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        record_verification(db.session, found, item, "fail", "=HYPERLINK(1) found a wildcard", 1, TESS)
        db.session.commit()
        content = exports.export(db.session, found, 1, "csv", TESS, "web", app.extensions["advisor.kb"]).content
    row = next(r for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig"))) if r["id"] == item)
    assert (row["verification_result"], row["verification_label"], row["verified_by"]) == ("fail", "Test failed", TESS)
    assert row["verification_procedure"] == "'=HYPERLINK(1) found a wildcard", "no formula from user text"
    assert row["verified_at"].endswith("+00:00")
