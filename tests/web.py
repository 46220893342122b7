"""Helpers for driving the web app through Flask's test client, CSRF tokens included."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from advisor.extensions import db
from advisor.models import Revision, User
from advisor.services import assessments as svc
from advisor.services import workspaces
from tests.conftest import make_user
from tests.helpers import BASE_ANSWERS

STEP_ANSWERS: dict[str, dict[str, Any]] = {
    "context": {"experience": "novice", "automation": "partial", "sensitivity": "moderate", "compliance": ["gdpr"]},
    "hosting": {"infrastructure": "public_cloud", "air_gapped": "false"},
    "clusters": {"tenancy": "multi_team", "environments": ["dev", "prod"]},
    "namespaces": {"applications": "5"},
    "mesh": {"services": "12", "zero_trust": "false", "exposure": "internal"},
    "tools": {"external_tools": ["siem"]},
    "priorities": {
        f"priorities__{c}": "3" for c in ("isolation", "attack_surface", "visibility", "control", "simplicity", "cost")
    },
}

# with these, hosting and the service mesh are close calls (margins of 1.7 and 0 points)
CLOSE_CALLS: dict[str, dict[str, Any]] = {"context": {"experience": "intermediate"}}


def item_block(page: str, item_id: str) -> str:
    """The markup of one checklist item on a report page."""
    return page.split(f'id="item-{item_id}"')[1].split("</article>")[0]


def first_item(app: Flask, assessment_id: int) -> dict[str, Any]:
    """The first checklist item of the assessment's first revision."""
    with app.app_context():
        revision = db.session.execute(
            db.select(Revision).where(Revision.assessment_id == assessment_id, Revision.number == 1)
        ).scalar_one()
        item: dict[str, Any] = revision.result["checklist"][0]
        return item


def html(response: Any) -> str:
    text: str = response.get_data(as_text=True)
    return text


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', page
    )
    assert found, "the page carries a CSRF token"
    return found.group(1)


def version_on(page: str) -> str:
    found = re.search(r'name="version" type="hidden" value="(-?\d*)"', page) or re.search(
        r'type="hidden" name="version" value="(-?\d*)"', page
    )
    assert found, "the page carries the version it was built from"
    return found.group(1)


def form_post(client: FlaskClient, url: str, data: dict[str, Any], page_url: str | None = None, **kw: Any) -> Any:
    """GET the page (for its CSRF token and version), then POST the form as a browser would."""
    page = html(client.get(page_url or url))
    payload = {"csrf_token": csrf_token(page), **data}
    if "version" not in data and 'name="version"' in page:
        payload["version"] = version_on(page)
    return client.post(url, data=payload, **kw)


def first_workspace(page: str) -> str:
    found = re.search(r'<select id="workspace" name="workspace">\s*<option (?:selected )?value="(\d+)"', page)
    assert found, "the new-assessment form offers a workspace"
    return found.group(1)


def create_assessment(
    client: FlaskClient, title: str = "Shop platform", description: str = "", workspace: str | None = None
) -> int:
    page = html(client.get("/assessments/new"))
    response = client.post(
        "/assessments/new",
        data={
            "csrf_token": csrf_token(page),
            "title": title,
            "description": description,
            "workspace": workspace or first_workspace(page),
            "version": "",
        },
    )
    assert response.status_code == 302, html(response)
    found = re.search(r"/assessments/(\d+)/answers/context", response.headers["Location"])
    assert found
    return int(found.group(1))


def answer_all_steps(
    client: FlaskClient, assessment_id: int, overrides: dict[str, dict[str, Any]] | None = None
) -> None:
    for step, answers in STEP_ANSWERS.items():
        data = {**answers, **(overrides or {}).get(step, {}), "action": "next"}
        response = form_post(client, f"/assessments/{assessment_id}/answers/{step}", data)
        assert response.status_code == 302, (step, html(response))


def save_revision(client: FlaskClient, assessment_id: int, label: str = "") -> Any:
    url = f"/assessments/{assessment_id}/answers/review"
    page = html(client.get(url))
    base = re.search(r'name="base_revision" type="hidden" value="(\d+)"', page)
    assert base
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "version": version_on(page),
            "base_revision": base.group(1),
            "label": label,
        },
    )


def new_assessment_with_revision(
    client: FlaskClient,
    title: str = "Shop platform",
    label: str = "",
    overrides: dict[str, dict[str, Any]] | None = None,
) -> int:
    assessment_id = create_assessment(client, title)
    answer_all_steps(client, assessment_id, overrides)
    response = save_revision(client, assessment_id, label)
    assert response.status_code == 302, html(response)
    return assessment_id


def team_assessment(app: Flask, members: dict[str, str]) -> tuple[int, list[str]]:
    """A workspace "Payments" owned by alice@example.com, with ``members`` (email → role), each given an account,
    and one assessment with a revision: its id and its checklist's item ids."""
    for email in ("alice@example.com", *members):
        make_user(app, email)
    with app.app_context():
        alice = db.session.scalar(db.select(User).where(User.email == "alice@example.com"))
        assert alice is not None
        space = workspaces.create_workspace(db.session, "Payments", alice)
        for email, role in members.items():
            workspaces.add_member(db.session, space, email, role, None)
        assessment = svc.create_assessment(db.session, space.id, "Payments", "", "alice@example.com")
        revision = svc.save_revision(
            db.session, assessment, BASE_ANSWERS, 0, None, "alice@example.com", app.extensions["advisor.kb"]
        )
        db.session.commit()
        return assessment.id, [i["id"] for i in revision.result["checklist"]]
