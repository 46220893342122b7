"""Importing scanner reports into an assessment (issue 15): the record of each import, evidence on the items the
findings verify, never a changed status, "scanner disagrees", idempotent re-import, the context asked when a
report lacks it, the newest scan speaking for an item, and the web's upload → preview → confirm."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from advisor.cli import cli
from advisor.extensions import db
from advisor.models import Assessment, AuditEvent, ChecklistStatus, Evidence, PendingScan, ScanImport
from advisor.scanners import read_scan
from advisor.services import assessments as svc
from advisor.services import exports
from advisor.services import scan_imports as imports
from tests.conftest import sign_in
from tests.test_api import token_for
from tests.web import csrf_token, html, item_block, team_assessment

REPORTS = Path(__file__).parent / "fixtures" / "scanners"
WHEN = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
PSA = "psa-restricted-enforce"  # failed by polaris-cluster.json (privileged and host-namespace checks)


@pytest.fixture
def team(app: Flask) -> tuple[int, list[str]]:
    return team_assessment(app, {"erin@example.com": "editor", "vic@example.com": "viewer"})


@contextmanager
def assessment_of(app: Flask, assessment_id: int) -> Iterator[Assessment]:
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        yield found


def report(name: str, data: bytes | None = None) -> imports.Report:
    return imports.Report(name, read_scan(data if data is not None else (REPORTS / name).read_bytes()))


def polaris(audit_time: str = "2025-05-06T07:08:09Z", *, admin_bound: bool = True) -> bytes:
    """The Polaris fixture, with another scan time and the cluster-admin binding fixed or not."""
    doc = json.loads((REPORTS / "polaris-cluster.json").read_text())
    doc["AuditTime"] = audit_time
    for resource in doc["Results"]:
        for check in resource["Results"].values():
            if check["ID"] == "clusterrolebindingClusterAdmin":
                check["Success"] = not admin_bound
    return json.dumps(doc).encode()


def set_status(app: Flask, assessment_id: int, item: str, status: str) -> None:
    with assessment_of(app, assessment_id) as assessment:
        extra: dict[str, Any] = {}
        if status == "accepted_risk":
            extra = {"justification": "Legacy agent needs it", "expires": dt.date.today() + dt.timedelta(days=90)}
        note = "Only platform operators run pods here" if status == "not_applicable" else ""
        svc.set_status(db.session, assessment, item, status, note, "", 0, "erin@example.com", **extra)
        db.session.commit()


def run_import(app: Flask, assessment_id: int, *reports: imports.Report, **context: Any) -> imports.ImportOutcome:
    with assessment_of(app, assessment_id) as assessment:
        outcome = imports.import_reports(
            db.session, assessment, app.extensions["advisor.kb"], list(reports), "erin@example.com", **context
        )
        db.session.commit()
        for row in outcome.imported:
            db.session.refresh(row)  # loaded while the session lasts, read after it
        return outcome


def count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_an_import_records_the_report_and_adds_evidence_without_changing_a_status(
    app: Flask, team: tuple[int, list[str]]
) -> None:
    assessment_id, items = team
    assert PSA in items
    set_status(app, assessment_id, PSA, "not_applicable")
    outcome = run_import(app, assessment_id, report("polaris-cluster.json"))
    assert [r.file_name for r in outcome.imported] == ["polaris-cluster.json"]
    assert PSA in outcome.items
    with app.app_context():
        row = db.session.scalars(sa.select(ScanImport)).one()
        assert (row.tool, row.cluster, row.source) == ("polaris", "staging", "cluster")
        assert imports.describe(row) == "Polaris on staging, 2025-05-06 07:08 UTC"
        assert row.items == len(outcome.items)
        assert row.failed > 0
        assert row.digest == read_scan((REPORTS / "polaris-cluster.json").read_bytes()).digest
        entries = db.session.scalars(sa.select(Evidence).where(Evidence.item_id == PSA)).all()
        assert entries
        assert {(e.kind, e.scan_id, e.cluster) for e in entries} == {("scan", row.id, "staging")}
        assert "fail" in {e.result for e in entries}
        status = db.session.scalars(sa.select(ChecklistStatus).where(ChecklistStatus.item_id == PSA)).one()
        assert status.status == "not_applicable", "an import never changes a person's decision"
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "scan_imported")).one()
        assert event.detail["disagreements"] == [PSA]
        assert event.detail["digest"] == row.digest
    assert outcome.preview is not None
    assert [i.item_id for i in outcome.preview.disagreements] == [PSA]


def test_the_same_file_again_changes_nothing(app: Flask, team: tuple[int, list[str]]) -> None:
    assessment_id, _ = team
    run_import(app, assessment_id, report("polaris-cluster.json"))
    entries = count(app, Evidence)
    again = run_import(app, assessment_id, report("polaris-cluster.json"), report("renamed.json", polaris()))
    assert [r.file_name for r in again.imported] == ["renamed.json"], "other bytes: another report"
    assert again.skipped == ["polaris-cluster.json"]
    assert count(app, ScanImport) == 2
    third = run_import(app, assessment_id, report("copy.json", (REPORTS / "polaris-cluster.json").read_bytes()))
    assert third.imported == [], "the digest decides, not the file's name"
    assert third.skipped == ["copy.json"]
    assert count(app, Evidence) == 2 * entries, "the first file's entries, and the changed file's"


def test_a_report_without_cluster_or_time_is_refused_until_they_are_given(
    app: Flask, team: tuple[int, list[str]]
) -> None:
    assessment_id, _ = team
    checkov = report("checkov-one.json")
    with pytest.raises(imports.ImportRefused) as no_cluster:
        run_import(app, assessment_id, checkov)
    assert no_cluster.value.field == "cluster"
    assert "checkov-one.json" in str(no_cluster.value)
    with pytest.raises(imports.ImportRefused) as no_time:
        run_import(app, assessment_id, checkov, cluster="repo: platform-manifests")
    assert no_time.value.field == "scanned_at"
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    with pytest.raises(imports.ImportRefused) as future:
        run_import(app, assessment_id, checkov, cluster="c", scanned_at=ahead)
    assert future.value.field == "scanned_at"
    assert "future" in str(future.value)
    assert count(app, ScanImport) == count(app, Evidence) == 0, "a refusal stores nothing"
    done = run_import(app, assessment_id, checkov, cluster="platform-manifests", scanned_at=WHEN)
    assert done.imported[0].cluster == "platform-manifests"
    assert PSA in done.items
    with app.app_context():
        assert db.session.scalars(sa.select(ScanImport)).one().source == "manifests"


def test_the_latest_scan_speaks_for_an_item_and_older_results_stay_stored(
    app: Flask, team: tuple[int, list[str]]
) -> None:
    assessment_id, _ = team
    client = app.test_client()
    set_status(app, assessment_id, "rbac-cluster-admin-break-glass", "accepted_risk")
    run_import(app, assessment_id, report("old.json", polaris("2026-11-01T00:00:00Z", admin_bound=True)))
    sign_in(client, "alice@example.com")
    page = html(client.get(f"/assessments/{assessment_id}"))
    block = item_block(page, "rbac-cluster-admin-break-glass")
    assert "Scanner disagrees" in block, "accepted, and the latest scan fails it"
    # a newer scan where the binding is gone: the item's current result passes, the older one is history
    run_import(app, assessment_id, report("new.json", polaris("2026-11-29T00:00:00Z", admin_bound=False)))
    # an older scan imported later does not speak over the newer one
    run_import(app, assessment_id, report("older.json", polaris("2026-10-01T00:00:00Z", admin_bound=True)))
    block = item_block(html(client.get(f"/assessments/{assessment_id}")), "rbac-cluster-admin-break-glass")
    assert "Scanner disagrees" not in block
    assert "clusterrolebindingClusterAdmin: <strong>pass</strong>" in block
    assert "clusterrolebindingClusterAdmin: <strong>fail</strong>" not in block
    with app.app_context():
        stored = db.session.scalars(
            sa.select(Evidence.result).where(
                Evidence.item_id == "rbac-cluster-admin-break-glass", Evidence.check == "clusterrolebindingClusterAdmin"
            )
        ).all()
        assert sorted(r or "" for r in stored) == ["fail", "fail", "pass"], "every imported result is kept"


def test_exports_say_what_the_scans_say_and_where_they_disagree(app: Flask, team: tuple[int, list[str]]) -> None:
    assessment_id, _ = team
    set_status(app, assessment_id, PSA, "not_applicable")
    run_import(app, assessment_id, report("polaris-cluster.json"))
    with assessment_of(app, assessment_id) as assessment:
        kb = app.extensions["advisor.kb"]
        as_json = json.loads(exports.export(db.session, assessment, 1, "json", "a", "web", kb).content)
        as_csv = exports.export(db.session, assessment, 1, "csv", "a", "web", kb).content.decode("utf-8-sig")
        as_md = exports.export(db.session, assessment, 1, "markdown", "a", "web", kb).content.decode()
    status = as_json["statuses"][PSA]
    assert (status["scan_status"], status["scanner_disagrees"]) == ("fail", True)
    assert {e["kind"] for e in status["evidence"]} == {"scan"}
    row = next(r for r in csv.DictReader(io.StringIO(as_csv)) if r["id"] == PSA)
    assert (row["scan_status"], row["scanner_disagrees"]) == ("fail", "yes")
    assert "Scan: polaris" in row["evidence"]
    assert "on staging" in row["evidence"]
    assert "**Scanner disagrees**" in as_md


def test_a_copy_keeps_the_imports_so_re_importing_into_it_changes_nothing(
    app: Flask, team: tuple[int, list[str]]
) -> None:
    assessment_id, _ = team
    run_import(app, assessment_id, report("polaris-cluster.json"))
    with assessment_of(app, assessment_id) as assessment:
        copy = svc.clone(db.session, assessment, "erin@example.com", app.extensions["advisor.kb"])
        db.session.commit()
        copy_id = copy.id
    with app.app_context():
        copied = db.session.scalars(sa.select(ScanImport).where(ScanImport.assessment_id == copy_id)).one()
        scan_ids = set(db.session.scalars(sa.select(Evidence.scan_id).where(Evidence.assessment_id == copy_id)))
        assert scan_ids == {copied.id}, "the copy's entries name the copy's own import record"
    again = run_import(app, copy_id, report("polaris-cluster.json"))
    assert again.imported == []
    assert again.skipped == ["polaris-cluster.json"]


def test_a_kept_reading_is_only_for_who_uploaded_it_and_only_for_a_day(app: Flask, team: tuple[int, list[str]]) -> None:
    assessment_id, _ = team
    with assessment_of(app, assessment_id) as assessment:
        ids = imports.keep_pending(db.session, assessment, [report("polaris-cluster.json")], "erin@example.com")
        db.session.commit()
        got = imports.pending(db.session, assessment, ids, "erin@example.com")
        assert got[0].scan == read_scan((REPORTS / "polaris-cluster.json").read_bytes()), "read back whole"
        with pytest.raises(imports.ImportRefused):
            imports.pending(db.session, assessment, ids, "alice@example.com")
        row = db.session.get(PendingScan, ids[0])
        assert row is not None
        row.uploaded_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        db.session.commit()
        with pytest.raises(imports.ImportRefused):
            imports.pending(db.session, assessment, ids, "erin@example.com")
        imports.keep_pending(db.session, assessment, [report("checkov-one.json")], "erin@example.com")
        db.session.commit()
        assert db.session.get(PendingScan, ids[0]) is None, "a new upload clears readings older than a day"


# --- the web: upload → preview → confirm


def multipart(client: FlaskClient, url: str, fields: dict[str, Any], files: list[tuple[bytes, str]]) -> Any:
    """POST a multipart form as a browser would; the body is built in memory (the test client's own builder
    spools a large one to a temporary file it never closes)."""
    values = MultiDict([*fields.items(), *(("files", FileStorage(io.BytesIO(c), name)) for c, name in files)])
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload(client: FlaskClient, assessment_id: int, files: list[tuple[bytes, str]], **fields: str) -> Any:
    page = html(client.get(f"/assessments/{assessment_id}/scans"))
    url = f"/assessments/{assessment_id}/scans/preview"
    return multipart(client, url, {"csrf_token": csrf_token(page), **fields}, files)


def pending_ids(page: str) -> str:
    import re

    found = re.search(r'name="pending" value="([\d,]+)"', page)
    assert found, "the preview carries what it read"
    return found.group(1)


def test_the_web_previews_first_and_imports_only_when_confirmed(app: Flask, team: tuple[int, list[str]]) -> None:
    assessment_id, _ = team
    client = app.test_client()
    set_status(app, assessment_id, PSA, "not_applicable")
    sign_in(client, "erin@example.com")
    data = (REPORTS / "polaris-cluster.json").read_bytes()
    shown = upload(client, assessment_id, [(data, "polaris.json")])
    page = html(shown)
    assert shown.status_code == 200
    assert "Preview: nothing is imported until you confirm" in page
    assert f'data-preview-of="{PSA}"' in page
    assert "Scanner disagrees" in page
    assert (count(app, ScanImport), count(app, Evidence)) == (0, 0), "a preview changes nothing"
    done = client.post(
        f"/assessments/{assessment_id}/scans/import",
        data={"csrf_token": csrf_token(page), "pending": pending_ids(page), "cluster": "", "scanned_at": ""},
    )
    assert done.status_code == 303
    listed = html(client.get(done.headers["Location"]))
    assert "Imported 1 report" in listed
    assert "the scans disagree with 1 item" in listed
    assert "Polaris on staging, 2025-05-06 07:08 UTC" in listed
    assert count(app, ScanImport) == 1
    assert count(app, PendingScan) == 0
    report_page = html(client.get(f"/assessments/{assessment_id}"))
    assert "Scanner disagrees" in item_block(report_page, PSA)
    again = html(upload(client, assessment_id, [(data, "again.json")]))
    assert "Imported before: changes nothing" in again
    assert 'name="pending"' not in again


def test_the_web_asks_for_what_a_report_lacks_and_keeps_what_was_typed(app: Flask, team: tuple[int, list[str]]) -> None:
    assessment_id, _ = team
    client = app.test_client()
    sign_in(client, "erin@example.com")
    page = html(upload(client, assessment_id, [((REPORTS / "checkov-one.json").read_bytes(), "checkov.json")]))
    assert "not in the file: give it below" in page
    refused = client.post(
        f"/assessments/{assessment_id}/scans/import",
        data={
            "csrf_token": csrf_token(page),
            "pending": pending_ids(page),
            "cluster": "",
            "scanned_at": "2026-11-30T02:00",
        },
    )
    assert refused.status_code == 422
    again = html(refused)
    assert "<title>Error: Preview: " in again
    assert "does not say which cluster" in again
    assert 'value="2026-11-30T02:00"' in again, "the time typed is kept"
    assert count(app, ScanImport) == 0
    done = client.post(
        f"/assessments/{assessment_id}/scans/import",
        data={
            "csrf_token": csrf_token(again),
            "pending": pending_ids(again),
            "cluster": "platform",
            "scanned_at": "2026-11-30T02:00",
        },
    )
    assert done.status_code == 303
    with app.app_context():
        row = db.session.scalars(sa.select(ScanImport)).one()
        assert (row.cluster, row.scanned_at.replace(tzinfo=dt.UTC)) == ("platform", WHEN)


def test_the_web_names_a_file_it_cannot_read_and_refuses_one_too_large(app: Flask, team: tuple[int, list[str]]) -> None:
    assessment_id, _ = team
    client = app.test_client()
    sign_in(client, "erin@example.com")
    wrong = upload(client, assessment_id, [(b'{"apiVersion": "v1", "kind": "Pod"}', "pod.json")])
    assert wrong.status_code == 422
    text = html(wrong)
    assert "pod.json: not a scanner report this app reads: a JSON object with the keys apiVersion, kind" in text
    assert "<title>Error: Scanner results" in text
    none = upload(client, assessment_id, [])
    assert none.status_code == 422
    assert "choose at least one scanner report" in html(none)
    # above the app's usual request limit (1 MB) and within the upload limit: accepted
    padded = polaris() + b" " * (1024 * 1024 + 10)
    assert upload(client, assessment_id, [(padded, "big.json")]).status_code == 200
    app.config["MAX_SCAN_UPLOAD"] = 64 * 1024
    too_large = upload(client, assessment_id, [(padded, "big.json")])
    assert too_large.status_code == 413
    assert "too large" in html(too_large)
    assert count(app, ScanImport) == 0


def test_viewers_see_the_imports_and_cannot_import(app: Flask, team: tuple[int, list[str]]) -> None:
    assessment_id, _ = team
    client = app.test_client()
    run_import(app, assessment_id, report("polaris-cluster.json"))
    sign_in(client, "vic@example.com")
    page = html(client.get(f"/assessments/{assessment_id}/scans"))
    assert "Polaris on staging" in page
    assert "Preview the import" not in page
    url = f"/assessments/{assessment_id}/scans/preview"
    refused = multipart(client, url, {"csrf_token": csrf_token(page)}, [(polaris(), "p.json")])
    assert refused.status_code == 403


# --- the API: a pipeline posts its nightly reports


def api_import(app: Flask, url: str, headers: dict[str, str], files: list[tuple[bytes, str]]) -> Any:
    values = MultiDict([("file", FileStorage(io.BytesIO(c), name)) for c, name in files])
    boundary, body = encode_multipart(values)
    return app.test_client().post(
        url, data=body, content_type=f"multipart/form-data; boundary={boundary}", headers=headers
    )


def test_the_api_previews_on_a_dry_run_imports_once_and_names_what_is_wrong(
    app: Flask, team: tuple[int, list[str]]
) -> None:
    assessment_id, _ = team
    set_status(app, assessment_id, PSA, "not_applicable")
    erin = token_for(app, "erin@example.com")
    url = f"/api/v1/assessments/{assessment_id}/scans"
    data = (REPORTS / "polaris-cluster.json").read_bytes()
    dry = api_import(app, url + "?dry_run=true", erin, [(data, "polaris.json")])
    assert dry.status_code == 200
    assert dry.json["dry_run"] is True
    assert dry.json["imported"] == []
    item = next(i for i in dry.json["items"] if i["item_id"] == PSA)
    assert (item["status"], item["scan_status"], item["disagrees"]) == ("not_applicable", "fail", True)
    assert count(app, ScanImport) == 0, "a dry run imports nothing"
    done = api_import(app, url, erin, [(data, "polaris.json")])
    assert done.status_code == 201
    assert [r["cluster"] for r in done.json["imported"]] == ["staging"]
    again = api_import(app, url, erin, [(data, "polaris.json")])
    assert again.status_code == 200
    assert again.json["imported"] == []
    assert again.json["reports"][0]["already_imported"] is True
    listed = app.test_client().get(url, headers=erin)
    assert [r["digest"] for r in listed.json["imports"]] == [read_scan(data).digest]
    statuses = app.test_client().get(f"/api/v1/assessments/{assessment_id}", headers=erin).json["statuses"]
    assert (statuses[PSA]["scan_status"], statuses[PSA]["scanner_disagrees"]) == ("fail", True)
    checkov = (REPORTS / "checkov-one.json").read_bytes()
    no_cluster = api_import(app, url, erin, [(checkov, "checkov.json")])
    assert no_cluster.status_code == 400
    assert no_cluster.json["errors"][0]["key"] == "cluster"
    given = api_import(app, url + "?cluster=platform&scanned_at=2026-11-30T02:00:00Z", erin, [(checkov, "c.json")])
    assert given.status_code == 201
    assert given.json["imported"][0]["scanned_at"].startswith("2026-11-30T02:00:00")
    wrong = api_import(app, url, erin, [(b"[1, 2]", "numbers.json")])
    assert wrong.status_code == 400
    assert wrong.json["errors"] == [
        {
            "key": "file",
            "message": "numbers.json: not a scanner report this app reads: a JSON array of 2 items "
            "(expected the JSON output of kube-bench, kubescape, Polaris, Trivy or Checkov)",
        }
    ]
    nothing = api_import(app, url, erin, [])
    assert nothing.status_code == 400
    viewer = api_import(app, url, token_for(app, "vic@example.com"), [(data, "polaris.json")])
    assert viewer.status_code == 403


def test_the_command_line_previews_asks_and_imports_once(app: Flask, team: tuple[int, list[str]]) -> None:
    assessment_id, _ = team
    runner = app.test_cli_runner()
    polaris_file, checkov_file = str(REPORTS / "polaris-cluster.json"), str(REPORTS / "checkov-one.json")
    base = ["import-scans", str(assessment_id), polaris_file, checkov_file]
    dry = runner.invoke(cli, [*base, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "polaris-cluster.json: Polaris on staging, 2025-05-06 07:08 UTC" in dry.output
    assert "checkov-one.json: Checkov on no cluster given, no scan time given" in dry.output
    assert PSA in dry.output
    lacking = runner.invoke(cli, [*base, "--yes"])
    assert lacking.exit_code == 2
    assert "checkov-one.json" in lacking.output
    assert "--cluster and --scanned-at" in lacking.output
    unasked = runner.invoke(cli, [*base, "--cluster", "repo", "--scanned-at", "2026-11-30T02:00:00"], input="")
    assert unasked.exit_code == 2, "standard input is not a terminal: --yes is needed"
    assert count(app, ScanImport) == 0
    done = runner.invoke(
        cli, [*base, "--cluster", "repo", "--scanned-at", "2026-11-30T02:00:00", "--as", "erin@example.com", "--yes"]
    )
    assert done.exit_code == 0, done.output
    assert "imported 2 report(s)" in done.output
    with app.app_context():
        rows = db.session.scalars(sa.select(ScanImport).order_by(ScanImport.id)).all()
        assert [(r.file_name, r.cluster, r.imported_by) for r in rows] == [
            ("polaris-cluster.json", "staging", "erin@example.com"),
            ("checkov-one.json", "repo", "erin@example.com"),
        ]
    again = runner.invoke(cli, ["import-scans", str(assessment_id), polaris_file, "--yes"])
    assert again.exit_code == 0
    assert "imported before, changes nothing" in again.output
    assert count(app, ScanImport) == 2
    wrong = runner.invoke(cli, ["import-scans", str(assessment_id), str(Path(__file__))])
    assert wrong.exit_code == 2
    assert "not valid JSON" in wrong.output
    assert runner.invoke(cli, ["import-scans", "999", polaris_file]).exit_code == 2


def test_the_report_filters_and_updates_the_scanner_disagrees_flag(app: Flask, team: tuple[int, list[str]]) -> None:
    assessment_id, _ = team
    set_status(app, assessment_id, PSA, "not_applicable")
    run_import(app, assessment_id, report("polaris-cluster.json"))
    client = app.test_client()
    sign_in(client, "erin@example.com")
    url = f"/assessments/{assessment_id}"
    page = html(client.get(url))
    assert 'value="disagrees"' in page, "the status filter offers Scanner disagrees"
    assert "kube-bench cis-1.12: 5.2.1, 5.2.2" in item_block(page, PSA), "the checks that verify it are named"
    assert f'data-disagrees-of="{PSA}">' in item_block(page, PSA), "shown"
    flagged = html(client.get(url + "?status=disagrees"))
    assert f'id="item-{PSA}"' in flagged
    assert flagged.count('<article class="item"') == 1, "only the item the scans contradict"
    # the team marks it done: the notice stays in the page, hidden, and the status answer says so for the script
    saved = client.post(
        f"{url}/checklist/{PSA}",
        data={"csrf_token": csrf_token(page), "status": "done", "version": "1"},
        headers={"Accept": "application/json"},
    ).get_json()
    assert saved["scanner_disagrees"] is False
    page = html(client.get(url))
    assert f'data-disagrees-of="{PSA}" hidden>' in item_block(page, PSA)
    assert 'data-disagrees="false"' in item_block(page, PSA)
    assert f'id="item-{PSA}"' not in html(client.get(url + "?status=disagrees"))
