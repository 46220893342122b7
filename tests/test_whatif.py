"""What-if: try other answers against the latest revision; nothing is stored until someone saves them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from advisor.extensions import db
from advisor.models import Assessment, User
from advisor.services import workspaces
from tests.conftest import make_user, sign_in
from tests.web import csrf_token, html, new_assessment_with_revision


@pytest.fixture
def assessment_id(client: FlaskClient) -> int:
    return new_assessment_with_revision(client, "What-if plan")


def panel_form(page: str) -> MultiDict[str, str]:
    """What the what-if page's form would send as shown: every select, number and ticked box."""
    data: MultiDict[str, str] = MultiDict()
    for name, options in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        data.add(name, chosen.group(1) if chosen else "")
    for name, value in re.findall(r'<input type="number"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data.add(name, value)
    for name, value in re.findall(r'<input type="checkbox" name="([^"]+)" value="([^"]+)" checked', page):
        data.add(name, value)
    data["csrf_token"] = csrf_token(page)
    data["base_revision"] = re.search(r'name="base_revision"[^>]*value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    return data


def stored(app: Flask, assessment_id: int) -> tuple[int, dict[str, Any] | None]:
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        return assessment.latest_revision_number, assessment.draft


def test_the_panel_starts_from_the_latest_answers_and_nothing_changes(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    page = html(client.get(f"/assessments/{assessment_id}/what-if"))
    form = panel_form(page)
    assert form["infrastructure"] == "public_cloud", "the latest revision's answer is selected"
    answer = client.post(f"/assessments/{assessment_id}/what-if", data=form, headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.get_json()["changed"] is False
    assert "Nothing would change." in answer.get_json()["html"]


def test_a_changed_answer_shows_what_moves_and_stores_nothing(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    before = stored(app, assessment_id)
    form = panel_form(html(client.get(f"/assessments/{assessment_id}/what-if")))
    form["experience"] = "expert"  # an expert team tips hosting from managed to self-managed for these answers
    answer = client.post(f"/assessments/{assessment_id}/what-if", data=form, headers={"Accept": "application/json"})
    body = answer.get_json()
    assert body["changed"] is True
    assert len(body["decisions_changed"]) == 1
    assert f"1 decision would change: {body['decisions_changed'][0]}." in body["html"]
    assert "★ recommended" in body["html"]
    # without script: the Preview button shows the same comparison on the page
    page = html(client.post(f"/assessments/{assessment_id}/what-if", data={**form.to_dict(flat=False)}))
    assert "What would change" in page
    assert "Items added" in page
    assert 'value="expert" selected' in page, "the answers tried stay in the form"
    assert stored(app, assessment_id) == before, "a preview writes nothing, not even a draft"


def test_invalid_answers_are_named_by_question(client: FlaskClient, assessment_id: int) -> None:
    form = panel_form(html(client.get(f"/assessments/{assessment_id}/what-if")))
    form["services"] = "lots"
    response = client.post(f"/assessments/{assessment_id}/what-if", data=form)
    assert response.status_code == 422
    assert "<li>Number of services: Enter a whole number from" in html(response), "in the questionnaire's words"


def test_saving_makes_the_next_revision(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    form = panel_form(html(client.get(f"/assessments/{assessment_id}/what-if")))
    form["experience"], form["action"], form["label"] = "expert", "save", "Expert team"
    response = client.post(f"/assessments/{assessment_id}/what-if", data=form)
    assert response.status_code == 302
    number, _ = stored(app, assessment_id)
    assert number == 2
    assert "Expert team" in html(client.get(f"/assessments/{assessment_id}/revisions"))


def test_a_save_on_a_stale_revision_keeps_what_was_typed(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    form = panel_form(html(client.get(f"/assessments/{assessment_id}/what-if")))
    first = MultiDict(form)
    first["experience"], first["action"] = "expert", "save"
    assert client.post(f"/assessments/{assessment_id}/what-if", data=first).status_code == 302
    form["experience"], form["action"] = "novice", "save"  # the second tab still shows revision 1
    refused = client.post(f"/assessments/{assessment_id}/what-if", data=form)
    assert refused.status_code == 409
    page = html(refused)
    assert page.count("Not saved:") == 1
    assert 'value="novice" selected' in page
    assert stored(app, assessment_id)[0] == 2


def test_a_viewer_may_try_but_not_save(app: Flask, client: FlaskClient, assessment_id: int) -> None:
    make_user(app, "viewer@example.com")
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        owner = db.session.get(User, assessment.workspace.personal_for_id)
        assert owner is not None
        team = workspaces.create_workspace(db.session, "Team", owner)
        assessment.workspace_id = team.id
        workspaces.add_member(db.session, team, "viewer@example.com", "viewer", None)
        db.session.commit()
    viewer = app.test_client()
    sign_in(viewer, "viewer@example.com")
    page = html(viewer.get(f"/assessments/{assessment_id}/what-if"))
    assert "Save as a new revision" not in page
    form = panel_form(page)
    assert viewer.post(f"/assessments/{assessment_id}/what-if", data=form).status_code == 200
    form["action"] = "save"
    assert viewer.post(f"/assessments/{assessment_id}/what-if", data=form).status_code == 403
    assert stored(app, assessment_id)[0] == 1
