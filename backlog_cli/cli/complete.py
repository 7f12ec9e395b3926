"""Shell completion of the values the commands take, not only their names and flags.

Typer calls these (`autocompletion=`) when the shell asks (`_BACKLOG_COMPLETE=complete_bash`
with `COMP_WORDS`/`COMP_CWORD`, or `complete_zsh`/`complete_fish` with
`_TYPER_COMPLETE_ARGS`): item names (`backlog show pro<TAB>` -> `prompt/...`), and with `@`
after one in `show`, the versions its git history has; kinds, statuses, rule ids and schema
names. The `--format` choices complete from their enums (`common.FormatChoice.option`).

Item names come from the project found from the current folder, or from the `--root`
already typed, loaded through the parse cache's summaries (a file the cache has seen is not
parsed) and never checked: no rule runs. A completion offers nothing rather than fail:
outside a project, in a broken one, or with unreadable files there are no candidates and
the exit code is 0. Nothing heavy is imported at module level: `--help` and `--version`
import this module too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from collections.abc import Iterable

    from backlog_cli.project import Project


def _starting(candidates: Iterable[str], incomplete: str, taken: Iterable[str] = ()) -> list[str]:
    """The candidates that start with `incomplete`, once each, in order, without `taken`."""
    skip = set(taken)
    return [c for c in dict.fromkeys(candidates) if c.startswith(incomplete) and c not in skip]


def kinds(incomplete: str) -> list[str]:
    """The kinds (`list --kind`, `new KIND`)."""
    from backlog_cli.vocab import KINDS

    return _starting(KINDS, incomplete)


def statuses(incomplete: str) -> list[str]:
    """The statuses (`list --status`)."""
    from backlog_cli.vocab import STATUSES

    return _starting(STATUSES, incomplete)


def rule_ids(incomplete: str) -> list[str]:
    """The rule ids (`check --rule`, `--ignore-rule`)."""
    from backlog_cli.checks import RULE_IDS

    return _starting(RULE_IDS, incomplete)


def schema_names(incomplete: str) -> list[str]:
    """What `schema KIND` takes: a kind, `envelope`, `item` or an output contract."""
    try:
        from backlog_cli.schemas import available

        return _starting(available(), incomplete)
    except Exception:  # a completion offers nothing rather than fail
        return []


def items(ctx: typer.Context, incomplete: str) -> list[str]:
    """`kind/id` of every item, and an id alone where it names one item (`history`,
    `lineage`, `bump`); the items `bump ITEM...` already has are not offered again."""
    project = _project(ctx)
    if project is None:
        return []
    return _names(project, incomplete, bare=True, taken=_given(ctx, "items") or ())


def item_keys(ctx: typer.Context, incomplete: str) -> list[str]:
    """`kind/id` of every item not yet typed: `diff` reads a word without `/` as a git ref."""
    project = _project(ctx)
    if project is None:
        return []
    return _names(project, incomplete, bare=False, taken=_given(ctx, "args") or ())


def item_or_version(ctx: typer.Context, incomplete: str) -> list[str]:
    """`show`: item names, and after `ITEM@` the versions the item's git history has."""
    project = _project(ctx)
    if project is None:
        return []
    if "@" not in incomplete:
        return _names(project, incomplete, bare=True)
    name, _, prefix = incomplete.rpartition("@")
    return [f"{name}@{v}" for v in _starting(_versions(project, name), prefix)]


def _names(
    project: Project, incomplete: str, *, bare: bool, taken: Iterable[str] = ()
) -> list[str]:
    keys = sorted(project.by_key)
    found = _starting(keys, incomplete, taken)
    if bare and incomplete and "/" not in incomplete:  # `show <TAB>` lists each item once
        ids: dict[str, int] = {}
        for key in keys:
            item_id = key.split("/", 1)[1]
            ids[item_id] = ids.get(item_id, 0) + 1
        found += _starting(sorted(i for i, n in ids.items() if n == 1), incomplete, taken)
    return found


def _versions(project: Project, name: str) -> list[str]:
    """The committed versions of item `name`, newest first (what `show ITEM@VERSION` takes)."""
    try:
        from backlog_cli.commands import history

        found = history.build(project, name)
    except Exception:  # not a git repository, an unknown item, ...: nothing to offer
        return []
    versions = [
        e.side.version for e in found.entries if e.commit is not None and e.side is not None
    ]
    return list(dict.fromkeys(v for v in reversed(versions) if v))


def _given(ctx: typer.Context | None, name: str) -> Any:
    """An option's value as typed so far on the command line (None when not given)."""
    return ctx.params.get(name) if ctx is not None else None


def _project(ctx: typer.Context | None) -> Project | None:
    """The project from `--root` or the current folder, loaded from the cache's summaries;
    None when there is none or it cannot be read."""
    try:
        from backlog_cli import cache
        from backlog_cli.config import load_config
        from backlog_cli.project import load_project

        root = _given(ctx, "root")
        config = load_config(Path(os.fspath(root)) if root else None)
        if not config.items.is_dir():
            return None
        cache_dir = _given(ctx, "cache_dir")
        try:
            folder = cache.directory(
                config.repo_root,
                Path(os.fspath(cache_dir)) if cache_dir else None,
                bool(_given(ctx, "no_cache")),
            )
        except Exception:  # a --cache-dir the cache refuses: read without it
            folder = None
        lazy = cache.Cache(folder, lazy=True) if folder is not None else None
        return load_project(config, lazy)
    except Exception:  # outside a project, a broken config, ...: offer nothing
        return None
