"""`lineage`: the upstream and downstream graph of one item, as a tree, Mermaid, DOT or JSON.

`build` walks the reference graph from the item and returns plain data (`Lineage`);
the renderers read only that data. A node filter (the `--select`/`--exclude` selectors)
goes between the two: `filter_nodes(build(...), keep)`. Without a focus item (`lineage`
with no ITEM) `lineage_graph` builds the same `Lineage` for the whole graph or a selection,
with `root`, `direction` and each node's `direction` and `distance` left None.

Upstream is what the item depends on (the references it makes, transitively); downstream
is what depends on it. In pictures (Mermaid, DOT) edges run from the referenced item to
the referrer, i.e. in the direction a change flows; in JSON, as everywhere else, `from` is
the referrer and `to` the referenced item.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from backlog_cli.graph import Edge, Reached, walk
from backlog_cli.project import Item, Project

Direction = Literal["up", "down", "both"]

# one colour per kind, shared by Mermaid and DOT so both pictures read the same
KIND_COLORS: dict[str, str] = {
    "capability": "#fde68a",
    "agent": "#c7d2fe",
    "prompt": "#bfdbfe",
    "tool": "#a7f3d0",
    "policy": "#fecaca",
    "dataset": "#e9d5ff",
    "model": "#e5e7eb",
    "evaluation": "#fed7aa",
}
DOT_SHAPES: dict[str, str] = {
    "capability": "box",
    "agent": "box",
    "prompt": "note",
    "tool": "component",
    "policy": "octagon",
    "dataset": "cylinder",
    "model": "box3d",
    "evaluation": "hexagon",
}
FOCUS_STROKE = "#b91c1c"
STATUS_STYLES: dict[str, str] = {
    "proposed": "magenta",
    "refined": "cyan",
    "ready": "green",
    "in-progress": "yellow",
    "done": "bold green",
    "deprecated": "red",
}


@dataclass(frozen=True)
class LineageNode:
    """An item (or a dangling reference's target) in the lineage of the focus item.

    `direction` is `root` for the focus item, else the walk that reached it; an item
    reached both ways (only possible through a cycle) keeps the shorter walk, upstream
    on a tie. `path` holds the edges walked from the focus item to this one. Without a
    focus item `direction` and `distance` are None, and `seed` is the selector atom that
    chose the node (`path` the edges walked from it), None in the whole graph.
    """

    key: str
    item: Item | None  # None: a reference names it but no item has this key
    direction: Literal["root", "up", "down"] | None
    distance: int | None
    path: tuple[Edge, ...]
    seed: str | None = None

    @property
    def kind(self) -> str:
        return self.key.split("/", 1)[0]

    @property
    def id(self) -> str:
        return self.key.split("/", 1)[1]

    @property
    def missing(self) -> bool:
        return self.item is None


@dataclass(frozen=True)
class Lineage:
    """The subgraph around `root`: every node reached and the edges between them.

    `upstream` holds the edges among the nodes reached walking up (referrer depends on
    referenced), `downstream` those among the nodes reached walking down; with
    `direction="both"` both are filled. Without a focus item (`root` None) `upstream`
    holds every edge between the nodes.
    """

    root: str | None
    direction: Direction | None
    depth: int | None
    nodes: dict[str, LineageNode]
    upstream: tuple[Edge, ...] = ()
    downstream: tuple[Edge, ...] = ()
    edges: tuple[Edge, ...] = field(init=False)

    def __post_init__(self) -> None:
        unique: dict[tuple[str, str, str, str | None], Edge] = {}
        for edge in sorted((*self.upstream, *self.downstream), key=_edge_order):
            unique.setdefault(_edge_identity(edge), edge)
        object.__setattr__(self, "edges", tuple(unique.values()))


def _edge_identity(edge: Edge) -> tuple[str, str, str, str | None]:
    return (edge.source, edge.target, edge.relation, edge.ref.range)


def _edge_order(edge: Edge) -> tuple[str, str, str, str, tuple[str, ...]]:
    return (
        edge.source,
        edge.target,
        edge.relation,
        edge.ref.range or "",
        tuple(str(p) for p in edge.pointer),
    )


def _subgraph_edges(edges_of: dict[str, list[Edge]], reached: Iterable[str]) -> list[Edge]:
    """Every edge `source -> target` with both ends reached (edges_of: graph.upstream)."""
    keys = set(reached)
    return [e for key in sorted(keys) for e in edges_of.get(key, ()) if e.target in keys]


def build(project: Project, item: Item, direction: Direction, depth: int | None) -> Lineage:
    """The lineage of `item`: walk up, down or both from it, at most `depth` edges each way."""
    if direction not in ("up", "down", "both"):
        raise ValueError(direction)
    graph = project.graph
    walks: dict[str, dict[str, Reached]] = {}
    for way in ("up", "down"):
        if direction in (way, "both"):
            walks[way] = walk(graph, [item.key], way, depth)
    nodes: dict[str, LineageNode] = {
        item.key: LineageNode(item.key, graph.nodes.get(item.key, item), "root", 0, ())
    }
    for way in ("up", "down"):
        for key, reached in walks.get(way, {}).items():
            known = nodes.get(key)
            if known is not None and (known.distance or 0) <= reached.depth:
                continue
            way_name: Literal["up", "down"] = "up" if way == "up" else "down"
            nodes[key] = LineageNode(
                key, graph.nodes.get(key), way_name, reached.depth, reached.path
            )
    upstream = _subgraph_edges(graph.upstream, walks["up"]) if "up" in walks else []
    downstream = _subgraph_edges(graph.upstream, walks["down"]) if "down" in walks else []
    return Lineage(item.key, direction, depth, nodes, tuple(upstream), tuple(downstream))


def filter_nodes(lineage: Lineage, keep: Callable[[LineageNode], bool]) -> Lineage:
    """The selector hook: only the nodes `keep` accepts (the focus item always stays),
    and the edges between them. A node cut off from the focus by the filter is still
    listed in json, mermaid and dot, but the tree (which hangs from the focus) omits it."""
    nodes = {k: n for k, n in lineage.nodes.items() if k == lineage.root or keep(n)}

    def inside(edges: tuple[Edge, ...]) -> tuple[Edge, ...]:
        return tuple(e for e in edges if e.source in nodes and e.target in nodes)

    return replace(
        lineage,
        nodes=nodes,
        upstream=inside(lineage.upstream),
        downstream=inside(lineage.downstream),
    )


# --- json -------------------------------------------------------------------------------

_DIRECTION_ORDER = {"root": 0, "up": 1, "down": 2, None: 0}


def ordered_nodes(lineage: Lineage) -> list[LineageNode]:
    """The focus item, then upstream, then downstream; nearest first, then by key (without
    a focus item: by key)."""
    return sorted(
        lineage.nodes.values(),
        key=lambda n: (_DIRECTION_ORDER[n.direction], n.distance or 0, n.key),
    )


def _why(lineage: Lineage, node: LineageNode) -> dict[str, Any] | None:
    seed = lineage.root if lineage.root is not None else node.seed
    if seed is None:
        return None  # the whole graph: nothing chose the node
    return {"seed": seed, "path": [e.to_json() for e in node.path]}


def to_json(lineage: Lineage) -> dict[str, Any]:
    nodes = []
    for node in ordered_nodes(lineage):
        item = node.item
        nodes.append(
            {
                "key": node.key,
                "kind": node.kind,
                "id": node.id,
                "title": item.title if item else None,
                "version": item.version if item else None,
                "status": item.status if item else None,
                "owner": item.owner if item else None,
                "path": item.doc.rel if item else None,
                "missing": node.missing,
                "direction": node.direction,
                "distance": node.distance,
                "why": _why(lineage, node),
            }
        )
    return {
        "version": 1,
        "root": lineage.root,
        "direction": lineage.direction,
        "depth": lineage.depth,
        "nodes": nodes,
        "edges": [e.to_json() for e in lineage.edges],
    }


# --- tree -------------------------------------------------------------------------------


@dataclass
class TreeLine:
    """One line of the tree: styled text segments and the lines hanging below it."""

    parts: list[tuple[str, str]]  # (text, rich style)
    children: list[TreeLine] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)


def describe(lineage: Lineage, key: str) -> list[tuple[str, str]]:
    node = lineage.nodes.get(key)
    item = node.item if node else None
    if item is None:
        return [(key, "bold"), (" (missing: no such item)", "red")]
    return [
        (key, "bold"),
        (f" {item.version or '?'}", ""),
        (f" [{item.status or '?'}]", STATUS_STYLES.get(item.status or "", "")),
    ]


def branch(
    lineage: Lineage,
    start: TreeLine,
    key: str,
    way: Literal["up", "down"],
    expanded: set[str] | None = None,
) -> None:
    """Hang below `start` what `key` reaches walking `way`, each item expanded once (once
    across calls that share `expanded`).

    Iterative depth-first, so the first occurrence in reading order is the expanded one
    and a long chain cannot hit the recursion limit.
    """
    children: dict[str, list[Edge]] = {}
    for edge in lineage.upstream if way == "up" else lineage.downstream:
        children.setdefault(edge.source if way == "up" else edge.target, []).append(edge)
    for edges in children.values():
        edges.sort(key=lambda e: (e.relation, e.target if way == "up" else e.source))
    expanded = set() if expanded is None else expanded
    expanded.add(key)
    stack: list[tuple[TreeLine, Edge]] = [(start, e) for e in reversed(children.get(key, []))]
    while stack:
        parent, edge = stack.pop()
        other = edge.target if way == "up" else edge.source
        arrow = " → " if way == "up" else " ← "
        line = TreeLine([(edge.relation, "italic"), (arrow, "dim")])
        line.parts.extend(describe(lineage, other))
        parent.children.append(line)
        if other in expanded:
            if children.get(other):
                line.parts.append((" (see above)", "dim"))
            continue
        expanded.add(other)
        stack.extend((line, e) for e in reversed(children.get(other, [])))


def _tree(lineage: Lineage) -> TreeLine:
    """The tree as data: the focus item, and below it its upstream and/or downstream."""
    if lineage.root is None:
        raise ValueError("a tree without a focus item is lineage_graph.forest")
    top = TreeLine(describe(lineage, lineage.root))
    if lineage.direction == "both":
        branches: tuple[tuple[Literal["up", "down"], str], ...] = (
            ("up", "upstream (what it depends on)"),
            ("down", "downstream (what depends on it)"),
        )
        for way, title in branches:
            head = TreeLine([(title, "bold underline")])
            branch(lineage, head, lineage.root, way)
            if not head.children:
                head.children.append(TreeLine([("nothing", "dim")]))
            top.children.append(head)
    else:
        branch(lineage, top, lineage.root, "up" if lineage.direction == "up" else "down")
        if not top.children:
            what = "depends on nothing" if lineage.direction == "up" else "nothing depends on it"
            top.children.append(TreeLine([(what, "dim")]))
    return top


def render_tree(lineage: Lineage) -> str:
    """The tree as plain text, drawn with the same guides rich uses."""
    return draw_tree(_tree(lineage))


def draw_tree(top: TreeLine) -> str:
    """A tree of lines as plain text, drawn with the same guides rich uses."""
    out = [top.text]
    stack: list[tuple[TreeLine, str, bool]] = [
        (child, "", i == len(top.children) - 1)
        for i, child in reversed(list(enumerate(top.children)))
    ]
    while stack:
        line, prefix, last = stack.pop()
        out.append(prefix + ("└── " if last else "├── ") + line.text)
        below = prefix + ("    " if last else "│   ")
        count = len(line.children)
        stack.extend(
            (child, below, i == count - 1) for i, child in reversed(list(enumerate(line.children)))
        )
    return "\n".join(out) + "\n"


def render_rich_tree(lineage: Lineage) -> str:
    """The tree for a terminal: rich's Tree, in colour."""
    return draw_rich_tree(_tree(lineage))


def draw_rich_tree(top: TreeLine) -> str:
    """A tree of lines for a terminal: rich's Tree, in colour."""
    from rich.console import Console
    from rich.text import Text
    from rich.tree import Tree

    def text(line: TreeLine) -> Text:
        return Text.assemble(*line.parts)

    root = Tree(text(top), guide_style="dim")
    stack: list[tuple[Tree, TreeLine]] = [(root, top)]
    while stack:
        node, line = stack.pop()
        for child in line.children:
            stack.append((node.add(text(child)), child))
    console = Console(record=True, force_terminal=True)
    with console.capture() as capture:
        console.print(root)
    return capture.get()


# --- mermaid ----------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: entity codes for what the parser or the
    HTML label would otherwise read."""
    out = []
    for char in text:
        if char == "#":
            out.append("#35;")
        elif char == '"':
            out.append("#quot;")
        elif char in "<>&|`":
            out.append(f"#{ord(char)};")
        elif char in "\r\n\t":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def mermaid_ids(keys: Iterable[str]) -> dict[str, str]:
    """A Mermaid node id per key: `[A-Za-z0-9_]+`, readable, and unique (a short hash of
    the key is appended when two keys would otherwise read the same)."""
    keys = sorted(set(keys))
    base = {key: re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_") or "node" for key in keys}
    seen: dict[str, int] = {}
    for value in base.values():
        seen[value] = seen.get(value, 0) + 1
    out = {}
    for key in keys:
        value = base[key]
        if seen[value] > 1:
            value += "_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
        out[key] = value
    return out


def render_mermaid(lineage: Lineage) -> str:
    nodes = ordered_nodes(lineage)
    ids = mermaid_ids(lineage.nodes)
    lines = ["flowchart LR"]
    for node in nodes:
        item = node.item
        if item is None:
            label = f"{_mermaid_text(node.key)}<br/>missing"
        else:
            label = (
                f"{_mermaid_text(node.key)}<br/>"
                f"{_mermaid_text(item.version or '?')} · {_mermaid_text(item.status or '?')}"
            )
        lines.append(f'    {ids[node.key]}["{label}"]')
    for edge in lineage.edges:
        relation = _mermaid_text(edge.relation)
        lines.append(f'    {ids[edge.target]} -->|"{relation}"| {ids[edge.source]}')
    by_kind: dict[str, list[str]] = {}
    for node in nodes:
        if not node.missing:
            by_kind.setdefault(node.kind, []).append(ids[node.key])
    for kind in sorted(by_kind):
        lines.append(f"    classDef {kind} fill:{KIND_COLORS[kind]},stroke:#374151,color:#111827")
    missing = [ids[n.key] for n in nodes if n.missing]
    if missing:
        lines.append(
            "    classDef missing fill:#ffffff,stroke:#9ca3af,stroke-dasharray:5 5,color:#6b7280"
        )
    if lineage.root is not None:
        lines.append(f"    classDef focus stroke:{FOCUS_STROKE},stroke-width:4px")
    for kind in sorted(by_kind):
        lines.append(f"    class {','.join(by_kind[kind])} {kind}")
    if missing:
        lines.append(f"    class {','.join(missing)} missing")
    if lineage.root is not None:
        lines.append(f"    class {ids[lineage.root]} focus")
    return "\n".join(lines) + "\n"


# --- dot --------------------------------------------------------------------------------


def _dot_quote(text: str) -> str:
    """A DOT double-quoted string; `\\n` in the result is a line break in a label."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def render_dot(lineage: Lineage) -> str:
    lines = [
        "digraph lineage {",
        "  rankdir=LR;",
        '  node [style="rounded,filled", fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9, color="#6b7280"];',
    ]
    for node in ordered_nodes(lineage):
        item = node.item
        if item is None:
            label = f"{node.key}\nmissing"
            attrs = [
                "shape=box",
                'style="dashed"',
                'color="#9ca3af"',
                'fontcolor="#6b7280"',
            ]
        else:
            label = f"{node.key}\n{item.version or '?'} [{item.status or '?'}]"
            attrs = [
                f"shape={DOT_SHAPES[node.kind]}",
                f'fillcolor="{KIND_COLORS[node.kind]}"',
            ]
        if node.key == lineage.root:
            attrs += [f'color="{FOCUS_STROKE}"', "penwidth=3"]
        attrs.insert(0, f"label={_dot_quote(label)}")
        lines.append(f"  {_dot_quote(node.key)} [{', '.join(attrs)}];")
    for edge in lineage.edges:
        label = edge.relation + (f"\n{edge.ref.range}" if edge.ref.range else "")
        lines.append(
            f"  {_dot_quote(edge.target)} -> {_dot_quote(edge.source)} [label={_dot_quote(label)}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(lineage: Lineage, fmt: str, *, rich_terminal: bool = False) -> str:
    """The lineage as a picture: `tree`, `mermaid` or `dot` (json: `to_json`)."""
    if fmt == "tree":
        return render_rich_tree(lineage) if rich_terminal else render_tree(lineage)
    if fmt == "mermaid":
        return render_mermaid(lineage)
    if fmt == "dot":
        return render_dot(lineage)
    raise ValueError(fmt)
