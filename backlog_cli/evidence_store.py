"""Evidence records on disk: `<evidence folder>/<evaluation id>/*.json`, one evaluation run
each (format: `schemas/evidence-record.schema.json`).

Read by the `evidence` rule, `backlog evidence` and `impact`. A record that cannot be read
or does not follow the format is returned as a `BadRecord` (one finding), never raised. The
folder is listed only when it exists, so a project without evidence pays one `stat`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from backlog_cli.paths import relpath

# a record is a few hundred bytes; anything this big is not one (and is not read whole)
MAX_RECORD_BYTES = 1 << 20


@dataclass(frozen=True)
class RecordedMetric:
    metric: str
    value: float
    n: int | None


@dataclass(frozen=True)
class Record:
    """One valid record. `targets`: kind/id -> the version recorded for it."""

    rel: str  # the file, relative to the repository root
    evaluation: str  # evaluation/ID
    evaluation_version: str | None
    dataset: tuple[str, str | None] | None  # (kind/id, version), None: no dataset
    targets: dict[str, str | None]
    metrics: dict[str, RecordedMetric]
    source_path: str
    recorded_at: str

    @property
    def order(self) -> tuple[str, str]:
        return (self.recorded_at, self.rel)


@dataclass(frozen=True)
class BadRecord:
    rel: str
    evaluation: str  # evaluation/<folder name>
    message: str


@dataclass(frozen=True)
class Store:
    """Every record under the evidence folder, oldest first per evaluation."""

    folder: Path
    by_evaluation: dict[str, list[Record]] = field(default_factory=dict)
    bad: tuple[BadRecord, ...] = ()

    def records(self, evaluation: str, target: str | None = None) -> list[Record]:
        """The evaluation's records (those naming `target` among their targets), oldest first."""
        found = self.by_evaluation.get(evaluation, [])
        if target is None:
            return list(found)
        return [r for r in found if target in r.targets]

    def latest(
        self,
        evaluation: str,
        evaluation_version: str | None,
        dataset: tuple[str, str | None] | None,
        target: str,
        target_version: str | None,
    ) -> Record | None:
        """The newest record of exactly these versions, if any."""
        for record in reversed(self.records(evaluation, target)):
            if (
                record.evaluation_version == evaluation_version
                and record.dataset == dataset
                and record.targets[target] == target_version
            ):
                return record
        return None

    def previous(self, record: Record, target: str) -> Record | None:
        """The record of the same evaluation naming `target` just before `record`."""
        earlier = [r for r in self.records(record.evaluation, target) if r.order < record.order]
        return earlier[-1] if earlier else None


def record_files(folder: Path) -> Iterator[Path]:
    """`<folder>/<evaluation id>/*.json`, sorted; nothing when the folder does not exist."""
    if not folder.is_dir():
        return
    for sub in sorted(folder.iterdir()):
        if sub.is_dir():
            yield from sorted(p for p in sub.glob("*.json") if p.is_file())


def fingerprint(folder: Path) -> list[tuple[str, str]]:
    """Every record file and a digest of its bytes: part of the whole-run cache key, so that
    a new, changed or deleted record is never answered from a stored result."""
    out: list[tuple[str, str]] = []
    for path in record_files(folder):
        try:
            content = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            content = "unreadable"
        out.append((str(path), content))
    return out


def load(folder: Path, repo_root: Path) -> Store:
    by_evaluation: dict[str, list[Record]] = {}
    bad: list[BadRecord] = []
    for path in record_files(folder):
        rel = relpath(path, repo_root)
        evaluation = f"evaluation/{path.parent.name}"
        loaded = _read(path, rel, evaluation)
        if isinstance(loaded, BadRecord):
            bad.append(loaded)
        else:
            by_evaluation.setdefault(loaded.evaluation, []).append(loaded)
    for records in by_evaluation.values():
        records.sort(key=lambda r: r.order)
    return Store(folder, by_evaluation, tuple(bad))


