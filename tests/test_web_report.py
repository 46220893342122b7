"""The report, checklist statuses, compare, re-evaluate, clone, archive and delete."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from advisor.engine import ENGINE_VERSION
from advisor.extensions import db
from advisor.models import Assessment, ChecklistStatus, Revision
from advisor.report.summary import (
    EFFORT_LABELS,
    NOT_ANSWERED,
    PHASE_LABELS,
    RESPONSIBILITY_LABELS,
    inline_code,
    lead,
    requirement_anchor,
)
from tests.helpers import with_mapping
from tests.web import (
    CLOSE_CALLS,
    STEP_ANSWERS,
    csrf_token,
    first_item,
    form_post,
    html,
    item_block,
    new_assessment_with_revision,
    save_revision,
)


@pytest.fixture
def assessment_id(client: FlaskClient) -> int:
    return new_assessment_with_revision(client, label="Design review")


def manage_version(client: FlaskClient, assessment_id: int) -> str:
    """The assessment's version as the archive form on its page carries it."""
    page = html(client.get(f"/assessments/{assessment_id}"))
    found = re.search(r'name="version" value="(\d+)">\s*<input type="hidden" name="archived"', page)
    assert found
    return found.group(1)


def test_report_shows_summary_decisions_and_checklist(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    page = html(client.get(f"/assessments/{assessment_id}"))
    with app.app_context():
        result = db.session.execute(db.select(Revision)).scalar_one().result
    assert "Use the cloud provider&#39;s managed Kubernetes service, in one cluster" in page
    total = len(result["checklist"])
    assert f"<strong>0 of {total}</strong> checklist items done" in page
    assert f'<progress max="{total}" value="0"' in page
    for d in result["decisions"]:
        assert f'id="decision-{d["id"]}"' in page
        if d["applicable"]:
            assert f'aria-labelledby="chart-{d["id"]}-title chart-{d["id"]}-desc"' in page
            assert f"Weighted contributions to each alternative's score, {d['label']}" in page
            block = page.split(f'id="decision-{d["id"]}"')[1].split("</article>")[0]
            assert lead(d["margin"]) in block, "how far the recommendation leads, a tie called one"
    for item in result["checklist"]:
        assert f'id="item-{item["id"]}"' in page
        for ref in item["references"]:
            assert f'href="{ref["url"]}"' in page
    assert "What would change this" in page
    assert "<code>" in page, "code spans in the how text are shown as code"


def test_status_saved_with_a_plain_form_post(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    item = first_item(app, assessment_id)
    url = f"/assessments/{assessment_id}/checklist/{item['id']}"
    response = form_post(
        client,
        url,
        {
            "status": "in_progress",
            "owner": "Platform team",
            "note": "Ticket OPS-12",
            "version": "0",
            "next": f"/assessments/{assessment_id}",
        },
        page_url=f"/assessments/{assessment_id}",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/assessments/{assessment_id}#item-{item['id']}")
    page = html(client.get(f"/assessments/{assessment_id}"))
    block = item_block(page, item["id"])
    assert '<option value="in_progress" selected>' in block
    assert 'value="Platform team"' in block
    assert "Ticket OPS-12</textarea>" in block
    assert 'name="version" value="1"' in block


def test_status_conflict_from_a_second_tab_is_refused(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    item = first_item(app, assessment_id)
    url = f"/assessments/{assessment_id}/checklist/{item['id']}"
    page = html(client.get(f"/assessments/{assessment_id}"))
    token = csrf_token(page)
    first = client.post(url, data={"csrf_token": token, "status": "done", "owner": "A", "note": "", "version": "0"})
    assert first.status_code == 303
    second = client.post(
        url, data={"csrf_token": token, "status": "accepted_risk", "owner": "B", "note": "x", "version": "0"}
    )
    assert second.status_code == 303
    after = html(client.get(second.headers["Location"]))
    assert "Not saved" in after
    assert "changed by someone else" in after
    assert "your input was: status “Risk accepted”, owner “B”, note “x”" in after
    with app.app_context():
        row = db.session.execute(db.select(ChecklistStatus)).scalar_one()
        assert (row.status, row.owner, row.version) == ("done", "A", 1)


def test_status_json_for_the_script(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    item = first_item(app, assessment_id)
    url = f"/assessments/{assessment_id}/checklist/{item['id']}"
    token = csrf_token(html(client.get(f"/assessments/{assessment_id}")))
    headers = {"Accept": "application/json"}
    ok = client.post(url, data={"csrf_token": token, "status": "done", "version": "0"}, headers=headers)
    assert ok.status_code == 200
    saved = ok.get_json()
    counts = saved.pop("counts_html")
    assert saved == {
        "item_id": item["id"],
        "status": "done",
        "note": "",
        "owner": "",
        "version": 1,
        "needs_review": False,
        "review_reason": None,
        "review_cleared": False,
        "open": False,
        "overdue": False,
        "due_on": None,
        "due_label": None,
        "status_label": "Done",
        "scanner_disagrees": False,
    }
    assert re.search(r"<strong>1 of \d+</strong> checklist items done", counts), "the page's counts, as they now stand"
    stale = client.post(url, data={"csrf_token": token, "status": "todo", "version": "0"}, headers=headers)
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["current"] == {
        "status": "done",
        "note": "",
        "owner": "",
        "version": 1,
        "review_reason": None,
        "due_on": None,
    }
    assert "changed by someone else" in body["errors"][0]["message"]
    bad = client.post(url, data={"csrf_token": token, "status": "finished", "version": "1"}, headers=headers)
    assert bad.status_code == 400
    assert bad.get_json()["errors"][0]["key"] == "status"


def test_status_for_unknown_item_is_404(client: FlaskClient, assessment_id: int) -> None:
    token = csrf_token(html(client.get(f"/assessments/{assessment_id}")))
    response = client.post(f"/assessments/{assessment_id}/checklist/no-such-item", data={"csrf_token": token})
    assert response.status_code == 404


def test_status_carries_over_to_later_revisions(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    item = {"id": "psa-restricted-enforce"}  # included whatever the answers
    form_post(
        client,
        f"/assessments/{assessment_id}/checklist/{item['id']}",
        {"status": "done", "version": "0"},
        page_url=f"/assessments/{assessment_id}",
    )
    form_post(
        client, f"/assessments/{assessment_id}/answers/context", {**STEP_ANSWERS["context"], "experience": "expert"}
    )
    assert save_revision(client, assessment_id).status_code == 302
    page = html(client.get(f"/assessments/{assessment_id}"))
    block = item_block(page, item["id"])
    assert '<option value="done" selected>' in block
    with app.app_context():
        second = db.session.execute(db.select(Revision).where(Revision.number == 2)).scalar_one()
        assert second.statuses == {item["id"]: "done"}, "the revision keeps the statuses as they stood"


def test_compare_two_revisions(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    item = first_item(app, assessment_id)
    form_post(
        client,
        f"/assessments/{assessment_id}/checklist/{item['id']}",
        {"status": "done", "version": "0"},
        page_url=f"/assessments/{assessment_id}",
    )
    form_post(
        client, f"/assessments/{assessment_id}/answers/hosting", {"infrastructure": "hybrid", "air_gapped": "true"}
    )
    assert save_revision(client, assessment_id, "Air gap").status_code == 302
    page = html(client.get(f"/assessments/{assessment_id}/compare?a=1&b=2"))
    assert "Revision 1 (Design review) compared with revision 2 (Air gap)" in page
    assert "Must the clusters be air-gapped?</th><td>No</td><td>Yes</td>" in page
    assert "Infrastructure</th><td>Public cloud</td><td>Hybrid</td>" in page
    assert re.search(r"Hosting <span class=\"badge\">changed</span>", page)
    assert "Items added (" in page
    assert "supply-airgap-registry-mirror" in page.split("Items added")[1].split("Items removed")[0]
    assert "cp-managed-private-endpoint" in page.split("Items removed")[1]
    assert "Progress: 0 of" in page


def test_compare_needs_two_existing_revisions(client: FlaskClient, assessment_id: int) -> None:
    response = client.get(f"/assessments/{assessment_id}/compare?a=1&b=7")
    assert response.status_code == 302
    assert "Choose two revisions" in html(client.get(response.headers["Location"]))


def test_outdated_knowledge_base_offers_a_preview_then_a_new_revision(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    with app.app_context():
        revision = db.session.execute(db.select(Revision)).scalar_one()
        old = revision.result
        old["knowledge_base_version"] = "2025.1.0"
        hosting = next(d for d in old["decisions"] if d["id"] == "hosting")
        hosting["recommended"] = "self_managed"
        old["checklist"] = old["checklist"][:-1]
        # an older knowledge base wrote this revision; bypass the ORM, which keeps revisions immutable
        db.session.execute(
            sa.update(Revision.__table__)
            .where(Revision.__table__.c.id == revision.id)
            .values(knowledge_base_version="2025.1.0", result=old)
        )
        db.session.commit()
    report = html(client.get(f"/assessments/{assessment_id}"))
    assert "The knowledge base has moved on." in report
    assert "knowledge base 2025.1.0" in report
    preview = client.get(f"/assessments/{assessment_id}/reevaluate")
    page = html(preview)
    assert preview.status_code == 200
    assert re.search(r"Hosting <span class=\"badge\">changed</span>", page)
    assert "Items added (1)" in page
    with app.app_context():
        assert db.session.execute(db.select(sa.func.count(Revision.id))).scalar_one() == 1, "a preview stores nothing"
    saved = client.post(
        f"/assessments/{assessment_id}/reevaluate",
        data={"csrf_token": csrf_token(page), "base_revision": "1", "label": "Re-evaluated"},
    )
    assert saved.status_code == 302
    with app.app_context():
        latest = db.session.execute(db.select(Revision).where(Revision.number == 2)).scalar_one()
        assert latest.knowledge_base_version == app.extensions["advisor.kb"].version
        assert latest.recommended["hosting"] == "managed"
        assert latest.label == "Re-evaluated"
    assert "The knowledge base has moved on." not in html(client.get(f"/assessments/{assessment_id}"))


def test_revisions_are_immutable(app: Flask, client: FlaskClient, assessment_id: int) -> None:
    with app.app_context():
        revision = db.session.execute(db.select(Revision)).scalar_one()
        revision.label = "rewritten"
        with pytest.raises(ValueError, match="immutable"):
            db.session.flush()
        db.session.rollback()


def test_clone_copies_answers_and_progress(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    item = first_item(app, assessment_id)
    form_post(
        client,
        f"/assessments/{assessment_id}/checklist/{item['id']}",
        {"status": "done", "owner": "Ops", "version": "0"},
        page_url=f"/assessments/{assessment_id}",
    )
    response = form_post(client, f"/assessments/{assessment_id}/clone", {}, page_url=f"/assessments/{assessment_id}")
    assert response.status_code == 302
    with app.app_context():
        copy = db.session.execute(db.select(Assessment).where(Assessment.id != assessment_id)).scalar_one()
        assert copy.title == "Copy of Shop platform"
        original = db.session.execute(db.select(Revision).where(Revision.assessment_id == assessment_id)).scalar_one()
        cloned = db.session.execute(db.select(Revision).where(Revision.assessment_id == copy.id)).scalar_one()
        assert cloned.answers == original.answers
        assert cloned.label == "Cloned from revision 1"
        assert [(s.item_id, s.status, s.owner) for s in copy.statuses] == [(item["id"], "done", "Ops")]


def test_archive_hides_from_the_dashboard_until_restored(client: FlaskClient, assessment_id: int) -> None:
    response = form_post(
        client,
        f"/assessments/{assessment_id}/archive",
        {"archived": "1", "version": manage_version(client, assessment_id)},
        page_url=f"/assessments/{assessment_id}",
    )
    assert response.status_code == 302
    assert "Shop platform" not in html(client.get("/"))
    assert "Shop platform" in html(client.get("/?show=archived"))
    assert "Shop platform" in html(client.get("/?show=all"))
    form_post(
        client,
        f"/assessments/{assessment_id}/archive",
        {"archived": "0", "version": manage_version(client, assessment_id)},
        page_url=f"/assessments/{assessment_id}",
    )
    assert "Shop platform" in html(client.get("/"))


def test_archive_with_a_stale_version_is_refused(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    page = html(client.get(f"/assessments/{assessment_id}"))
    response = client.post(
        f"/assessments/{assessment_id}/archive", data={"csrf_token": csrf_token(page), "archived": "1", "version": "0"}
    )
    assert "Not changed" in html(client.get(response.headers["Location"]))
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).archived is False


def test_delete_asks_first_and_refuses_a_stale_page(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    confirm = html(client.get(f"/assessments/{assessment_id}/delete"))
    assert "cannot be undone" in confirm
    stale = client.post(
        f"/assessments/{assessment_id}/delete", data={"csrf_token": csrf_token(confirm), "version": "0"}
    )
    assert stale.status_code == 302
    assert client.get(f"/assessments/{assessment_id}").status_code == 200
    response = form_post(client, f"/assessments/{assessment_id}/delete", {})
    assert response.status_code == 302
    assert client.get(f"/assessments/{assessment_id}").status_code == 404
    with app.app_context():
        assert db.session.execute(db.select(sa.func.count(Revision.id))).scalar_one() == 0


def test_details_edit_and_conflict(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    url = f"/assessments/{assessment_id}/details"
    page = html(client.get(url))
    ok = client.post(url, data={"csrf_token": csrf_token(page), "version": "1", "title": "Renamed", "description": ""})
    # version 1 is stale: saving the draft and revision bumped it
    assert ok.status_code == 409
    assert 'value="Renamed"' in html(ok), "the refused input is kept"
    response = form_post(client, url, {"title": "Renamed", "description": "New words"})
    assert response.status_code == 302
    assert "Renamed" in html(client.get(f"/assessments/{assessment_id}"))


def test_print_stylesheet_hides_controls_and_prints_urls(client: FlaskClient) -> None:
    with client.get("/static/css/advisor.css") as response:
        css = response.get_data(as_text=True)
    print_rules = css.split("@media print")[1]
    for hidden in ("header.site", "nav.tabs", ".status-form", ".manage"):
        assert hidden in print_rules
    assert 'content: " — " attr(href)' in print_rules
    assert "break-inside: avoid" in print_rules


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "/healthz"])
def test_status_redirect_stays_on_the_report(client: FlaskClient, app: Flask, assessment_id: int, target: str) -> None:
    item = first_item(app, assessment_id)
    response = form_post(
        client,
        f"/assessments/{assessment_id}/checklist/{item['id']}",
        {"status": "done", "version": "0", "next": target},
        page_url=f"/assessments/{assessment_id}",
    )
    assert response.headers["Location"] == f"/assessments/{assessment_id}#item-{item['id']}"


def test_a_result_stored_by_engine_1_still_renders_and_exports(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    """Contract v2: v1 results keep rendering and exporting, and the report offers to re-evaluate them."""
    with app.app_context():
        revision = db.session.execute(sa.select(Revision).where(Revision.assessment_id == assessment_id)).scalar_one()
        result = dict(revision.result)
        for d in result["decisions"]:
            d.pop("close_call", None)
            d.pop("close_call_advice", None)
            for alt in d["alternatives"]:
                alt["reasons"] = [f"old-style reason {i} of {alt['id']}" for i, _ in enumerate(alt["reasons"])]
        result.pop("start_here")  # engine 2.1 keys; engine 1.x gave included_because in machine words
        result.pop("frameworks")
        for item in result["checklist"]:
            for key in ("phase", "effort", "responsibility", "priority_because", "frameworks"):
                item.pop(key)
            item["included_because"] = ["sensitivity is moderate"]
        result["engine_version"] = "1.0.0"
        db.session.execute(
            sa.update(Revision)
            .where(Revision.id == revision.id)
            .values(result=result, engine_version="1.0.0", knowledge_base_version="2026.11.0")
        )
        db.session.commit()
    page = html(client.get(f"/assessments/{assessment_id}"))
    assert "old-style reason 0 of" in page
    for absent in ("Start here", "Compliance mapping", "item-facts", "Included because", "Priority:</strong>"):
        assert absent not in page, absent
    assert "sensitivity is moderate" not in page, "machine words are not shown as reasons"
    assert "<strong>How:</strong>" in page
    flat = re.sub(r"\s+", " ", page)
    kb_version = app.extensions["advisor.kb"].version
    assert (
        f"evaluated with knowledge base 2026.11.0 (engine 1.0.0); this server has {kb_version} "
        f"(engine {ENGINE_VERSION})"
    ) in flat
    assert f"/assessments/{assessment_id}/reevaluate" in page
    for fmt in ("pdf", "markdown", "csv", "json", "adr"):
        assert client.get(f"/assessments/{assessment_id}/export?format={fmt}").status_code == 200, fmt
    markdown = client.get(f"/assessments/{assessment_id}/export?format=markdown").get_data(as_text=True)
    assert "old-style reason 0 of" in markdown
    assert "## Start here" not in markdown
    preview = html(client.get(f"/assessments/{assessment_id}/reevaluate"))
    assert kb_version in preview


def test_a_close_call_is_marked_with_what_would_settle_it(client: FlaskClient, app: Flask) -> None:
    assessment_id = new_assessment_with_revision(client, "Narrow wins", overrides=CLOSE_CALLS)
    with app.app_context():
        revision = db.session.execute(sa.select(Revision).where(Revision.assessment_id == assessment_id)).scalar_one()
        close = [d for d in revision.result["decisions"] if d.get("close_call")]
    assert close, "these answers give close calls"
    page = html(client.get(f"/assessments/{assessment_id}"))
    assert page.count("A close call</strong>") == len(close)
    assert page.count('<span class="badge close-call">Close call</span>') == len(close), (
        "tagged beside the recommendation"
    )
    for d in close:
        assert d["close_call_advice"].split(". ")[0].replace("'", "&#39;") in page
    assert 'class="reason-for"' in page
    assert 'class="reason-against"' in page


def test_an_exclusion_is_said_once_as_a_sentence(client: FlaskClient, app: Flask) -> None:
    assessment_id = new_assessment_with_revision(client, "Exclusions")
    form_post(
        client, f"/assessments/{assessment_id}/answers/hosting", {"infrastructure": "hybrid", "air_gapped": "true"}
    )
    assert save_revision(client, assessment_id, "Air gap").status_code == 302
    page = html(client.get(f"/assessments/{assessment_id}"))
    hosting = page.split('id="decision-hosting"')[1].split("</article>")[0]
    sentence = "The clusters must be air-gapped, and a cloud provider&#39;s managed control plane needs a path"
    assert f"<em>excluded</em>: {sentence}" in hosting
    assert hosting.count(sentence) == 1, "not repeated among the reasons"
    assert "must not have.." not in hosting


# --- engine 2.1's guidance: start here, each item's facts and reasons, the compliance mapping ------------


def map_gdpr(app: Flask, assessment_id: int) -> tuple[dict[str, Any], str, str]:
    """Give the stored revision (GDPR ticked) a known mapping: its first requirement answered by the first
    two start-here items, its second by none, its third by seven items (the first start-here item and six
    more). Returns the stored result and the first two requirements."""
    with app.app_context():
        revision = db.session.execute(sa.select(Revision).where(Revision.assessment_id == assessment_id)).scalar_one()
        view = next(f for f in revision.result["frameworks"] if f["framework"] == "gdpr")
        answered, unanswered, many = (r["requirement"] for r in view["requirements"][:3])
        first_two = revision.result["start_here"][:2]
        seven = [first_two[0], *[i["id"] for i in revision.result["checklist"] if i["id"] not in first_two][:6]]
        result = with_mapping(revision.result, "gdpr", {answered: first_two, many: seven}, [unanswered])
        db.session.execute(sa.update(Revision).where(Revision.id == revision.id).values(result=result))
        db.session.commit()
    return result, answered, unanswered


def share_page(app: Flask, client: FlaskClient, assessment_id: int) -> str:
    from tests.test_sharing import make_link

    return html(app.test_client().get(f"/share/{make_link(client, assessment_id)}"))


def test_report_and_share_page_show_start_here_item_facts_and_the_compliance_mapping(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    result, answered, unanswered = map_gdpr(app, assessment_id)
    first, second = result["start_here"][:2]
    form_post(
        client,
        f"/assessments/{assessment_id}/checklist/{first}",
        {"status": "done", "version": "0"},
        page_url=f"/assessments/{assessment_id}",
    )
    view = next(f for f in result["frameworks"] if f["framework"] == "gdpr")
    titles = {r["requirement"]: r["title"] for r in view["requirements"]}
    for page in (html(client.get(f"/assessments/{assessment_id}")), share_page(app, client, assessment_id)):
        shown = re.sub(r"<[^>]*>", "|", page)  # the words people read, not attribute values (the filter's options)
        for raw in ("before_go_live", "first_90_days", "|gdpr|", "|customer|", "|medium|"):
            assert raw not in shown, raw

        start = page.split('class="start-here"')[1].split("</section>")[0]
        assert re.findall(r'<li><a href="#item-([^"]+)"', start) == result["start_here"], "in order, linked"
        for item_id in result["start_here"]:
            item = next(i for i in result["checklist"] if i["id"] == item_id)
            li = start.split(f'href="#item-{item_id}"')[1].split("</li>")[0]
            assert f'class="badge priority-{item["priority"]}"' in li
            assert f"Effort: {EFFORT_LABELS[item['effort']]}" in li
        assert f'data-status-of="{first}">Done</span>' in start

        item = next(i for i in result["checklist"] if i["id"] == first)
        block = item_block(page, first)
        assert f"<dt>When</dt><dd>{PHASE_LABELS[item['phase']]}</dd>" in block
        assert f"<dt>Effort</dt><dd>{EFFORT_LABELS[item['effort']]}</dd>" in block
        assert f"<dt>Who</dt><dd>{RESPONSIBILITY_LABELS[item['responsibility']]}</dd>" in block
        anchor = requirement_anchor("gdpr", answered)
        assert f'<dt>Answers</dt><dd><a href="#{anchor}">GDPR Art. {answered}</a>' in block
        assert f"<strong>Priority:</strong> {inline_code(item['priority_because'])}</p>" in block
        assert f"<strong>Included because:</strong> {inline_code(item['included_because'][0])}" in block
        assert block.index("Why:") < block.index("How:") < block.index("Priority:") < block.index("Included because:")

        mapping = page.split('class="compliance-mapping"')[1].split("</section>\n</section>")[0]
        assert '<h2 id="mapping-heading">Compliance mapping</h2>' in page
        assert f">{view['label']}</h3>" in mapping.replace("&#39;", "'")
        row = mapping.split(f'<tr id="{anchor}">')[1].split("</tr>")[0]
        assert f'<th scope="row">Art. {answered}</th>' in row
        assert f"<td>{titles[answered]}</td>" in row
        assert f'<a href="#item-{first}">' in row
        assert f'<a href="#item-{second}">' in row
        assert f'data-status-of="{first}">Done</span>' in row
        assert f'data-status-of="{second}">To do</span>' in row
        missing = mapping.split(f'<tr id="{requirement_anchor("gdpr", unanswered)}" class="unanswered">')[1]
        assert f"<strong>{NOT_ANSWERED}</strong>" in missing.split("</tr>")[0]
        open_ = sum(1 for r in view["requirements"] if not r["items"])
        assert f"requirements answered by checklist items; {open_} not answered." in mapping
        many = mapping.split(f'<tr id="{requirement_anchor("gdpr", view["requirements"][2]["requirement"])}">')[1]
        folded = many.split("</tr>")[0]
        assert '<details class="answering"><summary>7 items, 1 done, not applicable or inherited</summary>' in folded
        assert folded.count("<li><a href=") == 7, "a long list is folded under its count, not cut"
        assert "&lt;" not in folded, "the folded list is markup, not escaped text"

    # a done item a later revision put in doubt no longer counts as done there either
    with app.app_context():
        db.session.execute(
            sa.update(ChecklistStatus)
            .where(ChecklistStatus.assessment_id == assessment_id, ChecklistStatus.item_id == first)
            .values(review_reason="Its reasons changed.", review_since=1, version=ChecklistStatus.version + 1)
        )
        db.session.commit()
    page = html(client.get(f"/assessments/{assessment_id}"))
    assert "<summary>7 items, 0 done, not applicable or inherited</summary>" in page


def test_stored_guidance_texts_are_escaped_on_the_report(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    hostile = "<script>alert('kb')</script><img src=x onerror=alert(1)>"
    with app.app_context():
        revision = db.session.execute(sa.select(Revision).where(Revision.assessment_id == assessment_id)).scalar_one()
        result = json.loads(json.dumps(revision.result))
        item = next(i for i in result["checklist"] if i["id"] == result["start_here"][0])
        item.update(priority_because=hostile, included_because=[hostile], phase=hostile, effort=hostile)
        item["frameworks"] = [{"framework": "gdpr", "requirement": hostile, "title": hostile}]
        view = result["frameworks"][0]
        view["label"] = hostile
        view["requirements"][0].update(requirement=hostile, title=hostile, items=[item["id"]])
        db.session.execute(sa.update(Revision).where(Revision.id == revision.id).values(result=result))
        db.session.commit()
    page = html(client.get(f"/assessments/{assessment_id}"))
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;kb&#39;)&lt;/script&gt;" in page


def test_the_checklist_filters_by_its_facts_with_open_items_first(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    """Issue 14: the checklist as a filterable list, as a plain GET form (a filtered view is a link)."""
    url = f"/assessments/{assessment_id}"
    everything = html(client.get(url))
    all_ids = re.findall(r'<article class="item" id="item-([^"]+)"', everything)
    result = first_item(app, assessment_id)  # any item: mark it done, so it goes after the open ones
    form_post(client, f"{url}/checklist/{result['id']}", {"status": "done", "version": "0"}, page_url=url)
    page = html(client.get(url))
    ids = re.findall(r'<article class="item" id="item-([^"]+)"', page)
    assert sorted(ids) == sorted(all_ids)
    topics = dict(re.findall(r'<article class="item" id="item-([^"]+)"[^>]*?data-topic="([^"]+)"', page, re.S))
    same_topic = [i for i in ids if topics[i] == topics[result["id"]]]
    assert same_topic[-1] == result["id"], "a finished item goes after the open ones of its topic"

    critical = html(client.get(f"{url}?priority=critical"))
    shown = re.findall(r'<article class="item" id="item-[^"]+"[^>]*\n\s*data-priority="([^"]+)"', critical)
    assert shown
    assert set(shown) == {"critical"}
    assert f"{len(shown)} of {len(all_ids)} items shown (filtered)" in re.sub(r"<[^>]+>", "", critical)
    assert '<option value="critical" selected>' in critical

    still_open = html(client.get(f"{url}?status=open"))
    assert f'id="item-{result["id"]}"' not in still_open
    assert len(re.findall(r'<article class="item"', still_open)) == len(all_ids) - 1
    done_only = html(client.get(f"{url}?status=done"))
    assert re.findall(r'<article class="item" id="item-([^"]+)"', done_only) == [result["id"]]
    assert "Show every item" in done_only
    # an unfiltered page after a filtered one is the whole list again: each filter is its own cached body
    assert re.findall(r'<article class="item" id="item-([^"]+)"', html(client.get(url))) == ids


def test_several_items_change_at_once_or_not_at_all(client: FlaskClient, app: Flask, assessment_id: int) -> None:
    """Issue 14: bulk update. Ticked items get the status and owner; an empty field leaves each item's own value;
    one item changed meanwhile refuses the whole change."""
    url = f"/assessments/{assessment_id}"
    page = html(client.get(url))
    ticks = re.findall(r'name="items" form="bulk-update"\s+value="([^"]+)"', page)
    assert len(ticks) == len(re.findall(r'<article class="item"', page)), "every item can be ticked"
    first, second, third = (t.split(":")[0] for t in ticks[:3])
    form_post(client, f"{url}/checklist/{third}", {"status": "in_progress", "note": "keep me", "version": "0"})
    token = csrf_token(html(client.get(url)))

    done = client.post(
        f"{url}/checklist",
        data={"csrf_token": token, "items": [f"{first}:0", f"{second}:0"], "status": "done", "owner": "Platform team"},
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"{url}#checklist")
    page = html(client.get(url))
    assert "2 items updated." in page
    for item in (first, second):
        block = item_block(page, item)
        assert 'data-status="done"' in block
        assert 'data-owner="Platform team"' in block

    stale = client.post(
        f"{url}/checklist",
        data={"csrf_token": token, "items": [f"{first}:0", f"{third}:1"], "owner": "Someone else"},
    )
    assert stale.status_code == 302
    page = html(client.get(url))
    assert "Nothing was changed" in page, re.findall(r"</strong> (.*?)</p>", page, re.S)
    assert 'data-owner="Someone else"' not in page, "all or none: the item that was current is unchanged too"
    assert "keep me" in item_block(page, third)

    nothing = client.post(f"{url}/checklist", data={"csrf_token": token, "items": [f"{third}:1"]})
    assert nothing.status_code == 302
    assert "Nothing changed: choose a status" in html(client.get(url))
