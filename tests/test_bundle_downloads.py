"""Where people get the starter policy bundle (issue 17): the report's form and its route, share links, the API's
``format=bundle``, ``advisor bundle``; the activity log; each checklist item's bundle files on the report. What the
bundle holds is tested in tests/test_bundle_*.py; here, what every bundle must be (a kustomize tree in a zip ending
with a SHA256SUMS that verifies) and that the names given reach it."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

import advisor.bundle
import advisor.bundle.network
from advisor.bundle.names import MAX_NAMES, NamesError, check_names, split_names
from advisor.cli import cli
from advisor.extensions import db
from advisor.models import AuditEvent, Revision
from advisor.services import bundles
from tests.conftest import make_user, sign_in
from tests.helpers import BASE_ANSWERS
from tests.test_api import token_for
from tests.test_bundle_catalog import validate
from tests.test_cli_light import run_probe, web_modules_in
from tests.test_sharing import make_link
from tests.web import html, item_block, new_assessment_with_revision, team_assessment

OVERLAYS = ("overlays/audit/kustomization.yaml", "overlays/enforce/kustomization.yaml")
NEEDED = ("README.md", "controls.json", "base/kustomization.yaml", *OVERLAYS)


def days_around(call: Any) -> tuple[Any, set[str]]:
    """What ``call()`` answers, and the UTC days it may be dated (either, at midnight)."""
    days = {dt.datetime.now(dt.UTC).date().isoformat()}
    answer = call()
    days.add(dt.datetime.now(dt.UTC).date().isoformat())
    return answer, days


def check_zip(content: bytes) -> dict[str, bytes]:
    """The zip's files, once it is shown to hold a kustomize tree and to end with a SHA256SUMS that verifies."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        files = {name: archive.read(name) for name in names}
    assert names[-1] == "SHA256SUMS"
    for needed in NEEDED:
        assert needed in files, needed
    listed = {}
    for line in files["SHA256SUMS"].decode("ascii").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert listed == {name: hashlib.sha256(data).hexdigest() for name, data in files.items() if name != "SHA256SUMS"}
    for overlay in OVERLAYS:
        assert "../../base" in yaml.safe_load(files[overlay])["resources"]
    return files


def check_download(response: Any, stem: str, days: set[str]) -> dict[str, bytes]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] in {f'attachment; filename="{stem}-{d}-bundle.zip"' for d in days}
    digest = base64.b64encode(hashlib.sha256(response.data).digest()).decode("ascii")
    assert response.headers["Repr-Digest"] == f"sha-256=:{digest}:"
    return check_zip(response.data)


def exported(app: Flask, assessment_id: int) -> list[tuple[str | None, dict[str, Any]]]:
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "exported", AuditEvent.assessment_id == assessment_id)
            .order_by(AuditEvent.id)
        )
        return [(e.actor, dict(e.detail)) for e in events]


