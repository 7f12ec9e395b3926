"""The command line: parse options, call one core function, render, map errors to exit codes.

`app` is the Typer application. Each command lives in a small module (`check`, `inventory`
for list/show/status, `git_commands` for diff/impact/history, `bump`, `lineage`, `meta` for
schema/rules, `scaffold` for new/init, `evidence` for the `evidence` group) and is
registered below, in the order `backlog --help` lists them. `common` holds the options
every command shares, `exits` maps errors and signals to exit codes, and `typer_patch`
keeps typer from importing pydantic early.
Heavy modules (jsonschema, pydantic, the loader) are imported inside the commands so that
`--version`, `--help` and completion stay fast.
"""

from __future__ import annotations

from backlog_cli.cli import typer_patch  # noqa: F401  (patches typer before any command runs)
from backlog_cli.cli.app import app
from backlog_cli.cli.bump import bump
from backlog_cli.cli.check import check
from backlog_cli.cli.evidence import evidence_app
from backlog_cli.cli.exits import entry, main
from backlog_cli.cli.git_commands import diff, history, impact
from backlog_cli.cli.inventory import list_items, show, status
from backlog_cli.cli.lineage import lineage
from backlog_cli.cli.meta import rules, schema
from backlog_cli.cli.scaffold import init, new

COMMANDS = (
    ("check", check),
    ("list", list_items),
    ("show", show),
    ("status", status),
    ("diff", diff),
    ("bump", bump),
    ("impact", impact),
    ("schema", schema),
    ("rules", rules),
    ("new", new),
    ("init", init),
    ("history", history),
    ("lineage", lineage),
)


def _register() -> None:
    for name, command in COMMANDS:
        app.command(name)(command)
    app.add_typer(evidence_app, name="evidence")


_register()

__all__ = ["app", "entry", "main"]
