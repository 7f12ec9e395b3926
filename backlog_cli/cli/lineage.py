"""`backlog lineage`: what one item depends on and what depends on it; without an item, the
whole graph or the `--select` selection."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated

import typer

from backlog_cli.cli import complete
from backlog_cli.cli.common import (
    Common,
    ExcludeOpt,
    FormatChoice,
    SelectOpt,
    chosen_flag,
    common_options,
)
from backlog_cli.errors import BacklogError

if TYPE_CHECKING:
    from backlog_cli.commands.lineage import Direction


class LineageFormat(str, enum.Enum):
    """`lineage --format`: a tree for the terminal, two graph languages, or JSON."""

    tree = "tree"
    mermaid = "mermaid"
    dot = "dot"
    json = "json"


LINEAGE = FormatChoice(
    LineageFormat, "tree, mermaid, dot or json.", "tree", refusal="--format {value}: choose {every}"
)


@common_options(LINEAGE, cache=True)
def lineage(
    common: Common[LineageFormat],
    item_name: Annotated[
        str | None,
        typer.Argument(
            metavar="ITEM",
            help="`kind/id` (or a unique id); without it, the whole graph or the selection.",
            show_default=False,
            autocompletion=complete.items,
        ),
    ] = None,
    up: Annotated[bool, typer.Option("--up", help="Only what ITEM depends on.")] = False,
    down: Annotated[bool, typer.Option("--down", help="Only what depends on ITEM.")] = False,
    both: Annotated[bool, typer.Option("--both", help="Both ways (the default).")] = False,
    depth: Annotated[
        int | None,
        typer.Option(
            "--depth",
            min=1,
            help="At most N edges from ITEM (default: no limit).",
            show_default=False,
        ),
    ] = None,
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
) -> None:
    """The upstream (what ITEM depends on) and downstream (what depends on it) graph of one
    item; without ITEM, every item and reference (with --select/--exclude: the selected
    items and the references between them). Mermaid and DOT draw edges from the referenced
    item to the referrer; JSON follows schemas/lineage-result.schema.json. Dangling
    references show as missing nodes."""
    from backlog_cli.commands import inventory
    from backlog_cli.commands import lineage as item_lineage

    walks: dict[Direction, bool] = {"up": up, "down": down, "both": both}
    direction = chosen_flag(walks) or "both"
    if item_name is None:
        given = [name for name, on in (*walks.items(), ("depth", depth is not None)) if on]
        if given:
            raise BacklogError(
                f"--{given[0]} walks from an ITEM; without one, `lineage` shows the whole "
                "graph (widen a selection with `+kind/id` or `kind/id+` in --select)"
            )
        _whole(common, select, exclude)
        return
    project = common.project()
    item = inventory.resolve(project, item_name)
    result = item_lineage.build(project, item, direction, depth)
    chosen = common.selection(project, select, exclude)
    if chosen is not None:
        # dangling (missing) nodes are not items and so never selected: they go too
        result = item_lineage.filter_nodes(result, lambda node: node.key in chosen)
    if common.fmt is LineageFormat.json:
        common.emit_json(item_lineage.to_json(result))
    else:
        rich_terminal = common.fmt is LineageFormat.tree and common.output is None and common.color
        common.emit(item_lineage.render(result, common.fmt.value, rich_terminal=rich_terminal))


def _whole(
    common: Common[LineageFormat], select: list[str] | None, exclude: list[str] | None
) -> None:
    """`lineage` without ITEM: the whole graph, or the selection."""
    from backlog_cli.commands import lineage as item_lineage
    from backlog_cli.commands import lineage_graph

    project = common.project()
    chosen = common.selection(project, select, exclude)
    view = lineage_graph.build(project, chosen)
    if common.fmt is LineageFormat.json:
        common.emit_json(item_lineage.to_json(view))
    else:
        rich_terminal = common.fmt is LineageFormat.tree and common.output is None and common.color
        common.emit(
            lineage_graph.render(
                view, common.fmt.value, selected=chosen is not None, rich_terminal=rich_terminal
            )
        )
