"""Governed risk acceptance (issue 15): a justification and an end date, approved by another owner, expiring by
itself; on the report, through the API and in every export."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advisor.extensions import db
from advisor.models import Assessment, AuditEvent, ChecklistStatus, Revision
from advisor.report import summary
from advisor.services import accounts
from advisor.services import assessments as svc
from tests.conftest import make_user, sign_in
from tests.web import csrf_token, html, team_assessment

TODAY = dt.date(2026, 12, 2)


@dataclass
class Team:
    assessment: int
    item: str


@pytest.fixture
def team(app: Flask) -> Team:
    """A workspace with two owners (alice, bob), an editor (erin) and one assessment with a revision."""
    assessment_id, items = team_assessment(app, {"bob@example.com": "owner", "erin@example.com": "editor"})
    return Team(assessment_id, items[0])


def accept(
    app: Flask,
    team: Team,
    actor: str,
    *,
    version: int = 0,
    justification: str | None = "Compensating WAF rule until the vendor fix in Q3.",
    expires: dt.date | None = dt.date(2027, 3, 31),
    status: str = "accepted_risk",
    owner: str = "",
) -> ChecklistStatus:
    with app.app_context():
        assessment = db.session.get(Assessment, team.assessment)
        assert assessment is not None
        row = svc.set_status(
            db.session,
            assessment,
            team.item,
            status,
            "",
            owner,
            version,
            actor,
            justification=justification,
            expires=expires,
            on=TODAY,
        )
        db.session.commit()
        db.session.refresh(row)
        db.session.expunge(row)
        return row


def decide(app: Flask, team: Team, actor: str, approve: bool, version: int) -> ChecklistStatus:
    with app.app_context():
        assessment = db.session.get(Assessment, team.assessment)
        assert assessment is not None
        row = svc.decide_acceptance(db.session, assessment, team.item, approve, version, actor, "checked", TODAY)
        db.session.commit()
        db.session.refresh(row)
        db.session.expunge(row)
        return row


@pytest.mark.parametrize(
    ("justification", "expires", "field", "message"),
    [
        (None, dt.date(2027, 3, 31), "justification", "a justification is needed"),
        ("  ", dt.date(2027, 3, 31), "justification", "a justification is needed"),
        ("Why", None, "expires", "give the date the acceptance ends"),
        ("Why", TODAY, "expires", "after today and at most 12 months ahead, by 2027-12-02 (it was 2026-12-02)"),
        ("Why", dt.date(2027, 12, 3), "expires", "by 2027-12-02 (it was 2027-12-03)"),
    ],
)
def test_an_acceptance_needs_a_justification_and_an_end_within_twelve_months(
    app: Flask, team: Team, justification: str | None, expires: dt.date | None, field: str, message: str
) -> None:
    with pytest.raises(svc.AcceptanceRefused) as refused:
        accept(app, team, "alice@example.com", justification=justification, expires=expires)
    assert refused.value.field == field
    assert message in str(refused.value)
    row = accept(app, team, "alice@example.com", expires=dt.date(2027, 12, 2))  # the last day allowed
    assert summary.acceptance_state(row, TODAY) == "requested"


def test_the_last_day_is_the_same_day_twelve_months_on() -> None:
    assert summary.latest_expiry(dt.date(2026, 12, 2)) == dt.date(2027, 12, 2)
    assert summary.latest_expiry(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    assert summary.latest_expiry(dt.date(2026, 1, 31)) == dt.date(2027, 1, 31)


def test_four_eyes_the_requester_cannot_approve_another_owner_can(app: Flask, team: Team) -> None:
    row = accept(app, team, "alice@example.com")
    assert (row.acceptance_requested_by, row.acceptance_approved_by) == ("alice@example.com", None)
    assert summary.still_open(row, TODAY), "requested: still open"
    with pytest.raises(svc.AcceptanceRefused, match="another owner of the workspace must approve it"):
        decide(app, team, "alice@example.com", True, row.version)
    approved = decide(app, team, "bob@example.com", True, row.version)
    assert approved.acceptance_approved_by == "bob@example.com"
    assert summary.acceptance_state(approved, TODAY) == "approved"
    assert not summary.still_open(approved, TODAY), "approved: nobody has to act before it ends"
    assert not summary.finished(approved), "but it is not progress"
    with pytest.raises(svc.AcceptanceRefused, match="only a requested acceptance"):
        decide(app, team, "bob@example.com", True, approved.version)

    # a new owner keeps the approval; a new end date is a new request
    kept = accept(app, team, "erin@example.com", version=approved.version, justification=None, expires=None, owner="E")
    assert kept.acceptance_approved_by == "bob@example.com"
    again = accept(app, team, "erin@example.com", version=kept.version, expires=dt.date(2027, 6, 30))
    assert (again.acceptance_requested_by, again.acceptance_approved_by) == ("erin@example.com", None)

    rejected = decide(app, team, "alice@example.com", False, again.version)
    assert (rejected.status, rejected.acceptance_justification, rejected.acceptance_expires) == ("todo", None, None)
    with app.app_context():
        actions = [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]
    assert [a for a in actions if a.startswith("acceptance_")] == [
        "acceptance_requested",
        "acceptance_approved",
        "acceptance_requested",
        "acceptance_rejected",
    ]


def test_an_expired_acceptance_reopens_by_itself(app: Flask, team: Team) -> None:
    row = decide(app, team, "bob@example.com", True, accept(app, team, "alice@example.com").version)
    last = dt.date(2027, 3, 31)
    assert summary.acceptance_state(row, last) == "approved"
    day_after = last + dt.timedelta(days=1)
    assert summary.acceptance_state(row, day_after) == "expired"
    assert summary.still_open(row, day_after)
    with app.app_context():
        assessment = db.session.get(Assessment, team.assessment)
        assert assessment is not None
        result = assessment.revisions[-1].result
        statuses = summary.statuses_by_item(list(assessment.statuses))
        before = summary.counts(result, statuses, last)
        after = summary.counts(result, statuses, day_after)
    assert (before["acceptances"]["approved"], after["acceptances"]["expired"]) == (1, 1)
    open_before = sum(n for _, _, n in before["by_priority"])
    assert sum(n for _, _, n in after["by_priority"]) == open_before + 1


def ends_in(app: Flask, row: ChecklistStatus, days: int) -> None:
    """Move an acceptance's end date, straight in the database (the service refuses a past one)."""
    with app.app_context():
        db.session.execute(
            db.update(ChecklistStatus)
            .where(ChecklistStatus.id == row.id)
            .values(acceptance_expires=summary.today() + dt.timedelta(days=days))
        )
        db.session.commit()


