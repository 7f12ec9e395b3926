"""`backlog check --pre-commit`: what the `backlog-check` pre-commit hook checks.

pre-commit passes a hook the staged files its `files:` pattern matches, never a deleted one,
so a commit that deletes an item still referenced elsewhere would pass unseen. The hook
therefore runs always, and this module adds what the file list lacks:

- the staged deletions under the item folder, read from the index in one git process: a
  deleted item (its `kind/id` read from HEAD) selects the items that still reference it, a
  deleted template or evaluation config the items that use it;
- with a `base:` in the config, the comparison with the merge-base of HEAD and that ref, so
  the version rules (`version-bump-*`) run at commit time as they do in CI.

When nothing under the backlog is staged (no file passed, no deletion) it answers before
reading the config: two git processes, no YAML parsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from backlog_cli import git
from backlog_cli.errors import BacklogError

if TYPE_CHECKING:  # the fast path (nothing staged) imports neither: no YAML library loaded
    from backlog_cli.config import Config
    from backlog_cli.loader import Limits


@dataclass(frozen=True)
class Plan:
    """What the hook checks beyond the staged files."""

    config: Config
    deleted: tuple[Path, ...]  # staged deletions under the item folder (absolute)
    deleted_items: frozenset[str]  # the `kind/id` those files held at HEAD
    base: str | None  # the merge-base with config `base` (None: no version rules)
    label: str | None  # how messages name that base


def plan(root: Path | None, paths: Sequence[Path]) -> Plan | None:
    """The hook's plan, or None when nothing in the backlog is staged."""
    start = root if root is not None else Path.cwd()
    repo = git.toplevel(start)
    if repo is None:
        raise BacklogError(
            f"--pre-commit: {start} is not inside a git repository (the hook reads the index)"
        )
    names = git.staged_deletions(repo)
    if not paths and not names:
        return None
    from backlog_cli.config import load_config
    from backlog_cli.paths import relpath
    from backlog_cli.workspace import require_items

    config = load_config(root)
    require_items(config)
    folder = relpath(config.items, repo)
    prefix = "" if folder == "." else folder.rstrip("/") + "/"
    deleted = [name for name in names if name.startswith(prefix)]
    if not paths and not deleted:
        return None
    base = None
    if config.base:
        base = git.merge_base(repo, config.base, "base ref (config `base`)")
    keys = _keys_at_head(repo, deleted, config.limits)
    label = f"the merge-base with {config.base}" if config.base else None
    return Plan(config, tuple(repo / n for n in deleted), keys, base, label)


def _keys_at_head(repo: Path, deleted: Sequence[str], limits: Limits) -> frozenset[str]:
    """The `kind/id` of the deleted item files, as HEAD has them."""
    names = [n for n in deleted if n.endswith((".yaml", ".yml"))]
    if not names:
        return frozenset()
    from backlog_cli.loader import Document, load_bytes
    from backlog_cli.summary import summarize

    with git.BlobReader(repo) as reader:
        blobs = reader.read_many([f"HEAD:{n}" for n in names], limit=limits.max_file_size)
    keys: set[str] = set()
    for name, raw in zip(names, blobs, strict=True):
        if raw is None:
            continue
        doc = load_bytes(repo / name, name, raw, limits)
        summary = summarize(doc.data) if isinstance(doc, Document) else None
        if summary is not None and summary.kind and summary.id:
            keys.add(f"{summary.kind}/{summary.id}")
    return frozenset(keys)
