"""promptfoo's `promptfoo eval --output results.json`.

Namespace, over every test result in `results.results` (all prompts and providers of the
run: record one prompt's run): `pass_rate` (passing results / results), `score` (the mean
`score`), and `namedScores.NAME` (the mean of each named score, i.e. the `metric:` of the
assertions, over the results that carry it). `n` is the number of those results; the
harness version is `metadata.promptfooVersion` where the file says it.
"""

from __future__ import annotations

from typing import Any

from backlog_cli.evidence.results import Measured, ResultFileError, Results, number, text


def looks_like(data: Any) -> bool:
    inner = data.get("results") if isinstance(data, dict) else None
    return isinstance(inner, dict) and isinstance(inner.get("results"), list)


def read(data: Any) -> Results:
    if not looks_like(data):
        raise ResultFileError(
            'not a promptfoo results file: expected {"results": {"results": [...]}} '
            "as `promptfoo eval --output results.json` writes it"
        )
    rows = [row for row in data["results"]["results"] if isinstance(row, dict)]
    if not rows:
        raise ResultFileError("a promptfoo results file with no test results")
    metrics: dict[str, Measured] = {
        "pass_rate": Measured(
            sum(row.get("success") is True for row in rows) / len(rows), len(rows)
        )
    }
    scores = [s for s in (number(row.get("score")) for row in rows) if s is not None]
    if scores:
        metrics["score"] = Measured(sum(scores) / len(scores), len(scores))
    named: dict[str, list[float]] = {}
    for row in rows:
        given = row.get("namedScores")
        for name, raw in given.items() if isinstance(given, dict) else ():
            value = number(raw)
            if value is not None:
                named.setdefault(str(name), []).append(value)
    for name, values in named.items():
        metrics[f"namedScores.{name}"] = Measured(sum(values) / len(values), len(values))
    meta = data.get("metadata")
    version = text(meta.get("promptfooVersion")) if isinstance(meta, dict) else None
    return Results("promptfoo", "promptfoo", version, metrics)
