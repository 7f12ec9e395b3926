"""Which files are item files: the walk of the working tree (`discover_entries`) and the
same decision for a path named by git (`is_item_path`), kept side by side so they never
disagree (`check`, `diff --base` and `history` must see the same items).

Items are `*.yaml`/`*.yml` under the configured item folder, minus hidden entries and the
config's `exclude` globs.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from backlog_cli.paths import relpath


def is_excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    """Whether a posix path (relative to the config's folder) matches an `exclude` glob."""
    for pattern in patterns:
        pat = pattern.rstrip("/")
        if fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(rel, pat + "/*"):
            return True
    return False


def is_item_path(rel: str, items_rel: str, patterns: tuple[str, ...], project_prefix: str) -> bool:
    """Whether a repository-relative path is an item file `discover_entries` would find.

    `items_rel` is the item folder and `project_prefix` the config's folder, both relative
    to the repository root (`""` for the root itself).
    """
    if not rel.endswith((".yaml", ".yml")):
        return False
    folder = items_rel.rstrip("/") + "/" if items_rel not in ("", ".") else ""
    if not rel.startswith(folder):
        return False
    if any(part.startswith(".") for part in rel[len(folder) :].split("/")):
        return False
    local = rel[len(project_prefix) :] if rel.startswith(project_prefix) else rel
    return not is_excluded(local, patterns)


def discover_entries(
    items_dir: Path, rel_base: Path, exclude: tuple[str, ...] = (), exclude_base: Path | None = None
) -> list[tuple[str, str, bool, str | None]]:
    """Every `*.yaml`/`*.yml` under `items_dir`, minus `exclude` globs, sorted by path
    relative to `rel_base`: (path, relative path, is a symlink, None), and (folder, relative
    path, False, why) for each folder that cannot be listed (its items would go unchecked).

    Globs match the posix path relative to `exclude_base` (the config's folder); `*` also
    matches `/`, and a pattern naming a folder excludes everything in it. Hidden entries are
    skipped and folder symlinks are not followed (no loops, no escaping the tree). One walk
    of plain strings: 10,000 files take milliseconds, where pathlib objects cost 0.3 s.
    """
    exclude_base = exclude_base or rel_base
    rel_prefix = _prefix(items_dir, rel_base)
    local_prefix = _prefix(items_dir, exclude_base)
    pending = [(os.fspath(items_dir), rel_prefix, local_prefix)]
    found: list[tuple[str, str, bool, str | None]] = []
    while pending:
        folder, rel_folder, local_folder = pending.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            why = f"cannot read folder: {exc.strerror or exc}; the items in it are not checked"
            found.append((folder, rel_folder.rstrip("/") or ".", False, why))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            local = local_folder + name
            if is_dir:
                if not (exclude and is_excluded(local, exclude)):
                    pending.append((entry.path, rel_folder + name + "/", local + "/"))
            elif name.endswith((".yaml", ".yml")) and not (exclude and is_excluded(local, exclude)):
                try:
                    link = entry.is_symlink()
                except OSError:
                    link = False
                found.append((entry.path, rel_folder + name, link, None))
    found.sort(key=lambda triple: triple[1])
    return found


def _prefix(folder: Path, base: Path) -> str:
    """`folder` relative to `base` as a posix prefix ending in `/` (`""` for `base` itself)."""
    rel = relpath(folder, base)
    return "" if rel in ("", ".") else rel.rstrip("/") + "/"
