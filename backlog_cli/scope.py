"""What `check PATHS` reports on: the files named, and the items they select.

pre-commit passes the staged files. An item file selects its item; a template or evaluation
config selects the items that use it; the config file (or a folder holding the whole
repository) selects everything. Selected items reach one hop downstream (the items that
reference them directly, or reference a former id in their `renamed_from`), so a staged
change that breaks a reference in an unchanged file is still reported there.

pre-commit passes no deleted file. The `backlog-check` hook (`check --pre-commit`) reads the
staged deletions from git and passes them here: a deleted item selects the items that still
reference its `kind/id`, a deleted template or evaluation config the items that use it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from backlog_cli.errors import BacklogError
from backlog_cli.paths import relpath, resolve, written

if TYPE_CHECKING:
    from backlog_cli.diagnostic import Diagnostic, Finding
    from backlog_cli.project import Project


@dataclass(frozen=True)
class Scope:
    """Findings in these files, or on these items (or on a set of items, `related`, that
    holds one of them: a cycle through a selected item)."""

    files: frozenset[str]
    items: frozenset[str]

    def covers(self, finding: Diagnostic | Finding) -> bool:
        return (
            finding.path in self.files
            or finding.item in self.items
            or not self.items.isdisjoint(finding.related)
        )


def scope(
    project: Project,
    paths: Sequence[Path],
    deleted: Sequence[Path] = (),
    deleted_items: frozenset[str] = frozenset(),
) -> Scope | None:
    """The scope for PATHS and the staged deletions (absolute paths, and the `kind/id` of
    the deleted items), or None for everything."""
    if not paths and not deleted:
        return None
    config = project.config
    root = config.repo_root
    known = {d.rel for d in project.documents} | {e.rel for e in project.load_errors}
    wanted: set[str] = set()
    real_files: set[Path] = set()
    for path in paths:
        absolute = path.resolve() if path.exists() or path.is_symlink() else None
        if absolute is None:
            raise BacklogError(f"{path}: no such file or directory")
        if config.source is not None and absolute == config.source.resolve():
            return None  # the config changed: everything may have changed
        if absolute.is_dir() and root.resolve().is_relative_to(absolute):
            return None  # a folder that holds the whole repository: everything
        inside = absolute.is_relative_to(root.resolve()) or (
            path.is_symlink() and path.absolute().is_relative_to(root)
        )
        if not inside:
            raise BacklogError(
                f"{path}: outside the repository ({root}); give files or folders inside it"
            )
        rel = relpath(absolute, root)
        if absolute.is_dir():
            prefix = "" if rel == "." else rel.rstrip("/") + "/"
            listed = known | {d.rel for d in project.others}
            wanted.update(k for k in listed if k.startswith(prefix))
        else:
            # a symlinked item file is known by the path it was found at
            wanted.add(relpath(path.absolute(), root) if path.is_symlink() else rel)
            real_files.add(absolute)
    keys = {item.key for item in project.items if item.doc.rel in wanted}
    keys |= _users_of({p for p in real_files if relpath(p, root) not in known}, project)
    keys |= _users_of_deleted(deleted, project)
    graph = project.graph
    reached = set(keys)
    for key in deleted_items - graph.nodes.keys():  # still there under another file: no harm
        reached.update(edge.source for edge in graph.downstream.get(key, ()))
    for key in keys:
        node = graph.nodes.get(key)
        former = node.summary.renamed_from if node is not None else ()
        for target in (key, *former):
            reached.update(edge.source for edge in graph.downstream.get(target, ()))
    return Scope(frozenset(wanted), frozenset(reached))


def _users_of(files: set[Path], project: Project) -> set[str]:
    """The items whose template or evaluation config is one of `files` (item files are
    known by their path: only other files need this search)."""
    if not files:
        return set()
    root = project.config.repo_root
    names = {p.name for p in files}
    keys: set[str] = set()
    for item in project.items:
        raw = item.summary.file
        if raw is not None and raw.rsplit("/", 1)[-1] in names:
            resolved = resolve(raw, item.doc.path, root)
            if resolved.path is not None and resolved.path in files:
                keys.add(item.key)
    return keys


def _users_of_deleted(deleted: Sequence[Path], project: Project) -> set[str]:
    """The items whose template or evaluation config, as written, is a deleted file."""
    if not deleted:
        return set()
    gone = {Path(os.path.normpath(p)) for p in deleted}
    root = project.config.repo_root
    keys: set[str] = set()
    for item in project.items:
        raw = item.summary.file
        if raw is not None and written(raw, item.doc.path, root) in gone:
            keys.add(item.key)
    return keys
