"""The dashboard (search, filters, sort, pagination) and its constant number of SQL queries."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from advisor.engine import evaluate
from advisor.extensions import db
from advisor.models import Assessment, ChecklistStatus, Revision, User, Workspace
from advisor.report.cache import FragmentCache
from tests.helpers import BASE_ANSWERS
from tests.web import CLOSE_CALLS, STEP_ANSWERS, create_assessment, form_post, html, new_assessment_with_revision

ANSWERS = BASE_ANSWERS


def seed(
    app: Flask, count: int, statuses: int = 0, title: str = "Plan {n:04d}", owner: str = "owner@example.com"
) -> list[int]:
    """Insert assessments with one revision each into ``owner``'s personal workspace, straight into the database."""
    result = evaluate(ANSWERS)
    ids = [item["id"] for item in result["checklist"]]
    with app.app_context():
        workspace_id = db.session.execute(
            sa.select(Workspace.id).join(User, Workspace.personal_for_id == User.id).where(User.email == owner)
        ).scalar_one()
        created = []
        for n in range(count):
            assessment = Assessment(
                workspace_id=workspace_id, title=title.format(n=n), description="", draft=None, latest_revision_number=1
            )
            db.session.add(assessment)
            db.session.add(
                Revision(
                    assessment=assessment,
                    number=1,
                    answers=result["answers"],
                    result=result,
                    statuses={},
                    engine_version=result["engine_version"],
                    knowledge_base_version=result["knowledge_base_version"],
                    recommended={d["id"]: d["recommended"] for d in result["decisions"]},
                    checklist_ids=ids,
                )
            )
            created.append(assessment)
        db.session.flush()
        for assessment in created[:1]:
            for i in range(statuses):
                item_id = ids[i] if i < len(ids) else f"retired-item-{i}"
                db.session.add(ChecklistStatus(assessment_id=assessment.id, item_id=item_id, status="done"))
        db.session.commit()
        return [a.id for a in created]


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def queries_for(app: Flask, client: FlaskClient, url: str) -> int:
    """Statements on the app's tables for one page (a connection's own set-up queries are not counted)."""
    client.get(url)  # warm up: the pool's connection is open, lazy set-up is done
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    tables = set(db.metadata.tables)
    return sum(1 for s in statements if any(name in s for name in tables))


def test_dashboard_queries_do_not_grow_with_the_number_of_assessments(app: Flask, client: FlaskClient) -> None:
    seed(app, 10)
    small = queries_for(app, client, "/")
    seed(app, 490)
    large = queries_for(app, client, "/")
    assert small == large
    assert large <= 5, "the signed-in user, their workspaces, the count, the page, checklist progress"
    page = html(client.get("/"))
    assert "500 assessments" in page
    assert "Page 1 of 25" in page


def test_report_queries_do_not_grow_with_the_number_of_statuses(app: Flask, client: FlaskClient) -> None:
    few = seed(app, 1, statuses=5)[0]
    many = seed(app, 1, statuses=80)[0]
    with app.app_context():
        assert (
            db.session.execute(sa.select(sa.func.count()).where(ChecklistStatus.assessment_id == many)).scalar_one()
            == 80
        )
    cached = [queries_for(app, client, f"/assessments/{a}") for a in (few, many)]
    assert cached == [2, 2], "a stored page: the signed-in user; the assessment, role, revision and status stamp"
    app.extensions["advisor.fragments"] = FragmentCache(0)
    rendered = [queries_for(app, client, f"/assessments/{a}") for a in (few, many)]
    # rendered afresh: the assessment and revision, the statuses, the revisions' checklist ids (what a later
    # revision dropped: the "Removed since an earlier revision" section), and the revision's sign-off
    assert rendered[0] == rendered[1] <= 6


