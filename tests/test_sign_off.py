"""Sign-off of a revision (issue 16): an editor signs the latest revision off as its assessor, then an owner who
neither saved it nor signed it off approves it; approval makes its decision records accepted, with the deciders
and the day, and every export shows the sign-off on its cover."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import jsonschema
import pytest
from flask import Flask

from advisor.exports import json_export
from advisor.extensions import db
from advisor.models import Assessment, AuditEvent, SignOff
from advisor.services import assessments as svc
from advisor.services import exports, sharing
from advisor.services.signoff import SignOffRefused, sign, sign_off_of
from tests.conftest import sign_in
from tests.helpers import BASE_ANSWERS
from tests.test_api import token_for
from tests.test_exports import pdf_text, squash
from tests.web import csrf_token, html, team_assessment

ALICE, ERIN, OLIVER, VERA = "alice@example.com", "erin@example.com", "oliver@example.com", "vera@example.com"
TEAM = {ERIN: "editor", OLIVER: "owner", VERA: "viewer"}  # alice owns the workspace and saved revision 1


def signed(app: Flask, assessment_id: int, role: str, actor: str, statement: str = "", number: int = 1) -> None:
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        sign(db.session, found, number, role, statement, actor)
        db.session.commit()


def refusal(app: Flask, assessment_id: int, role: str, actor: str | None, number: int = 1) -> SignOffRefused:
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        with pytest.raises(SignOffRefused) as refused:
            sign(db.session, found, number, role, "", actor)
        db.session.rollback()
        return refused.value


def exported(app: Flask, assessment_id: int, fmt: str, as_of: dt.datetime | None = None) -> bytes:
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        content = exports.export(
            db.session, found, 1, fmt, OLIVER, "web", app.extensions["advisor.kb"], as_of=as_of
        ).content
        db.session.commit()
        return content


def test_four_eyes_assessor_first_then_an_owner_who_neither_saved_nor_signed_it(app: Flask) -> None:
    assessment_id, _ = team_assessment(app, TEAM)
    first = refusal(app, assessment_id, "approver", OLIVER)
    assert (first.field, "signs the revision off first" in str(first)) == ("role", True)
    assert refusal(app, assessment_id, "assessor", None).field == "role", "a signature names someone"
    assert refusal(app, assessment_id, "reviewer", ERIN).field == "role"
    signed(app, assessment_id, "assessor", ERIN, "Reviewed the answers against the cluster inventory")
    again = refusal(app, assessment_id, "assessor", OLIVER)
    assert "was signed off by erin@example.com" in str(again)
    assert "you saved this revision" in str(refusal(app, assessment_id, "approver", ALICE))
    assert "you signed this revision off" in str(refusal(app, assessment_id, "approver", ERIN))
    with app.app_context():
        assert sign_off_of(db.session, _revision_id(assessment_id)).status == "signed_off"
    signed(app, assessment_id, "approver", OLIVER)
    assert "was approved by oliver@example.com" in str(refusal(app, assessment_id, "approver", OLIVER))
    with app.app_context():
        record = sign_off_of(db.session, _revision_id(assessment_id))
        assert (record.status, record.decision_status, record.deciders) == ("approved", "accepted", [ERIN, OLIVER])
        assert record.assessor is not None
        assert record.assessor.statement == "Reviewed the answers against the cluster inventory"
        actions = [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]
        assert actions[-2:] == ["revision_signed_off", "revision_approved"]


def _revision_id(assessment_id: int) -> int:
    found = db.session.get(Assessment, assessment_id)
    assert found is not None
    return found.revisions[-1].id


def test_only_the_latest_revision_is_signed_and_signatures_never_change(app: Flask) -> None:
    assessment_id, _ = team_assessment(app, TEAM)
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        svc.save_revision(
            db.session, found, {**BASE_ANSWERS, "automation": "full"}, 1, None, ERIN, app.extensions["advisor.kb"]
        )
        db.session.commit()
    old = refusal(app, assessment_id, "assessor", ERIN, number=1)
    assert old.field == "revision"
    assert "revision 2 is" in str(old)
    signed(app, assessment_id, "assessor", OLIVER, number=2)
    # revision 2 was saved by ERIN: ALICE, an owner who neither saved nor signed it, approves it
    signed(app, assessment_id, "approver", ALICE, number=2)
    with app.app_context():
        signature = db.session.scalars(db.select(SignOff)).first()
        assert signature is not None
        signature.statement = "rewritten"
        with pytest.raises(ValueError, match="immutable"):
            db.session.flush()
        db.session.rollback()
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        with pytest.raises(LookupError):
            sign(db.session, found, 7, "assessor", "", ERIN)


def test_every_export_shows_the_sign_off_and_the_records_become_accepted(app: Flask) -> None:
    assessment_id, _ = team_assessment(app, TEAM)
    before = exported(app, assessment_id, "json")
    assert json.loads(before)["sign_off"]["status"] == "unsigned"
    signed(app, assessment_id, "assessor", ERIN, "Checked <b>every</b> answer")
    between = dt.datetime.now(dt.UTC)
    signed(app, assessment_id, "approver", OLIVER, "Approved for the PCI zone")
    today = dt.datetime.now(dt.UTC).date().isoformat()

    data = json.loads(exported(app, assessment_id, "json"))
    jsonschema.Draft202012Validator(json_export.schema(), format_checker=jsonschema.FormatChecker()).validate(data)
    sign_off = data["sign_off"]
    assert (sign_off["status"], sign_off["decision_status"], sign_off["decided_on"]) == ("approved", "accepted", today)
    assert sign_off["deciders"] == [ERIN, OLIVER]
    assert sign_off["assessor"]["statement"] == "Checked <b>every</b> answer"

    then = json.loads(exported(app, assessment_id, "json", as_of=between))
    assert then["sign_off"]["status"] == "signed_off", "as of a moment before the approval"
    assert then["sign_off"]["approver"] is None

    with zipfile.ZipFile(io.BytesIO(exported(app, assessment_id, "adr"))) as archive:
        names = [n for n in archive.namelist() if n[:4].isdigit()]
        record = archive.read(names[0]).decode()
        index = archive.read("README.md").decode()
    assert record.startswith(f'---\nstatus: accepted\ndate: {today}\ndecision-makers: ["{ERIN}", "{OLIVER}"]\n---')
    assert "| accepted |" in index
    assert "| proposed |" not in index

    markdown = exported(app, assessment_id, "markdown").decode()
    assert f"| Approved by | {OLIVER} on " in markdown
    assert f"These decisions were accepted on {today} by {ERIN} and {OLIVER}." in markdown
    assert "<b>" not in markdown, "user text is escaped"

    rows = list(csv.DictReader(io.StringIO(exported(app, assessment_id, "csv").decode("utf-8-sig"))))
    assert {(r["sign_off"], r["signed_off_by"], r["approved_by"]) for r in rows} == {("approved", ERIN, OLIVER)}
    assert rows[0]["approved_at"].startswith(today)

    text = pdf_text(exported(app, assessment_id, "pdf"))
    cover = text.split("Contents")[0]
    assert f"Signed off by {ERIN} on {today}" in cover
    assert f"Approved by {OLIVER} on {today}" in cover
    assert squash("stating “Approved for the PCI zone” (owner)") in squash(cover)
    assert "These decisions were accepted" in text


def test_an_unsigned_revision_says_its_decisions_are_proposed(app: Flask) -> None:
    assessment_id, _ = team_assessment(app, TEAM)
    cover = pdf_text(exported(app, assessment_id, "pdf")).split("Contents")[0]
    assert "Not signed off: the decisions are proposed" in cover
    with zipfile.ZipFile(io.BytesIO(exported(app, assessment_id, "adr"))) as archive:
        name = next(n for n in archive.namelist() if n[:4].isdigit())
        assert archive.read(name).decode().startswith("---\nstatus: proposed\n")


def test_the_report_page_signs_and_approves_by_role(app: Flask) -> None:
    assessment_id, _ = team_assessment(app, TEAM)
    url = f"/assessments/{assessment_id}"
    viewer = app.test_client()
    sign_in(viewer, VERA)
    page = html(viewer.get(url))
    assert "Not signed off" in page
    assert "Sign off revision 1 as assessor" not in page, "a viewer signs nothing"
    forged = viewer.post(
        f"{url}/revisions/1/sign-off", data={"csrf_token": csrf_token(page), "role": "assessor", "statement": ""}
    )
    assert forged.status_code == 403

    erin = app.test_client()
    sign_in(erin, ERIN)
    page = html(erin.get(url))
    assert "Sign off revision 1 as assessor" in page
    too_long = erin.post(
        f"{url}/revisions/1/sign-off",
        data={"csrf_token": csrf_token(page), "role": "assessor", "statement": "x" * 5001},
    )
    assert too_long.status_code == 303
    assert "Not signed" in html(erin.get(url))
    done = erin.post(
        f"{url}/revisions/1/sign-off",
        data={"csrf_token": csrf_token(page), "role": "assessor", "statement": "Matches the cluster inventory"},
    )
    assert done.status_code in (302, 303)
    page = html(erin.get(url))
    assert "Signed off, not approved" in page
    assert "Matches the cluster inventory" in page
    assert "Approve revision 1" not in page, "an editor does not approve"
    as_approver = erin.post(
        f"{url}/revisions/1/sign-off", data={"csrf_token": csrf_token(page), "role": "approver", "statement": ""}
    )
    assert as_approver.status_code == 403

    alice = app.test_client()
    sign_in(alice, ALICE)
    page = html(alice.get(url))
    assert "You saved this revision: another owner of the workspace approves it." in page
    refused = alice.post(
        f"{url}/revisions/1/sign-off",
        data={"csrf_token": csrf_token(page), "role": "approver", "statement": "my own work"},
    )
    assert refused.status_code in (302, 303)
    page = html(alice.get(url))
    assert "Not signed: you saved this revision" in page
    assert "You typed: “my own work”" in page

    oliver = app.test_client()
    sign_in(oliver, OLIVER)
    page = html(oliver.get(url))
    assert "Approve revision 1" in page
    oliver.post(f"{url}/revisions/1/sign-off", data={"csrf_token": csrf_token(page), "role": "approver"})
    page = html(oliver.get(url))
    assert "Revision approved: its decisions are accepted." in page
    assert "The decisions of this revision were accepted on" in page
    assert "Approve revision 1" not in page


def test_a_frozen_share_link_shows_the_sign_off_as_it_stood(app: Flask) -> None:
    assessment_id, _ = team_assessment(app, TEAM)
    signed(app, assessment_id, "assessor", ERIN)
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        token, _ = sharing.create_link(db.session, found, 7, None, "auditor", ALICE, frozen=True)
        live, _ = sharing.create_link(db.session, found, 7, None, "auditor", ALICE, frozen=False)
        db.session.commit()
    signed(app, assessment_id, "approver", OLIVER)
    reader = app.test_client()
    frozen_page = html(reader.get(f"/share/{token}"))
    assert "Signed off, not approved" in frozen_page
    assert "Sign off revision" not in frozen_page, "a share link's reader signs nothing"
    assert "The decisions of this revision were accepted" in html(reader.get(f"/share/{live}"))


def test_the_api_signs_answers_the_sign_off_and_refuses_by_key(app: Flask) -> None:
    assessment_id, _ = team_assessment(app, TEAM)
    api = app.test_client()
    base = f"/api/v1/assessments/{assessment_id}/revisions"
    early = api.post(f"{base}/1/sign-off", json={"role": "approver"}, headers=token_for(app, OLIVER))
    assert early.status_code == 400
    assert early.get_json()["errors"][0]["key"] == "role"
    editor_approving = api.post(f"{base}/1/sign-off", json={"role": "approver"}, headers=token_for(app, ERIN))
    assert editor_approving.status_code == 403
    assert api.post(f"{base}/9/sign-off", json={"role": "assessor"}, headers=token_for(app, ERIN)).status_code == 404
    unknown = api.post(f"{base}/1/sign-off", json={"role": "boss"}, headers=token_for(app, ERIN))
    assert unknown.status_code == 400
    assert "assessor" in unknown.get_data(as_text=True)
    first = api.post(f"{base}/1/sign-off", json={"role": "assessor", "statement": "ok"}, headers=token_for(app, ERIN))
    assert first.status_code == 201
    assert first.get_json()["status"] == "signed_off"
    second = api.post(f"{base}/1/sign-off", json={"role": "approver"}, headers=token_for(app, OLIVER))
    assert second.status_code == 201
    assert second.get_json()["deciders"] == [ERIN, OLIVER]
    revision = api.get(f"{base}/1", headers=token_for(app, VERA)).get_json()
    assert revision["sign_off"]["decision_status"] == "accepted"
    assert revision["sign_off"]["approver"]["by"] == OLIVER


def test_the_activity_page_lists_both_signatures_in_words(app: Flask) -> None:
    assessment_id, _ = team_assessment(app, TEAM)
    signed(app, assessment_id, "assessor", ERIN, "inventory checked")
    signed(app, assessment_id, "approver", OLIVER)
    client = app.test_client()
    sign_in(client, VERA)
    page = html(client.get(f"/assessments/{assessment_id}/activity"))
    assert "revision signed off" in page
    assert "revision: 1; statement: inventory checked" in page
    assert "revision approved" in page
    assert f"deciders: {ERIN}, {OLIVER}" in page


def test_the_revisions_page_says_which_revision_is_signed(app: Flask) -> None:
    assessment_id, _ = team_assessment(app, TEAM)
    signed(app, assessment_id, "assessor", ERIN)
    client = app.test_client()
    sign_in(client, VERA)
    assert "Signed off, not approved" in html(client.get(f"/assessments/{assessment_id}/revisions"))
    signed(app, assessment_id, "approver", OLIVER)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert f"Approved {today}" in html(client.get(f"/assessments/{assessment_id}/revisions"))


def test_a_cached_report_shows_a_signature_by_whoever_changed_the_assessment_last(app: Flask) -> None:
    assessment_id, _ = team_assessment(app, TEAM)
    alice = app.test_client()
    sign_in(alice, ALICE)
    url = f"/assessments/{assessment_id}"
    assert "Not signed off" in html(alice.get(url))  # stored in the page cache
    signed(app, assessment_id, "assessor", ALICE)  # alice saved the assessment last, and signs it off
    page = html(alice.get(url))
    assert "Signed off, not approved" in page
