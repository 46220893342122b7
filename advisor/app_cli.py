"""The app's Flask command group: ``advisor run``, ``advisor db …``, the commands that work on the database
(accounts, tokens, exports, backups) and every other command Flask and its extensions bring.

``advisor.cli`` (the console script) loads this module only for these: ``advisor evaluate``, ``advisor bundle``
and ``advisor kb`` run without it, so without Flask, SQLAlchemy or the app. It lists them too, so
``advisor --help`` shows every command and ``advisor --app … evaluate`` still works.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from flask.cli import FlaskGroup, ScriptInfo, run_command, with_appcontext

from advisor import create_app
from advisor.cli import bundle_command, cli, evaluate_command, kb_group
from advisor.exports import FORMAT_NAMES


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False, help=cli.help)
def app_cli() -> None:
    pass


app_cli.add_command(evaluate_command)
app_cli.add_command(bundle_command)
app_cli.add_command(kb_group)


class WithoutRequestLines(logging.Filter):
    """Drops the development server's line per request (``"GET / HTTP/1.1" 200 -``): the app's JSON access log
    has one already. Its start-up banner and its errors use other formats and pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.rstrip().endswith('"%s" %s %s'))


def setup_hint(info: ScriptInfo, host: str, port: int) -> str | None:
    """What to open first when the database has no account yet; nothing when it has one or cannot be read."""
    import sqlalchemy.exc

    from advisor.extensions import db
    from advisor.services import accounts

    with info.load_app().app_context():
        try:
            if accounts.user_count(db.session) > 0:
                return None
        except sqlalchemy.exc.SQLAlchemyError:
            return None  # not migrated yet: `advisor db upgrade` comes first, and Flask's run says nothing of it
    where = f"[{host}]" if ":" in host else host
    return f"No account yet: open http://{where}:{port}/setup to create the administrator."


@app_cli.command("run", params=run_command.params, help=run_command.help, short_help=run_command.short_help)
@click.pass_context
def run_dev_server(ctx: click.Context, /, **options: Any) -> None:
    """Flask's ``run``, saying where to begin on an empty database and logging each request once."""
    logging.getLogger("werkzeug").addFilter(WithoutRequestLines())
    if os.environ.get("WERKZEUG_RUN_MAIN") != "true":  # once, not again in the reloader's serving child
        hint = setup_hint(ctx.ensure_object(ScriptInfo), options["host"], options["port"])
        if hint:
            click.echo(hint)
    ctx.invoke(run_command, **options)


@app_cli.command("create-user")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Make the account an administrator.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of asking.")
@with_appcontext
def create_user_command(email: str, admin: bool, password_stdin: bool) -> None:
    """Make an account (with its personal workspace)."""
    from advisor.extensions import db
    from advisor.services import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(db.session, email, password, is_admin=admin)
    except accounts.AccountError as exc:
        db.session.rollback()
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    db.session.commit()
    click.echo(f"created {'administrator' if admin else 'account'} {user.email}")


@app_cli.command("create-token")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for.")
@with_appcontext
def create_token_command(email: str, name: str) -> None:
    """Print a new personal API token for an account; it is shown only this once."""
    from advisor.extensions import db
    from advisor.services import accounts

    user = accounts.find_user(db.session, email)
    if user is None or user.disabled:
        click.echo(f"error: no active account has the email address {email}", err=True)
        sys.exit(2)
    try:
        raw, _ = accounts.create_api_token(db.session, user, name)
    except accounts.AccountError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    db.session.commit()
    click.echo(raw)


@app_cli.command("export")
@click.argument("assessment_id", type=int)
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), required=True)
@click.option("--revision", type=int, help="Revision number (default: the latest).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@click.option(
    "--as-of",
    "as_of",
    help="Statuses, notes, evidence and activity as they stood then (ISO 8601, UTC unless it says); "
    "without --revision, the revision that was the latest then.",
)
@click.option("--as", "as_email", help="The account the export is made by and recorded as (default: command line).")
@with_appcontext
def export_command(
    assessment_id: int, fmt: str, revision: int | None, output: Path | None, as_of: str | None, as_email: str | None
) -> None:
    """Export one assessment's revision in any export format."""
    from flask import current_app

    from advisor.extensions import db
    from advisor.models import Assessment
    from advisor.services import accounts, exports, history

    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        click.echo(f"error: no assessment {assessment_id}", err=True)
        sys.exit(2)
    actor = "command line"
    if as_email:
        user = accounts.find_user(db.session, as_email)
        if user is None or user.disabled:
            click.echo(f"error: no active account has the email address {as_email}", err=True)
            sys.exit(2)
        actor = user.email
    kb = current_app.extensions["advisor.kb"]
    try:
        moment = history.moment_or_none(as_of)
        number = history.revision_number(db.session, assessment, revision, moment)
        rendered = exports.export(db.session, assessment, number, fmt, actor, "command line", kb, as_of=moment)
    except (LookupError, history.AsOfRefused) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    db.session.commit()
    if output is None:
        sys.stdout.buffer.write(rendered.content)
    else:
        output.write_bytes(rendered.content)
        click.echo(f"wrote {output} ({len(rendered.content)} bytes)", err=True)