def test_search_filters_sort_and_pages(app: Flask, client: FlaskClient) -> None:
    seed(app, 25, title="Payments {n:02d}")
    seed(app, 3, title="Edge 100% {n}")
    page = html(client.get("/?q=payments"))
    assert "25 assessments matching “payments”" in page
    assert "Page 1 of 2" in page
    second = html(client.get("/?q=payments&page=2&sort=title"))
    assert "Payments 24" in second
    assert "Payments 00" not in second
    assert "3 assessments matching “100%”" in html(client.get("/?q=100%25")), "LIKE wildcards are literal"
    assert "0 assessments matching “_”" in html(client.get("/?q=_"))
    beyond = html(client.get("/?q=payments&page=99"))
    assert "Page 2 of 2" in beyond, "a page past the end shows the last page"


def test_updated_since_filter(app: Flask, client: FlaskClient) -> None:
    ids = seed(app, 3)
    with app.app_context():
        db.session.execute(
            sa.update(Assessment).where(Assessment.id == ids[0]).values(updated_at=dt.datetime(2020, 1, 1))
        )
        db.session.commit()
    assert "2 assessments" in html(client.get(f"/?since={dt.date.today().isoformat()}"))
    assert "3 assessments" in html(client.get("/?since=2019-12-31"))
    bad = html(client.get("/?since=yesterday"))
    assert "the filter was ignored" in bad
    assert "3 assessments" in bad


@pytest.mark.parametrize("sort", ["updated", "created", "title", "nonsense"])
def test_every_sort_order_answers(app: Flask, client: FlaskClient, sort: str) -> None:
    seed(app, 3)
    assert client.get(f"/?sort={sort}&show=all").status_code == 200


def test_dashboard_shows_recommendation_and_progress(app: Flask, client: FlaskClient) -> None:
    seed(app, 1, statuses=5)
    page = html(client.get("/"))
    assert "Managed Kubernetes service" in page
    total = len(evaluate(ANSWERS)["checklist"])
    assert f'<progress max="{total}" value="5"' in page
    assert f"5 of {total} done" in page
    assert page.count('href="/assessments/new"') == 1, "the page's own button; the header's is left out here"
    assert html(client.get("/workspaces/")).count('href="/assessments/new"') == 1, "other pages keep the header's"


def test_every_offered_sort_has_an_order() -> None:
    from advisor.services import dashboard

    assert set(dashboard._ORDER) == set(dashboard.SORT_LABELS)


def test_a_draft_shows_its_progress_and_where_to_continue(app: Flask, client: FlaskClient) -> None:
    assessment_id = create_assessment(client, "Half done")
    steps = [s.id for s in app.extensions["advisor.kb"].steps]
    page = html(client.get("/"))
    assert f"0 of {len(steps)} steps done" in page
    assert f'href="/assessments/{assessment_id}/answers/{steps[0]}">Continue' in page
    form_post(client, f"/assessments/{assessment_id}/answers/{steps[0]}", {**STEP_ANSWERS[steps[0]], "action": "next"})
    page = html(client.get("/"))
    assert "Not answered yet" in page
    assert f"1 of {len(steps)} steps done" in page
    assert f'href="/assessments/{assessment_id}/answers/{steps[1]}">Continue' in page


def test_a_close_call_is_marked_beside_its_recommendation(app: Flask, client: FlaskClient) -> None:
    """Issue 14: a narrow win does not read as a firm decision on the dashboard either."""
    assessment_id = new_assessment_with_revision(client, "Narrow wins", overrides=CLOSE_CALLS)
    with app.app_context():
        revision = db.session.execute(sa.select(Revision).where(Revision.assessment_id == assessment_id)).scalar_one()
        close = [d for d in revision.result["decisions"] if d.get("close_call")]
        firm = [d for d in revision.result["decisions"] if d["recommended"] and not d.get("close_call")]
        assert revision.close_calls == [d["id"] for d in close]
    assert close, "the questionnaire's answers give at least one close call"
    assert firm, "and at least one firm recommendation"
    page = html(client.get("/"))
    items = re.findall(r"<li>(.*?)</li>", page.split('<ul class="compact">')[1].split("</ul>")[0])
    labels = {
        alt["label"]: d
        for d in revision.result["decisions"]
        for alt in d["alternatives"]
        if alt["id"] == d["recommended"]
    }
    marked = {re.sub(r"\s*<span.*", "", item) for item in items if "close call" in item}
    assert marked == {label for label, d in labels.items() if d.get("close_call")}
