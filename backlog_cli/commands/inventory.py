"""`list` and `show`: find items and their resolved links."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from backlog_cli.diagnostic import printable
from backlog_cli.errors import BacklogError
from backlog_cli.project import Item, Project
from backlog_cli.refs import parse_range
from backlog_cli.semver import parse_version


def summary(item: Item) -> dict[str, Any]:
    return {
        "key": item.key,
        "kind": item.kind,
        "id": item.id,
        "title": item.title,
        "version": item.version,
        "status": item.status,
        "owner": item.owner,
        "path": item.doc.rel,
    }


def select(
    project: Project, kinds: Sequence[str], statuses: Sequence[str], owners: Sequence[str]
) -> list[Item]:
    """Items matching every given filter (each filter a union of its values), sorted."""
    return [
        i
        for i in sorted(project.items, key=lambda i: (i.kind, i.id, i.doc.rel))
        if (not kinds or i.kind in kinds)
        and (not statuses or i.status in statuses)
        and (not owners or i.owner in owners)
    ]


def resolve(project: Project, name: str) -> Item:
    """The item named `kind/id` (or a unique bare id); exit 2 with a did-you-mean otherwise."""
    item = project.find(name)
    if item is None and "/" not in name:
        matches = [i for i in project.items if i.id == name]
        keys = sorted({i.key for i in matches})
        if len(keys) == 1:
            item = matches[0]
            name = item.key
        elif len(keys) > 1:
            raise BacklogError(f"`{name}` is ambiguous: {', '.join(keys)}; write `kind/id`")
    if item is not None and len(project.by_key.get(item.key, ())) > 1:
        files = ", ".join(sorted(i.doc.rel for i in project.by_key[item.key]))
        raise BacklogError(
            f"`{item.key}` is defined in more than one file ({files}); "
            "give each its own id (`backlog check` reports it as duplicate-id)"
        )
    if item is None:
        keys = sorted(project.by_key)
        close = difflib.get_close_matches(name, keys, n=1, cutoff=0.5) or (
            difflib.get_close_matches(name, [k.split("/", 1)[1] for k in keys], n=1, cutoff=0.5)
        )
        hint = f"; did you mean `{close[0]}`?" if close else ""
        raise BacklogError(f"unknown item `{name}`{hint} (`backlog list` shows them)")
    return item


def link(project: Project, key: str, range_text: str | None) -> dict[str, Any]:
    target = project.graph.nodes.get(key)
    admitted: bool | None = None
    if target is not None and range_text is not None:
        version = parse_version(target.version or "")
        try:
            admitted = parse_range(range_text).admits(version) if version else None
        except ValueError:
            admitted = None
    return {
        "item": key,
        "exists": target is not None,
        "version": target.version if target else None,
        "status": target.status if target else None,
        "range": range_text,
        "admitted": admitted,
    }


def links(project: Project, item: Item) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the item depends on (with the range check) and what references it."""
    graph = project.graph
    upstream = [
        {"relation": e.relation, **link(project, e.target, e.ref.range)}
        for e in graph.upstream.get(item.key, [])
    ]
    downstream = [
        {"relation": e.relation, **link(project, e.source, None), "range": e.ref.range}
        for e in graph.downstream.get(item.key, [])
    ]
    return upstream, downstream


def render_list(items: Sequence[Item], *, footer: bool = True) -> str:
    rows = [
        tuple(map(printable, (i.key, i.version or "?", i.status or "?", i.owner or "?", i.doc.rel)))
        for i in items
    ]
    widths = [max((len(r[c]) for r in rows), default=0) for c in range(4)]
    lines = ["  ".join(r[c].ljust(widths[c]) for c in range(4)) + "  " + r[4] for r in rows]
    if footer:
        lines.append(f"{len(rows)} item{'' if len(rows) == 1 else 's'}")
    return "".join(line + "\n" for line in lines)


def render_show(
    item: Item, upstream: list[dict[str, Any]], downstream: list[dict[str, Any]]
) -> str:
    lines = [
        printable(f"{item.key}  {item.version or '?'}  [{item.status or '?'}]"),
        f"  title:  {printable(item.title or '')}",
        f"  owner:  {printable(item.owner or '')}",
        f"  file:   {printable(item.doc.rel)}",
    ]
    lines += render_links(item.data, upstream, downstream)
    return "\n".join(lines) + "\n"


def render_links(
    data: dict[str, Any],
    upstream: list[dict[str, Any]],
    downstream: list[dict[str, Any]],
    *,
    now: str = "",
) -> list[str]:
    """The description's first paragraph and the links, as `show` prints them below the
    item's header; `now` marks the link headings (links resolved against today's backlog)."""
    lines: list[str] = []
    description = data.get("description")
    if isinstance(description, str) and description.strip():
        paragraph = description.strip().split("\n\n", 1)[0]
        lines.append("")
        lines.extend("  " + printable(line.strip()) for line in paragraph.split("\n"))
        lines.append("")
    lines.append(f"depends on{now}:" if upstream else f"depends on{now}: nothing")
    for u in upstream:
        state = "missing" if not u["exists"] else f"{u['version']} [{u['status']}]"
        rng = f"@{u['range']}" if u["range"] else ""
        bad = "  (range does not admit it)" if u["admitted"] is False else ""
        lines.append(printable(f"  {u['relation']}: {u['item']}{rng} -> {state}{bad}"))
    lines.append(f"used by{now}:" if downstream else f"used by{now}: nothing")
    for d in downstream:
        lines.append(printable(f"  {d['item']} ({d['relation']}) {d['version']} [{d['status']}]"))
    return lines
