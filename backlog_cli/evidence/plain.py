"""Our plain format, for a harness of your own (`schemas/evidence-plain.schema.json`).

JSON: `{"metrics": [{"metric": "accuracy", "value": 0.93, "n": 200}], "harness": {"name":
"my-runner", "version": "1.4.0"}}` (`n` and `harness` optional). CSV: a `metric,value,n`
header (`n` column optional, a cell may be empty), one row per metric. Namespace: the
`metric` names as written.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from backlog_cli.evidence.results import Measured, ResultFileError, Results, count, number, text

_HEADERS = (["metric", "value", "n"], ["metric", "value"])


def looks_like_json(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("metrics"), list)


def looks_like_csv(text: str) -> bool:
    first = text.split("\n", 1)[0].strip().replace(" ", "").lower()
    return first in ("metric,value,n", "metric,value")


def read_json(data: Any) -> Results:
    if not looks_like_json(data):
        raise ResultFileError('not plain JSON: expected {"metrics": [{"metric", "value", "n"}]}')
    metrics: dict[str, Measured] = {}
    for index, entry in enumerate(data["metrics"]):
        where = f"metrics[{index}]"
        if not isinstance(entry, dict):
            raise ResultFileError(f"{where}: expected {{metric, value, n}}")
        unknown = sorted(set(entry) - {"metric", "value", "n"})
        if unknown:
            raise ResultFileError(f"{where}: unknown key `{unknown[0]}` (metric, value, n)")
        _add(metrics, where, entry.get("metric"), number(entry.get("value")), entry.get("n"))
    harness, version = "plain", None
    given = data.get("harness")
    if isinstance(given, dict):
        harness = text(given.get("name")) or harness
        version = text(given.get("version"))
    elif given is not None:
        raise ResultFileError('`harness` must be {"name": ..., "version": ...}')
    return Results("plain-json", harness, version, metrics)


def read_csv(source: str) -> Results:
    rows = list(csv.reader(io.StringIO(source)))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if header not in _HEADERS:
        raise ResultFileError("not plain CSV: the first line must be `metric,value,n`")
    metrics: dict[str, Measured] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ResultFileError(f"line {line}: {len(row)} cells, expected {len(header)}")
        cells = [cell.strip() for cell in row]
        try:
            value: float | None = float(cells[1])
        except ValueError:
            value = None
        n: object = cells[2] if len(cells) > 2 and cells[2] else None
        if isinstance(n, str):
            n = int(n) if n.isdigit() else -1
        _add(metrics, f"line {line}", cells[0], value, n)
    return Results("plain-csv", "plain", None, metrics)


def _add(
    metrics: dict[str, Measured], where: str, name: object, value: float | None, n: object
) -> None:
    if not isinstance(name, str) or not name.strip():
        raise ResultFileError(f"{where}: `metric` must be a name")
    if value is None:
        raise ResultFileError(f"{where}: the value of `{name}` is not a number")
    samples = count(n)
    if n is not None and samples is None:
        raise ResultFileError(f"{where}: `n` of `{name}` must be a whole number >= 0")
    if name in metrics:
        raise ResultFileError(f"{where}: `{name}` is given twice")
    metrics[name] = Measured(value, samples)
