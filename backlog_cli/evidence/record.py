"""Build and write one evidence record (`schemas/evidence-record.schema.json`).

The record pins what was evaluated: the evaluation's version, every target's and the
dataset's version in the working tree, the commit and whether those files differed from
it, and each metric's value read from the result file under the metric's `source` name.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backlog_cli.errors import BacklogError
from backlog_cli.evidence.formats import read_results
from backlog_cli.evidence.results import Measured, ResultFileError, Results
from backlog_cli.suggest import did_you_mean

if TYPE_CHECKING:
    import datetime

    from backlog_cli.project import Item, Project

OPS = (">=", ">", "<=", "<", "==")
_ID = re.compile(r"[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?")


@dataclass(frozen=True)
class Recorded:
    """What `backlog evidence record` did: the record, where it is, and what it says."""

    record: dict[str, Any]
    path: Path
    rel: str  # the record's path from the repository root
    written: bool  # False: the same record was already there
    few_samples: tuple[tuple[str, int | None, int], ...]  # (metric, n, min_samples)


def record_evidence(
    project: Project, name: str, source: Path, fmt: str | None, now: datetime.datetime
) -> Recorded:
    """Read `source` for the evaluation `name` and write its record under the evidence
    folder; exit 2 (nothing written) for an unusable evaluation or result file."""
    from backlog_cli.commands.inventory import resolve

    config = project.config
    item = resolve(project, name)
    if item.kind != "evaluation":
        raise BacklogError(f"`{item.key}` is a {item.kind}, not an evaluation")
    if not _ID.fullmatch(item.id):  # it names the record's folder: no `..`, no `/`
        raise BacklogError(f"`{item.key}`: the id is not a slug; `backlog check` shows why")
    spec = item.data.get("spec") if isinstance(item.data.get("spec"), dict) else {}
    assert isinstance(spec, dict)
    declared = _declared_metrics(item, spec)
    shown = _shown(source, config.repo_root)
    results, digest = read_results(source, fmt, shown)
    metrics = [_metric(m, results, shown) for m in declared]
    record: dict[str, Any] = {
        "version": 1,
        "evaluation": {"ref": item.key, "version": item.version},
        "targets": [_pinned(project, ref) for ref in _refs(spec.get("targets"))],
        "dataset": next((_pinned(project, r) for r in _refs([spec.get("dataset")])), None),
        "metrics": metrics,
        "harness": {"name": results.harness, "version": results.harness_version},
        "source": {"path": shown, "format": results.format, "sha256": digest},
        "commit": None,
        "dirty": True,
        "recorded_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    files = [item.doc.path, *_target_files(project, record["targets"])]
    record["commit"], record["dirty"] = _git_state(config.repo_root, files)
    folder = config.evidence_dir / item.id
    path = folder / f"{now.strftime('%Y%m%dT%H%M%SZ')}-{digest[:12]}.json"
    written = _write(path, record)
    few = tuple(
        (m["metric"], m["n"], d["min_samples"])
        for m, d in zip(metrics, declared, strict=True)
        if isinstance(d.get("min_samples"), int) and (m["n"] is None or m["n"] < d["min_samples"])
    )
    rel = _shown(path, config.repo_root)
    return Recorded(record, path, rel, written, few)


def _declared_metrics(item: Item, spec: dict[str, Any]) -> list[dict[str, Any]]:
    declared = spec.get("metrics")
    if not isinstance(declared, list) or not declared:
        raise BacklogError(f"`{item.key}` declares no metrics (`spec.metrics`); nothing to record")
    for index, metric in enumerate(declared):
        ok = (
            isinstance(metric, dict)
            and isinstance(metric.get("metric"), str)
            and metric.get("op") in OPS
            and _finite(metric.get("threshold"))
            and isinstance(metric.get("source", ""), str)
        )
        if not ok:
            raise BacklogError(
                f"{item.doc.rel}: spec.metrics[{index}] needs `metric`, `op` and a numeric "
                "`threshold`; `backlog check` shows what is wrong"
            )
    return declared


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _metric(declared: dict[str, Any], results: Results, shown: str) -> dict[str, Any]:
    name = declared["metric"]
    source = declared.get("source") or name
    measured: Measured | None = results.metrics.get(source)
    if measured is None:
        offered = sorted(results.metrics)
        raise ResultFileError(
            f"{shown}: no metric `{source}` (for `{name}`){did_you_mean(source, offered)}; "
            f"this {results.format} file has: {', '.join(offered)} "
            "(map a name with the metric's `source:`, see docs/evidence.md)"
        )
    if not math.isfinite(measured.value):
        raise ResultFileError(f"{shown}: `{source}` is {measured.value}, not a finite number")
    op, threshold = declared["op"], declared["threshold"]
    return {
        "metric": name,
        "source": source,
        "value": measured.value,
        "n": measured.n,
        "op": op,
        "threshold": threshold,
        "passed": holds(measured.value, op, threshold),
    }


def holds(value: float, op: str, threshold: float) -> bool:
    return {
        ">=": value >= threshold,
        ">": value > threshold,
        "<=": value <= threshold,
        "<": value < threshold,
        "==": value == threshold,
    }[op]


def _refs(values: object) -> list[tuple[str, str]]:
    from backlog_cli.refs import parse_ref

    out: list[tuple[str, str]] = []
    for value in values if isinstance(values, list) else []:
        ref = parse_ref(value) if isinstance(value, str) else None
        if ref is not None:
            out.append((ref.kind, ref.id))
    return out


def _pinned(project: Project, ref: tuple[str, str]) -> dict[str, Any]:
    key = f"{ref[0]}/{ref[1]}"
    found = project.find(key)
    return {"ref": key, "version": found.version if found is not None else None}


def _target_files(project: Project, targets: list[dict[str, Any]]) -> list[Path]:
    found = (project.find(t["ref"]) for t in targets)
    return [item.doc.path for item in found if item is not None]


def _git_state(repo_root: Path, files: list[Path]) -> tuple[str | None, bool]:
    """HEAD, and whether any of `files` differs from it (True outside git: nothing
    committed vouches for them)."""
    from backlog_cli import git

    if git.toplevel(repo_root) is None:
        return None, True
    head = git.run(repo_root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
    commit = head.decode("ascii", "replace").strip() or None
    if commit is None:
        return None, True
    names = [os.path.relpath(f, repo_root) for f in files]
    status = git.run(repo_root, "status", "--porcelain", "-z", "--", *names)
    return commit, bool(status.strip(b"\0"))


def _shown(path: Path, repo_root: Path) -> str:
    """`path` from the repository root when inside it (POSIX separators), else as given."""
    try:
        return path.resolve().relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _write(path: Path, record: dict[str, Any]) -> bool:
    import json

    from backlog_cli.fsutil import write_atomic

    text = json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if path.exists() and not path.is_symlink():
        try:
            same = path.read_text(encoding="utf-8") == text
        except (OSError, UnicodeDecodeError):
            same = False
        if same:
            return False
        raise BacklogError(
            f"{path}: a record of this result file at this second already exists and differs"
        )
    return write_atomic(path, text)
