"""`backlog check` at the working tree: the rule engine, and the whole-run cache in front of it.

When nothing that a run depends on changed — the item files' content, the files items
reference (templates, evaluation configs), the evidence records, the config, the options,
the tool version and today's date — the previous result is reused and nothing is parsed
or checked. Runs against git refs (`--base`, `--head`, the CLI opens those through
`workspace`) and the `changed` selector (it depends on the base ref) are never taken from
that cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from backlog_cli import __version__, cache, evidence_store
from backlog_cli.config import Config
from backlog_cli.dates import today
from backlog_cli.diagnostic import Diagnostic, Location
from backlog_cli.engine import CheckOptions, CheckResult, run_check
from backlog_cli.paths import resolve
from backlog_cli.project import Project, Scanned, load_project, scan


@dataclass(frozen=True)
class Selection:
    """`--select` / `--exclude` as given (`base`: the ref the `changed` selector compares
    with; None: config `base`, else the merge-base with the default branch)."""

    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    base: str | None = None

    def __bool__(self) -> bool:
        return bool(self.select or self.exclude)


@dataclass(frozen=True)
class CheckRun:
    result: CheckResult
    project: Project | None  # None: the result came from the whole-run cache
    notes: tuple[str, ...] = ()  # for the user (the `changed` selector's comparison)


def digest(config: Config, scanned: list[Scanned], options: dict[str, Any]) -> str:
    source = config.source.read_bytes().hex() if config.source is not None else ""
    files = [(s.rel, s.key if s.key is not None else f"error:{s.raw!r}") for s in scanned]
    material = {
        "tool": __version__,
        "format": cache.FORMAT,
        "today": today().isoformat(),
        "config": [str(config.source), source],
        "options": options,
        "files": files,
        "evidence": evidence_store.fingerprint(config.evidence_dir),
    }
    return hashlib.sha256(json.dumps(material, default=str).encode()).hexdigest()


def referenced_files(project: Project, keys: frozenset[str]) -> dict[str, str | None]:
    """Files outside the item tree that the findings on the items `keys` depend on (their
    templates and evaluation configs), with their content digest."""
    refs: dict[str, str | None] = {}
    root = project.config.repo_root
    for item in project.items:
        raw = item.summary.file
        if raw is None or item.key not in keys:
            continue
        resolved = resolve(raw, item.doc.path, root)
        target = resolved.path or (item.doc.path.parent / raw)
        refs[str(target)] = cache.file_digest(target) if resolved.path else None
    return refs


def _to_json(result: CheckResult) -> dict[str, Any]:
    return {
        "diagnostics": [_stored(d) for d in result.diagnostics],
        "waived": [_stored(d) for d in result.waived],
        "checked": [list(pair) for pair in result.checked],
        "items": result.items,
        "loaded": result.loaded,
    }


def _stored(d: Diagnostic) -> dict[str, Any]:
    stored = {name: getattr(d, name) for name in sorted(_FIELDS - {"also"})}
    return stored | {"also": [a.to_json() for a in d.also]}


def _location(a: Any) -> Location:
    if not isinstance(a, dict) or set(a) != {"path", "line", "column", "message"}:
        raise ValueError("not a location")
    if not all(type(a[t]) is str for t in ("path", "message")) or not all(
        type(a[n]) is int and a[n] >= 1 for n in ("line", "column")
    ):
        raise ValueError("not a location")
    return Location(**a)


def _diagnostic(d: Any) -> Diagnostic:
    """A stored finding, every field of the type a fresh run gives it (else ValueError)."""
    if not isinstance(d, dict) or set(d) != _FIELDS:
        raise ValueError("not a finding")
    texts = (d["path"], d["rule"], d["message"])
    optional = (d["item"], d["hint"])
    if (
        not all(type(t) is str for t in texts)
        or not all(t is None or type(t) is str for t in optional)
        or d["severity"] not in ("error", "warning")
        or not all(type(n) is int and n >= 1 for n in (d["line"], d["column"]))
    ):
        raise ValueError("not a finding")
    if not isinstance(d["also"], list):
        raise ValueError("not a finding")
    return Diagnostic(**(d | {"also": tuple(_location(a) for a in d["also"])}))


_FIELDS = frozenset(
    ("path", "line", "column", "rule", "severity", "message", "item", "hint", "also")
)


def _from_json(data: dict[str, Any], strict: bool) -> CheckResult | None:
    try:
        checked = data["checked"]
        loaded = data["loaded"]
        if (
            type(data["items"]) is not int
            or data["items"] < 0
            or not (loaded is None or (type(loaded) is int and loaded >= 0))
            or not all(
                isinstance(pair, list) and len(pair) == 2 and all(type(x) is str for x in pair)
                for pair in checked
            )
        ):
            return None
        return CheckResult(
            diagnostics=tuple(_diagnostic(d) for d in data["diagnostics"]),
            items=data["items"],
            strict=strict,
            waived=tuple(_diagnostic(d) for d in data["waived"]),
            checked=tuple((a, b) for a, b in checked),
            loaded=loaded,
        )
    except (KeyError, TypeError, ValueError):
        return None  # a foreign or damaged entry: run for real


def check_working_tree(
    config: Config,
    options: CheckOptions,
    selection: Selection,
    cache_folder: Path | None,
) -> CheckRun:
    """The check result, from the whole-run cache when possible (`cache_folder` None: no
    cache at all). The project is parsed through the parse cache; `check FILES` (pre-commit)
    reports on a few items, so the others stay summaries unless a folder or the config file
    among PATHS may select everything."""
    from backlog_cli import select as selectors

    scanned = scan(config)
    uses_changed = selectors.needs_changed(selection.select, selection.exclude)
    key = None
    if cache_folder is not None and not uses_changed:
        key = digest(config, scanned, _described(options, selection))
        stored = cache.read_result(cache_folder, key)
        result = _from_json(stored, options.strict) if stored is not None else None
        if result is not None:
            return CheckRun(result, None)
    config_file = config.source.resolve() if config.source is not None else None
    lazy = bool(options.paths or options.deleted) and not any(
        p.is_dir() or p.resolve() == config_file for p in options.paths
    )
    parsed = cache.Cache(cache_folder, lazy=lazy) if cache_folder is not None else None
    project = load_project(config, parsed, scanned)
    notes: tuple[str, ...] = ()
    if selection:
        changed = None
        if uses_changed:
            from backlog_cli import versioning

            comparison = versioning.with_base(config, project, selection.base, None)
            notes = tuple(comparison.notes)
            changed = {c.key for c in comparison.items if c.state in ("added", "changed")}
        chosen = selectors.select(project, selection.select, selection.exclude, changed)
        if chosen is not None:
            options = replace(options, items=frozenset(chosen))
    result = run_check(project, options)
    if cache_folder is not None and key is not None:
        # the items the result reports on: every item, or those PATHS/--select keep
        reported = frozenset(name for name, _ in result.checked)
        cache.write_result(cache_folder, key, referenced_files(project, reported), _to_json(result))
    return CheckRun(result, project, notes)


def _described(options: CheckOptions, selection: Selection) -> dict[str, Any]:
    """What of the options a cached result depends on."""
    return {
        # as given (made absolute), not resolved: `check link.yaml` (a symlink) and
        # `check real.yaml` are different runs, with different scopes
        "paths": sorted(os.path.abspath(p) for p in options.paths),
        "rules": sorted(options.rules),
        "ignore": sorted(options.ignore_rules),
        "strict": options.strict,
        "deleted": sorted(str(p) for p in options.deleted),
        "deleted_items": sorted(options.deleted_items),
        "select": list(selection.select),
        "exclude": list(selection.exclude),
    }
