"""Rendered report pages kept in memory: never stale, never another reader's, CSRF tokens per session.

Every check compares what the cache serves with a render from scratch (a cache that stores
nothing), after each kind of change the report shows.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advisor.extensions import db
from advisor.models import Assessment, Revision, User, Workspace
from advisor.report.cache import FragmentCache, body_key, page_key
from advisor.services import assessments as svc
from advisor.services import workspaces
from advisor.views.readonly import WriteInReadOnlyRequest, read_only
from tests.conftest import make_user, sign_in
from tests.web import (
    STEP_ANSWERS,
    csrf_token,
    first_item,
    form_post,
    html,
    item_block,
    new_assessment_with_revision,
    save_revision,
    version_on,
)

TOKEN = re.compile(r'(name="csrf_token" (?:type="hidden" )?value=")[^"]+"')


def without_tokens(page: str) -> str:
    return TOKEN.sub(r'\1…"', page)


def tokens(page: str) -> set[str]:
    return {m.group(0).rsplit('value="', 1)[1] for m in TOKEN.finditer(page)}


def served_and_fresh(app: Flask, client: FlaskClient, url: str) -> str:
    """The page as the cache serves it, checked against a render from scratch; returns the served page."""
    cache: FragmentCache = app.extensions["advisor.fragments"]
    client.get(url).close()  # shows, and so clears, any message left by the change
    served = html(client.get(url))
    hits = cache.hits
    again = html(client.get(url))
    assert cache.hits > hits, "the second read comes from the cache"
    app.extensions["advisor.fragments"] = FragmentCache(0)
    try:
        fresh = html(client.get(url))
    finally:
        app.extensions["advisor.fragments"] = cache
    assert without_tokens(served) == without_tokens(fresh) == without_tokens(again)
    assert len(tokens(served)) == 1, "one CSRF token per page, the session's"
    assert cache.placeholder not in served
    return served


def set_status(client: FlaskClient, assessment_id: int, item_id: str, status: str, owner: str, version: str) -> None:
    url = f"/assessments/{assessment_id}/checklist/{item_id}"
    data = {"status": status, "owner": owner, "note": f"note for {status}", "version": version}
    response = form_post(client, url, data, page_url=f"/assessments/{assessment_id}")
    assert response.status_code == 303


def test_every_change_shows_at_once(app: Flask, client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client, "Cached platform", label="First")
    url = f"/assessments/{assessment_id}"
    item_id = first_item(app, assessment_id)["id"]
    page = served_and_fresh(app, client, url)
    assert "Cached platform" in page
    assert '<option value="todo" selected>' in item_block(page, item_id)

    set_status(client, assessment_id, item_id, "in_progress", "Team A", "0")
    block = item_block(served_and_fresh(app, client, url), item_id)
    assert '<option value="in_progress" selected>' in block
    assert 'value="Team A"' in block

    set_status(client, assessment_id, item_id, "in_progress", "Team B", "1")
    block = item_block(served_and_fresh(app, client, url), item_id)
    assert 'value="Team B"' in block
    assert "note for in_progress</textarea>" in block

    form_post(client, f"{url}/details", {"title": "Renamed platform", "description": "Now described"})
    page = served_and_fresh(app, client, url)
    assert "Renamed platform" in page
    assert "Now described" in page

    version = re.search(r'name="version" value="(\d+)">\s*<input type="hidden" name="archived"', page)
    assert version
    form_post(client, f"{url}/archive", {"archived": "1", "version": version.group(1)}, page_url=url)
    assert "Restore from archive" in served_and_fresh(app, client, url)

    draft = {**STEP_ANSWERS["context"], "experience": "expert", "action": "next"}
    form_post(client, f"{url}/answers/context", draft)
    assert "A draft of new answers is in progress." in served_and_fresh(app, client, url)

    assert save_revision(client, assessment_id, "Second").status_code == 302
    page = served_and_fresh(app, client, url)
    assert "Revision 2 · Second" in page
    assert "A draft of new answers" not in page
    older = served_and_fresh(app, client, f"{url}/revisions/1")
    assert "You are reading revision 1" in older
    assert "Revision 1 · First" in older


def test_readers_get_their_own_page_rights_and_token(app: Flask, client: FlaskClient) -> None:
    make_user(app, "viewer@example.com")
    make_user(app, "editor@example.com")
    make_user(app, "second.editor@example.com")
    with app.app_context():
        owner = db.session.execute(db.select(User).where(User.email == "owner@example.com")).scalar_one()
        team = workspaces.create_workspace(db.session, "Team space", owner)
        workspaces.add_member(db.session, team, "viewer@example.com", "viewer", "owner@example.com")
        workspaces.add_member(db.session, team, "editor@example.com", "editor", "owner@example.com")
        workspaces.add_member(db.session, team, "second.editor@example.com", "editor", "owner@example.com")
        db.session.commit()
        team_id = team.id
    assessment_id = new_assessment_with_revision(client, "Team plan")
    with app.app_context():
        moved = db.session.get(Assessment, assessment_id)
        assert moved is not None
        moved.workspace_id = team_id
        db.session.commit()
    url = f"/assessments/{assessment_id}"
    viewer, editor, second = app.test_client(), app.test_client(), app.test_client()
    sign_in(viewer, "viewer@example.com")
    sign_in(editor, "editor@example.com")
    sign_in(second, "second.editor@example.com")

    mine = served_and_fresh(app, client, url)
    theirs = served_and_fresh(app, viewer, url)
    edits = served_and_fresh(app, editor, url)
    assert "Save status" in mine
    assert "Save status" in edits
    assert "Save status" not in theirs
    assert "Delete…" in mine
    assert "Delete…" not in edits, "same edit right, different role"
    signed_in_as = re.compile(r'Account<span class="visually-hidden"> \(([^)]+)\)')
    assert signed_in_as.findall(mine) == ["owner@example.com"]
    assert signed_in_as.findall(theirs) == ["viewer@example.com"]
    assert signed_in_as.findall(edits) == ["editor@example.com"]
    assert signed_in_as.findall(served_and_fresh(app, second, url)) == ["second.editor@example.com"], "same role"
    assert len(tokens(mine) | tokens(theirs) | tokens(edits)) == 3, "each session its own CSRF token"

    item_id = first_item(app, assessment_id)["id"]
    token = csrf_token(html(client.get(url)))  # from a page the cache served
    saved = client.post(
        f"{url}/checklist/{item_id}",
        data={"csrf_token": token, "status": "done", "owner": "", "note": "", "version": "0"},
    )
    assert saved.status_code == 303, "the token put into a cached page is valid for the session"

    with app.app_context():
        team = db.session.get(Workspace, team_id)
        assert team is not None
        membership = next(m for m in team.memberships if m.user.email == "viewer@example.com")
        workspaces.change_role(db.session, team, membership, "editor", "owner@example.com")
        db.session.commit()
    assert "Save status" in served_and_fresh(app, viewer, url), "a new role shows at once"


def test_a_page_with_a_message_is_shown_once(app: Flask, client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client)
    url = f"/assessments/{assessment_id}"
    html(client.get(url))
    form_post(client, f"{url}/details", {"title": "Shop platform", "description": "Changed"})
    item_id = first_item(app, assessment_id)["id"]
    saved = form_post(
        client,
        f"{url}/checklist/{item_id}",
        {"status": "done", "owner": "", "note": "", "version": "0"},
        page_url=url,
        follow_redirects=True,
    )
    assert 'class="flash flash-success"' in html(saved)
    assert 'class="flash' not in html(client.get(url)), "the message was not stored with the page"


def test_share_link_pages_follow_the_assessment(app: Flask, client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client, "Shared plan")
    page = html(client.get(f"/assessments/{assessment_id}/sharing"))
    made = client.post(
        f"/assessments/{assessment_id}/sharing",
        data={"csrf_token": csrf_token(page), "label": "Auditor", "revision": "latest", "days": "7"},
    )
    found = re.search(r"http://localhost/share/([^<]+)</code>", html(made))
    assert found
    auditor = app.test_client()
    first = auditor.get(f"/share/{found.group(1)}")
    assert "Set-Cookie" not in first.headers, "reading a shared report starts no session"
    shared = html(first)
    assert "Shared plan" in shared
    assert "for Auditor" in shared
    assert "Save status" not in shared
    form_post(client, f"/assessments/{assessment_id}/details", {"title": "Shared plan v2", "description": ""})
    assert "Shared plan v2" in html(auditor.get(f"/share/{found.group(1)}"))


def test_status_stamp_changes_with_every_write(app: Flask, client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client)
    item_id = first_item(app, assessment_id)["id"]
    with app.app_context():
        user = db.session.execute(db.select(User)).scalars().first()

        def stamp() -> tuple[object, ...]:
            rows = svc.report_rows(db.session, assessment_id, None, user)
            assert rows is not None
            db.session.expire_all()
            return rows.statuses_stamp

        seen = [stamp()]
        for n, (status, note) in enumerate([("done", ""), ("done", "why"), ("todo", "why"), ("todo", "because")]):
            assessment = db.session.get(Assessment, assessment_id)
            assert assessment is not None
            svc.set_status(db.session, assessment, item_id, status, note, "", n, "owner@example.com")
            db.session.commit()
            seen.append(stamp())
        assert len(set(seen)) == len(seen), seen
        assert stamp() == seen[-1], "no write, same stamp"


def test_cache_holds_what_fits_and_forgets_the_oldest() -> None:
    cache = FragmentCache(250)
    assert cache.get_or_render("a", lambda: "a" * 100) == "a" * 100
    assert cache.get_or_render("b", lambda: "b" * 100) == "b" * 100
    assert cache.get_or_render("a", lambda: "changed") == "a" * 100, "a hit"
    cache.get_or_render("c", lambda: "c" * 100)  # over 250 bytes: the least recently used (b) goes
    assert cache.get_or_render("b", lambda: "new b") == "new b"
    assert cache.get_or_render("x", lambda: "x" * 300) == "x" * 300
    assert cache.get_or_render("x", lambda: "again") == "again", "too large to keep"
    off = FragmentCache(0)
    off.get_or_render("a", lambda: "1")
    assert off.get_or_render("a", lambda: "2") == "2"
    assert len(off) == 0
    assert FragmentCache(10).placeholder != cache.placeholder
    assert str(cache.with_csrf(f"<a {cache.placeholder}> <b {cache.placeholder}>", lambda: "T")) == "<a T> <b T>"
    assert str(cache.with_csrf("<p>no form</p>", lambda: pytest.fail("no token needed"))) == "<p>no form</p>"


def test_every_input_of_a_report_changes_its_keys() -> None:
    body_inputs = [7, "r4nd0m", "2.1", True, "/assessments/7", (3, 5, "2026-01-01"), dt.date(2026, 5, 1), None]
    body = body_key(*body_inputs)
    page_inputs = [7, body, (2, "2026-01-01", "Team"), "editor", (1, "a@example.com", False), None]
    page = page_key(*page_inputs)
    body_changes = [8, "other", "2.2", False, "/share/x", (3, 5, "2026-01-02"), dt.date(2026, 5, 2), "o@example.com"]
    page_changes = [8, "other body", (3, "2026-01-01", "Team"), "viewer", None, (1, "link", None)]
    for n, other in enumerate(body_changes):
        assert body_key(*body_inputs[:n], other, *body_inputs[n + 1 :]) != body, n
    for n, other in enumerate(page_changes):
        assert page_key(*page_inputs[:n], other, *page_inputs[n + 1 :]) != page, n
    assert body_key(*body_inputs) == body, "the same inputs, the same key"
    assert body.startswith("7:"), "forget(7) finds it"
    assert page.startswith("7:"), "forget(7) finds it"


@pytest.fixture
def read_only_app(app: Flask) -> Flask:
    """The app with two extra read-only routes: one that reports the connection mode, one that writes."""

    @app.get("/test/read-only/mode")
    @read_only
    def mode() -> str:
        driver = db.session.connection().connection.driver_connection
        autocommit = getattr(driver, "autocommit", None)
        return "autocommit" if autocommit is True or getattr(driver, "isolation_level", "") is None else "transaction"

    @app.get("/test/read-only/write")
    @read_only
    def write() -> str:
        db.session.add(Workspace(name="Sneaky"))
        db.session.flush()
        return "wrote"

    return app


def test_read_only_pages_run_without_a_transaction_and_cannot_write(
    read_only_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    make_user(read_only_app, "owner@example.com")
    client = read_only_app.test_client()
    sign_in(client, "owner@example.com")
    assert html(client.get("/test/read-only/mode")) == "autocommit"
    refused = client.get("/test/read-only/write")
    assert refused.status_code == 500
    assert "Traceback" not in html(refused)
    assert any(r.exc_info and r.exc_info[0] is WriteInReadOnlyRequest for r in caplog.records)
    with read_only_app.app_context():
        assert db.session.execute(db.select(Workspace).where(Workspace.name == "Sneaky")).first() is None
    assert new_assessment_with_revision(client) > 0, "the next request writes in a transaction as before"


def _delete_through_the_page(client: FlaskClient, assessment_id: int) -> None:
    page = html(client.get(f"/assessments/{assessment_id}/delete"))
    response = client.post(
        f"/assessments/{assessment_id}/delete",
        data={"csrf_token": csrf_token(page), "version": version_on(page)},
    )
    assert response.status_code == 302, html(response)


def test_a_deleted_report_is_never_shown_to_the_next_tenant(app: Flask, client: FlaskClient) -> None:
    """Issue 10.1 as reported: A views and deletes a report; B, in another workspace, gets a new one."""
    first = new_assessment_with_revision(client, "Alpha card platform", label="Alpha secret milestone")
    assert "Alpha secret milestone" in html(client.get(f"/assessments/{first}"))
    cache: FragmentCache = app.extensions["advisor.fragments"]
    assert any(k.startswith(f"{first}:") for k in cache._entries)
    _delete_through_the_page(client, first)
    assert not any(k.startswith(f"{first}:") for k in cache._entries), "a deleted assessment's pages are dropped"

    make_user(app, "bravo@example.com")
    bravo = app.test_client()
    sign_in(bravo, "bravo@example.com")
    second = new_assessment_with_revision(bravo, "Bravo platform")
    assert second != first, "an id is never handed out twice"
    page = html(bravo.get(f"/assessments/{second}"))
    assert "Bravo platform" in page
    assert "Alpha" not in page


def test_cached_pages_are_keyed_on_what_never_recurs(app: Flask, client: FlaskClient) -> None:
    """Even if the ids recurred (another database, entries never dropped), B never gets A's cached page."""
    first = new_assessment_with_revision(client, "Alpha card platform", label="Alpha secret milestone")
    assert "Alpha secret milestone" in html(client.get(f"/assessments/{first}"))
    with app.app_context():
        old = db.session.get(Assessment, first)
        assert old is not None
        workspace_id, answers, revision_id = old.workspace_id, old.revisions[0].answers, old.revisions[0].id
        db.session.execute(db.delete(Assessment).where(Assessment.id == first))  # not through the view: kept cached
        again = Assessment(id=first, workspace_id=workspace_id, title="Bravo platform")
        db.session.add(again)
        db.session.flush()
        new = svc.save_revision(
            db.session, again, answers, 0, "Bravo milestone", "b@example.com", app.extensions["advisor.kb"]
        )
        db.session.execute(db.update(Revision).where(Revision.id == new.id).values(id=revision_id))
        db.session.commit()
    page = html(client.get(f"/assessments/{first}"))
    assert "Bravo milestone" in page
    assert "Alpha" not in page


def test_ids_are_never_reused(app: Flask) -> None:
    make_user(app, "owner@example.com")
    with app.app_context():
        user = db.session.execute(db.select(User)).scalars().one()
        workspace = workspaces.personal_workspace(db.session, user)
        made = svc.create_assessment(db.session, workspace.id, "First", "", user.email)
        db.session.commit()
        first = made.id
        db.session.delete(made)
        db.session.commit()
        second = svc.create_assessment(db.session, workspace.id, "Second", "", user.email).id
        db.session.commit()
    assert second > first
