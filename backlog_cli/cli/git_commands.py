"""`backlog diff`, `impact` and `history`: the backlog compared across git refs."""

from __future__ import annotations

from typing import Annotated

import typer

from backlog_cli.cli import complete
from backlog_cli.cli.common import (
    JSON,
    REPORT,
    Common,
    ExcludeOpt,
    HeadOpt,
    ItemArg,
    JsonFormat,
    ReportFormat,
    SelectOpt,
    common_options,
)
from backlog_cli.errors import BacklogError


def _split_refs_and_items(args: list[str]) -> tuple[list[str], list[str]]:
    """`diff BASE HEAD ITEM...`: words that name an item (`kind/id`) are items."""
    from backlog_cli.vocab import KINDS

    refs: list[str] = []
    items: list[str] = []
    for arg in args:
        (items if arg.split("/", 1)[0] in KINDS and "/" in arg else refs).append(arg)
    if len(refs) > 2:
        raise BacklogError(f"diff takes at most two refs (BASE, HEAD); got {', '.join(refs)}")
    return refs, items


@common_options(REPORT, cache=True, links=True)
def diff(
    common: Common[ReportFormat],
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[BASE [HEAD]] [ITEM...]",
            help="Refs to compare (default: "
            "config `base` or the merge-base with the default branch, against the "
            "working tree) and `kind/id` items to limit the diff to.",
            show_default=False,
            autocompletion=complete.item_keys,
        ),
    ] = None,
    base: Annotated[
        str | None, typer.Option("--base", help="Base ref.", show_default=False)
    ] = None,
    head: HeadOpt = None,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code",
            help="Exit 1 when the diff reports a version problem (a change not bumped "
            "enough, a version decreased), like `git diff --exit-code`.",
        ),
    ] = False,
) -> None:
    """Semantic diff of items between two refs: what changed, how it is classified, bumps."""
    from backlog_cli.commands import diff as render

    refs, items = _split_refs_and_items(args or [])
    if refs and base is not None:
        raise BacklogError("give the base ref either as BASE or as --base, not both")
    if refs:
        base = refs[0]
    if len(refs) == 2:
        if head is not None:
            raise BacklogError("give the head ref either as HEAD or as --head, not both")
        head = refs[1]
    only = set(items) if items else None
    with common.project_at(base, head, only=only) as compared:
        project, comparison = compared.project, compared.comparison
        if only:
            known = {c.key for c in comparison.items} | set(project.by_key)
            known |= {c.base.key for c in comparison.items if c.base is not None}  # renamed
            for key in sorted(only - known):
                raise BacklogError(f"unknown item `{key}` (neither at the base nor at the head)")
        if common.fmt is ReportFormat.json:
            common.emit_json(render.to_json(comparison))
        elif common.fmt is ReportFormat.markdown:
            common.emit(render.render_markdown(comparison, common.link_base))
        else:
            common.emit(
                render.render_text(comparison, color=common.output is None and common.color)
            )
        problems = sum(1 for c in comparison.items if render.bump_problem(c))
    if exit_code and problems:
        raise typer.Exit(1)


@common_options(REPORT, cache=True, links=True)
def impact(
    common: Common[ReportFormat],
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="Base ref (default: config `base`, else the merge-base with the default branch).",
            show_default=False,
        ),
    ] = None,
    head: HeadOpt = None,
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
) -> None:
    """What the change set touches: impacted items, owners, evaluations, broken ranges."""
    from backlog_cli.commands import impact as impact_report

    with common.project_at(base, head) as compared:
        project, comparison = compared.project, compared.comparison
        report = impact_report.build(project, comparison)
        chosen = common.selection(project, select, exclude, comparison=comparison)
        if chosen is not None:
            report.restrict(set(chosen))
        if common.fmt is ReportFormat.json:
            common.emit_json(impact_report.to_json(report))
        elif common.fmt is ReportFormat.markdown:
            common.emit(impact_report.render_markdown(report, common.link_base))
        else:
            common.emit(impact_report.render_text(report))


@common_options(JSON, cache=True)
def history(common: Common[JsonFormat], item_name: ItemArg) -> None:
    """Every version of one item across git history, oldest first, with the classification
    of each change and whether its version bump was enough; follows moves and id renames
    (`renamed_from`), counts template_file edits, and ends with uncommitted changes."""
    from backlog_cli.commands import history as item_history

    result = item_history.build(common.project(), item_name)
    common.notes(result.notes)
    if common.fmt is JsonFormat.json:
        common.emit_json(result.to_json())
    else:
        common.emit(item_history.render_text(result))
