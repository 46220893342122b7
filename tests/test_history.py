"""Point-in-time records (issue 16): every change to an item's status row is kept, and an export as of a moment
shows the statuses, notes, evidence, revision and activity as they stood then, whatever changed since."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from advisor.cli import cli
from advisor.extensions import db
from advisor.models import Assessment, StatusChange
from advisor.services import assessments as svc
from advisor.services import evidence as proof
from advisor.services import exports, history
from tests.conftest import sign_in
from tests.helpers import BASE_ANSWERS
from tests.test_api import token_for
from tests.web import team_assessment

ALICE, ERIN = "alice@example.com", "erin@example.com"


def assessment(app: Flask, assessment_id: int) -> Assessment:
    found = db.session.get(Assessment, assessment_id)
    assert found is not None
    return found


def set_status(app: Flask, assessment_id: int, item: str, status: str, note: str, **extra: Any) -> None:
    with app.app_context():
        found = assessment(app, assessment_id)
        row = svc._status_row(db.session, found, item)
        version = row.version if row else 0
        svc.set_status(db.session, found, item, status, note, "", version, ERIN, **extra)
        db.session.commit()


def changes(app: Flask, item: str) -> list[tuple[str, str, int]]:
    with app.app_context():
        rows = db.session.scalars(sa.select(StatusChange).where(StatusChange.item_id == item).order_by(StatusChange.id))
        return [(r.state["status"], r.state["note"], r.version) for r in rows]


def a_moment_passes() -> dt.datetime:
    """Now, between two stored times: SQLite keeps the database's own timestamps to the second."""
    time.sleep(1.1)
    moment = dt.datetime.now(dt.UTC)
    time.sleep(1.1)
    return moment


def test_every_change_to_a_status_row_is_kept_and_a_flush_without_one_is_not(app: Flask) -> None:
    assessment_id, items = team_assessment(app, {ERIN: "editor"})
    first, second = items[0], items[1]
    set_status(app, assessment_id, first, "in_progress", "started")
    set_status(app, assessment_id, first, "in_progress", "half way")
    set_status(app, assessment_id, first, "done", "half way")
    with app.app_context():
        found = assessment(app, assessment_id)
        row = svc._status_row(db.session, found, first)
        assert row is not None
        row.note = row.note  # no net change
        db.session.commit()
        svc.set_statuses(db.session, found, {second: 0}, ALICE, status="in_progress", note="bulk")
        db.session.commit()
    assert changes(app, first) == [
        ("in_progress", "started", 1),
        ("in_progress", "half way", 2),
        ("done", "half way", 3),
    ]
    assert changes(app, second) == [("in_progress", "bulk", 1)], "a change to several items is kept too"
    with app.app_context():
        change = db.session.scalars(sa.select(StatusChange).where(StatusChange.item_id == first)).first()
        assert change is not None
        assert change.changed_by == ERIN


def test_an_export_as_of_a_moment_shows_what_stood_then(app: Flask) -> None:
    assessment_id, items = team_assessment(app, {ERIN: "editor"})
    item, other = items[0], items[1]
    set_status(app, assessment_id, item, "done", "reviewed by the platform team")
    with app.app_context():
        found = assessment(app, assessment_id)
        kept = proof.add_evidence(db.session, found, item, "text", "change ticket CHG-1", ERIN)
        gone = proof.add_evidence(db.session, found, item, "link", "https://wiki.example.com/old", ERIN)
        db.session.commit()
        assert kept.id < gone.id
        gone_id = gone.id
    then = a_moment_passes()
    set_status(app, assessment_id, item, "in_progress", "reopened: the audit found a gap")
    set_status(app, assessment_id, other, "not_applicable", "no Windows nodes")
    with app.app_context():
        found = assessment(app, assessment_id)
        proof.remove_evidence(db.session, found, gone_id, ERIN)
        proof.add_evidence(db.session, found, item, "text", "added later", ERIN)
        svc.save_revision(
            db.session, found, {**BASE_ANSWERS, "services": 30}, 1, "Later", ALICE, app.extensions["advisor.kb"]
        )
        db.session.commit()
    with app.app_context():
        found = assessment(app, assessment_id)
        kb = app.extensions["advisor.kb"]
        number = history.revision_number(db.session, found, None, then)
        assert number == 1, "the revision that was the latest then"
        past = json.loads(exports.export(db.session, found, number, "json", ALICE, "web", kb, as_of=then).content)
        now = json.loads(exports.export(db.session, found, 2, "json", ALICE, "web", kb).content)
        with pytest.raises(history.AsOfRefused, match="revision 2 was saved"):
            exports.build_document(db.session, found, 2, ALICE, kb, as_of=then)
    assert past["statuses"][item]["status"] == "done"
    assert past["statuses"][item]["note"] == "reviewed by the platform team"
    assert [e["text"] for e in past["statuses"][item]["evidence"]] == [
        "change ticket CHG-1",
        "https://wiki.example.com/old",
    ]
    assert past["statuses"][other]["status"] == "todo", "set after that moment: it was to do then"
    assert past["revision"]["number"] == 1
    actions = {e["action"] for e in past["audit"]}
    assert "evidence_added" in actions
    assert "evidence_removed" not in actions, "the activity up to then"
    assert "evidence_removed" in {e["action"] for e in now["audit"]}
    assert now["statuses"][item]["status"] == "in_progress"
    assert [e["text"] for e in now["statuses"][item]["evidence"]] == ["change ticket CHG-1", "added later"]


