"""`backlog show KIND/ID@VERSION`: the item as it was when it last had that version.

The versions come from `history` (the same walk: moves, id renames and merged branches are
followed). The newest commit whose item has VERSION is the one shown; uncommitted changes
are not history, so a version only the working tree has is refused with the versions that
exist. The item's links are resolved against the backlog as it is now: what it referenced
then and whether today's items still satisfy those ranges, and what references it today.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backlog_cli.commands import inventory
from backlog_cli.diagnostic import printable
from backlog_cli.errors import BacklogError
from backlog_cli.graph import edge_specs

if TYPE_CHECKING:
    from backlog_cli import git
    from backlog_cli.project import Project
    from backlog_cli.versioning import Side


def split(name: str) -> tuple[str, str | None]:
    """`kind/id@1.2.0` -> (`kind/id`, `1.2.0`); no `@`: (name, None)."""
    if "@" not in name:
        return name, None
    item, _, version = name.rpartition("@")
    if not item or not version:
        raise BacklogError(f"`{name}`: write ITEM@VERSION, e.g. `prompt/triage@1.2.0`")
    return item, version


@dataclass(frozen=True)
class Past:
    """The item `side` as `commit` left it."""

    side: Side
    commit: git.Commit
    notes: tuple[str, ...]


def find(project: Project, name: str, version: str) -> Past:
    """The newest committed version `version` of the item `name`; exit 2 listing the
    versions history has when there is none."""
    from backlog_cli.commands import history

    found = history.build(project, name)
    committed = [e for e in found.entries if e.side is not None and e.commit is not None]
    for entry in reversed(committed):
        if entry.side is not None and entry.commit is not None and entry.side.version == version:
            return Past(entry.side, entry.commit, tuple(found.notes))
    known = list(dict.fromkeys(e.side.version or "(none)" for e in committed if e.side))
    listed = ", ".join(known) if known else "none committed yet"
    uncommitted = any(
        e.commit is None and e.side is not None and e.side.version == version for e in found.entries
    )
    where = " (only the working tree has it: commit it, or `backlog show ITEM`)" * uncommitted
    raise BacklogError(
        f"`{found.item}` never had version {version} in the git history of HEAD{where}; "
        f"versions: {listed}"
    )


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def links(project: Project, side: Side) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the past item referenced (checked against today's items) and what references
    its key today."""
    upstream = [
        {"relation": relation, **inventory.link(project, f"{kind}/{item_id}", range_text)}
        for relation, _pointer, kind, item_id, range_text in edge_specs(side.kind, side.data)
    ]
    downstream = [
        {"relation": e.relation, **inventory.link(project, e.source, None), "range": e.ref.range}
        for e in project.graph.downstream.get(side.key, [])
    ]
    return upstream, downstream


def to_json(project: Project, past: Past) -> dict[str, Any]:
    side, commit = past.side, past.commit
    upstream, downstream = links(project, side)
    return {
        "version": 1,
        "item": {
            "key": side.key,
            "kind": side.kind,
            "id": side.id,
            "title": _text(side.data, "title"),
            "version": side.version,
            "status": side.status,
            "owner": _text(side.data, "owner"),
            "path": side.rel,
            "data": side.data,
        },
        "commit": {
            "sha": commit.sha,
            "short": commit.sha[:7],
            "date": commit.date,
            "author": commit.author,
            "subject": commit.subject,
        },
        "upstream": upstream,
        "downstream": downstream,
    }


def render_text(project: Project, past: Past) -> str:
    side, commit = past.side, past.commit
    upstream, downstream = links(project, side)
    lines = [
        printable(f"{side.key}  {side.version or '?'}  [{side.status or '?'}]"),
        printable(
            f"  commit: {commit.sha[:7]} {commit.date[:10]} {commit.author}: {commit.subject}"
        ),
        f"  title:  {printable(_text(side.data, 'title') or '')}",
        f"  owner:  {printable(_text(side.data, 'owner') or '')}",
        f"  file:   {printable(side.rel)}",
    ]
    lines += inventory.render_links(side.data, upstream, downstream, now=" (today)")
    return "\n".join(lines) + "\n"
