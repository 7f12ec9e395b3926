"""Shared by the four versioning rules: where a finding about a changed item goes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backlog_cli.project import Item, Project
    from backlog_cli.versioning import ItemChange


def head_item(project: Project, change: ItemChange) -> Item | None:
    return project.find(change.key) if change.head is not None else None


def version_position(item: Item) -> tuple[int, int]:
    """The `version` value's line and column, or the file's start when it has none."""
    return item.doc.locate(("version",)) if "version" in item.data else (1, 1)


def reasons(change: ItemChange, limit: int = 4) -> str:
    # the message names the item's level: a reason repeats only a level that differs from it
    listed = [
        c.reason if c.level == change.level else f"{c.reason} ({c.level})"
        for c in sorted(change.changes, reverse=True)
    ]
    more = f"; +{len(listed) - limit} more" if len(listed) > limit else ""
    return "; ".join(listed[:limit]) + more