def test_a_moment_no_state_can_be_shown_for_is_refused(app: Flask) -> None:
    assessment_id, _ = team_assessment(app, {ERIN: "editor"})
    with app.app_context():
        found = assessment(app, assessment_id)
        with pytest.raises(history.AsOfRefused, match="future"):
            history.check_moment(found, dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
        with pytest.raises(history.AsOfRefused, match="did not exist yet"):
            history.check_moment(found, dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        with pytest.raises(history.AsOfRefused, match="is not a time"):
            history.moment_or_none("yesterday")
        assert history.moment_or_none("2026-11-30T17:00") == dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)


def test_the_web_the_api_and_the_command_line_take_as_of(app: Flask) -> None:
    assessment_id, items = team_assessment(app, {ERIN: "editor"})
    set_status(app, assessment_id, items[0], "done", "first")
    then = a_moment_passes()
    set_status(app, assessment_id, items[0], "in_progress", "second")
    stamp = then.isoformat()
    headers = token_for(app, ERIN)
    api = app.test_client()
    url = f"/api/v1/assessments/{assessment_id}/export"
    past = api.get(url, query_string={"format": "json", "as_of": stamp}, headers=headers)
    assert past.status_code == 200
    assert past.get_json()["statuses"][items[0]]["note"] == "first"
    for wrong, key in (("soon", "as_of"), ("2020-01-01T00:00:00Z", "as_of")):
        refused = api.get(url, query_string={"format": "json", "as_of": wrong}, headers=headers)
        assert refused.status_code == 400
        assert refused.get_json()["errors"][0]["key"] == key
    web = app.test_client()
    sign_in(web, ERIN)
    page = web.get(f"/assessments/{assessment_id}/export", query_string={"format": "markdown", "as_of": stamp})
    assert page.status_code == 200
    assert "first" in page.get_data(as_text=True)
    bad = web.get(f"/assessments/{assessment_id}/export", query_string={"format": "markdown", "as_of": "later"})
    assert bad.status_code == 303
    assert "is not a time" in web.get(bad.headers["Location"]).get_data(as_text=True)
    runner = app.test_cli_runner()
    done = runner.invoke(cli, ["export", str(assessment_id), "--format", "json", "--as-of", stamp, "--as", ERIN])
    assert done.exit_code == 0, done.output
    exported = json.loads(done.stdout)
    assert exported["statuses"][items[0]]["note"] == "first"
    assert exported["exported_by"] == ERIN
    nobody = runner.invoke(cli, ["export", str(assessment_id), "--format", "json", "--as", "nobody@example.com"])
    assert nobody.exit_code == 2


def test_a_frozen_link_keeps_showing_what_stood_when_it_was_made_and_a_live_one_follows(app: Flask) -> None:
    from advisor.services import sharing

    assessment_id, items = team_assessment(app, {ERIN: "editor"})
    item = items[0]
    set_status(app, assessment_id, item, "done", "signed off in the design review")
    with app.app_context():
        found = assessment(app, assessment_id)
        frozen, link = sharing.create_link(db.session, found, 7, None, "QSA", ALICE, frozen=True)
        live, _ = sharing.create_link(db.session, found, 7, None, "team", ALICE)
        db.session.commit()
        assert link.revision_number == 1, "a frozen link is pinned to the revision it showed"
    a_moment_passes()
    set_status(app, assessment_id, item, "in_progress", "reopened after the pen test")
    reader = app.test_client()
    then_page = reader.get(f"/share/{frozen}").get_data(as_text=True)
    now_page = reader.get(f"/share/{live}").get_data(as_text=True)
    assert "Frozen: statuses, notes and evidence as they stood at" in then_page
    assert "signed off in the design review" in then_page
    assert "reopened after the pen test" not in then_page
    assert "Live: statuses, notes and evidence as they are now." in now_page
    assert "reopened after the pen test" in now_page
    first = reader.get(f"/share/{frozen}/export", query_string={"format": "json"}).get_json()
    assert first["statuses"][item]["note"] == "signed off in the design review"
    set_status(app, assessment_id, item, "done", "closed again")
    second = reader.get(f"/share/{frozen}/export", query_string={"format": "json"}).get_json()
    assert second["statuses"] == first["statuses"], "two downloads of a frozen link agree, whatever happened between"
    client = app.test_client()
    sign_in(client, ALICE)
    listing = client.get(f"/assessments/{assessment_id}/sharing").get_data(as_text=True)
    assert "frozen at" in listing
    assert "live" in listing
