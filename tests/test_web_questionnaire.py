"""The questionnaire in the browser's shoes: steps, validation, drafts, conflicts, saving revisions."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from advisor.extensions import db
from advisor.models import Assessment, Draft, Revision
from tests.web import (
    STEP_ANSWERS,
    answer_all_steps,
    create_assessment,
    csrf_token,
    form_post,
    html,
    new_assessment_with_revision,
    save_revision,
    version_on,
)


def test_new_assessment_needs_a_title_and_keeps_the_description(client: FlaskClient) -> None:
    response = form_post(client, "/assessments/new", {"title": "  ", "description": "Payments cluster plan"})
    assert response.status_code == 200
    page = html(response)
    assert "Give the assessment a title." in page
    assert "Payments cluster plan</textarea>" in page


def test_a_post_without_csrf_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/assessments/new", data={"title": "x"})
    assert response.status_code == 400
    assert "Traceback" not in html(response)


def test_every_step_renders_the_knowledge_base_questions(client: FlaskClient, app: Flask) -> None:
    assessment_id = create_assessment(client)
    kb = app.extensions["advisor.kb"]
    for index, step in enumerate(kb.steps):
        page = html(client.get(f"/assessments/{assessment_id}/answers/{step.id}"))
        heading = re.sub(r"<[^>]+>", "", page.split("<h1>")[1].split("</h1>")[0])
        assert heading == f"Step {index + 1} of {len(kb.steps)}: {step.title}"
        assert 'aria-current="step"' in page
        for q in kb.questions:
            if q.step == step.id:
                assert str(escape(q.label)) in page
                for option in q.options:
                    assert str(escape(option.tradeoff)) in page, (q.key, option.value)
    priorities = html(client.get(f"/assessments/{assessment_id}/answers/priorities"))
    for c in kb.criteria:
        assert str(escape(c.description)) in priorities
        assert f'name="priorities__{c.id}"' in priorities


def test_full_session_saves_revision_one(client: FlaskClient, app: Flask) -> None:
    assessment_id = create_assessment(client)
    answer_all_steps(client, assessment_id)
    response = save_revision(client, assessment_id, "Design review")
    assert response.status_code == 302
    report = html(client.get(response.headers["Location"]))
    assert "Use the cloud provider&#39;s managed Kubernetes service" in report
    assert "Revision 1 · Design review" in report
    with app.app_context():
        revision = db.session.execute(db.select(Revision)).scalar_one()
        assert revision.number == 1
        assert revision.answers["experience"] == "novice"
        assert revision.answers["environments"] == ["dev", "prod"]
        assert revision.result["answers"] == revision.answers
        assert revision.knowledge_base_version == app.extensions["advisor.kb"].version
        assert db.session.get(Assessment, assessment_id).draft is None


def test_step_validation_names_the_field_and_keeps_the_input(client: FlaskClient) -> None:
    assessment_id = create_assessment(client)
    url = f"/assessments/{assessment_id}/answers/namespaces"
    response = form_post(client, url, {"applications": "twelve", "action": "next"})
    assert response.status_code == 422
    page = html(response)
    assert "Enter a whole number from 1 to 10000" in page
    assert "allowed:" not in page, "the engine's id-based wording stays with the API and the command line"
    assert 'value="twelve"' in page, "what the user typed is kept"
    assert 'href="#q-applications"' in page
    # the typed value was saved in the draft: a reload shows it again
    assert 'value="twelve"' in html(client.get(url))


def test_required_choice_missing_is_reported_beside_the_field(client: FlaskClient) -> None:
    assessment_id = create_assessment(client)
    response = form_post(
        client, f"/assessments/{assessment_id}/answers/context", {"experience": "novice", "action": "next"}
    )
    assert response.status_code == 422
    page = html(response)
    assert "Choose one of: Mostly manual, Partly automated, Fully automated" in page
    assert "Choose one of: Low, Moderate, High" in page
    assert "allowed:" not in page


def test_services_fewer_than_applications_is_caught_on_its_step(client: FlaskClient) -> None:
    assessment_id = create_assessment(client)
    form_post(client, f"/assessments/{assessment_id}/answers/namespaces", {"applications": "9", "action": "next"})
    response = form_post(
        client,
        f"/assessments/{assessment_id}/answers/mesh",
        {"services": "3", "exposure": "internal", "action": "next"},
    )
    assert response.status_code == 422
    assert "must be at least the number of distinct applications (9)" in html(response)
    assert "got 3" not in html(response)


def test_conditional_question_is_marked_for_the_script_and_ignored_when_hidden(client: FlaskClient, app: Flask) -> None:
    assessment_id = create_assessment(client)
    page = html(client.get(f"/assessments/{assessment_id}/answers/mesh"))
    assert 'data-show-if="{&#34;gte&#34;: 2, &#34;key&#34;: &#34;services&#34;}"' in page
    assert "Asked only when the number of services is 2 or more." in page
    answer_all_steps(
        client,
        assessment_id,
        {"namespaces": {"applications": "1"}, "mesh": {"services": "1", "zero_trust": "true"}},
    )
    assert save_revision(client, assessment_id).status_code == 302
    with app.app_context():
        revision = db.session.execute(db.select(Revision)).scalar_one()
        assert revision.answers["zero_trust"] is False, "a hidden question takes its default"


def test_save_draft_and_resume(client: FlaskClient) -> None:
    assessment_id = create_assessment(client)
    url = f"/assessments/{assessment_id}/answers/context"
    response = form_post(client, url, {"experience": "expert", "action": "draft"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{assessment_id}")
    landing = html(client.get(response.headers["Location"]))
    assert "Draft saved" in landing
    assert "a draft is in progress" in landing
    resumed = html(client.get(url))
    assert re.search(r'value="expert"[^>]*checked', resumed)


def test_the_draft_keeps_values_steps_done_and_base_revision(client: FlaskClient, app: Flask) -> None:
    assessment_id = create_assessment(client)
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).draft is None, "a new assessment has no draft yet"
    form_post(client, f"/assessments/{assessment_id}/answers/context", {**STEP_ANSWERS["context"], "action": "next"})
    with app.app_context():
        document = db.session.get(Assessment, assessment_id).draft
    assert document is not None
    assert set(document) == {"values", "steps_done", "base_revision", "updated_by", "updated_at"}
    assert document["updated_by"] == "owner@example.com"
    assert document["values"].items() >= STEP_ANSWERS["context"].items()
    assert not any(key.startswith("_") for key in document["values"]), "only the form's values"
    assert (document["steps_done"], document["base_revision"]) == (["context"], 0)
    assert Draft.from_json(document).to_json() == document

    revised = new_assessment_with_revision(client)
    form_post(client, f"/assessments/{revised}/answers/hosting", {"infrastructure": "hybrid", "action": "draft"})
    with app.app_context():
        draft = Draft.from_json(db.session.get(Assessment, revised).draft)
    assert draft.base_revision == 1
    assert draft.values["infrastructure"] == "hybrid"
    assert draft.values["experience"] == STEP_ANSWERS["context"]["experience"], "started from the revision's answers"
    assert draft.steps_done == tuple(s.id for s in app.extensions["advisor.kb"].steps)


def test_back_keeps_answers_without_validating(client: FlaskClient) -> None:
    assessment_id = create_assessment(client)
    response = form_post(
        client, f"/assessments/{assessment_id}/answers/hosting", {"infrastructure": "on_prem", "action": "back"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/answers/context")
    assert re.search(r'value="on_prem"[^>]*checked', html(client.get(f"/assessments/{assessment_id}/answers/hosting")))


def test_review_lists_missing_answers_and_refuses_to_save(client: FlaskClient, app: Flask) -> None:
    assessment_id = create_assessment(client)
    page = html(client.get(f"/assessments/{assessment_id}/answers/review"))
    assert "answers to fix before saving" in page
    assert "Kubernetes security experience of the team: Choose one of: Novice, Intermediate, Expert</a>" in page
    assert f'href="/assessments/{assessment_id}/answers/context#q-experience"' in page
    response = client.post(
        f"/assessments/{assessment_id}/answers/review",
        data={"csrf_token": csrf_token(page), "version": version_on(page), "base_revision": "0"},
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Revision.id))).scalar_one() == 0


def test_edit_answers_makes_revision_two_and_keeps_revision_one(client: FlaskClient, app: Flask) -> None:
    assessment_id = new_assessment_with_revision(client, label="Design review")
    hosting = html(client.get(f"/assessments/{assessment_id}/answers/hosting"))
    assert re.search(r'value="public_cloud"[^>]*checked', hosting), "the questionnaire starts from the latest answers"
    form_post(
        client, f"/assessments/{assessment_id}/answers/hosting", {"infrastructure": "hybrid", "air_gapped": "true"}
    )
    response = save_revision(client, assessment_id, "Air-gapped variant")
    assert response.status_code == 302
    with app.app_context():
        first, second = db.session.execute(db.select(Revision).order_by(Revision.number)).scalars()
        assert (first.number, second.number) == (1, 2)
        assert first.answers["air_gapped"] is False
        assert second.answers["air_gapped"] is True
        assert first.recommended["hosting"] == "managed"
        assert second.recommended["hosting"] == "self_managed"
        assert second.label == "Air-gapped variant"
    history = html(client.get(f"/assessments/{assessment_id}/revisions"))
    assert "Design review" in history
    assert "Air-gapped variant" in history
    old = html(client.get(f"/assessments/{assessment_id}/revisions/1"))
    assert "You are reading revision 1" in old
    assert "Use the cloud provider&#39;s managed Kubernetes service" in old


def test_two_tabs_on_one_step_the_later_save_is_refused(client: FlaskClient) -> None:
    assessment_id = create_assessment(client)
    url = f"/assessments/{assessment_id}/answers/context"
    first_tab = html(client.get(url))
    second_tab = html(client.get(url))
    data = {"experience": "expert", "automation": "full", "sensitivity": "high", "action": "next"}
    ok = client.post(url, data={**data, "csrf_token": csrf_token(first_tab), "version": version_on(first_tab)})
    assert ok.status_code == 302
    late = client.post(
        url,
        data={**data, "experience": "novice", "csrf_token": csrf_token(second_tab), "version": version_on(second_tab)},
    )
    assert late.status_code == 409
    page = html(late)
    assert "Not saved" in page
    assert "changed by you, in another tab or window" in page
    assert re.search(r'value="novice"[^>]*checked', page), "the refused input is shown again"
    assert f'href="/assessments/{assessment_id}"' in page, "a way to see the newer state"
    assert re.search(r'value="expert"[^>]*checked', html(client.get(url))), "the first save stands"


def test_saving_on_top_of_a_newer_revision_is_refused(client: FlaskClient, app: Flask) -> None:
    assessment_id = new_assessment_with_revision(client)
    stale_review = html(client.get(f"/assessments/{assessment_id}/answers/review"))
    form_post(
        client, f"/assessments/{assessment_id}/answers/context", {**STEP_ANSWERS["context"], "experience": "expert"}
    )
    assert save_revision(client, assessment_id, "from the other tab").status_code == 302
    response = client.post(
        f"/assessments/{assessment_id}/answers/review",
        data={"csrf_token": csrf_token(stale_review), "version": version_on(stale_review), "base_revision": "1"},
    )
    assert response.status_code == 409
    assert "Not saved" in html(response)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Revision.id))).scalar_one() == 2


def test_discard_draft(client: FlaskClient, app: Flask) -> None:
    assessment_id = new_assessment_with_revision(client)
    form_post(client, f"/assessments/{assessment_id}/answers/context", {**STEP_ANSWERS["context"], "action": "draft"})
    response = form_post(
        client,
        f"/assessments/{assessment_id}/answers/discard",
        {},
        page_url=f"/assessments/{assessment_id}/answers/review",
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).draft is None


def test_unknown_step_and_assessment_are_404(client: FlaskClient) -> None:
    assessment_id = create_assessment(client)
    assert client.get(f"/assessments/{assessment_id}/answers/nowhere").status_code == 404
    assert client.get("/assessments/9999/answers/context").status_code == 404
    assert client.get("/assessments/9999").status_code == 404


def test_defaults_are_preselected_and_conditional_ones_explained(client: FlaskClient, app: Flask) -> None:
    """v2 questions: a plain default shows selected; a default that depends on another answer says so."""
    assessment_id = create_assessment(client, "Defaults")
    context = html(client.get(f"/assessments/{assessment_id}/answers/context"))
    assert re.search(r'name="delivery"[^>]*value="ci_push"[^>]*checked', context)
    assert re.search(r'name="identity_provider"[^>]*value="none"[^>]*checked', context)
    assert "A whole number from 0 to 10000, or empty." in context
    clusters_url = f"/assessments/{assessment_id}/answers/clusters"
    clusters = html(client.get(clusters_url))
    assert re.findall(r'name="environments"[^>]*value="(\w+)"[^>]*checked', clusters) == ["prod"]
    assert re.search(r'name="availability"[^>]*value="multi_zone"[^>]*checked', clusters)
    form_post(client, clusters_url, {"action": "draft"})  # every environment unticked, saved as such
    assert not re.search(r'name="environments"[^>]*checked', html(client.get(clusters_url))), "the user's choice"
    mesh = html(client.get(f"/assessments/{assessment_id}/answers/mesh"))
    assert re.search(r'name="zero_trust"[^>]*value="false"[^>]*checked', mesh)
    hosting = html(client.get(f"/assessments/{assessment_id}/answers/hosting"))
    assert not re.search(r'name="egress"[^>]*checked', hosting), "egress's default depends on the air gap"
    assert str(escape("Left unanswered: “Open”, or “None” when “Must the clusters be air-gapped?” is “Yes”.")) in (
        hosting
    )
    response = form_post(
        client,
        f"/assessments/{assessment_id}/answers/hosting",
        {"infrastructure": "on_prem", "air_gapped": "true", "egress": "open", "action": "next"},
    )
    assert response.status_code == 422
    assert "an air-gapped cluster has no open path to the internet" in html(response)


def test_the_step_list_keeps_what_was_typed(client: FlaskClient, app: Flask) -> None:
    """Issue 14: going to another step or to the review from the step list saves the page's input as the draft
    (the steps are buttons of the page's form, not links that would drop it); the current step is no link."""
    assessment_id = create_assessment(client)
    steps = [s.id for s in app.extensions["advisor.kb"].steps]
    page = html(client.get(f"/assessments/{assessment_id}/answers/hosting"))
    nav = page.split('aria-label="Questionnaire steps"')[1].split("</nav>")[0]
    targets = re.findall(r'<button type="submit" form="step-form" name="action" value="goto:([a-z_]+)"', nav)
    assert targets == [s for s in steps if s != "hosting"] + ["review"]
    assert 'aria-current="step"' in nav
    assert "href=" not in nav
    assert 'id="step-form"' in page
    for target, location in (("clusters", "/answers/clusters"), ("review", "/answers/review")):
        response = form_post(
            client,
            f"/assessments/{assessment_id}/answers/hosting",
            {"infrastructure": "on_prem" if target == "review" else "hybrid", "action": f"goto:{target}"},
        )
        assert response.status_code == 302
        assert response.headers["Location"].endswith(location)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        assert Draft.from_json(assessment.draft).values["infrastructure"] == "on_prem"
    review = html(client.get(f"/assessments/{assessment_id}/answers/review"))
    assert 'aria-label="Questionnaire steps"' in review
    assert f'href="/assessments/{assessment_id}/answers/hosting#q-infrastructure"' in review
