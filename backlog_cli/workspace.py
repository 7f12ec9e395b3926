"""Open the project at the working tree or at a git ref, for the commands.

Nothing here prints: what the user should hear comes back as values (the verbose detail of
a load, the notes of a comparison) and the command line says it, so that `-q` and `-v`
are decided in one place. Heavy modules (the loader, git, the cache) are imported inside
the functions: the CLI imports this module for `--help` too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backlog_cli.errors import BacklogError
from backlog_cli.paths import relpath

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from backlog_cli.config import Config
    from backlog_cli.project import Project
    from backlog_cli.select import Why
    from backlog_cli.versioning import Comparison


@dataclass(frozen=True)
class Opened:
    """A project loaded from the working tree, and what `--verbose` says about the load."""

    project: Project
    detail: str


@dataclass(frozen=True)
class Compared:
    """A project (at the working tree or a `--head` checkout) and its comparison with the
    base; the notes for the user are in `comparison.notes`."""

    project: Project
    comparison: Comparison


@dataclass(frozen=True)
class Selection:
    """The `--select/--exclude` result (key -> why it was selected; None: every item), and
    the notes of the comparison the `changed` selector needed, if any."""

    chosen: dict[str, Why] | None
    notes: tuple[str, ...] = ()


def require_items(config: Config) -> None:
    """Refuse a config whose item folder is missing, with the ways to fix it."""
    if not config.items.is_dir():
        # relative to the repository root, as findings name files
        folder = relpath(config.items, config.repo_root) + "/"
        where = config.source_rel if config.source else "the default `items: backlog/`"
        raise BacklogError(
            f"no item folder at {folder} (from {where}); create it, "
            "run `backlog init`, or set `items:` in backlog.yaml"
        )


def open_project(
    root: Path | None, cache_dir: Path | None = None, no_cache: bool = False
) -> Opened:
    """The project at the working tree, through the parse cache unless it is off."""
    from backlog_cli import cache
    from backlog_cli.config import load_config
    from backlog_cli.project import load_project

    config = load_config(root)
    require_items(config)
    folder = cache.directory(config.repo_root, cache_dir, no_cache)
    project = load_project(config, cache.Cache(folder) if folder is not None else None)
    detail = (
        f"config {config.source or '(defaults)'}; items {config.items}; "
        f"{len(project.documents) + len(project.load_errors)} files loaded; "
        f"cache {folder if folder is not None else 'off'}"
    )
    return Opened(project, detail)


@contextmanager
def at_refs(
    project: Project,
    base: str | None,
    head: str | None,
    paths: Sequence[Path] | None = None,
    *,
    only: set[str] | None = None,
    label: str | None = None,
) -> Iterator[Compared]:
    """The project at `head` (default: `project`, the working tree) with its comparison
    against `base`.

    A `--head` is checked out into a temporary folder that is removed on leaving, also when
    the base is refused or the command fails.
    """
    from backlog_cli import versioning
    from backlog_cli.fsutil import signals_deferred

    config = project.config  # the working tree's: git runs there, not in a --head checkout
    checkout = None
    if head is not None:
        if paths:
            raise BacklogError(
                "PATHS cannot be combined with --head (they name working-tree "
                "files); drop one of them"
            )
        project, checkout = versioning.temporary_head(config, head)
    try:
        comparison = versioning.with_base(config, project, base, head, only=only, label=label)
        yield Compared(project, comparison)
    finally:
        if checkout is not None:
            with signals_deferred():  # a second Ctrl-C must not stop the removal half-way
                checkout.cleanup()


def compare_with_base(
    project: Project, base: str | None, only: set[str] | None = None
) -> Comparison:
    """The working tree against `base` (default: config `base`, else the merge-base)."""
    from backlog_cli import versioning

    return versioning.with_base(project.config, project, base, None, only=only)


def selection(
    project: Project,
    select: Sequence[str] | None,
    exclude: Sequence[str] | None,
    base: str | None = None,
    comparison: Comparison | None = None,
) -> Selection:
    """Evaluate `--select/--exclude`; the `changed` selector reads `comparison`, else
    compares the working tree with `base`."""
    if not select and not exclude:
        return Selection(None)
    from backlog_cli import select as selectors

    changed: set[str] | None = None
    notes: tuple[str, ...] = ()
    if selectors.needs_changed(select or [], exclude or []):
        if comparison is None:
            comparison = compare_with_base(project, base)
            notes = tuple(comparison.notes)
        changed = {c.key for c in comparison.items if c.state in ("added", "changed")}
    return Selection(selectors.select(project, select or [], exclude or [], changed), notes)
