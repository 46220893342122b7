"""Exports cannot flood the audit trail or the workers: limits per account and per share link, repeated
exports counted on one entry, the activity tab paged; a share link's files carry only the assessment's trail."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from advisor.extensions import db
from advisor.models import AuditEvent
from advisor.services import accounts
from tests.conftest import make_user
from tests.web import answer_all_steps, csrf_token, form_post, html, new_assessment_with_revision, save_revision


def _events(app: Flask, action: str = "exported") -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _share(client: FlaskClient, assessment_id: int, label: str = "Auditor") -> str:
    page = html(client.get(f"/assessments/{assessment_id}/sharing"))
    made = html(
        client.post(
            f"/assessments/{assessment_id}/sharing",
            data={"csrf_token": csrf_token(page), "label": label, "revision": "latest", "days": "7"},
        )
    )
    found = re.search(r"/share/([A-Za-z0-9_-]+)</code>", made)
    assert found
    return found.group(1)


def test_repeated_exports_are_counted_on_one_entry(app: Flask, client: FlaskClient) -> None:
    """Issue 10.4: 40 downloads of the same file leave one entry saying 40, not 40 entries."""
    app.config["EXPORT_LIMIT"] = "1000 per minute"
    assessment_id = new_assessment_with_revision(client)
    token = _share(client, assessment_id)
    auditor = app.test_client()
    for _ in range(40):
        assert auditor.get(f"/share/{token}/export?format=csv").status_code == 200
    for _ in range(3):
        assert client.get(f"/assessments/{assessment_id}/export?format=json").status_code == 200
    events = _events(app)
    assert [(e.actor, e.detail["format"], e.detail.get("count", 1)) for e in events] == [
        ("share link “Auditor”", "csv", 40),
        ("owner@example.com", "json", 3),
    ]
    form_post(client, f"/assessments/{assessment_id}/details", {"title": "Renamed", "description": ""})
    assert client.get(f"/assessments/{assessment_id}/export?format=json").status_code == 200
    assert [e.detail.get("count", 1) for e in _events(app)] == [40, 3, 1], "an edit in between starts a new entry"
    activity = html(client.get(f"/assessments/{assessment_id}/activity"))
    assert "count: 40" in activity


def test_exports_are_limited_per_share_link(app: Flask, client: FlaskClient) -> None:
    app.config["EXPORT_LIMIT"] = "5 per minute"
    assessment_id = new_assessment_with_revision(client)
    token, other = _share(client, assessment_id), _share(client, assessment_id, "Second auditor")
    auditor = app.test_client()
    codes = [auditor.get(f"/share/{token}/export?format=json").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    refused = auditor.get(f"/share/{token}/export?format=json")
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert "Traceback" not in html(refused)
    assert auditor.get(f"/share/{other}/export?format=json").status_code == 200, "each link has its own allowance"
    assert client.get(f"/assessments/{assessment_id}/export?format=json").status_code == 200


def test_pdf_exports_have_a_lower_limit_per_account(app: Flask, client: FlaskClient) -> None:
    app.config["PDF_EXPORT_LIMIT"] = "2 per minute"
    assessment_id = new_assessment_with_revision(client)
    codes = [client.get(f"/assessments/{assessment_id}/export?format=pdf").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get(f"/assessments/{assessment_id}/export?format=markdown").status_code == 200
    with app.app_context():
        user = accounts.find_user(db.session, "owner@example.com")
        assert user is not None
        raw, _ = accounts.create_api_token(db.session, user, "CI")
        db.session.commit()
    api = app.test_client().get(
        f"/api/v1/assessments/{assessment_id}/export?format=pdf", headers={"Authorization": f"Bearer {raw}"}
    )
    assert api.status_code == 429, "the web and the API share the account's allowance"
    assert api.get_json()["errors"][0]["key"] == "format"
    assert int(api.headers["Retry-After"]) >= 1


def test_the_activity_tab_is_paged_not_cut(app: Flask, client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client, "Paged")
    with app.app_context():
        workspace_id = db.session.scalars(sa.select(AuditEvent.workspace_id)).first()
        db.session.add_all(
            AuditEvent(
                workspace_id=workspace_id, assessment_id=assessment_id, actor="x", action="shared", detail={"n": n}
            )
            for n in range(250)
        )
        db.session.commit()
    first = html(client.get(f"/assessments/{assessment_id}/activity"))
    assert "Page 1 of 3" in first
    assert "n: 249" in first
    assert "n: 149" not in first
    last = html(client.get(f"/assessments/{assessment_id}/activity?page=3"))
    assert "created" in last, "the oldest entry is still there, on the last page"
    assert "n: 0" in last
    assert "Page 3 of 3" in html(client.get(f"/assessments/{assessment_id}/activity?page=99"))


def test_share_link_exports_carry_only_the_assessments_own_trail(app: Flask, client: FlaskClient) -> None:
    """Issue 10.11: member emails and roles never reach an anonymous reader."""
    page = html(client.get("/workspaces/"))
    made = client.post("/workspaces/", data={"csrf_token": csrf_token(page), "name": "Platform team"})
    workspace_id = int(made.headers["Location"].rsplit("/", 1)[1])
    make_user(app, "secret-member@example.com")
    page = html(client.get(f"/workspaces/{workspace_id}"))
    client.post(
        f"/workspaces/{workspace_id}/members",
        data={"csrf_token": csrf_token(page), "email": "secret-member@example.com", "role": "editor"},
    )
    page = html(client.get(f"/assessments/new?workspace={workspace_id}"))
    created = client.post(
        "/assessments/new",
        data={"csrf_token": csrf_token(page), "workspace": workspace_id, "title": "Team plan", "description": ""},
    )
    assessment_id = int(created.headers["Location"].split("/")[2])
    answer_all_steps(client, assessment_id)
    save_revision(client, assessment_id, "First")
    own = client.get(f"/assessments/{assessment_id}/export?format=json")
    assert "secret-member@example.com" in own.get_data(as_text=True), "members see the workspace's changes"
    token = _share(client, assessment_id)
    auditor = app.test_client()
    for fmt in ("json", "markdown", "csv"):
        body = auditor.get(f"/share/{token}/export?format={fmt}").get_data(as_text=True)
        assert "secret-member@example.com" not in body, fmt
        assert "member_added" not in body, fmt
    audit = json.loads(auditor.get(f"/share/{token}/export?format=json").data)["audit"]
    assert {e["action"] for e in audit} >= {"created", "revised", "shared"}
