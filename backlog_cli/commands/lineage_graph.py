"""`lineage` without an item: the whole reference graph, or the `--select` selection.

dbt's docs view on the command line. `build` returns the same `Lineage` data as the
one-item walk (with no focus item), so JSON, Mermaid and DOT are the one-item renderers;
the tree is a forest: each item nothing in the view depends on, with what it depends on
hanging below it, every item expanded once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backlog_cli.commands import lineage
from backlog_cli.commands.lineage import Lineage, LineageNode, TreeLine

if TYPE_CHECKING:
    from backlog_cli.project import Project
    from backlog_cli.select import Why


def build(project: Project, chosen: dict[str, Why] | None) -> Lineage:
    """Every item and every reference between them (a dangling reference's target is a
    missing node), or with `chosen` (the selection, key -> why) those items and the
    references between them."""
    graph = project.graph
    whys = chosen or {}
    if chosen is None:
        keys = set(graph.nodes) | {edge.target for edge in graph.edges}
    else:
        keys = set(chosen)
    nodes: dict[str, LineageNode] = {}
    for key in sorted(keys):
        why = whys.get(key)
        path = why.path if why is not None else ()
        seed = why.seed if why is not None else None
        nodes[key] = LineageNode(key, graph.nodes.get(key), None, None, path, seed)
    edges = tuple(e for e in graph.edges if e.source in keys and e.target in keys)
    return Lineage(None, None, None, nodes, edges)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def forest(view: Lineage, *, selected: bool) -> TreeLine:
    """The tree as data: a head line with the counts, below it each item that nothing in
    the view depends on (then, for a loop nothing else reaches, its first item by key),
    each with what it depends on."""
    items = sum(1 for node in view.nodes.values() if not node.missing)
    missing = len(view.nodes) - items
    head = _count(items, "selected item" if selected else "item")
    head += f", {_count(len(view.edges), 'reference')}"
    if missing:
        head += f", {missing} missing"
    top = TreeLine([(head, "bold")])
    referenced = {edge.target for edge in view.edges}
    order = sorted(view.nodes)
    starts = [key for key in order if key not in referenced]
    expanded: set[str] = set()
    for key in [*starts, *order]:
        if key in expanded:
            continue
        line = TreeLine(lineage.describe(view, key))
        top.children.append(line)
        lineage.branch(view, line, key, "up", expanded)
    if not top.children:
        top.children.append(TreeLine([("nothing selected" if selected else "no items", "dim")]))
    return top


def render(view: Lineage, fmt: str, *, selected: bool, rich_terminal: bool = False) -> str:
    """The view as a picture: `tree`, `mermaid` or `dot` (json: `lineage.to_json`)."""
    if fmt == "tree":
        top = forest(view, selected=selected)
        return lineage.draw_rich_tree(top) if rich_terminal else lineage.draw_tree(top)
    return lineage.render(view, fmt)
