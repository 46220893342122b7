"""Share links, workspaces and members, and the audit trail."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from advisor.extensions import db
from advisor.models import AuditEvent, Revision, ShareLink
from tests.conftest import make_user, sign_in
from tests.web import STEP_ANSWERS, csrf_token, form_post, html, new_assessment_with_revision, save_revision


def make_link(client: FlaskClient, assessment_id: int, revision: str = "latest", days: str = "7") -> str:
    page = html(client.get(f"/assessments/{assessment_id}/sharing"))
    response = client.post(
        f"/assessments/{assessment_id}/sharing",
        data={"csrf_token": csrf_token(page), "label": "Auditor", "revision": revision, "days": days},
    )
    found = re.search(r'<code class="secret"[^>]*>http://localhost/share/([^<]+)</code>', html(response))
    assert found, html(response)
    assert '<button type="button" class="button copy" data-copy="new-share-link" hidden>' in html(response)
    return found.group(1)


def test_share_link_shows_the_report_read_only(app: Flask, client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client, "Payments platform")
    token = make_link(client, assessment_id)
    assert token not in html(client.get(f"/assessments/{assessment_id}/sharing")), "shown once"
    with app.app_context():
        stored = db.session.execute(sa.select(ShareLink)).scalar_one()
        assert token not in stored.token_hash
        assert len(stored.token_hash) == 64
    auditor = app.test_client()
    page = html(auditor.get(f"/share/{token}"))
    assert "Payments platform" in page
    assert "Shared read-only" in page
    assert "Save status" not in page
    assert 'action="/logout"' not in page
    assert "Edit answers" not in page
    assert auditor.get(f"/assessments/{assessment_id}").headers["Location"].startswith("/login"), "only the report"
    inside = [link for link in re.findall(r'href="(/[^"]*)"', page) if not link.startswith(("/static/", "/share/"))]
    assert inside == [], "no link leads to a member's page (and from there to sign-in)"


def test_pinned_link_keeps_showing_its_revision(app: Flask, client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client, label="First")
    pinned = make_link(client, assessment_id, revision="1")
    latest = make_link(client, assessment_id)
    form_post(
        client, f"/assessments/{assessment_id}/answers/context", {**STEP_ANSWERS["context"], "experience": "expert"}
    )
    assert save_revision(client, assessment_id, "Second").status_code == 302
    auditor = app.test_client()
    assert "Revision 1 · First" in html(auditor.get(f"/share/{pinned}"))
    assert "Revision 2 · Second" in html(auditor.get(f"/share/{latest}"))


def test_revoked_and_expired_links_answer_404(app: Flask, client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client)
    revoked = make_link(client, assessment_id)
    expired = make_link(client, assessment_id)
    with app.app_context():
        first = db.session.execute(sa.select(ShareLink).order_by(ShareLink.id)).scalars().first()
        assert first is not None
        first_id = first.id
        db.session.execute(
            sa.update(ShareLink)
            .where(ShareLink.id != first_id)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        )
        db.session.commit()
    page = html(client.get(f"/assessments/{assessment_id}/sharing"))
    assert "expired" in page
    client.post(f"/assessments/{assessment_id}/sharing/{first_id}/revoke", data={"csrf_token": csrf_token(page)})
    auditor = app.test_client()
    for token in (revoked, expired):
        response = auditor.get(f"/share/{token}")
        assert response.status_code == 404
        assert "Shop platform" not in html(response)


def test_share_link_validation(client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client)
    page = html(client.get(f"/assessments/{assessment_id}/sharing"))
    response = client.post(
        f"/assessments/{assessment_id}/sharing",
        data={"csrf_token": csrf_token(page), "label": "x", "revision": "9", "days": "900"},
    )
    assert response.status_code == 422
    body = html(response)
    assert "Number must be between 1 and 365." in body
    assert "Not a valid choice" in body


def test_workspace_members_and_roles(app: Flask, client: FlaskClient) -> None:
    make_user(app, "colleague@example.com")
    page = html(client.get("/workspaces/"))
    created = client.post("/workspaces/", data={"csrf_token": csrf_token(page), "name": "Platform team"})
    workspace_url = created.headers["Location"]
    page = html(client.get(workspace_url))
    unknown = client.post(
        f"{workspace_url}/members",
        data={"csrf_token": csrf_token(page), "email": "ghost@example.com", "role": "viewer"},
    )
    assert unknown.status_code == 302, "invited: the same answer as for an account (tests/test_workspaces.py)"
    client.post(
        f"{workspace_url}/members",
        data={"csrf_token": csrf_token(page), "email": "colleague@example.com", "role": "editor"},
    )
    page = html(client.get(workspace_url))
    assert "colleague@example.com" in page
    refused = client.post(
        f"{workspace_url}/members/role",
        data={"csrf_token": csrf_token(page), "email": "owner@example.com", "role": "viewer"},
    )
    assert "A workspace needs at least one owner." in html(client.get(refused.headers["Location"]))
    colleague = app.test_client()
    sign_in(colleague, "colleague@example.com")
    workspace_id = workspace_url.rsplit("/", 1)[1]
    assessment_id = re.search(
        r"/assessments/(\d+)/",
        colleague.post(
            "/assessments/new",
            data={
                "csrf_token": csrf_token(html(colleague.get("/assessments/new"))),
                "title": "Shared plan",
                "workspace": workspace_id,
                "description": "",
            },
        ).headers["Location"],
    )
    assert assessment_id
    assert "Shared plan" in html(client.get("/")), "the owner sees what the editor made in the shared workspace"


def test_personal_workspace_cannot_be_shared(app: Flask, client: FlaskClient) -> None:
    make_user(app, "colleague@example.com")
    page = html(client.get("/workspaces/"))
    personal = re.search(r'href="(/workspaces/\d+)">owner@example.com \(personal\)', page)
    assert personal
    response = client.post(
        f"{personal.group(1)}/members",
        data={"csrf_token": csrf_token(page), "email": "colleague@example.com", "role": "viewer"},
    )
    assert "A personal workspace cannot be shared" in html(response)


def test_audit_trail_records_who_did_what(app: Flask, client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client)
    with app.app_context():
        item = db.session.execute(sa.select(Revision)).scalar_one().result["checklist"][0]
    form_post(
        client,
        f"/assessments/{assessment_id}/checklist/{item['id']}",
        {"status": "done", "version": "0"},
        page_url=f"/assessments/{assessment_id}",
    )
    make_link(client, assessment_id)
    page = html(client.get(f"/assessments/{assessment_id}/sharing"))
    link_id = re.search(r"/sharing/(\d+)/revoke", page)
    assert link_id
    client.post(
        f"/assessments/{assessment_id}/sharing/{link_id.group(1)}/revoke", data={"csrf_token": csrf_token(page)}
    )
    with app.app_context():
        actions = [
            (e.action, e.actor)
            for e in db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id)).scalars()
            if e.assessment_id == assessment_id
        ]
    assert [a for a, _ in actions] == ["created", "revised", "status_changed", "shared", "share_revoked"]
    assert {who for _, who in actions} == {"owner@example.com"}
    activity = html(client.get(f"/assessments/{assessment_id}/activity"))
    for words in ("created", "revised", "status changed", "shared", "share revoked"):
        assert f"<td>{words}</td>" in activity
    assert f"item: {escape(item['title'])}; status: To do → Done" in activity, "the item's title and status labels"
    assert item["id"] not in activity


def test_every_assessment_page_shows_the_tabs_for_the_role(client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client)
    base = f"/assessments/{assessment_id}"
    for path in ("", "/revisions", "/compare?a=1&b=1", "/reevaluate", "/activity", "/sharing"):
        page = html(client.get(base + path))
        assert "your role: owner" in page, path
        assert re.search(f'href="{base}/sharing"( aria-current="page")?>Sharing</a>', page), path


def test_share_form_is_empty_after_a_link_is_made(client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client)
    make_link(client, assessment_id)
    page = html(client.get(f"/assessments/{assessment_id}/sharing"))
    again = client.post(
        f"/assessments/{assessment_id}/sharing",
        data={"csrf_token": csrf_token(page), "label": "Second auditor", "revision": "1", "days": "5"},
    )
    assert 'value="Second auditor"' not in html(again), "the form starts afresh, so a second click makes no duplicate"