@app_cli.command("import-scans")
@click.argument("assessment_id", type=int)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--cluster", help="The cluster (or repository) scanned, for reports that do not name it.")
@click.option(
    "--scanned-at",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]),
    help="When the scans ran (ISO 8601, UTC unless it says), for reports that do not say.",
)
@click.option("--as", "as_email", help="The account the import is recorded as (default: command line).")
@click.option("--dry-run", is_flag=True, help="Show what the import would do, and import nothing.")
@click.option("--yes", is_flag=True, help="Import without asking after the preview.")
@with_appcontext
def import_scans_command(
    assessment_id: int,
    files: tuple[Path, ...],
    cluster: str | None,
    scanned_at: Any,
    as_email: str | None,
    dry_run: bool,
    yes: bool,
) -> None:
    """Import scanner reports (kube-bench, kubescape, Polaris, Trivy, Checkov JSON) into an assessment as
    evidence: shows the preview first, then imports when confirmed."""
    from flask import current_app

    from advisor.extensions import db
    from advisor.models import Assessment
    from advisor.services import accounts, scan_imports

    def refuse(message: str) -> NoReturn:
        db.session.rollback()
        click.echo(f"error: {message}", err=True)
        sys.exit(2)

    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        refuse(f"no assessment {assessment_id}")
    actor = "command line"
    if as_email:
        user = accounts.find_user(db.session, as_email)
        if user is None or user.disabled:
            refuse(f"no active account has the email address {as_email}")
        actor = user.email
    kb = current_app.extensions["advisor.kb"]
    context = {"cluster": cluster, "scanned_at": scanned_at}
    try:
        reports = scan_imports.read_reports(
            [(str(path), path.read_bytes()) for path in files], max_bytes=current_app.config["MAX_SCAN_UPLOAD"]
        )
        shown = scan_imports.preview(db.session, assessment, kb, reports, **context)
    except scan_imports.ImportRefused as exc:
        refuse(str(exc))
    click.echo(preview_text(shown))
    if dry_run or not shown.changes_anything:
        return
    lacking = [r.name for r in shown.reports if not r.already_imported and (r.cluster is None or r.scanned_at is None)]
    if lacking:
        refuse(f"{', '.join(lacking)} do(es) not say the cluster or the scan time: give --cluster and --scanned-at")
    if not yes:
        if not sys.stdin.isatty():
            refuse("add --yes to import without being asked (standard input is not a terminal)")
        click.confirm("Import?", abort=True)
    try:
        outcome = scan_imports.import_reports(db.session, assessment, kb, reports, actor, **context)
    except scan_imports.ImportRefused as exc:
        option = {"cluster": " (--cluster)", "scanned_at": " (--scanned-at)"}.get(exc.field, "")
        refuse(f"{exc}{option}")
    db.session.commit()
    click.echo(f"imported {len(outcome.imported)} report(s): {len(outcome.items)} checklist item(s) got evidence")


def preview_text(shown: Any) -> str:
    """An import's preview (``scanners.preview.ImportPreview``) in plain text for the terminal."""
    from advisor.report.summary import SCAN_STATUS_LABELS, STATUS_LABELS
    from advisor.scanners import TOOL_NAMES

    lines = []
    for r in shown.reports:
        where = r.cluster or "no cluster given"
        when = f"{r.scanned_at:%Y-%m-%d %H:%M} UTC" if r.scanned_at else "no scan time given"
        counts = f"{r.scan.passed} pass, {r.scan.failed} fail, {r.scan.not_evaluated} not evaluated"
        again = ": imported before, changes nothing" if r.already_imported else ""
        lines.append(f"{r.name}: {TOOL_NAMES[r.scan.tool]} on {where}, {when}: {counts}{again}")
        lines += [f"  {note}" for note in r.scan.notes]
    if shown.items:
        lines.append(f"checklist items that get evidence ({len(shown.items)}):")
        width = max(len(i.item_id) for i in shown.items)
        for i in shown.items:
            flag = "  SCANNER DISAGREES" if i.disagrees else ""
            status = STATUS_LABELS.get(i.status, i.status)
            lines.append(f"  {i.item_id:<{width}}  {status:<15} {SCAN_STATUS_LABELS[i.scan_status]}{flag}")
    if shown.unmatched:
        lines.append(f"{shown.unmatched} check(s) verify no item of this checklist")
    return "\n".join(lines)


@app_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write every account, workspace, assessment, revision, status and audit entry to one JSON file."""
    import contextlib
    import os
    import tempfile

    from advisor.extensions import db
    from advisor.services.backup import backup

    text = backup(db.session)
    if str(file) == "-":
        click.echo(text, nl=False)
        return
    # it holds password hashes: written to a new file that only this user may read (mkstemp makes it 0600),
    # then moved over the target in one step, so the result is always 0600 and a failure leaves the old file
    temporary = None
    try:
        fd, temporary = tempfile.mkstemp(dir=file.absolute().parent, prefix=f".{file.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, file)
        temporary = None
    except OSError as exc:
        raise click.ClickException(f"cannot write {file}: {exc.strerror or exc}") from exc
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    click.echo(f"wrote {file}", err=True)


@app_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, allow_dash=True, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Load a backup into an empty database (run `advisor db upgrade` on it first)."""
    from advisor.extensions import db
    from advisor.services.backup import RestoreError, restore

    try:
        content = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
        counts = restore(db.session, content)  # checks the encoding too: a backup is UTF-8
    except (OSError, RestoreError) as exc:
        db.session.rollback()  # nothing half-restored
        click.echo(f"error: {file}: {exc}", err=True)
        sys.exit(2)
    db.session.commit()
    click.echo("restored " + ", ".join(f"{n} {table}" for table, n in counts.items() if n), err=True)
