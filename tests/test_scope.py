"""An assessment's stated scope (issue 16): clusters, systems, regulated namespaces or the card-data environment
and the assessment period, given on the details page, shown on the report and stated by every export."""

from __future__ import annotations

import io
import json

from flask import Flask
from pypdf import PdfReader

from advisor.extensions import db
from advisor.models import Assessment
from advisor.services import exports
from tests.conftest import sign_in
from tests.web import csrf_token, html, team_assessment, version_on

ERIN = "erin@example.com"


def test_the_scope_is_stated_on_the_details_page_and_carried_by_the_report_and_exports(app: Flask) -> None:
    assessment_id, _ = team_assessment(app, {ERIN: "editor"})
    web = app.test_client()
    sign_in(web, ERIN)
    url = f"/assessments/{assessment_id}/details"
    page = html(web.get(url))
    form = {
        "csrf_token": csrf_token(page),
        "version": version_on(page),
        "title": "Payments",
        "description": "",
        "scope_clusters": "prod-eu-1\nprod-us-1",
        "scope_systems": "card vault, tokeniser",
        "scope_regulated": "cde-*",
        "period_start": "2026-07-01",
        "period_end": "2026-01-01",
    }
    refused = web.post(url, data=form)
    assert refused.status_code == 422
    text = html(refused)
    assert "the assessment period ends before it starts" in text
    assert "prod-us-1" in text, "what was typed is kept"
    form["period_end"] = "2026-12-31"
    assert web.post(url, data=form).status_code in (302, 303)
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        assert found.scope == {
            "clusters": ["prod-eu-1", "prod-us-1"],
            "systems": ["card vault", "tokeniser"],
            "regulated": ["cde-*"],
            "period_start": "2026-07-01",
            "period_end": "2026-12-31",
        }
        kb = app.extensions["advisor.kb"]
        as_json = json.loads(exports.export(db.session, found, 1, "json", ERIN, "web", kb).content)
        as_md = exports.export(db.session, found, 1, "markdown", ERIN, "web", kb).content.decode()
        pdf = exports.export(db.session, found, 1, "pdf", ERIN, "web", kb).content
    assert as_json["assessment"]["scope"]["clusters"] == ["prod-eu-1", "prod-us-1"]
    assert "- **Clusters in scope**: prod-eu-1, prod-us-1" in as_md
    assert "- **Assessment period**: 2026-07-01 to 2026-12-31" in as_md
    cover = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Clusters in scope prod-eu-1, prod-us-1" in cover
    assert "Regulated namespaces" in cover
    assert "cde-*" in cover
    assert "Assessment period 2026-07-01 to 2026-12-31" in cover
    report = html(web.get(f"/assessments/{assessment_id}"))
    assert "<dt>Systems in scope</dt><dd>card vault, tokeniser</dd>" in report
    again = html(web.get(url))
    assert "prod-eu-1\nprod-us-1" in again, "the details page shows the stated scope for editing"
