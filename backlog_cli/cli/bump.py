"""`backlog bump`: rewrite items' `version` by a chosen level, or as their changes require."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from backlog_cli.cli.common import JSON, Common, JsonFormat, chosen_flag, common_options
from backlog_cli.errors import BacklogError


@common_options(JSON, cache=True)
def bump(
    common: Common[JsonFormat],
    items: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ITEM...]",
            help="Items (`kind/id`) to bump; with --auto, limits it to these.",
            show_default=False,
        ),
    ] = None,
    major: Annotated[bool, typer.Option("--major", help="Bump the major version.")] = False,
    minor: Annotated[bool, typer.Option("--minor", help="Bump the minor version.")] = False,
    patch: Annotated[bool, typer.Option("--patch", help="Bump the patch version.")] = False,
    auto: Annotated[
        bool,
        typer.Option(
            "--auto",
            help="Every changed item gets the bump its classification requires (against --base).",
        ),
    ] = False,
    base: Annotated[
        str | None, typer.Option("--base", help="Base ref for --auto.", show_default=False)
    ] = None,
) -> None:
    """Rewrite `version` in place; nothing else in the file changes."""
    from backlog_cli import workspace
    from backlog_cli.commands import bump as bumping
    from backlog_cli.commands import inventory
    from backlog_cli.semver import Level

    levels = {"major": major, "minor": minor, "patch": patch, "auto": auto}
    level = chosen_flag(levels, required=True)
    assert level is not None
    project = common.project()
    if level == "auto":
        only = {inventory.resolve(project, name).key for name in items} if items else None
        comparison = workspace.compare_with_base(project, base, only)
        common.notes(comparison.notes)
        plan = bumping.plan_auto(project, comparison)
    else:
        if base is not None:
            raise BacklogError("--base only applies to --auto")
        if not items:
            raise BacklogError(f"name the items to bump: backlog bump --{level} kind/id ...")
        plan = bumping.plan_levels(project, items, Level(level))
    bumping.apply(plan, project.config.limits)
    if common.fmt is JsonFormat.json:
        common.emit_json({"version": 1, "bumped": [b.to_json() for b in plan]})
    elif plan:
        common.emit(
            "".join(f"{b.key}: {b.old} -> {b.new} ({os.path.relpath(b.path)})\n" for b in plan)
        )
    elif not common.quiet:
        common.emit("nothing to bump: every changed item already has the version it needs\n")