def sign_in_as(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, email)
    return client


def test_on_the_report_the_owner_who_asked_can_only_withdraw_and_another_approves(app: Flask, team: Team) -> None:
    alice = sign_in_as(app, "alice@example.com")
    url = f"/assessments/{team.assessment}"
    page = html(alice.get(url))
    saved = alice.post(
        f"{url}/checklist/{team.item}",
        data={
            "csrf_token": csrf_token(page),
            "status": "accepted_risk",
            "version": "0",
            "justification": "Compensating WAF rule <until Q3>",
            "expires": (summary.today() + dt.timedelta(days=90)).isoformat(),
        },
        headers={"Accept": "application/json"},
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["status_label"] == "Acceptance requested"
    assert saved.get_json()["open"] is True
    page = html(alice.get(url))
    block = page.split(f'data-acceptance-of="{team.item}"')[1].split("</div>")[0]
    assert "Acceptance requested" in block
    assert "Compensating WAF rule &lt;until Q3&gt;" in block
    assert "Withdraw" in block
    assert "Approve the acceptance" not in block, "not offered to the owner who asked"

    erin = sign_in_as(app, "erin@example.com")  # an editor: may ask, may not decide
    assert "Approve the acceptance" not in html(erin.get(url))
    refused = erin.post(
        f"{url}/checklist/{team.item}/acceptance",
        data={"csrf_token": csrf_token(html(erin.get(url))), "decision": "approve", "version": "1"},
    )
    assert refused.status_code == 403

    bob = sign_in_as(app, "bob@example.com")
    page = html(bob.get(url))
    assert "Approve the acceptance" in page
    done = bob.post(
        f"{url}/checklist/{team.item}/acceptance",
        data={"csrf_token": csrf_token(page), "decision": "approve", "version": "1"},
    )
    assert done.status_code == 303
    page = html(bob.get(done.headers["Location"]))
    assert "Acceptance approved." in page
    assert re.search(r"Risk accepted</strong> until \d{4}-\d\d-\d\d, approved by bob@example.com", page)


def test_the_api_asks_and_decides_with_the_same_rules(app: Flask, team: Team) -> None:
    with app.app_context():
        tokens = {}
        for email in ("alice@example.com", "bob@example.com"):
            user = accounts.find_user(db.session, email)
            assert user is not None
            tokens[email], _ = accounts.create_api_token(db.session, user, "ci")
        db.session.commit()
    client = app.test_client()

    def call(method: str, path: str, who: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
        response = client.open(
            f"/api/v1/assessments/{team.assessment}/checklist/{team.item}{path}",
            method=method,
            json=body,
            headers={"Authorization": f"Bearer {tokens[who]}"},
        )
        return response.status_code, response.get_json()

    status, body = call("PATCH", "", "alice@example.com", {"status": "accepted_risk", "base_version": 0})
    assert (status, body["errors"][0]["key"]) == (400, "justification")
    later = (summary.today() + dt.timedelta(days=400)).isoformat()
    status, body = call(
        "PATCH",
        "",
        "alice@example.com",
        {"status": "accepted_risk", "base_version": 0, "justification": "x", "expires_on": later},
    )
    assert (status, body["errors"][0]["key"]) == (400, "expires_on")
    soon = (summary.today() + dt.timedelta(days=30)).isoformat()
    status, body = call(
        "PATCH",
        "",
        "alice@example.com",
        {"status": "accepted_risk", "base_version": 0, "justification": "x", "expires_on": soon},
    )
    assert status == 200
    assert body["acceptance"]["state"] == "requested"
    status, body = call("POST", "/acceptance", "alice@example.com", {"decision": "approve", "base_version": 1})
    assert (status, body["errors"][0]["key"]) == (400, "decision")
    status, body = call("POST", "/acceptance", "bob@example.com", {"decision": "approve", "base_version": 1})
    assert status == 200
    assert body["acceptance"]["state"] == "approved"
    assert body["acceptance"]["approved_by"] == "bob@example.com"
    assert body["acceptance"]["expires_on"] == soon


def test_bulk_update_does_not_accept_risks(app: Flask, team: Team) -> None:
    alice = sign_in_as(app, "alice@example.com")
    url = f"/assessments/{team.assessment}"
    response = alice.post(
        f"{url}/checklist",
        data={"csrf_token": csrf_token(html(alice.get(url))), "status": "accepted_risk", "items": f"{team.item}:0"},
    )
    assert "a risk is accepted item by item" in html(alice.get(response.headers["Location"]))
    with app.app_context():
        assert db.session.scalar(db.select(ChecklistStatus)) is None


def test_the_dashboard_counts_acceptances_to_approve_and_expired(app: Flask, team: Team) -> None:
    row = accept(app, team, "alice@example.com")
    bob = sign_in_as(app, "bob@example.com")
    page = html(bob.get("/"))
    assert "1 acceptance to approve" in page
    assert "expired</span>" not in page
    approved = decide(app, team, "bob@example.com", True, row.version)
    ends_in(app, approved, days=-1)  # the end date passed
    page = html(bob.get("/"))
    assert "1 acceptance expired" in page
    assert "to approve" not in page
    report = html(bob.get(f"/assessments/{team.assessment}"))
    block = report.split(f'data-acceptance-of="{team.item}"')[1].split("</div>")[0]
    assert "Acceptance expired</strong> on" in block
    assert "the item is open again" in block


def test_my_work_lists_what_waits_for_each_person(app: Flask, team: Team) -> None:
    row = accept(app, team, "alice@example.com")
    bob, alice, erin = (sign_in_as(app, f"{n}@example.com") for n in ("bob", "alice", "erin"))
    page = html(bob.get("/my-work"))
    assert "Risk acceptances to approve (1)" in page
    assert f"#item-{team.item}" in page
    assert "asked by alice@example.com" in page
    assert "Risk acceptances to approve" not in html(alice.get("/my-work")), "not the one who asked"
    assert "Risk acceptances to approve" not in html(erin.get("/my-work")), "not an editor"
    approved = decide(app, team, "bob@example.com", True, row.version)
    ends_in(app, approved, days=10)
    assert "Acceptances ending within 30 days (1)" in html(erin.get("/my-work"))
    ends_in(app, approved, days=-1)
    with app.app_context():
        db.session.execute(db.update(Revision).values(knowledge_base_version="2020.1.0"))
        db.session.commit()
    page = html(erin.get("/my-work"))
    assert "Expired acceptances (1)" in page
    assert "Evaluated with an older knowledge base (1)" in page
    assert f"/assessments/{team.assessment}/reevaluate" in page
    make_user(app, "other@example.com")
    assert "Nothing waits for you" in html(sign_in_as(app, "other@example.com").get("/my-work"))


def test_my_work_lists_my_overdue_and_due_soon_items(app: Flask, team: Team) -> None:
    with app.app_context():
        assessment = db.session.get(Assessment, team.assessment)
        assert assessment is not None
        items = [i["id"] for i in assessment.revisions[-1].result["checklist"]]
        today = summary.today()
        for item_id, owner, status, due in (
            (items[0], "erin@example.com", "todo", today - dt.timedelta(days=3)),  # overdue
            (items[1], "ERIN@example.com", "in_progress", today + dt.timedelta(days=5)),  # due soon, any case
            (items[2], "erin@example.com", "done", today - dt.timedelta(days=3)),  # done: not overdue
            (items[3], "bob@example.com", "todo", today - dt.timedelta(days=3)),  # someone else's
            (items[4], "erin@example.com", "todo", today + dt.timedelta(days=40)),  # not soon
        ):
            svc.set_status(db.session, assessment, item_id, status, "", owner, 0, "erin@example.com", due_on=due)
        db.session.commit()
    page = html(sign_in_as(app, "erin@example.com").get("/my-work"))
    overdue = page.split('id="overdue-heading"')[1].split("</section>")[0]
    soon = page.split('id="due-soon-heading"')[1].split("</section>")[0]
    assert "Overdue items you own (1)" in overdue
    assert f"#item-{items[0]}" in overdue
    assert "Items you own due within 14 days (1)" in soon
    assert f"#item-{items[1]}" in soon
    for other in items[2:5]:
        assert f"#item-{other}" not in page
