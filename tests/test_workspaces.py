"""Workspace members: adding an email answers alike with or without an account (invitations), and leaving."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from advisor.extensions import db
from advisor.models import AuditEvent, Invitation, Membership, User, Workspace
from advisor.services import accounts
from tests.conftest import PASSWORD, make_user, sign_in
from tests.web import csrf_token, html

PENDING = "invited; no account yet"


def signed_in(app: Flask, email: str, *, admin: bool = False) -> FlaskClient:
    make_user(app, email, admin=admin)
    client = app.test_client()
    sign_in(client, email)
    return client


def new_workspace(client: FlaskClient, name: str = "Team") -> str:
    page = html(client.get("/workspaces/"))
    created = client.post("/workspaces/", data={"csrf_token": csrf_token(page), "name": name})
    assert created.status_code == 302
    url: str = created.headers["Location"]
    return url


def post(client: FlaskClient, url: str, page_url: str, **data: str) -> Any:
    """POST a form with the CSRF token of ``page_url``, as the browser would."""
    return client.post(url, data={"csrf_token": csrf_token(html(client.get(page_url))), **data})


def add(client: FlaskClient, workspace: str, email: str, role: str = "viewer") -> Any:
    return post(client, f"{workspace}/members", workspace, email=email, role=role)


def comparable(page: str, email: str) -> str:
    """The page with the email and the (time-stamped) CSRF tokens masked."""
    page = re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "TOKEN", page)  # any attribute order
    return page.replace(email, "EMAIL") if email else page


def workspace_id(url: str) -> int:
    return int(url.rsplit("/", 1)[1])


def events(app: Flask, action: str) -> list[tuple[str | None, dict[str, Any]]]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        return [(e.actor, dict(e.detail)) for e in rows]


def role_in(app: Flask, workspace: str, email: str) -> str | None:
    """The role of this email in the workspace, as a member or an invitation (None: neither)."""
    here = workspace_id(workspace)
    with app.app_context():
        member = db.session.scalar(
            sa.select(Membership.role).join(User).where(Membership.workspace_id == here, User.email == email)
        )
        invited = db.session.scalar(
            sa.select(Invitation.role).where(Invitation.workspace_id == here, Invitation.email == email)
        )
        return member or invited


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


# --- adding: the same answer with or without an account ---------------------------------------------


def test_adding_an_account_or_an_unknown_email_answers_alike(app: Flask, client: FlaskClient) -> None:
    make_user(app, "alice@example.com")
    team = new_workspace(client)
    answers = {}
    for email in ("alice@example.com", "amber@example.com"):  # an account; no account
        with statements(app) as run:
            response = add(client, team, email)
        page = html(client.get(team))
        assert f"{email} added as viewer." in page
        assert re.search(rf"<th scope=\"row\">{re.escape(email)}</th>\s*<td>viewer</td>", page)
        assert PENDING not in page
        answers[email] = (response.status_code, response.headers["Location"], html(response), len(run), page)
        post(client, f"{team}/members/remove", team, email=email)
        client.get(team)  # shows (and so clears) the "removed" message
    (status_a, location_a, body_a, queries_a, page_a), (status_b, location_b, body_b, queries_b, page_b) = (
        answers.values()
    )
    assert (status_a, location_a, body_a) == (status_b, location_b, body_b)
    assert status_a == 302
    assert queries_a == queries_b, "both take the same queries"
    assert comparable(page_a, "alice@example.com") == comparable(page_b, "amber@example.com")
    with app.app_context():
        assert db.session.scalar(sa.select(Membership).join(User).where(User.email == "alice@example.com")) is not None
    added = events(app, "member_added")
    assert added == [
        ("owner@example.com", {"member": "alice@example.com", "role": "viewer"}),
        ("owner@example.com", {"member": "amber@example.com", "role": "viewer"}),
    ]
    assert [detail for _, detail in events(app, "member_removed")] == [
        {"member": "alice@example.com"},
        {"member": "amber@example.com"},
    ]


def test_an_unknown_email_is_invited_normalised(app: Flask, client: FlaskClient) -> None:
    team = new_workspace(client)
    assert add(client, team, "  Ghost@Example.COM ", "editor").status_code == 302
    assert "ghost@example.com added as editor." in html(client.get(team))
    with app.app_context():
        invitation = db.session.execute(sa.select(Invitation)).scalar_one()
        assert (invitation.email, invitation.role, invitation.invited_by) == (
            "ghost@example.com",
            "editor",
            "owner@example.com",
        )
        assert invitation.workspace_id == workspace_id(team)
        assert invitation.created_at is not None


def test_a_duplicate_is_refused_for_members_and_invitations_alike(app: Flask, client: FlaskClient) -> None:
    make_user(app, "alice@example.com")
    team = new_workspace(client)
    for email in ("alice@example.com", "amber@example.com"):  # an account; no account
        assert add(client, team, email, "editor").status_code == 302
    client.get(team)
    refusals = []
    for email in ("alice@example.com", "amber@example.com"):
        again = add(client, team, email.upper(), "owner")
        assert again.status_code == 422
        assert f"{email} is already in this workspace; change their role instead." in html(again)
        assert role_in(app, team, email) == "editor", "the refusal changes nothing"
        refusals.append(re.sub(r"(?i)alice@example\.com|amber@example\.com", "EMAIL", comparable(html(again), "")))
    assert refusals[0] == refusals[1]
    assert len(events(app, "member_added")) == 2


def test_two_owners_adding_one_email_at_once(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second of two simultaneous adds passed the duplicate check before the first was stored: it is
    refused like any duplicate, not a 500, and what the first stored stays."""
    from advisor.services import workspaces

    make_user(app, "alice@example.com")
    team = new_workspace(client)
    for email in ("alice@example.com", "amber@example.com"):
        assert add(client, team, email, "editor").status_code == 302
    client.get(team)
    monkeypatch.setattr(workspaces, "find_entry", lambda *args: None)  # as if the other add had not landed yet
    for email in ("alice@example.com", "amber@example.com"):
        late = add(client, team, email, "owner")
        assert late.status_code == 422
        assert f"{email} is already in this workspace" in html(late)
        assert role_in(app, team, email) == "editor"


