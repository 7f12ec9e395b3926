"""The reference graph, built once from the loaded items and shared by rules and commands.

An edge points from the referring item (downstream) to the referenced one (upstream).
References to unknown items stay in the graph as dangling edges.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from backlog_cli.refs import Ref, parse_ref
from backlog_cli.vocab import Pointer, reference_fields

if TYPE_CHECKING:
    from backlog_cli.project import Item


class Edge(NamedTuple):
    """One reference (a named tuple: a 10,000-item graph has ~35,000)."""

    source: str  # kind/id of the referring item
    target: str  # kind/id named by the reference
    range: str | None  # the version range after `@`, if any
    relation: str  # dotted field name, e.g. `spec.prompts`
    pointer: Pointer  # where the reference sits in the source item

    @property
    def ref(self) -> Ref:
        kind, _, item_id = self.target.partition("/")
        return Ref(kind, item_id, self.range)

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.target,
            "relation": self.relation,
            "range": self.range,
        }


def _get(data: Any, pointer: Pointer) -> Any:
    for part in pointer:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


# One reference as the summary keeps it: relation, pointer, target kind, target id, range.
EdgeSpec = tuple[str, Pointer, str, str, str | None]


def edge_specs(kind: str, data: dict[str, Any]) -> list[EdgeSpec]:
    """Every well-formed reference in an item's data (malformed ones are the schema rule's)."""
    out: list[EdgeSpec] = []
    for field_pointer in reference_fields(kind):
        value = _get(data, field_pointer)
        if value is None:
            continue
        relation = ".".join(str(p) for p in field_pointer)
        pairs: Iterable[tuple[Pointer, Any]]
        if isinstance(value, list):
            pairs = (((*field_pointer, i), v) for i, v in enumerate(value))
        else:
            pairs = ((field_pointer, value),)
        for pointer, raw in pairs:
            if not isinstance(raw, str):
                continue
            ref = parse_ref(raw)
            if ref is None and "@" in raw:
                # a well-formed target with a malformed range: keep the edge so that
                # `version-constraint` reports the range instead of it vanishing
                base = parse_ref(raw.split("@", 1)[0])
                if base is not None:
                    ref = Ref(base.kind, base.id, raw.split("@", 1)[1])
            if ref is not None:
                out.append((relation, pointer, ref.kind, ref.id, ref.range))
    return out


def references(item: Item) -> list[Edge]:
    """The item's references as edges (from its summary: no data is parsed for this)."""
    source = item.key
    return [
        Edge(source, kind + "/" + item_id, range_text, relation, pointer)
        for relation, pointer, kind, item_id, range_text in item.edge_specs
    ]


class Graph:
    def __init__(self, nodes: dict[str, Item], edges: list[Edge]) -> None:
        self.nodes = nodes
        self.edges = edges
        self.upstream: dict[str, list[Edge]] = {}
        self.downstream: dict[str, list[Edge]] = {}
        upstream, downstream = self.upstream, self.downstream
        for edge in edges:
            source, target = edge.source, edge.target
            if source in upstream:
                upstream[source].append(edge)
            else:
                upstream[source] = [edge]
            if target in downstream:
                downstream[target].append(edge)
            else:
                downstream[target] = [edge]

    @classmethod
    def build(cls, items: Iterable[Item]) -> Graph:
        nodes: dict[str, Item] = {}
        edges: list[Edge] = []
        for item in items:
            key = item.key
            if key in nodes:  # a duplicate id: the first file stands for the node
                continue
            nodes[key] = item
            edges.extend(references(item))
        return cls(nodes, edges)

    def strongly_connected(self, starts: Iterable[str] | None = None) -> list[list[str]]:
        """Tarjan's algorithm, iterative (deep graphs must not hit the recursion limit).

        Returns the components that hold a cycle: two or more nodes, or a self-loop. With
        `starts`, only the components reachable from those nodes (which include every
        component a start node belongs to).
        """
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        result: list[list[str]] = []
        counter = 0
        for start in sorted(self.nodes if starts is None else set(starts) & self.nodes.keys()):
            if start in index:
                continue
            work: list[tuple[str, int]] = [(start, 0)]
            while work:
                node, i = work.pop()
                if i == 0:
                    index[node] = low[node] = counter
                    counter += 1
                    stack.append(node)
                    on_stack.add(node)
                targets = [e.target for e in self.upstream.get(node, ()) if e.target in self.nodes]
                if i < len(targets):
                    work.append((node, i + 1))
                    nxt = targets[i]
                    if nxt not in index:
                        work.append((nxt, 0))
                    elif nxt in on_stack:
                        low[node] = min(low[node], index[nxt])
                    continue
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    self_loop = any(e.target == node for e in self.upstream.get(node, ()))
                    if len(component) > 1 or self_loop:
                        result.append(sorted(component))
        return result

    def cycle_through(self, component: list[str]) -> list[Edge]:
        """One cycle inside a strongly connected component, starting at its smallest node."""
        members = set(component)
        start = component[0]
        # BFS from start's successors back to start gives the shortest cycle through it
        parents: dict[str, Edge] = {}
        frontier = [start]
        seen = {start}
        while frontier:
            nxt: list[str] = []
            for node in frontier:
                for edge in self.upstream.get(node, ()):
                    if edge.target not in members:
                        continue
                    if edge.target == start:
                        path = [edge]
                        while path[0].source != start:
                            path.insert(0, parents[path[0].source])
                        return path
                    if edge.target not in seen:
                        seen.add(edge.target)
                        parents[edge.target] = edge
                        nxt.append(edge.target)
            frontier = nxt
        return []  # pragma: no cover - a component with a cycle always has one


@dataclass(frozen=True)
class Reached:
    """An item reached from a seed: how far, and the edges walked to get there (seed first)."""

    key: str
    depth: int
    path: tuple[Edge, ...]

    def why(self) -> list[dict[str, Any]]:
        return [edge.to_json() for edge in self.path]


def walk(
    graph: Graph, seeds: Iterable[str], direction: str, depth: int | None = None
) -> dict[str, Reached]:
    """Breadth-first closure from `seeds`: `down` follows referrers (what depends on it),
    `up` follows references (what it depends on). Seeds are included at depth 0. Every
    item is reached by a shortest path; ties go to the lexically first edge, so the result
    is deterministic. Dangling targets (unknown items) are included when walking up.
    """
    if direction not in ("up", "down"):
        raise ValueError(direction)
    reached: dict[str, Reached] = {}
    frontier: list[str] = []
    for seed in sorted(set(seeds)):
        reached[seed] = Reached(seed, 0, ())
        frontier.append(seed)
    level = 0
    while frontier and (depth is None or level < depth):
        level += 1
        next_frontier: list[str] = []
        for key in frontier:
            if direction == "down":
                edges = sorted(graph.downstream.get(key, ()), key=lambda e: (e.source, e.relation))
            else:
                edges = sorted(graph.upstream.get(key, ()), key=lambda e: (e.target, e.relation))
            for edge in edges:
                other = edge.source if direction == "down" else edge.target
                if other in reached:
                    continue
                reached[other] = Reached(other, level, (*reached[key].path, edge))
                if other in graph.nodes:
                    next_frontier.append(other)
        frontier = next_frontier
    return reached
