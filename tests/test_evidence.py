"""Due dates and evidence per checklist item (issue 15): the service's rules, the report's forms and who may use
them, the share page, the API, and every export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from advisor.exports import FORMATS, json_export
from advisor.extensions import db
from advisor.models import SCAN_RESULTS, Assessment, AuditEvent, ChecklistStatus, Evidence, limits
from advisor.report import summary
from advisor.scanners import _model as scanner_model
from advisor.services import accounts, sharing
from advisor.services import assessments as svc
from advisor.services import evidence as proof
from advisor.services.exports import build_document
from tests.conftest import make_user, sign_in
from tests.web import csrf_token, html, item_block, team_assessment

TODAY = dt.date(2026, 12, 2)


@dataclass
class Team:
    assessment: int
    items: list[str]

    @property
    def item(self) -> str:
        return self.items[0]


@pytest.fixture
def team(app: Flask) -> Team:
    """A workspace with an owner (alice), an editor (erin) and a viewer (vic), and one assessment with a revision."""
    return Team(*team_assessment(app, {"erin@example.com": "editor", "vic@example.com": "viewer"}))


@contextmanager
def assessment_of(app: Flask, team: Team) -> Iterator[Assessment]:
    with app.app_context():
        assessment = db.session.get(Assessment, team.assessment)
        assert assessment is not None
        yield assessment


def add(app: Flask, team: Team, kind: str, text: str, item: str | None = None, actor: str = "erin@example.com") -> int:
    with assessment_of(app, team) as assessment:
        entry = proof.add_evidence(db.session, assessment, item or team.item, kind, text, actor)
        db.session.commit()
        return entry.id


def refused(app: Flask, team: Team, kind: str, text: str) -> proof.EvidenceRefused:
    with assessment_of(app, team) as assessment, pytest.raises(proof.EvidenceRefused) as caught:
        proof.add_evidence(db.session, assessment, team.item, kind, text, "erin@example.com")
    return caught.value


def events(app: Flask, action: str) -> list[dict[str, Any]]:
    with app.app_context():
        found = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        return [dict(e.detail) for e in found]


# --- the service's rules ---------------------------------------------------------------------------------


def test_links_and_texts_are_added_and_logged(app: Flask, team: Team) -> None:
    link = add(app, team, "link", "  https://wiki.example.com/psa?x=1&y=2#review  ")
    text = add(app, team, "text", "Checked in the design review on 2 December.")
    with app.app_context():
        entries = db.session.scalars(db.select(Evidence).order_by(Evidence.id)).all()
        assert [(e.id, e.kind, e.text, e.added_by) for e in entries] == [
            (link, "link", "https://wiki.example.com/psa?x=1&y=2#review", "erin@example.com"),
            (text, "text", "Checked in the design review on 2 December.", "erin@example.com"),
        ]
        assert all(e.added_at is not None and e.tool is None and e.result is None for e in entries)
    assert events(app, "evidence_added") == [
        {"item": team.item, "kind": "link", "text": "https://wiki.example.com/psa?x=1&y=2#review"},
        {"item": team.item, "kind": "text", "text": "Checked in the design review on 2 December."},
    ]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "ftp://files.example.com/evidence.pdf",
        "file:///etc/passwd",
        "//example.com/no-scheme",
        "wiki.example.com/page",
        "https://",
        "https:///path-without-host",
        "https://example.com/a b",
        'https://example.com/"onmouseover="alert(1)',
        "https://example.com/<script>",
        "https://example.com/\u0000",
        "https://[::1/broken",
    ],
)
def test_only_http_and_https_links_with_a_host_are_kept(app: Flask, team: Team, url: str) -> None:
    assert refused(app, team, "link", url).field == "text"
    with app.app_context():
        assert db.session.scalar(db.select(sa.func.count()).select_from(Evidence)) == 0


def test_kinds_texts_and_limits(app: Flask, team: Team) -> None:
    assert refused(app, team, "photo", "x").field == "kind"
    assert refused(app, team, "scan", "a scan needs its tool, check and result").field == "kind"
    assert refused(app, team, "text", "   ").field == "text"
    assert refused(app, team, "text", "x" * (limits.EVIDENCE_TEXT + 1)).field == "text"
    long_link = "https://example.com/" + "a" * (limits.EVIDENCE_LINK - len("https://example.com/"))
    assert refused(app, team, "link", long_link + "a").field == "text"
    add(app, team, "link", long_link)
    add(app, team, "text", "x" * limits.EVIDENCE_TEXT)
    for n in range(limits.EVIDENCE_PER_ITEM - 2):
        add(app, team, "text", f"entry {n}")
    message = str(refused(app, team, "text", "one too many"))
    assert f"at most {limits.EVIDENCE_PER_ITEM}" in message
    add(app, team, "text", "another item has room", item=team.items[1])


def test_a_scan_result_keeps_where_it_came_from(app: Flask, team: Team) -> None:
    assert set(SCAN_RESULTS) == set(typing.get_args(scanner_model.Result)), "the scanners' vocabulary"
    scanned = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    fields = proof.ScanFields("kube-bench", "5.2.2", "fail", "cis-1.9", "prod-eu", scanned, None)
    with assessment_of(app, team) as assessment:
        entry = proof.add_evidence(
            db.session, assessment, team.item, "scan", "2 pods run privileged", None, scan=fields
        )
        db.session.commit()
        assert (entry.tool, entry.benchmark, entry.check, entry.result, entry.cluster) == (
            "kube-bench",
            "cis-1.9",
            "5.2.2",
            "fail",
            "prod-eu",
        )
        with pytest.raises(proof.EvidenceRefused):
            proof.add_evidence(db.session, assessment, team.item, "text", "x", None, scan=fields)


def test_removal_is_logged_with_what_was_removed(app: Flask, team: Team) -> None:
    entry = add(app, team, "link", "https://wiki.example.com/psa")
    with assessment_of(app, team) as assessment:
        proof.remove_evidence(db.session, assessment, entry, "alice@example.com")
        db.session.commit()
        with pytest.raises(LookupError):
            proof.remove_evidence(db.session, assessment, entry, "alice@example.com")
        assert db.session.scalar(db.select(sa.func.count()).select_from(Evidence)) == 0
    (removed,) = events(app, "evidence_removed")
    assert removed["item"] == team.item
    assert (removed["kind"], removed["text"], removed["added_by"]) == (
        "link",
        "https://wiki.example.com/psa",
        "erin@example.com",
    )
    assert dt.datetime.fromisoformat(removed["added_at"]).tzinfo is not None


def test_another_assessments_evidence_cannot_be_removed(app: Flask, team: Team) -> None:
    entry = add(app, team, "text", "ours")
    with app.app_context():
        workspace = db.session.get(Assessment, team.assessment)
        assert workspace is not None
        other = svc.create_assessment(db.session, workspace.workspace_id, "Other", "", None)
        with pytest.raises(LookupError):
            proof.remove_evidence(db.session, other, entry, None)


def set_due(app: Flask, team: Team, due: dt.date | svc.Keep | None, status: str = "todo", version: int = 0) -> None:
    with assessment_of(app, team) as assessment:
        svc.set_status(db.session, assessment, team.item, status, "", "", version, "erin@example.com", due_on=due)
        db.session.commit()


def row_of(app: Flask, team: Team) -> ChecklistStatus:
    with app.app_context():
        row = db.session.scalar(db.select(ChecklistStatus).where(ChecklistStatus.item_id == team.item))
        assert row is not None
        db.session.expunge(row)
        return row


def test_due_dates_are_set_kept_cleared_and_logged(app: Flask, team: Team) -> None:
    set_due(app, team, dt.date(2026, 11, 30))
    assert row_of(app, team).due_on == dt.date(2026, 11, 30)
    set_due(app, team, svc.KEEP, status="in_progress", version=1)
    assert row_of(app, team).due_on == dt.date(2026, 11, 30), "a change that does not name it keeps it"
    with assessment_of(app, team) as assessment:  # a change to several items keeps each one's due date
        svc.set_statuses(db.session, assessment, {team.item: 2}, "erin@example.com", owner="ops")
        db.session.commit()
    assert row_of(app, team).due_on == dt.date(2026, 11, 30)
    set_due(app, team, None, status="in_progress", version=3)
    assert row_of(app, team).due_on is None
    assert [e.get("due_on") for e in events(app, "status_changed")] == ["2026-11-30", None, None, "cleared"]


def test_overdue_is_past_the_due_date_and_still_open(app: Flask, team: Team) -> None:
    set_due(app, team, dt.date(2026, 12, 1))
    row = row_of(app, team)
    assert not summary.overdue(row, dt.date(2026, 12, 1)), "due today is not overdue yet"
    assert summary.due_label(row, dt.date(2026, 12, 1)) == "Due 2026-12-01"
    assert summary.overdue(row, TODAY)
    assert summary.due_label(row, TODAY) == "Overdue since 2026-12-01"
    wanted = summary.ChecklistFilter(status=summary.OVERDUE)
    item = {"id": team.item, "priority": "high", "topic": "rbac"}
    assert wanted.matches(item, row, TODAY)
    assert not wanted.matches(item, None, TODAY)
    set_due(app, team, svc.KEEP, status="done", version=1)
    done = row_of(app, team)
    assert not summary.overdue(done, TODAY), "a finished item is never overdue"
    assert summary.due_label(done, TODAY) == "Due 2026-12-01"
    assert not wanted.matches(item, done, TODAY)
    assert summary.due_label(None, TODAY) is None


def test_clone_copies_due_dates_and_evidence(app: Flask, team: Team) -> None:
    set_due(app, team, dt.date(2027, 1, 31))
    add(app, team, "link", "https://wiki.example.com/psa")
    add(app, team, "text", "Reviewed", actor="alice@example.com")
    with assessment_of(app, team) as assessment:
        copy = svc.clone(db.session, assessment, "vic@example.com", app.extensions["advisor.kb"])
        db.session.commit()
        copied = db.session.scalars(db.select(Evidence).where(Evidence.assessment_id == copy.id)).all()
        assert [(e.item_id, e.kind, e.text, e.added_by) for e in copied] == [
            (team.item, "link", "https://wiki.example.com/psa", "erin@example.com"),
            (team.item, "text", "Reviewed", "alice@example.com"),
        ], "who added each entry is kept"
        assert [s.due_on for s in copy.statuses] == [dt.date(2027, 1, 31)]
    assert events(app, "cloned_from")[0]["evidence_copied"] == 2


# --- the report's forms ----------------------------------------------------------------------------------


def client_of(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, email)
    return client


def report(client: FlaskClient, team: Team, query: str = "") -> str:
    return html(client.get(f"/assessments/{team.assessment}{query}"))


def test_editors_add_and_remove_evidence_on_the_report(app: Flask, team: Team) -> None:
    erin = client_of(app, "erin@example.com")
    page = report(erin, team)
    block = item_block(page, team.item)
    assert f'action="/assessments/{team.assessment}/checklist/{team.item}/evidence"' in block
    assert f'<label for="evidence-text-{team.item}">' in block
    assert f'<label for="evidence-kind-{team.item}">' in block
    url = f"/assessments/{team.assessment}/checklist/{team.item}/evidence"
    token = csrf_token(page)
    hostile = "https://wiki.example.com/x?a=<b>&c='d'"
    for kind, text in (("link", "https://wiki.example.com/psa?a=1&b=2"), ("text", "<script>alert(1)</script>")):
        added = erin.post(url, data={"csrf_token": token, "kind": kind, "text": text, "next": "/evil.example.com"})
        assert added.status_code == 302
        assert added.headers["Location"].endswith(f"/assessments/{team.assessment}#item-{team.item}")
    wrong = erin.post(url, data={"csrf_token": token, "kind": "link", "text": "javascript:alert(1)"})
    assert wrong.status_code == 302
    assert erin.post(url, data={"csrf_token": token, "kind": "link", "text": hostile}).status_code == 302
    assert erin.post(url, data={"kind": "text", "text": "no token"}).status_code == 400
    block = item_block(report(erin, team), team.item)
    assert '<a href="https://wiki.example.com/psa?a=1&amp;b=2" rel="noopener noreferrer">' in block
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in block
    assert "<script>" not in block
    assert "javascript:" not in block, "a refused link is not stored"
    assert "<b>" not in block
    assert "Evidence</strong> (2)" in block
    assert "erin@example.com" in block
    removes = re.findall(r'action="(/assessments/\d+/evidence/\d+/remove)"', block)
    assert len(removes) == 2
    gone = erin.post(removes[0], data={"csrf_token": token, "next": f"/assessments/{team.assessment}"})
    assert gone.status_code == 303
    assert gone.headers["Location"].endswith(f"#item-{team.item}")
    block = item_block(report(erin, team), team.item)
    assert "wiki.example.com/psa" not in block, "the page shows the change: the cached body is not stale"
    assert "Evidence</strong> (1)" in block
    assert erin.post(removes[0], data={"csrf_token": token}).status_code == 404
    (removed,) = events(app, "evidence_removed")
    assert removed["text"] == "https://wiki.example.com/psa?a=1&b=2"


def test_a_refused_link_says_why_and_keeps_what_was_typed(app: Flask, team: Team) -> None:
    erin = client_of(app, "erin@example.com")
    token = csrf_token(report(erin, team))
    url = f"/assessments/{team.assessment}/checklist/{team.item}/evidence"
    erin.post(url, data={"csrf_token": token, "kind": "link", "text": "ftp://files.example.com/report.pdf"})
    page = report(erin, team)
    assert "Evidence not added: only http and https links are kept" in page
    assert "You typed: “ftp://files.example.com/report.pdf”" in page
    erin.post(url, data={"csrf_token": token, "kind": "link", "text": "https://example.com/{x}"})
    assert "You typed: “https://example.com/{x}”" in report(erin, team)
    assert erin.post(url, data={"csrf_token": token, "kind": "scan", "text": "x"}).status_code == 303, "not a kind"
    assert erin.post(url.replace(team.item, "no-such-item"), data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(sa.func.count()).select_from(Evidence)) == 0


def test_viewers_see_evidence_and_due_dates_without_forms(app: Flask, team: Team) -> None:
    entry = add(app, team, "link", "https://wiki.example.com/psa")
    set_due(app, team, dt.date(2020, 1, 31))
    vic = client_of(app, "vic@example.com")
    page = report(vic, team)
    block = item_block(page, team.item)
    assert 'href="https://wiki.example.com/psa" rel="noopener noreferrer"' in block
    assert "Overdue since 2020-01-31" in block
    assert "/evidence" not in block.replace("evidence-", ""), "no add or remove forms"
    token = csrf_token(html(vic.get("/account")))
    url = f"/assessments/{team.assessment}/checklist/{team.item}/evidence"
    assert vic.post(url, data={"csrf_token": token, "kind": "text", "text": "x"}).status_code == 403
    remove = f"/assessments/{team.assessment}/evidence/{entry}/remove"
    assert vic.post(remove, data={"csrf_token": token}).status_code == 403
    outsider = make_user(app, "olga@example.com")
    assert outsider
    olga = client_of(app, "olga@example.com")
    assert olga.post(url, data={"csrf_token": csrf_token(html(olga.get("/account"))), "text": "x"}).status_code == 404


def test_the_share_page_shows_evidence_without_forms(app: Flask, team: Team) -> None:
    add(app, team, "link", "https://wiki.example.com/psa")
    add(app, team, "text", "Reviewed <b>twice</b>")
    set_due(app, team, dt.date(2020, 1, 31))
    with assessment_of(app, team) as assessment:
        scan = proof.ScanFields("kube-bench", "5.2.2", "not_evaluated", "cis-1.9", "prod-eu")
        proof.add_evidence(db.session, assessment, team.item, "scan", "needs a node", None, scan=scan)
        raw, _ = sharing.create_link(db.session, assessment, 7, None, "auditor", "alice@example.com")
        db.session.commit()
    page = html(app.test_client().get(f"/share/{raw}"))
    block = item_block(page, team.item)
    assert 'href="https://wiki.example.com/psa" rel="noopener noreferrer"' in block
    assert "Reviewed &lt;b&gt;twice&lt;/b&gt;" in block
    assert "kube-bench cis-1.9 5.2.2: <strong>not evaluated</strong> on prod-eu — needs a node" in block
    assert "Overdue since 2020-01-31" in block
    assert "<form" not in block
    assert "Add evidence" not in block
    assert "Remove" not in block


def test_the_status_form_sets_and_clears_the_due_date_and_the_filter_finds_overdue_items(
    app: Flask, team: Team
) -> None:
    erin = client_of(app, "erin@example.com")
    page = report(erin, team)
    block = item_block(page, team.item)
    assert f'<label for="due-{team.item}">Due</label>' in block
    url = f"/assessments/{team.assessment}/checklist/{team.item}"
    data = {"csrf_token": csrf_token(page), "status": "in_progress", "version": "0", "due_on": "2020-02-29"}
    assert erin.post(url, data=data).status_code == 303
    page = report(erin, team)
    assert "Overdue since 2020-02-29" in item_block(page, team.item)
    assert 'value="overdue"' in page, "the filter offers Overdue"
    overdue_only = report(erin, team, "?status=overdue")
    assert f'id="item-{team.item}"' in overdue_only
    assert f'id="item-{team.items[1]}"' not in overdue_only
    saved = erin.post(
        url,
        data={**data, "version": "1", "due_on": "2099-01-01"},
        headers={"Accept": "application/json"},
    ).get_json()
    assert (saved["due_on"], saved["overdue"], saved["due_label"]) == ("2099-01-01", False, "Due 2099-01-01")
    assert erin.post(url, data={**data, "version": "2", "due_on": ""}).status_code == 303
    assert row_of(app, team).due_on is None
    assert erin.post(url, data={**data, "version": "3", "due_on": "2026-02-30"}).status_code == 303
    assert "Due: Not a valid date value" in report(erin, team)
    assert f'id="item-{team.item}"' not in report(erin, team, "?status=overdue")


# --- the API ---------------------------------------------------------------------------------------------


def tokens(app: Flask) -> dict[str, dict[str, str]]:
    found = {}
    with app.app_context():
        for email in ("erin@example.com", "vic@example.com"):
            user = accounts.find_user(db.session, email)
            assert user is not None
            raw, _ = accounts.create_api_token(db.session, user, "ci")
            found[email.split("@")[0]] = {"Authorization": f"Bearer {raw}"}
        db.session.commit()
    return found


def test_api_adds_lists_and_removes_evidence(app: Flask, team: Team) -> None:
    api, auth = app.test_client(), tokens(app)
    base = f"/api/v1/assessments/{team.assessment}"
    url = f"{base}/checklist/{team.item}/evidence"
    made = api.post(url, json={"kind": "link", "text": "https://wiki.example.com/psa"}, headers=auth["erin"])
    assert made.status_code == 201
    entry = made.get_json()
    assert {k: entry[k] for k in ("item_id", "kind", "text", "added_by", "tool", "result")} == {
        "item_id": team.item,
        "kind": "link",
        "text": "https://wiki.example.com/psa",
        "added_by": "erin@example.com",
        "tool": None,
        "result": None,
    }
    assert dt.datetime.fromisoformat(entry["added_at"]).tzinfo is not None
    bad = api.post(url, json={"kind": "link", "text": "javascript:alert(1)"}, headers=auth["erin"])
    assert bad.status_code == 400
    assert bad.get_json()["errors"][0]["key"] == "text"
    assert api.post(url, json={"kind": "scan", "text": "x"}, headers=auth["erin"]).status_code == 400
    assert api.post(url, json={"kind": "text", "text": "x"}, headers=auth["vic"]).status_code == 403
    assert (
        api.post(
            f"{base}/checklist/nope/evidence", json={"kind": "text", "text": "x"}, headers=auth["erin"]
        ).status_code
        == 404
    )
    statuses = api.get(base, headers=auth["vic"]).get_json()["statuses"]
    assert statuses[team.item]["status"] == "todo"
    assert statuses[team.item]["version"] == 0
    assert [e["id"] for e in statuses[team.item]["evidence"]] == [entry["id"]]
    assert api.delete(f"{base}/evidence/{entry['id']}", headers=auth["vic"]).status_code == 403
    assert api.delete(f"{base}/evidence/{entry['id']}", headers=auth["erin"]).status_code == 204
    assert api.delete(f"{base}/evidence/{entry['id']}", headers=auth["erin"]).status_code == 404
    assert team.item not in api.get(base, headers=auth["vic"]).get_json()["statuses"]
    assert events(app, "evidence_removed")[0]["text"] == "https://wiki.example.com/psa"


def test_api_sets_keeps_and_clears_the_due_date(app: Flask, team: Team) -> None:
    api, auth = app.test_client(), tokens(app)
    url = f"/api/v1/assessments/{team.assessment}/checklist/{team.item}"
    first = api.patch(url, json={"status": "todo", "base_version": 0, "due_on": "2020-03-31"}, headers=auth["erin"])
    assert (first.get_json()["due_on"], first.get_json()["overdue"]) == ("2020-03-31", True)
    kept = api.patch(url, json={"status": "in_progress", "base_version": 1}, headers=auth["erin"]).get_json()
    assert kept["due_on"] == "2020-03-31"
    listed = api.get(f"/api/v1/assessments/{team.assessment}", headers=auth["vic"]).get_json()["statuses"]
    assert (listed[team.item]["due_on"], listed[team.item]["overdue"]) == ("2020-03-31", True)
    bad = api.patch(url, json={"status": "todo", "base_version": 2, "due_on": "2026-02-30"}, headers=auth["erin"])
    assert bad.status_code == 400
    assert bad.get_json()["errors"][0]["key"] == "due_on"
    cleared = api.patch(url, json={"status": "done", "base_version": 2, "due_on": None}, headers=auth["erin"])
    assert (cleared.get_json()["due_on"], cleared.get_json()["overdue"]) == (None, False)


# --- exports ---------------------------------------------------------------------------------------------


def test_every_export_shows_due_dates_and_evidence(app: Flask, team: Team) -> None:
    set_due(app, team, dt.date(2020, 1, 31))
    add(app, team, "link", "https://wiki.example.com/psa")
    add(app, team, "text", "SEC-12;=1+1 <script>x</script>", item=team.items[1])  # an item with evidence and no status
    with assessment_of(app, team) as assessment:
        doc = build_document(db.session, assessment, 1, "vic@example.com", app.extensions["advisor.kb"])
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(FORMATS["csv"](doc).content.decode("utf-8-sig")))}
    first, second = rows[team.item], rows[team.items[1]]
    assert (first["due_on"], first["overdue"], first["evidence_count"]) == ("2020-01-31", "yes", "1")
    assert first["evidence"].startswith("Link: https://wiki.example.com/psa (added by erin@example.com, ")
    assert (second["status"], second["evidence_count"], second["overdue"]) == ("todo", "1", "")
    assert second["evidence"].startswith("Text: SEC-12;'=1+1"), "no live formula, however the cell is split"
    data = json.loads(FORMATS["json"](doc).content)
    jsonschema.Draft202012Validator(json_export.schema(), format_checker=jsonschema.FormatChecker()).validate(data)
    status = data["statuses"][team.item]
    assert (status["due_on"], status["overdue"]) == ("2020-01-31", True)
    assert [(e["kind"], e["text"], e["added_by"]) for e in status["evidence"]] == [
        ("link", "https://wiki.example.com/psa", "erin@example.com")
    ]
    assert data["statuses"][team.items[1]]["evidence"][0]["text"] == "SEC-12;=1+1 <script>x</script>"
    text = FORMATS["markdown"](doc).content.decode("utf-8")
    assert "- **Overdue since 2020-01-31**" in text
    assert "Link: [https://wiki.example.com/psa](<https://wiki.example.com/psa>)" in text
    assert "\\<script\\>x\\</script\\>" in text
    assert "<script>" not in text


def test_the_export_loads_evidence_in_one_query(app: Flask, team: Team) -> None:
    def statements(entries_per_item: int) -> int:
        with assessment_of(app, team) as assessment:
            for item in team.items[:5]:
                for n in range(entries_per_item):
                    proof.add_evidence(db.session, assessment, item, "text", f"entry {n}", None)
            db.session.commit()
        with assessment_of(app, team) as assessment:
            seen: list[str] = []

            def note(*args: Any) -> None:
                seen.append(args[2])  # the statement

            sa.event.listen(db.engine, "before_cursor_execute", note)
            try:
                doc = build_document(db.session, assessment, 1, None, app.extensions["advisor.kb"])
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", note)
            assert sum(len(s.evidence) for s in doc.statuses.values()) > 0
            return sum("evidence" in s for s in seen)

    assert statements(1) == 1
    assert statements(3) == 1, "one query for the evidence however many items hold some"


def test_the_report_page_reads_evidence_in_one_query(app: Flask, team: Team) -> None:
    from advisor.report.cache import FragmentCache

    app.extensions["advisor.fragments"] = FragmentCache(0)  # render every time
    erin = client_of(app, "erin@example.com")

    def statements() -> int:
        seen: list[str] = []

        def note(*args: Any) -> None:
            seen.append(args[2])

        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", note)
        try:
            assert erin.get(f"/assessments/{team.assessment}").status_code == 200
        finally:
            with app.app_context():
                sa.event.remove(db.engine, "before_cursor_execute", note)
        return sum(s.lstrip().startswith("SELECT evidence.id") for s in seen)  # not the stamp's count

    assert statements() == 0, "the stamp counted no evidence: nothing to read"
    add(app, team, "text", "one")
    assert statements() == 1
    for item in team.items[:10]:
        add(app, team, "text", "more", item=item)
    assert statements() == 1, "one query however many items hold evidence"