def test_an_invalid_email_is_refused(app: Flask, client: FlaskClient) -> None:
    team = new_workspace(client)
    for email in ("not-an-email", "@example.com", "someone@"):
        response = add(client, team, email)
        assert response.status_code == 422
        assert "Enter a valid email address." in html(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_a_personal_workspace_is_not_shared_by_invitation_either(app: Flask, client: FlaskClient) -> None:
    page = html(client.get("/workspaces/"))
    personal = re.search(r'href="(/workspaces/\d+)">owner@example.com \(personal\)', page)
    assert personal
    response = add(client, personal.group(1), "ghost@example.com")
    assert response.status_code == 422
    assert "A personal workspace cannot be shared" in html(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


# --- invitations become memberships; owners manage them like members -----------------------------------


def test_an_invitation_becomes_a_membership_when_the_account_is_made(app: Flask, client: FlaskClient) -> None:
    team = new_workspace(client)
    other = new_workspace(client, "Other team")
    add(client, team, "ghost@example.com", "editor")
    add(client, other, "ghost@example.com", "viewer")
    with app.app_context():
        user = accounts.create_user(db.session, "Ghost@example.com", PASSWORD)
        db.session.commit()
        roles = dict(
            db.session.execute(
                sa.select(Workspace.name, Membership.role).join(Workspace).where(Membership.user_id == user.id)
            ).all()
        )
        assert roles == {"ghost@example.com (personal)": "owner", "Team": "editor", "Other team": "viewer"}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    accepted = events(app, "invitation_accepted")
    assert [detail["member"] for _, detail in accepted] == ["ghost@example.com", "ghost@example.com"]
    ghost = app.test_client()
    sign_in(ghost, "ghost@example.com")
    listing = html(ghost.get("/workspaces/"))
    assert re.search(r">Team</a> — editor", listing)
    assert re.search(r">Other team</a> — viewer", listing)
    assert ghost.get(team).status_code == 200
    assert ghost.get("/assessments/new").status_code == 200
    page = html(client.get(team))
    assert re.search(r"<th scope=\"row\">ghost@example.com</th>\s*<td>editor</td>", page), "listed as before"


def test_an_account_made_by_an_administrator_joins_the_workspaces_it_was_invited_to(
    app: Flask, client: FlaskClient
) -> None:
    team = new_workspace(client)
    add(client, team, "ghost@example.com", "owner")
    admin = signed_in(app, "admin@example.com", admin=True)
    created = post(admin, "/admin/users", "/admin/users", email="ghost@example.com")
    assert created.status_code in (200, 302), html(created)
    assert role_in(app, team, "ghost@example.com") == "owner"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_owners_change_the_role_of_and_remove_an_invitation_like_a_member(app: Flask, client: FlaskClient) -> None:
    make_user(app, "alice@example.com")
    team = new_workspace(client)
    for email in ("alice@example.com", "ghost@example.com"):
        add(client, team, email)
        changed = post(client, f"{team}/members/role", team, email=email, role="editor")
        assert changed.status_code == 302
        assert f"{email} is now editor." in html(client.get(team))
        assert role_in(app, team, email) == "editor"
        removed = post(client, f"{team}/members/remove", team, email=email)
        assert removed.status_code == 302
        page = html(client.get(team))
        assert f"{email} removed." in page
        assert f'<th scope="row">{email}</th>' not in page
        assert role_in(app, team, email) is None
    assert events(app, "member_role_changed") == [
        ("owner@example.com", {"member": "alice@example.com", "role": "editor"}),
        ("owner@example.com", {"member": "ghost@example.com", "role": "editor"}),
    ]
    assert [detail for _, detail in events(app, "member_removed")] == [
        {"member": "alice@example.com"},
        {"member": "ghost@example.com"},
    ]


def test_changing_someone_not_in_the_workspace_is_not_found(app: Flask, client: FlaskClient) -> None:
    team = new_workspace(client)
    elsewhere = new_workspace(client, "Elsewhere")
    add(client, elsewhere, "ghost@example.com")
    assert post(client, f"{team}/members/role", team, email="ghost@example.com", role="owner").status_code == 404
    assert post(client, f"{team}/members/remove", team, email="ghost@example.com").status_code == 404
    assert role_in(app, elsewhere, "ghost@example.com") == "viewer"


def test_administrators_see_which_are_invitations(app: Flask) -> None:
    admin = signed_in(app, "admin@example.com", admin=True)
    make_user(app, "alice@example.com")
    team = new_workspace(admin)
    add(admin, team, "alice@example.com")
    add(admin, team, "ghost@example.com")
    page = html(admin.get(team))
    assert re.search(rf"ghost@example.com <span class=\"meta\">\({PENDING}\)</span>", page)
    assert page.count(PENDING) == 1
    colleague = signed_in(app, "colleague@example.com")
    add(admin, team, "colleague@example.com", "owner")
    assert PENDING not in html(colleague.get(team)), "an owner who is no administrator cannot tell"


def test_an_invited_owner_counts_as_an_owner(app: Flask, client: FlaskClient) -> None:
    """Else the last-owner rule would tell an owner which invited owners have no account yet."""
    make_user(app, "alice@example.com")
    for email in ("alice@example.com", "ghost@example.com"):
        team = new_workspace(client)
        add(client, team, email, "owner")
        demoted = post(client, f"{team}/members/role", team, email="owner@example.com", role="editor")
        assert demoted.status_code == 302
        assert "owner@example.com is now editor." in html(client.get(team))


# --- leaving -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
def test_a_member_can_leave(app: Flask, client: FlaskClient, role: str) -> None:
    colleague = signed_in(app, "colleague@example.com")
    team = new_workspace(client)
    add(client, team, "colleague@example.com", role)
    page = html(colleague.get(team))
    assert f'href="{team}/leave"' in page
    confirm = html(colleague.get(f"{team}/leave"))
    assert "Leave “Team”?" in confirm
    left = colleague.post(f"{team}/leave", data={"csrf_token": csrf_token(confirm)})
    assert left.status_code == 302
    assert left.headers["Location"] == "/workspaces/"
    listing = html(colleague.get("/workspaces/"))
    assert "You left “Team”." in listing
    assert ">Team</a>" not in listing
    assert colleague.get(team).status_code == 404
    assert role_in(app, team, "colleague@example.com") is None
    assert events(app, "member_left") == [("colleague@example.com", {"member": "colleague@example.com", "role": role})]
    assert '<th scope="row">colleague@example.com</th>' not in html(client.get(team))


def test_the_last_owner_cannot_leave(app: Flask, client: FlaskClient) -> None:
    make_user(app, "colleague@example.com")
    team = new_workspace(client)
    add(client, team, "colleague@example.com", "editor")
    confirm = html(client.get(f"{team}/leave"))
    assert "make someone else owner first" in confirm
    assert "Leave workspace</button>" not in confirm
    refused = client.post(f"{team}/leave", data={"csrf_token": csrf_token(confirm)})
    assert refused.status_code == 302
    assert refused.headers["Location"] == team
    assert "You are the last owner of this workspace: make someone else owner first" in html(client.get(team))
    assert role_in(app, team, "owner@example.com") == "owner"
    assert events(app, "member_left") == []
    post(client, f"{team}/members/role", team, email="colleague@example.com", role="owner")
    left = post(client, f"{team}/leave", f"{team}/leave")
    assert left.headers["Location"] == "/workspaces/"
    assert role_in(app, team, "owner@example.com") is None


def test_a_personal_workspace_cannot_be_left(app: Flask, client: FlaskClient) -> None:
    listing = html(client.get("/workspaces/"))
    personal = re.search(r'href="(/workspaces/\d+)">owner@example.com \(personal\)', listing)
    assert personal
    url = personal.group(1)
    assert f'href="{url}/leave"' not in html(client.get(url))
    confirm = html(client.get(f"{url}/leave"))
    assert "cannot be left" in confirm
    refused = client.post(f"{url}/leave", data={"csrf_token": csrf_token(confirm)})
    assert refused.headers["Location"] == url
    assert "cannot be left" in html(client.get(url))
    assert client.get(url).status_code == 200
    assert events(app, "member_left") == []


def test_a_non_member_cannot_leave(app: Flask, client: FlaskClient) -> None:
    team = new_workspace(client)
    outsider = signed_in(app, "outsider@example.com")
    token = csrf_token(html(outsider.get("/workspaces/")))
    assert outsider.get(f"{team}/leave").status_code == 404
    assert outsider.post(f"{team}/leave", data={"csrf_token": token}).status_code == 404
    assert outsider.post("/workspaces/999999/leave", data={"csrf_token": token}).status_code == 404


def test_leaving_and_managing_members_need_csrf(app: Flask, client: FlaskClient) -> None:
    colleague = signed_in(app, "colleague@example.com")
    team = new_workspace(client)
    add(client, team, "colleague@example.com", "editor")
    add(client, team, "ghost@example.com", "editor")
    assert colleague.post(f"{team}/leave").status_code == 400
    assert colleague.post(f"{team}/leave", data={"csrf_token": "forged"}).status_code == 400
    assert client.post(f"{team}/members", data={"email": "x@example.com", "role": "owner"}).status_code == 400
    for email in ("colleague@example.com", "ghost@example.com"):
        assert client.post(f"{team}/members/role", data={"email": email, "role": "owner"}).status_code == 400
        assert client.post(f"{team}/members/remove", data={"email": email}).status_code == 400
        assert role_in(app, team, email) == "editor"
    assert role_in(app, team, "x@example.com") is None
