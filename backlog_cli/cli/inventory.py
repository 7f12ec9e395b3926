"""`backlog list`, `show` and `status`: what the backlog holds, item by item or as a board."""

from __future__ import annotations

from typing import Annotated

import typer

from backlog_cli.cli import complete
from backlog_cli.cli.common import (
    JSON,
    REPORT,
    Common,
    ExcludeOpt,
    JsonFormat,
    ReportFormat,
    SelectOpt,
    common_options,
)
from backlog_cli.errors import BacklogError


@common_options(JSON, cache=True)
def list_items(
    common: Common[JsonFormat],
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help="Only this kind (repeatable).",
            show_default=False,
            autocompletion=complete.kinds,
        ),
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help="Only this status (repeatable).",
            show_default=False,
            autocompletion=complete.statuses,
        ),
    ] = None,
    owner: Annotated[
        list[str] | None,
        typer.Option("--owner", help="Only this owner (repeatable).", show_default=False),
    ] = None,
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
    base: Annotated[
        str | None,
        typer.Option("--base", help="Base ref for the `changed` selector.", show_default=False),
    ] = None,
) -> None:
    """List the items, one line each."""
    from backlog_cli.commands import inventory
    from backlog_cli.suggest import did_you_mean
    from backlog_cli.vocab import KINDS, STATUSES

    for k in kind or ():
        if k not in KINDS:
            raise BacklogError(f"--kind {k}: unknown kind{did_you_mean(k, KINDS)}")
    for s in status or ():
        if s not in STATUSES:
            raise BacklogError(f"--status {s}: unknown status{did_you_mean(s.lower(), STATUSES)}")
    project = common.project()
    items = inventory.select(project, kind or (), status or (), owner or ())
    chosen = common.selection(project, select, exclude, base)
    if chosen is not None:
        items = [i for i in items if i.key in chosen]
    if common.fmt is JsonFormat.json:
        rows = [
            {**inventory.summary(i), **({"why": chosen[i.key].to_json()} if chosen else {})}
            for i in items
        ]
        common.emit_json({"version": 1, "items": rows})
    else:
        common.emit(inventory.render_list(items, footer=not common.quiet))


@common_options(JSON, cache=True)
def show(
    common: Common[JsonFormat],
    item_name: Annotated[
        str,
        typer.Argument(
            metavar="ITEM[@VERSION]",
            help="`kind/id` (or a unique id); `@VERSION`: as it was when it last had that "
            "version, from git history.",
            autocompletion=complete.item_or_version,
        ),
    ],
) -> None:
    """Show one item with its resolved links, upstream and downstream; ITEM@VERSION shows
    the item as the newest commit with that version left it (links resolved against
    today's backlog)."""
    from backlog_cli.commands import inventory, show_version

    name, version = show_version.split(item_name)
    project = common.project()
    if version is not None:
        past = show_version.find(project, name, version)
        common.notes(past.notes)
        if common.fmt is JsonFormat.json:
            common.emit_json(show_version.to_json(project, past))
        else:
            common.emit(show_version.render_text(project, past))
        return
    item = inventory.resolve(project, name)
    upstream, downstream = inventory.links(project, item)
    if common.fmt is JsonFormat.json:
        payload = {
            "version": 1,
            "item": {**inventory.summary(item), "data": item.data},
            "upstream": upstream,
            "downstream": downstream,
        }
        common.emit_json(payload)
    else:
        common.emit(inventory.render_show(item, upstream, downstream))


@common_options(REPORT, cache=True, links=True)
def status(common: Common[ReportFormat]) -> None:
    """The board: items per kind and status, what is not ready and why, what to pick up."""
    from backlog_cli.commands import status as board

    report = board.build(common.project())
    if common.fmt is ReportFormat.json:
        common.emit_json(report.to_json())
    elif common.fmt is ReportFormat.markdown:
        common.emit(board.render_markdown(report, common.link_base))
    else:
        rich_terminal = common.output is None and common.color
        common.emit(board.render_text(report, rich_terminal=rich_terminal))
