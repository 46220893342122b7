"""The access matrix: every route × every kind of visitor → the expected answer.

The test walks the app's URL map, so a new route without an entry here fails it.
Another workspace's objects answer 404 (never 403, never their data); a role too
small inside the workspace answers 403; anonymous visitors are sent to sign in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advisor.extensions import db
from advisor.models import Membership, User, Workspace
from advisor.services import accounts, sharing, workspaces
from advisor.services import assessments as svc
from advisor.services import evidence as proof
from tests.conftest import make_user, sign_in
from tests.helpers import BASE_ANSWERS

ROLES = ("anonymous", "viewer", "editor", "owner", "other", "share_link", "revoked_link")
OK = "ok"  # any answer that is neither a refusal nor a redirect to sign in
LOGIN = "login"


@dataclass
class World:
    assessment: int
    workspace: int
    item: str
    link: int
    live_token: str
    revoked_token: str
    owner_token_id: int
    viewer_membership: int
    evidence: int


def build_world(app: Flask) -> World:
    make_user(app, "admin@example.com", admin=True)
    for email in ("owner@example.com", "viewer@example.com", "editor@example.com", "other@example.com"):
        make_user(app, email)
    with app.app_context():
        users = {u.email.split("@")[0]: u for u in db.session.scalars(db.select(User))}
        team = workspaces.create_workspace(db.session, "Team", users["owner"])
        viewer = workspaces.add_member(db.session, team, "viewer@example.com", "viewer", None)
        workspaces.add_member(db.session, team, "editor@example.com", "editor", None)
        workspaces.add_member(db.session, team, "invited@example.com", "editor", None)  # no account: an invitation
        assessment = svc.create_assessment(db.session, team.id, "Team plan", "", "owner@example.com")
        revision = svc.save_revision(
            db.session, assessment, BASE_ANSWERS, 0, "First", "owner@example.com", app.extensions["advisor.kb"]
        )
        live, link = sharing.create_link(db.session, assessment, 7, None, "auditor", "owner@example.com")
        revoked, old = sharing.create_link(db.session, assessment, 7, 1, "old", "owner@example.com")
        sharing.revoke(db.session, assessment, old, "owner@example.com")
        _, token = accounts.create_api_token(db.session, users["owner"], "ci")
        item = revision.result["checklist"][0]["id"]
        entry = proof.add_evidence(db.session, assessment, item, "text", "Reviewed", "owner@example.com")
        db.session.commit()
        return World(
            assessment=assessment.id,
            workspace=team.id,
            item=revision.result["checklist"][0]["id"],
            link=link.id,
            live_token=live,
            revoked_token=revoked,
            owner_token_id=token.id,
            viewer_membership=viewer.id,
            evidence=entry.id,
        )


def client_for(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    if role in ("viewer", "editor", "owner", "other"):
        sign_in(client, f"{role}@example.com")
    return client


def csrf(client: FlaskClient) -> str:
    page = client.get("/account" if client.get("/account").status_code == 200 else "/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert found
    return found.group(1)


Expect = dict[str, Any]


def members(**over: Any) -> Expect:
    """Workspace members may (OK) unless told otherwise; outsiders get 404; anonymous visitors sign in."""
    base = {
        "anonymous": LOGIN,
        "share_link": LOGIN,
        "revoked_link": LOGIN,
        "other": 404,
        "viewer": OK,
        "editor": OK,
        "owner": OK,
    }
    return {**base, **over}


EDITORS = members(viewer=403)
OWNERS = members(viewer=403, editor=403)
SIGNED_IN = {
    "anonymous": LOGIN,
    "share_link": LOGIN,
    "revoked_link": LOGIN,
    "other": OK,
    "viewer": OK,
    "editor": OK,
    "owner": OK,
}
ADMINS_ONLY = {**SIGNED_IN, "other": 403, "viewer": 403, "editor": 403, "owner": 403}
EVERYONE = dict.fromkeys(ROLES, OK)
NO_TOKEN = dict.fromkeys(ROLES, 401)


@dataclass(frozen=True)
class Case:
    method: str
    url: Callable[[World, str], str]
    expect: Expect
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    # 1: destructive, run after the others; 2: leaves the workspace, run after those; 3: signs out, run at the very end
    order: int = 0


A = "/assessments/{w.assessment}"
MATRIX: dict[str, list[Case]] = {
    "health.healthz": [Case("GET", lambda w, r: "/healthz", EVERYONE)],
    # the test schema is made by create_all, not migrations, so it is "not current": 503 for everyone
    "health.readyz": [Case("GET", lambda w, r: "/readyz", dict.fromkeys(ROLES, 503))],
    "main.index": [Case("GET", lambda w, r: "/", SIGNED_IN)],
    "main.my_work": [Case("GET", lambda w, r: "/my-work", SIGNED_IN)],
    "auth.setup": [Case("GET", lambda w, r: "/setup", dict.fromkeys(ROLES, 404))],
    "auth.login": [Case("GET", lambda w, r: "/login", EVERYONE)],
    # signing out sends everyone to the sign-in page; tests/test_auth.py checks the session really ends
    "auth.logout": [Case("POST", lambda w, r: "/logout", dict.fromkeys(ROLES, LOGIN), order=3)],
    "auth.password": [Case("GET", lambda w, r: "/account/password", SIGNED_IN)],
    "auth.account": [Case("GET", lambda w, r: "/account", SIGNED_IN)],
    "auth.create_token": [Case("POST", lambda w, r: "/account/tokens", SIGNED_IN, lambda w: {"name": "mine"})],
    "auth.revoke_token": [
        Case("POST", lambda w, r: f"/account/tokens/{w.owner_token_id}/revoke", members(viewer=404, editor=404))
    ],
    "admin.users": [Case("GET", lambda w, r: "/admin/users", ADMINS_ONLY)],
    "admin.create_user": [Case("POST", lambda w, r: "/admin/users", ADMINS_ONLY, lambda w: {"email": "x@example.com"})],
    "admin.disable": [Case("POST", lambda w, r: "/admin/users/1/disable", ADMINS_ONLY)],
    "admin.reset": [Case("POST", lambda w, r: "/admin/users/1/reset", ADMINS_ONLY)],
    "workspaces.index": [Case("GET", lambda w, r: "/workspaces/", SIGNED_IN)],
    "workspaces.create": [Case("POST", lambda w, r: "/workspaces/", SIGNED_IN, lambda w: {"name": "New"})],
    "workspaces.show": [Case("GET", lambda w, r: f"/workspaces/{w.workspace}", members())],
    "workspaces.add_member": [
        Case(
            "POST",
            lambda w, r: f"/workspaces/{w.workspace}/members",
            OWNERS,
            lambda w: {"email": "other@example.com", "role": "viewer"},
        )
    ],
    # members and invitations are named by email in the form, so the page never tells them apart
    "workspaces.change_role": [
        Case(
            "POST",
            lambda w, r: f"/workspaces/{w.workspace}/members/role",
            OWNERS,
            lambda w: {"email": "editor@example.com", "role": "editor"},
        ),
        Case(
            "POST",
            lambda w, r: f"/workspaces/{w.workspace}/members/role",
            members(viewer=403, editor=403, owner=404),  # no such member or invitation here
            lambda w: {"email": "nobody@example.com", "role": "editor"},
        ),
    ],
    "workspaces.remove_member": [
        Case(
            "POST",
            lambda w, r: f"/workspaces/{w.workspace}/members/remove",
            OWNERS,
            lambda w: {"email": "invited@example.com"},
            order=1,
        ),
        Case(
            "POST",
            lambda w, r: f"/workspaces/{w.workspace}/members/remove",
            OWNERS,
            lambda w: {"email": "editor@example.com"},
            order=1,
        ),
    ],
    # any member may leave (the owner here is the last one: refused, sent back to the workspace page)
    "workspaces.leave": [
        Case("GET", lambda w, r: f"/workspaces/{w.workspace}/leave", members()),
        Case("POST", lambda w, r: f"/workspaces/{w.workspace}/leave", members(), order=2),
    ],
    "assessments.new": [Case("GET", lambda w, r: "/assessments/new", SIGNED_IN)],
    "assessments.show": [Case("GET", lambda w, r: A.format(w=w), members())],
    "assessments.revision": [Case("GET", lambda w, r: A.format(w=w) + "/revisions/1", members())],
    "assessments.revisions": [Case("GET", lambda w, r: A.format(w=w) + "/revisions", members())],
    "assessments.compare": [Case("GET", lambda w, r: A.format(w=w) + "/compare?a=1&b=1", members())],
    "assessments.activity": [Case("GET", lambda w, r: A.format(w=w) + "/activity", members())],
    # not done: an editor is told only a done item is tested (a redirect with the reason), a viewer refused first
    "assessments.verify": [
        Case(
            "POST",
            lambda w, r: A.format(w=w) + f"/checklist/{w.item}/verification",
            EDITORS,
            lambda w: {"result": "pass", "procedure": "kubectl auth can-i", "version": "1"},
        )
    ],
    # an editor signs off as assessor, only an owner approves (whatever the service then says: a redirect with it)
    "assessments.sign_off": [
        Case("POST", lambda w, r: A.format(w=w) + "/revisions/1/sign-off", EDITORS, lambda w: {"role": "assessor"}),
        Case("POST", lambda w, r: A.format(w=w) + "/revisions/1/sign-off", OWNERS, lambda w: {"role": "approver"}),
    ],
    "scans.index": [Case("GET", lambda w, r: A.format(w=w) + "/scans", members())],
    # no file: an editor is told to choose one (422), a viewer refused first
    "scans.preview": [Case("POST", lambda w, r: A.format(w=w) + "/scans/preview", EDITORS)],
    "scans.confirm": [Case("POST", lambda w, r: A.format(w=w) + "/scans/import", EDITORS, lambda w: {"pending": "1"})],
    "assessments.reevaluate": [
        Case("GET", lambda w, r: A.format(w=w) + "/reevaluate", members()),
        Case("POST", lambda w, r: A.format(w=w) + "/reevaluate", EDITORS, lambda w: {"base_revision": "1"}),
    ],
    "whatif.panel": [
        Case("GET", lambda w, r: A.format(w=w) + "/what-if", members()),
        Case("POST", lambda w, r: A.format(w=w) + "/what-if", members(), lambda w: {"base_revision": "1"}),
        Case(
            "POST",
            lambda w, r: A.format(w=w) + "/what-if",
            EDITORS,
            lambda w: {"base_revision": "1", "action": "save", "experience": "expert"},
        ),
    ],
    "assessments.details": [
        Case("GET", lambda w, r: A.format(w=w) + "/details", EDITORS),
        Case("POST", lambda w, r: A.format(w=w) + "/details", EDITORS, lambda w: {"title": "T", "version": "0"}),
    ],
    "assessments.set_status": [
        Case(
            "POST",
            lambda w, r: A.format(w=w) + f"/checklist/{w.item}",
            EDITORS,
            lambda w: {"status": "done", "version": "0"},
        )
    ],
    "assessments.bulk_status": [
        Case("POST", lambda w, r: A.format(w=w) + "/checklist", EDITORS, lambda w: {"status": "in_progress"})
    ],
    "assessments.confirm_status": [
        Case(
            "POST",
            lambda w, r: A.format(w=w) + f"/checklist/{w.item}/confirm",
            EDITORS,
            lambda w: {"version": "0"},
        )
    ],
    "assessments.close_removed": [
        Case(
            "POST",
            lambda w, r: A.format(w=w) + f"/checklist/{w.item}/close",
            EDITORS,
            lambda w: {"version": "0"},
        )
    ],
    "assessments.decide_acceptance": [
        Case(
            "POST",
            lambda w, r: A.format(w=w) + f"/checklist/{w.item}/acceptance",
            OWNERS,
            lambda w: {"decision": "reject", "version": "0"},
        )
    ],
    "assessments.add_evidence": [
        Case(
            "POST",
            lambda w, r: A.format(w=w) + f"/checklist/{w.item}/evidence",
            EDITORS,
            lambda w: {"kind": "link", "text": "https://wiki.example.com/review"},
        )
    ],
    "assessments.remove_evidence": [
        Case("POST", lambda w, r: A.format(w=w) + f"/evidence/{w.evidence}/remove", EDITORS, order=1)
    ],
    "assessments.clone": [Case("POST", lambda w, r: A.format(w=w) + "/clone", EDITORS)],
    "assessments.archive": [Case("POST", lambda w, r: A.format(w=w) + "/archive", EDITORS, lambda w: {"version": "0"})],
    "assessments.delete": [
        Case("GET", lambda w, r: A.format(w=w) + "/delete", OWNERS),
        Case("POST", lambda w, r: A.format(w=w) + "/delete", OWNERS, lambda w: {"version": "0"}, order=1),
    ],
    "questionnaire.step": [
        Case("GET", lambda w, r: A.format(w=w) + "/answers/context", EDITORS),
        Case(
            "POST",
            lambda w, r: A.format(w=w) + "/answers/context",
            EDITORS,
            lambda w: {"action": "draft", "version": "0"},
        ),
    ],
    "questionnaire.review": [
        Case("GET", lambda w, r: A.format(w=w) + "/answers/review", EDITORS),
        Case(
            "POST",
            lambda w, r: A.format(w=w) + "/answers/review",
            EDITORS,
            lambda w: {"base_revision": "1", "version": "0"},
        ),
    ],
    "questionnaire.discard": [
        Case("POST", lambda w, r: A.format(w=w) + "/answers/discard", EDITORS, lambda w: {"version": "0"})
    ],
    "share.manage": [
        Case("GET", lambda w, r: A.format(w=w) + "/sharing", EDITORS),
        Case(
            "POST",
            lambda w, r: A.format(w=w) + "/sharing",
            EDITORS,
            lambda w: {"days": "3", "revision": "latest", "label": "x"},
        ),
    ],
    "share.revoke": [Case("POST", lambda w, r: A.format(w=w) + f"/sharing/{w.link}/revoke", EDITORS, order=1)],
    "main.export_schema": [Case("GET", lambda w, r: "/schemas/export.schema.json", EVERYONE)],
    "assessments.export": [
        Case("GET", lambda w, r: A.format(w=w) + "/export?format=json", members()),
        Case(
            "GET",
            lambda w, r: A.format(w=w) + "/export?format=json&revision=7",
            members(viewer=404, editor=404, owner=404),
        ),
    ],
    "assessments.bundle": [
        Case("GET", lambda w, r: A.format(w=w) + "/bundle?team=payments", members()),
        Case("GET", lambda w, r: A.format(w=w) + "/bundle?revision=7", members(viewer=404, editor=404, owner=404)),
    ],
    "share.bundle": [
        Case(
            "GET",
            lambda w, r: f"/share/{w.revoked_token if r == 'revoked_link' else w.live_token}/bundle",
            {**EVERYONE, "revoked_link": 404},
        ),
    ],
    "share.export": [
        Case(
            "GET",
            lambda w, r: f"/share/{w.revoked_token if r == 'revoked_link' else w.live_token}/export?format=csv",
            {**EVERYONE, "revoked_link": 404},
        ),
    ],
    "share.view": [
        Case(
            "GET",
            lambda w, r: f"/share/{w.revoked_token if r == 'revoked_link' else w.live_token}",
            {**EVERYONE, "revoked_link": 404},
        ),
        Case("GET", lambda w, r: "/share/not-a-token", dict.fromkeys(ROLES, 404)),
    ],
    # the API takes tokens, never the browser's session: without one everything is 401 (tests/test_api.py
    # checks the same access rules with each role's token)
    "api.openapi": [Case("GET", lambda w, r: "/api/v1/openapi.json", EVERYONE)],
    "api.evaluate_answers": [Case("POST", lambda w, r: "/api/v1/evaluate", NO_TOKEN)],
    "api.list_assessments": [Case("GET", lambda w, r: "/api/v1/assessments", NO_TOKEN)],
    "api.create_assessment": [Case("POST", lambda w, r: "/api/v1/assessments", NO_TOKEN)],
    "api.get_assessment": [Case("GET", lambda w, r: f"/api/v1/assessments/{w.assessment}", NO_TOKEN)],
    "api.add_revision": [Case("POST", lambda w, r: f"/api/v1/assessments/{w.assessment}/revisions", NO_TOKEN)],
    "api.get_revision": [Case("GET", lambda w, r: f"/api/v1/assessments/{w.assessment}/revisions/1", NO_TOKEN)],
    "api.set_status": [Case("PATCH", lambda w, r: f"/api/v1/assessments/{w.assessment}/checklist/{w.item}", NO_TOKEN)],
    "api.decide_acceptance": [
        Case("POST", lambda w, r: f"/api/v1/assessments/{w.assessment}/checklist/{w.item}/acceptance", NO_TOKEN)
    ],
    "api.close_removed": [
        Case("POST", lambda w, r: f"/api/v1/assessments/{w.assessment}/checklist/{w.item}/close", NO_TOKEN)
    ],
    "api.add_evidence": [
        Case("POST", lambda w, r: f"/api/v1/assessments/{w.assessment}/checklist/{w.item}/evidence", NO_TOKEN)
    ],
    "api.verify": [
        Case("POST", lambda w, r: f"/api/v1/assessments/{w.assessment}/checklist/{w.item}/verification", NO_TOKEN)
    ],
    "api.sign_off": [Case("POST", lambda w, r: f"/api/v1/assessments/{w.assessment}/revisions/1/sign-off", NO_TOKEN)],
    "api.list_scans": [Case("GET", lambda w, r: f"/api/v1/assessments/{w.assessment}/scans", NO_TOKEN)],
    "api.import_scans": [Case("POST", lambda w, r: f"/api/v1/assessments/{w.assessment}/scans", NO_TOKEN)],
    "api.remove_evidence": [
        Case("DELETE", lambda w, r: f"/api/v1/assessments/{w.assessment}/evidence/{w.evidence}", NO_TOKEN)
    ],
    "api.export": [
        Case("GET", lambda w, r: f"/api/v1/assessments/{w.assessment}/export", NO_TOKEN),
        Case("GET", lambda w, r: f"/api/v1/assessments/{w.assessment}/export?format=bundle&team=a", NO_TOKEN),
    ],
}


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == set(MATRIX), (
        f"routes without an access entry: {sorted(endpoints - set(MATRIX))}; "
        f"entries without a route: {sorted(set(MATRIX) - endpoints)}"
    )


def judge(response: Any) -> Any:
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    if response.status_code in (200, 201, 302, 303, 409, 422):
        return OK
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app: Flask, role: str) -> None:
    world = build_world(app)
    client = client_for(app, role)
    token = csrf(client)
    cases = [(endpoint, case) for endpoint, cases in MATRIX.items() for case in cases]
    failures = []
    for endpoint, case in sorted(cases, key=lambda pair: pair[1].order):
        url = case.url(world, role)
        if case.method == "GET":
            response = client.get(url)
        else:
            send = {"POST": client.post, "PATCH": client.patch, "DELETE": client.delete}[case.method]
            response = send(url, data={"csrf_token": token, **case.data(world)})
        got, wanted = judge(response), case.expect[role]
        if got != wanted:
            failures.append(
                f"{case.method} {url} ({endpoint}) as {role}: {response.status_code} → {got}, wanted {wanted}"
            )
        if got == 404 and response.status_code == 404:
            body = response.get_data(as_text=True)
            assert "Team plan" not in body, "a refusal never shows the object"
    assert failures == [], "\n".join(failures)


def test_administrator_manages_accounts_not_assessments(app: Flask) -> None:
    world = build_world(app)
    admin = client_for(app, "anonymous")
    sign_in(admin, "admin@example.com")
    assert admin.get("/admin/users").status_code == 200
    assert admin.get(f"/assessments/{world.assessment}").status_code == 404
    assert admin.get(f"/workspaces/{world.workspace}").status_code == 404


def test_dashboard_lists_only_the_users_workspaces(app: Flask) -> None:
    build_world(app)
    assert "Team plan" in client_for(app, "viewer").get("/").get_data(as_text=True)
    assert "Team plan" not in client_for(app, "other").get("/").get_data(as_text=True)


def test_removing_a_member_removes_access(app: Flask) -> None:
    world = build_world(app)
    viewer = client_for(app, "viewer")
    assert viewer.get(f"/assessments/{world.assessment}").status_code == 200
    with app.app_context():
        team = db.session.get(Workspace, world.workspace)
        membership = db.session.get(Membership, world.viewer_membership)
        workspaces.remove_member(db.session, team, membership, None)
        db.session.commit()
    assert viewer.get(f"/assessments/{world.assessment}").status_code == 404
