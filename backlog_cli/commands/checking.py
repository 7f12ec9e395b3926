"""`backlog check` composition: the run, and the whole-run cache in front of it.

When nothing that a run depends on changed — the item files' content, the files items
reference (templates, evaluation configs), the config, the options, the tool version and
today's date — the previous result is reused and nothing is parsed or checked. Runs
against git refs (`--base`, `--head`) and the `changed` selector are never cached.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from backlog_cli import __version__, cache
from backlog_cli.check import CheckOptions, CheckResult, run_check
from backlog_cli.config import Config
from backlog_cli.dates import today
from backlog_cli.diagnostic import Diagnostic
from backlog_cli.paths import resolve
from backlog_cli.project import Project, Scanned


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
        "diagnostics": [asdict(d) for d in result.diagnostics],
        "waived": [asdict(d) for d in result.waived],
        "checked": [list(pair) for pair in result.checked],
        "items": result.items,
    }


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
    return Diagnostic(**d)


_FIELDS = frozenset(("path", "line", "column", "rule", "severity", "message", "item", "hint"))


def _from_json(data: dict[str, Any], strict: bool) -> CheckResult | None:
    try:
        checked = data["checked"]
        if (
            type(data["items"]) is not int
            or data["items"] < 0
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
        )
    except (KeyError, TypeError, ValueError):
        return None  # a foreign or damaged entry: run for real


def cached_run(
    config: Config,
    folder: Path | None,
    options: CheckOptions,
    selectors: tuple[tuple[str, ...], tuple[str, ...]],
    load: Any,
    select: Any,
) -> tuple[CheckResult, Project | None]:
    """The check result, from the whole-run cache when possible.

    `load(scanned)` builds the project; `select(project)` applies `--select/--exclude`.
    """
    from backlog_cli.project import scan

    scanned = scan(config)
    key = None
    if folder is not None:
        described = {
            # as given (made absolute), not resolved: `check link.yaml` (a symlink) and
            # `check real.yaml` are different runs, with different scopes
            "paths": sorted(os.path.abspath(p) for p in options.paths),
            "rules": sorted(options.rules),
            "ignore": sorted(options.ignore_rules),
            "strict": options.strict,
            "select": list(selectors[0]),
            "exclude": list(selectors[1]),
        }
        key = digest(config, scanned, described)
        stored = cache.read_result(folder, key)
        if stored is not None:
            result = _from_json(stored, options.strict)
            if result is not None:
                return result, None
    project: Project = load(scanned)
    chosen = select(project)
    if chosen is not None:
        options = CheckOptions(
            options.paths, options.rules, options.ignore_rules, options.strict, frozenset(chosen)
        )
    result = run_check(project, options)
    if folder is not None and key is not None:
        # the items the result reports on: every item, or those PATHS/--select keep
        reported = frozenset(name for name, _ in result.checked)
        cache.write_result(folder, key, referenced_files(project, reported), _to_json(result))
    return result, project