def _read(path: Path, rel: str, evaluation: str) -> Record | BadRecord:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_RECORD_BYTES + 1)
    except OSError as exc:
        return BadRecord(rel, evaluation, f"cannot read the evidence record: {exc.strerror}")
    if len(raw) > MAX_RECORD_BYTES:
        return BadRecord(rel, evaluation, "not an evidence record: larger than 1 MiB")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return BadRecord(rel, evaluation, f"not an evidence record: invalid JSON ({exc})")
    problem = _violation(data)
    if problem is not None:
        return BadRecord(rel, evaluation, f"not an evidence record: {problem}")
    if data["evaluation"]["ref"] != evaluation:
        return BadRecord(
            rel,
            evaluation,
            f"the record is for {data['evaluation']['ref']} but lies in the folder of "
            f"{evaluation}; move it to {path.parent.parent.name}/"
            f"{data['evaluation']['ref'].partition('/')[2]}/",
        )
    dataset = data["dataset"]
    return Record(
        rel=rel,
        evaluation=evaluation,
        evaluation_version=data["evaluation"]["version"],
        dataset=None if dataset is None else (dataset["ref"], dataset["version"]),
        targets={t["ref"]: t["version"] for t in data["targets"]},
        metrics={
            m["metric"]: RecordedMetric(m["metric"], float(m["value"]), m["n"])
            for m in data["metrics"]
        },
        source_path=data["source"]["path"],
        recorded_at=data["recorded_at"],
    )


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a record may hold")


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    from backlog_cli import schemas

    return Draft202012Validator(
        schemas.load("evidence-record"), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


_REF = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9._-]*$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_TOP = (
    "version", "evaluation", "targets", "dataset", "metrics",
    "harness", "source", "commit", "dirty", "recorded_at",
)  # fmt: skip
_METRIC = ("metric", "source", "value", "n", "op", "threshold", "passed")
_FORMATS = ("promptfoo", "inspect", "junit", "lm-eval", "plain-json", "plain-csv")


def _str(value: Any) -> bool:
    return isinstance(value, str)


def _num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _pinned(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"ref", "version"}
        and _str(value["ref"])
        and _REF.match(value["ref"]) is not None
        and (value["version"] is None or _str(value["version"]))
    )


def _metric(m: Any) -> bool:
    return (
        isinstance(m, dict)
        and set(m) == set(_METRIC)
        and _str(m["metric"])
        and _str(m["source"])
        and _num(m["value"])
        and (m["n"] is None or (type(m["n"]) is int and m["n"] >= 0))
        and m["op"] in (">=", ">", "<=", "<", "==")
        and _num(m["threshold"])
        and isinstance(m["passed"], bool)
    )


def _conforms(d: Any) -> bool:
    """The schema's constraints, checked directly: jsonschema takes ~1 ms a record, and a
    big backlog has thousands (it is asked only for the message when this says no)."""
    if not isinstance(d, dict) or set(d) != set(_TOP) or type(d["version"]) is not int:
        return False
    harness, source, commit = d["harness"], d["source"], d["commit"]
    return (
        d["version"] == 1
        and _pinned(d["evaluation"])
        and isinstance(d["targets"], list)
        and all(_pinned(t) for t in d["targets"])
        and (d["dataset"] is None or _pinned(d["dataset"]))
        and isinstance(d["metrics"], list)
        and all(_metric(m) for m in d["metrics"])
        and isinstance(harness, dict)
        and set(harness) == {"name", "version"}
        and _str(harness["name"])
        and (harness["version"] is None or _str(harness["version"]))
        and isinstance(source, dict)
        and set(source) == {"path", "format", "sha256"}
        and _str(source["path"])
        and source["format"] in _FORMATS
        and _str(source["sha256"])
        and _SHA.match(source["sha256"]) is not None
        and (commit is None or (_str(commit) and _COMMIT.match(commit) is not None))
        and isinstance(d["dirty"], bool)
        and _str(d["recorded_at"])
        and _TIME.match(d["recorded_at"]) is not None
    )


def _violation(data: Any) -> str | None:
    """The first way `data` breaks the record schema (None: it follows it)."""
    if _conforms(data):
        return None
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        for metric in data["metrics"]:
            if isinstance(metric["value"], float) and not math.isfinite(metric["value"]):
                return "a metric value is not a finite number"
        return None
    error = errors[0]
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{'at ' + where + ': ' if where else ''}{error.message}"
