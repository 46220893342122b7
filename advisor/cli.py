"""The ``advisor`` command.

``advisor evaluate`` and ``advisor kb`` run here on the engine alone: no Flask, SQLAlchemy,
WeasyPrint or app, so a call takes a fraction of a second. Every other command line (``run``,
``db``, ``create-user``, ``export``, ``backup``, ``--help``, …) goes to the app's Flask command
group in ``advisor.app_cli``, imported only then, which holds these two commands as well.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from advisor.engine.schema import DONE_STATUSES, PRIORITIES


def flask_group_needed() -> bool:
    """Whether Flask's group would act before any command runs: load ``.env`` files (python-dotenv is
    installed), say that some are here but unread, or load the file FLASK_ENV_FILE names. The light path
    does none of that, so then the Flask group runs the command."""
    return (
        bool(os.environ.get("FLASK_ENV_FILE"))
        or os.path.isfile(".env")
        or os.path.isfile(".flaskenv")
        or importlib.util.find_spec("dotenv") is not None
    )


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


def open_items(result: Mapping[str, Any], level: str) -> list[dict[str, Any]]:
    """Checklist items at ``level`` or above whose status is neither done nor not applicable."""
    limit = PRIORITIES.index(level)
    return [
        item
        for item in result["checklist"]
        if PRIORITIES.index(item["priority"]) <= limit and item["status"] not in DONE_STATUSES
    ]


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
    "--fail-on", type=click.Choice(list(PRIORITIES)), help="Exit 1 when an item at this priority or above is open."
)
def evaluate_command(file: Path, fmt: str, fail_on: str | None) -> None:
    """Evaluate an answers document (YAML or JSON; '-' reads standard input)."""
    from advisor.engine import AnswersError, default_knowledge_base, evaluate
    from advisor.engine.answers_file import AnswersFileError, read_answers_text
    from advisor.exports.result import RENDERERS

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
    click.echo(RENDERERS[fmt](result, kb), nl=False)
    if fail_on:
        failing = open_items(result, fail_on)
        if failing:
            click.echo(
                f"{len(failing)} checklist item(s) at {fail_on} priority or above are not done: "
                + ", ".join(i["id"] for i in failing),
                err=True,
            )
            sys.exit(1)
