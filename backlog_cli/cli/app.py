"""The Typer application every command module registers on, with the group's `--version`."""

from __future__ import annotations

from typing import Annotated

import typer

from backlog_cli import __version__

app = typer.Typer(
    name="backlog",
    help="Git-native checks for GenAI product backlogs.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"backlog {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Validate GenAI backlog items, their lineage, readiness and versions."""
