"""The applicability statement (issue 16): an item marked not applicable says why, through every way of
setting a status; nothing is stored without the reason."""

from __future__ import annotations

import pytest
from flask import Flask

from advisor.extensions import db
from advisor.models import Assessment, ChecklistStatus
from advisor.services import assessments as svc
from tests.conftest import sign_in
from tests.test_api import token_for
from tests.web import csrf_token, html, team_assessment

ERIN = "erin@example.com"


def stored(app: Flask, item: str) -> ChecklistStatus | None:
    with app.app_context():
        return db.session.scalar(db.select(ChecklistStatus).where(ChecklistStatus.item_id == item))


def test_not_applicable_needs_a_reason_in_the_service_the_api_the_page_and_a_change_to_several(app: Flask) -> None:
    assessment_id, items = team_assessment(app, {ERIN: "editor"})
    item, other = items[0], items[1]
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        with pytest.raises(svc.StatusRefused, match="say why it does not apply") as refused:
            svc.set_status(db.session, found, item, "not_applicable", "  ", "", 0, ERIN)
        assert refused.value.field == "note"
        db.session.rollback()
    url = f"/api/v1/assessments/{assessment_id}/checklist/{item}"
    client = app.test_client()
    answer = client.patch(url, json={"status": "not_applicable", "base_version": 0}, headers=token_for(app, ERIN))
    assert answer.status_code == 400
    assert answer.get_json()["errors"][0]["key"] == "note"
    web = app.test_client()
    sign_in(web, ERIN)
    page = html(web.get(f"/assessments/{assessment_id}"))
    form = {"csrf_token": csrf_token(page), "status": "not_applicable", "note": "", "version": "0"}
    saved = web.post(
        f"/assessments/{assessment_id}/checklist/{item}", data=form, headers={"Accept": "application/json"}
    )
    assert saved.status_code == 422
    assert saved.get_json()["errors"][0]["key"] == "note"
    several = web.post(
        f"/assessments/{assessment_id}/checklist",
        data={"csrf_token": csrf_token(page), "items": [f"{item}:0", f"{other}:0"], "status": "not_applicable"},
    )
    assert several.status_code in (302, 303)
    assert "say why it does not apply" in html(web.get(several.headers["Location"]))
    assert stored(app, item) is None
    assert stored(app, other) is None, "a change to several is all or nothing"
    form["note"] = "No Windows nodes in this estate"
    assert web.post(f"/assessments/{assessment_id}/checklist/{item}", data=form).status_code == 303
    row = stored(app, item)
    assert row is not None
    assert (row.status, row.note) == ("not_applicable", "No Windows nodes in this estate")


def test_every_export_carries_the_applicability_statement(app: Flask) -> None:
    import json

    from advisor.services import exports

    assessment_id, items = team_assessment(app, {ERIN: "editor"})
    item = items[2]
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        svc.set_status(db.session, found, item, "not_applicable", "No GPU nodes <b>at all</b>", "", 0, ERIN)
        db.session.commit()
        kb = app.extensions["advisor.kb"]
        as_json = json.loads(exports.export(db.session, found, 1, "json", ERIN, "web", kb).content)
        as_md = exports.export(db.session, found, 1, "markdown", ERIN, "web", kb).content.decode()
        pdf = exports.export(db.session, found, 1, "pdf", ERIN, "web", kb).content
    assert [(a["item"], a["reason"], a["set_by"]) for a in as_json["applicability"]] == [
        (item, "No GPU nodes <b>at all</b>", ERIN)
    ]
    section = as_md.split("## Applicability statement", 1)[1].split("\n## ", 1)[0]
    assert f"`{item}`" in section
    assert "No GPU nodes \\<b\\>at all\\</b\\>" in section, "escaped: no HTML from user text"
    import io

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Applicability statement" in text
    assert "No GPU nodes <b>at all</b>" in text
