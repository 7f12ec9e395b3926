"""`backlog bump`: rewrite items' `version` by a chosen level, or as their changes require."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from backlog_cli.cli import complete
from backlog_cli.cli.common import JSON, Common, JsonFormat, chosen_flag, common_options
from backlog_cli.errors import BacklogError

if TYPE_CHECKING:
    from backlog_cli.commands.bump import BrokenRange, Bump
    from backlog_cli.commands.dependents import Outcome
    from backlog_cli.diagnostic import Diagnostic


@common_options(JSON, cache=True)
def bump(
    common: Common[JsonFormat],
    items: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ITEM...]",
            help="Items (`kind/id`) to bump; with --auto, limits it to these.",
            show_default=False,
            autocompletion=complete.items,
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
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the plan (item, old -> new, why); write nothing."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="With --auto, bump even while the backlog has errors other than the "
            "version rules.",
        ),
    ] = False,
    update_dependents: Annotated[
        bool,
        typer.Option(
            "--update-dependents",
            help="With --auto, widen the referrers' ranges the bumps break (in their own "
            "style), bump those referrers as that change requires, until stable; list what "
            "to re-validate.",
        ),
    ] = False,
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
    blocking: list[Diagnostic] = []
    outcome: Outcome | None = None
    if level == "auto":
        only = {inventory.resolve(project, name).key for name in items} if items else None
        # the referrers' own changes count when they are bumped: compare every item then
        comparison = workspace.compare_with_base(project, base, None if update_dependents else only)
        common.notes(comparison.notes)
        plan = [b for b in bumping.plan_auto(project, comparison) if only is None or b.key in only]
        if not force:
            blocking = bumping.blocking_errors(project, comparison)
        if update_dependents and (dry_run or not blocking):
            from backlog_cli.commands import dependents

            outcome = dependents.plan(project, comparison, plan)
            plan = outcome.plan
    else:
        for flag, given in (("--base", base is not None), ("--force", force)):
            if given:
                raise BacklogError(f"{flag} only applies to --auto")
        if update_dependents:
            raise BacklogError("--update-dependents only applies to --auto")
        if not items:
            raise BacklogError(f"name the items to bump: backlog bump --{level} kind/id ...")
        plan = bumping.plan_levels(project, items, Level(level))
    if not dry_run and not blocking:
        if outcome is not None:
            outcome.write()
        else:
            bumping.apply(plan, project.config.limits)
    broken = []
    if outcome is None and (not blocking or dry_run):
        broken = bumping.broken_ranges(project, plan)
    _report(common, plan, blocking, dry_run, broken, outcome, hint=level == "auto")
    if blocking:
        raise typer.Exit(1)


def _report(
    common: Common[JsonFormat],
    plan: list[Bump],
    blocking: list[Diagnostic],
    dry_run: bool,
    broken: list[BrokenRange],
    outcome: Outcome | None,
    *,
    hint: bool,
) -> None:
    edits = outcome.edits if outcome is not None else []
    revalidate = outcome.revalidate if outcome is not None else []
    if common.fmt is JsonFormat.json:
        payload = {
            "version": 1,
            "dry_run": dry_run,
            "written": not dry_run and not blocking,
            "bumped": [b.to_json() for b in plan],
            "blocking": [d.to_json() for d in blocking],
            "broken_ranges": [r.to_json() for r in broken],
            "range_edits": [e.to_json() for e in edits],
            "revalidate": [r.to_json() for r in revalidate],
        }
        common.emit_json(payload)
        return
    out: list[str] = []
    if dry_run or not blocking:
        for b in plan:
            out.append(f"{b.key}: {b.old} -> {b.new} ({os.path.relpath(b.path)})\n")
            if dry_run:
                out.extend(f"  {why}\n" for why in b.why)
    if not plan and not blocking and not common.quiet:
        out.append("nothing to bump: every changed item already has the version it needs\n")
    for e in edits:
        out.append(f"{e.rel}:{e.line}: {e.referrer}: `{e.old}` -> `{e.new}` (admits {e.version})\n")
    if revalidate:
        out.append("re-validate (what they depend on changed):\n")
        out.extend(f"  {r.item} ({r.status}): {r.why}\n" for r in revalidate)
    for r in broken:
        out.append(
            f"{r.rel}:{r.line}: {r.referrer}'s `{r.ref}` will not admit {r.version}: "
            "check the referrer against the change and widen the range\n"
        )
    if broken and hint:
        out.append(
            "to widen these ranges and bump their referrers in one step: "
            "backlog bump --auto --update-dependents\n"
        )
    if blocking:
        for d in blocking:
            out.append(f"{d.path}:{d.line}:{d.column}: error {d.rule} {d.message}\n")
            if d.hint:
                out.append(f"  hint: {d.hint}\n")
        count = f"{len(blocking)} error{'s' if len(blocking) != 1 else ''}"
        out.append(
            f"{'would not bump' if dry_run else 'not bumped'}: {count} besides the version "
            "rules; a bump decided over them can be wrong (a typo'd reference reads as a "
            "removal). Fix them first, or pass --force.\n"
        )
    elif dry_run and plan and not common.quiet:
        out.append("dry run: nothing written\n")
    if out:
        common.emit("".join(out))
