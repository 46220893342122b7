"""The ``advisor`` command.

``advisor evaluate``, ``advisor bundle`` and ``advisor kb`` run here on the engine alone: no Flask, SQLAlchemy,
WeasyPrint or app, so a call takes a fraction of a second. Every other command line (``run``,
``db``, ``create-user``, ``export``, ``backup``, ``--help``, …) goes to the app's Flask command
group in ``advisor.app_cli``, imported only then, which holds these commands as well.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from advisor.engine.schema import PRIORITIES

DOTENV_FILES = (".env", ".flaskenv")


def flask_group_needed() -> bool:
    """Whether Flask's group would act before any command runs: load the file FLASK_ENV_FILE names, load
    ``.env`` files (python-dotenv is installed: the nearest ones, here or in a folder above, as its
    ``find_dotenv`` finds them), or say that some are here but unread. The light path does none of that, so
    then the Flask group runs the command. python-dotenv alone, with no such file, changes nothing (the OSCAL
    export's compliance-trestle brings it along)."""
    if os.environ.get("FLASK_ENV_FILE"):
        return True
    if importlib.util.find_spec("dotenv") is None:
        return any(os.path.isfile(name) for name in DOTENV_FILES)
    here = Path.cwd()
    return any((folder / name).is_file() for folder in (here, *here.parents) for name in DOTENV_FILES)


class AdvisorGroup(click.Group):
    """Runs its own commands when the command line starts with one; hands any other to the Flask group."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        argv = sys.argv[1:] if args is None else list(args)
        if argv and argv[0] in self.commands and not flask_group_needed():
            return super().main(
                args, prog_name, complete_var, standalone_mode, windows_expand_args=windows_expand_args, **extra
            )
        from advisor.app_cli import app_cli

        return app_cli.main(
            args, prog_name, complete_var, standalone_mode, windows_expand_args=windows_expand_args, **extra
        )


# auto_envvar_prefix as Flask's group sets it: FLASK_EVALUATE_FMT=csv works either way
@click.group(cls=AdvisorGroup, context_settings={"auto_envvar_prefix": "FLASK"})
def cli() -> None:
    """The secure Kubernetes architecture advisor."""


@cli.group("kb")
def kb_group() -> None:
    """Knowledge-base tools."""


@kb_group.command("check")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), required=False)
def kb_check(directory: Path | None) -> None:
    """Validate a custom knowledge base (on top of the built-in one), or a whole one, or the built-in one."""
    from advisor.engine import KnowledgeBaseError, load_knowledge_base

    try:
        if directory is None or (directory / "questions.yaml").exists():
            kb = load_knowledge_base(directory)  # a whole knowledge base
        else:
            kb = load_knowledge_base(overlay=directory)  # an organisation's additions on top of the built-in one
    except KnowledgeBaseError as exc:
        click.echo(f"{directory or 'built-in knowledge base'}: {len(exc.errors)} problem(s):", err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(2)
    click.echo(
        f"knowledge base {kb.version}: valid ({len(kb.questions)} questions, {len(kb.decisions)} decisions, "
        f"{len(kb.items)} checklist items, {len(kb.warnings)} warnings)"
    )


@cli.command("evaluate")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "markdown", "csv"]), default="json", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(list(PRIORITIES)),
    help="Exit 1 when an item at this priority or above is open, or its scanner evidence fails.",
)
@click.option(
    "--evidence",
    "evidence_files",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A kube-bench, kubescape, Polaris, Trivy or Checkov JSON report; repeat for several.",
)
@click.option("--cluster", help="The cluster the reports are about, for reports that do not say.")
@click.option(
    "--scanned-at",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    help="When the scans ran (ISO 8601, UTC unless it says), for reports that do not say.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="An earlier JSON result of this command: --fail-on then fails only on items failing since.",
)
def evaluate_command(
    file: Path,
    fmt: str,
    fail_on: str | None,
    evidence_files: tuple[Path, ...],
    cluster: str | None,
    scanned_at: dt.datetime | None,
    baseline: Path | None,
) -> None:
    """Evaluate an answers document (YAML or JSON; '-' reads standard input)."""
    from advisor.exports.result import RENDERERS

    result, kb = _evaluated(file)
    shown: Mapping[str, Any] = (
        _with_evidence(result, kb, evidence_files, cluster, scanned_at) if evidence_files else result
    )
    click.echo(RENDERERS[fmt](shown, kb), nl=False)
    if fail_on:
        from advisor.scanners.evidence import failing_items, new_since

        failing = failing_items(shown, fail_on)
        since = ""
        if baseline is not None:
            failing, since = new_since(failing, _baseline(baseline), fail_on), f" (new since {baseline})"
        if failing:
            click.echo(
                f"{len(failing)} checklist item(s) at {fail_on} priority or above are not done or their scanner "
                f"evidence fails{since}: " + ", ".join(i["id"] for i in failing),
                err=True,
            )
            sys.exit(1)


def _evaluated(file: Path) -> tuple[dict[str, Any], Any]:
    """The result of the answers document in ``file`` ('-': standard input) and the knowledge base it was evaluated
    with; exit 2 saying why when the file cannot be read or its answers are invalid."""
    from advisor.engine import AnswersError, default_knowledge_base, evaluate
    from advisor.engine.answers_file import AnswersFileError, read_answers_text

    source = "standard input" if str(file) == "-" else str(file)
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except OSError as exc:
        click.echo(f"error: {source}: cannot be read: {exc.strerror}", err=True)
        sys.exit(2)
    except UnicodeDecodeError:
        click.echo(f"error: {source}: is not UTF-8 text", err=True)
        sys.exit(2)
    try:
        kb = default_knowledge_base()  # the built-in one, with ADVISOR_KNOWLEDGE_BASE's additions when set
        result = evaluate(read_answers_text(text, source), kb)
    except AnswersFileError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except AnswersError as exc:
        click.echo(f"error: {source}: {len(exc.errors)} invalid answer(s):", err=True)
        for err in exc.errors:
            click.echo(f"  {err['key']}: {err['message']}", err=True)
        sys.exit(2)
    return dict(result), kb


@cli.command("bundle")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The zip to write."
)
@click.option("--team", "teams", multiple=True, help="A team to make namespaces, Roles and groups for; repeat.")
@click.option(
    "--app",
    "apps",
    multiple=True,
    help="An application to make namespaces for, as TEAM/APP to name the team that owns it; repeat.",
)
def bundle_command(file: Path, output: Path, teams: tuple[str, ...], apps: tuple[str, ...]) -> None:
    """Write the starter policy bundle (a zip of a kustomize tree) for an answers document ('-': standard input)."""
    from advisor.bundle import build_bundle
    from advisor.bundle.names import NamesError, check_names

    try:
        team_names, app_names = check_names("team", teams), check_names("app", apps)
    except NamesError as exc:
        click.echo(f"error: --{exc.field}: {exc}", err=True)
        sys.exit(2)
    result, kb = _evaluated(file)
    content = build_bundle(result, kb, teams=team_names, apps=app_names).to_zip(dt.datetime.now(dt.UTC))
    try:
        output.write_bytes(content)
    except OSError as exc:
        click.echo(f"error: {output}: cannot be written: {exc.strerror}", err=True)
        sys.exit(2)
    click.echo(f"wrote {output} ({len(content)} bytes)", err=True)


def _with_evidence(
    result: Mapping[str, Any], kb: Any, files: tuple[Path, ...], cluster: str | None, scanned_at: dt.datetime | None
) -> dict[str, Any]:
    """The result with each file's findings attached to the items they verify; exit 2 naming a file that is
    not a report this command reads."""
    from advisor.scanners import ScanError, read_scan
    from advisor.scanners.evidence import attach_evidence

    scans = []
    for path in files:
        try:
            scans.append(read_scan(path.read_bytes()))
        except OSError as exc:
            click.echo(f"error: {path}: cannot be read: {exc.strerror}", err=True)
            sys.exit(2)
        except ScanError as exc:
            click.echo(f"error: {path}: {exc}", err=True)
            sys.exit(2)
    when = scanned_at if scanned_at is None or scanned_at.tzinfo else scanned_at.replace(tzinfo=dt.UTC)
    return attach_evidence(result, kb, scans, cluster=cluster, scanned_at=when)


def _baseline(path: Path) -> dict[str, Any]:
    """An earlier JSON result; exit 2 when the file is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        if not isinstance(data, dict) or not all(
            isinstance(i, dict) and {"id", "priority", "status"} <= i.keys() for i in data["checklist"]
        ):
            raise ValueError
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        click.echo(f"error: {path}: not a JSON result of `advisor evaluate` (a checklist of items)", err=True)
        sys.exit(2)
    return data