@pytest.fixture
def made_for(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The names each bundle the app builds is made for, in order."""
    calls: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    real = advisor.bundle.build_bundle

    def spy(result: Mapping[str, Any], kb: Any, **options: Any) -> Any:
        # records the names and passes everything on, whatever else build_bundle takes
        calls.append((tuple(options.get("teams", ())), tuple(options.get("apps", ()))))
        return real(result, kb, **options)

    monkeypatch.setattr(bundles, "build_bundle", spy)  # the web's and the API's
    monkeypatch.setattr(advisor.bundle, "build_bundle", spy)  # the command line's
    return calls


# --- the names -------------------------------------------------------------------------------------------------


def test_names_are_split_lower_cased_and_kept_once() -> None:
    assert split_names("payments, identity\n\n  search ,") == ["payments", "identity", "search"]
    assert check_names("team", ["Payments", "identity", "payments", " "]) == ("payments", "identity")
    assert check_names("app", []) == ()


@pytest.mark.parametrize(
    "bad", ["payments api", "-payments", "payments-", "pay_ments", "zahlungsverkehr-ü", "a" * 41, "ops.team"]
)
def test_names_that_cannot_be_kubernetes_names_are_refused(bad: str) -> None:
    with pytest.raises(NamesError) as refused:
        check_names("team", ["fine", bad])
    assert refused.value.field == "team"
    assert f"“{bad[:50]}”" in str(refused.value)
    assert "fine" not in str(refused.value)
    assert check_names("team", ["a" * 40])[0] == "a" * 40, "40 characters are enough"


def test_an_application_may_name_its_team_and_only_an_application() -> None:
    assert check_names("app", ["Payments/Checkout", "search", "payments/checkout"]) == ("payments/checkout", "search")
    for bad in ("a/b/c", "/checkout", "payments/", "payments /checkout", f"{'a' * 41}/checkout"):
        with pytest.raises(NamesError, match="optionally after its team") as refused:
            check_names("app", [bad])
        assert f"“{bad[:50]}”" in str(refused.value)
    with pytest.raises(NamesError) as refused:
        check_names("team", ["payments/checkout"])
    assert "optionally" not in str(refused.value), "a team has no owner to name"


def test_at_most_so_many_names() -> None:
    assert len(check_names("app", [f"app{n}" for n in range(MAX_NAMES)])) == MAX_NAMES
    with pytest.raises(NamesError, match=f"at most {MAX_NAMES} application names"):
        check_names("app", [f"app{n}" for n in range(MAX_NAMES + 1)])


# --- the web ---------------------------------------------------------------------------------------------------


def test_report_offers_the_bundle_and_downloads_it_with_the_names_given(
    app: Flask, client: FlaskClient, made_for: list[Any]
) -> None:
    assessment_id = new_assessment_with_revision(client)
    page = html(client.get(f"/assessments/{assessment_id}"))
    form = page.split(f'<form method="get" action="/assessments/{assessment_id}/bundle" class="bundle-form"')[1]
    form = form.split("</form>")[0]
    assert 'name="team"' in form
    assert 'name="app"' in form
    assert 'name="revision" value="1"' in form

    teams, apps = quote("Payments,identity"), quote("checkout\nsearch")  # as the form's text boxes send them
    query = f"revision=1&team={teams}&app={apps}"
    response, days = days_around(lambda: client.get(f"/assessments/{assessment_id}/bundle?{query}"))
    files = check_download(response, "shop-platform-rev-1", days)
    assert made_for == [(("payments", "identity"), ("checkout", "search"))]

    [(who, detail)] = exported(app, assessment_id)
    [export_id] = detail.pop("export_ids")
    # the bundle names the export the activity log records, so a copy found later leads back to it
    export = json.loads(files["controls.json"])["export"]
    assert (export["id"], export["assessment_id"], export["revision"]) == (export_id, assessment_id, 1)
    assert dt.datetime.fromisoformat(export["made_at"]).date().isoformat() in days
    assert f"export `{export_id}`" in files["README.md"].decode()
    validate(json.loads(files["controls.json"]))
    assert (who, detail) == (
        "owner@example.com",
        {
            "format": "bundle",
            "revision": 1,
            "via": "web",
            "teams": ["payments", "identity"],
            "apps": ["checkout", "search"],
        },
    )
    activity = html(client.get(f"/assessments/{assessment_id}/activity"))
    assert "format: bundle; revision: 1; via: web; teams: payments, identity; apps: checkout, search" in activity
    trail = json.loads(client.get(f"/assessments/{assessment_id}/export?format=json").data)["audit"]
    assert [e["detail"]["teams"] for e in trail if e["detail"].get("format") == "bundle"] == [["payments", "identity"]]


def test_no_names_means_placeholders_and_repeats_count_on_one_entry(
    app: Flask, client: FlaskClient, made_for: list[Any]
) -> None:
    assessment_id = new_assessment_with_revision(client)
    for _ in range(2):
        check_zip(client.get(f"/assessments/{assessment_id}/bundle?revision=1&team=&app=").data)
    check_zip(client.get(f"/assessments/{assessment_id}/bundle?team=payments&team=identity").data)
    assert made_for == [((), ()), ((), ()), (("payments", "identity"), ())]
    entries = exported(app, assessment_id)
    assert [(d["teams"], d.get("count", 1), len(d["export_ids"])) for _, d in entries] == [
        ([], 2, 2),
        (["payments", "identity"], 1, 1),
    ], "made for other names: an entry of its own"
    activity = html(client.get(f"/assessments/{assessment_id}/activity"))
    assert "teams: ;" not in activity, "no names, nothing said"
    assert "apps: ;" not in activity


def test_names_that_cannot_be_used_bring_the_form_back_as_typed(
    app: Flask, client: FlaskClient, made_for: list[Any]
) -> None:
    assessment_id = new_assessment_with_revision(client)
    many = ",".join(f"app{n}" for n in range(MAX_NAMES + 1))
    response = client.get(
        f"/assessments/{assessment_id}/bundle?revision=1&team={quote('Payments API, identity')}&app={many}"
    )
    assert response.status_code == 422
    page = html(response)
    assert "<title>Error: Starter policy bundle" in page
    assert 'href="#bundle-team"' in page, "the summary leads to each field"
    assert 'href="#bundle-app"' in page
    team = page.split('id="bundle-team"')[1].split("</textarea>")[0]
    assert team.endswith(">Payments API, identity"), "what was typed is kept"
    assert "“Payments API”" in page.split('id="bundle-team-errors"')[1].split("</ul>")[0]
    assert f"at most {MAX_NAMES} application names (got {MAX_NAMES + 1})" in page
    assert many in page
    assert made_for == [], "nothing built"
    assert exported(app, assessment_id) == [], "nothing recorded"

    hostile = client.get(f"/assessments/{assessment_id}/bundle?app={quote('<script>alert(1)</script>')}")
    assert hostile.status_code == 422
    assert "<script>alert(1)" not in html(hostile)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html(hostile), "shown as typed, as text"


def test_viewers_may_download_and_other_workspaces_may_not(app: Flask, made_for: list[Any]) -> None:
    assessment_id, _ = team_assessment(app, {"viewer@example.com": "viewer"})
    make_user(app, "stranger@example.com")
    viewer, stranger = app.test_client(), app.test_client()
    sign_in(viewer, "viewer@example.com")
    sign_in(stranger, "stranger@example.com")
    response, days = days_around(lambda: viewer.get(f"/assessments/{assessment_id}/bundle?app=shop"))
    check_download(response, "payments-rev-1", days)
    assert stranger.get(f"/assessments/{assessment_id}/bundle?app=shop").status_code == 404
    assert stranger.get(f"/assessments/{assessment_id}/bundle?app=no%20such").status_code == 404, "not even checked"
    assert viewer.get(f"/assessments/{assessment_id}/bundle?revision=2").status_code == 404
    assert made_for == [((), ("shop",))]
    assert [who for who, _ in exported(app, assessment_id)] == ["viewer@example.com"]


def test_share_link_readers_download_the_bundle_without_names(
    app: Flask, client: FlaskClient, made_for: list[Any]
) -> None:
    assessment_id = new_assessment_with_revision(client)
    token = make_link(client, assessment_id)
    reader = app.test_client()
    page = html(reader.get(f"/share/{token}"))
    assert f'href="/share/{token}/bundle"' in page
    assert 'class="bundle-form"' not in page, "no names: the reader may not name the workspace's teams"
    response, days = days_around(lambda: reader.get(f"/share/{token}/bundle?team=payments"))
    check_download(response, "shop-platform-rev-1", days)
    assert made_for == [((), ())]
    assert [(who, d["via"], d["teams"]) for who, d in exported(app, assessment_id)] == [
        ("share link “Auditor”", "share link", [])
    ]
    assert reader.get("/share/not-a-token/bundle").status_code == 404


# --- the API ---------------------------------------------------------------------------------------------------


def test_api_bundle(app: Flask, client: FlaskClient, made_for: list[Any]) -> None:
    assessment_id = new_assessment_with_revision(client)
    headers = token_for(app, "owner@example.com")
    url = f"/api/v1/assessments/{assessment_id}/export?format=bundle"
    api = app.test_client()
    response, days = days_around(
        lambda: api.get(f"{url}&revision=1&team=Payments&team=identity&app=checkout", headers=headers)
    )
    check_download(response, "shop-platform-rev-1", days)
    assert made_for == [(("payments", "identity"), ("checkout",))]
    [(who, detail)] = exported(app, assessment_id)
    assert (who, detail["via"], detail["teams"], detail["apps"]) == (
        "owner@example.com",
        "api",
        ["payments", "identity"],
        ["checkout"],
    )

    for query, key in (("&team=payments%20api", "team"), ("&app=checkout&app=-search", "app")):
        refused = api.get(url + query, headers=headers)
        assert refused.status_code == 400
        [problem] = refused.json["errors"]  # type: ignore[index]
        assert problem["key"] == key
        assert problem["message"].startswith(("team" if key == "team" else "application") + " names are letters")
    assert api.get(f"{url}&revision=9", headers=headers).status_code == 404
    assert api.get(f"/api/v1/assessments/{assessment_id + 1}/export?format=bundle", headers=headers).status_code == 404
    assert api.get(url).status_code == 401
    assert len(made_for) == 1
    assert len(exported(app, assessment_id)) == 1

    document = api.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/assessments/{assessment_id}/export"]["get"]  # type: ignore[index]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert "bundle" in json.dumps(parameters["format"]["schema"])
    assert {"team", "app"} <= parameters.keys()


def test_api_other_workspaces_get_404(app: Flask, made_for: list[Any]) -> None:
    assessment_id, _ = team_assessment(app, {})
    make_user(app, "stranger@example.com")
    response = app.test_client().get(
        f"/api/v1/assessments/{assessment_id}/export?format=bundle", headers=token_for(app, "stranger@example.com")
    )
    assert response.status_code == 404
    assert made_for == []


# --- the command line ------------------------------------------------------------------------------------------


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(BASE_ANSWERS), encoding="utf-8")
    return path


def test_cli_writes_the_bundle(tmp_path: Path, answers_file: Path, made_for: list[Any]) -> None:
    out = tmp_path / "starter.zip"
    done = CliRunner().invoke(
        cli, ["bundle", str(answers_file), "-o", str(out), "--team", "Payments", "--team", "identity", "--app", "shop"]
    )
    assert done.exit_code == 0, done.output
    assert f"wrote {out} (" in done.stderr
    files = check_zip(out.read_bytes())
    assert made_for == [(("payments", "identity"), ("shop",))]
    assert "export" not in json.loads(files["controls.json"]), "no stored revision, no export to name"
    assert "activity log" not in files["README.md"].decode()


def test_cli_refuses_what_evaluate_refuses(tmp_path: Path, answers_file: Path, made_for: list[Any]) -> None:
    out = tmp_path / "starter.zip"
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("experience: guru\n", encoding="utf-8")
    for args in (["bundle", str(invalid), "-o", str(out)], ["evaluate", str(invalid)]):
        done = CliRunner().invoke(cli, args)
        assert done.exit_code == 2
        assert f"error: {invalid}: " in done.stderr
        assert "invalid answer(s):" in done.stderr
        assert "  experience: " in done.stderr
    missing = CliRunner().invoke(cli, ["bundle", str(tmp_path / "none.yaml"), "-o", str(out)])
    assert missing.exit_code == 2
    assert missing.stderr.startswith(f"error: {tmp_path / 'none.yaml'}: cannot be read")
    bad = CliRunner().invoke(cli, ["bundle", str(answers_file), "-o", str(out), "--app", "web shop"])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: --app: application names are letters, digits and “-”,")
    assert bad.stderr.endswith("optionally after its team and “/” (payments/checkout): not “web shop”\n")
    assert CliRunner().invoke(cli, ["bundle", str(answers_file)]).exit_code == 2, "-o is required"
    assert not out.exists()
    assert made_for == []


def test_cli_needs_no_database_nor_the_web_app(tmp_path: Path, answers_file: Path) -> None:
    """Run as the console script runs it, with no instance set up: nothing of the web stack is imported and no
    instance folder (where a database would be) is made."""
    out = tmp_path / "starter.zip"
    done, modules = run_probe(tmp_path, ["bundle", str(answers_file), "-o", str(out)])
    assert done.returncode == 0, done.stderr
    check_zip(out.read_bytes())
    assert "advisor.bundle.build" in modules
    assert web_modules_in(modules) == []
    assert not (tmp_path / "instance").exists()


# --- the report ------------------------------------------------------------------------------------------------


def test_report_names_each_items_bundle_files(app: Flask, client: FlaskClient) -> None:
    assessment_id = new_assessment_with_revision(client)
    with app.app_context():
        result = db.session.scalar(sa.select(Revision.result).where(Revision.assessment_id == assessment_id))
        assert result is not None
        expected = bundles.files_by_item(result, app.extensions["advisor.kb"])
    assert expected, "some item has files"
    page = html(client.get(f"/assessments/{assessment_id}"))
    assert "as made without names (team-1, app-1 …); the files of a download follow the names given" in page
    for item in result["checklist"]:
        block = item_block(page, item["id"])
        if item["id"] in expected:
            listed = block.split(f'data-bundle-files-of="{item["id"]}"')[1].split("</div>")[0]
            assert [p.split("</code>")[0] for p in listed.split("<code>")[1:]] == expected[item["id"]]
        else:
            assert "data-bundle-files-of" not in block
    assert page.count("data-bundle-files-of=") == len(expected)


def test_a_result_the_bundle_cannot_be_made_from_still_reports(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A stored result its engine shaped otherwise may trip a generator: the report shows it without the links."""
    assessment_id = new_assessment_with_revision(client)

    def tripped(context: Any) -> list[Any]:
        raise KeyError("checklist")

    monkeypatch.setattr(advisor.bundle.network, "generate", tripped)
    response = client.get(f"/assessments/{assessment_id}")
    assert response.status_code == 200
    page = html(response)
    assert 'id="checklist"' in page
    assert "data-bundle-files-of" not in page
    assert "no starter bundle links for this report" in caplog.text


def test_the_flask_group_holds_the_bundle_command() -> None:
    from advisor.app_cli import app_cli
    from advisor.cli import bundle_command

    assert app_cli.commands["bundle"] is bundle_command is cli.commands["bundle"]
