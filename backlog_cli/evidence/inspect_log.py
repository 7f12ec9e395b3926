"""Inspect AI's JSON eval log (`inspect eval ... --log-format json`).

Namespace: `SCORER.METRIC` for every metric of every scorer in `results.scores` (e.g.
`match.accuracy`, `includes.stderr`), and `METRIC` alone for the headline scorer's metrics
(`results.headline.scorer`, else the first scorer, as Inspect shows it). `n` is the
scorer's `scored_samples`, else `results.completed_samples`; the harness version is
`eval.packages.inspect_ai`. A log whose `status` is not `success` is refused.
"""

from __future__ import annotations

from typing import Any

from backlog_cli.evidence.results import Measured, ResultFileError, Results, count, number, text


def looks_like(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("eval"), dict) and "status" in data


def read(data: Any) -> Results:
    if not looks_like(data):
        raise ResultFileError(
            'not an Inspect AI JSON log: expected {"eval": ..., "status": ..., "results": ...}'
        )
    status = data.get("status")
    if status != "success":
        raise ResultFileError(
            f"the Inspect AI log's status is `{status}`, not `success`: record a finished run"
        )
    results = data.get("results")
    if not isinstance(results, dict) or not isinstance(results.get("scores"), list):
        raise ResultFileError("Inspect AI log without `results.scores`")
    completed = count(results.get("completed_samples"))
    headline = results.get("headline")
    lead = headline.get("scorer") if isinstance(headline, dict) else None
    metrics: dict[str, Measured] = {}
    for index, score in enumerate(results["scores"]):
        if not isinstance(score, dict) or not isinstance(score.get("metrics"), dict):
            continue
        scorer = text(score.get("name")) or text(score.get("scorer")) or f"scorer{index}"
        lead = lead or scorer
        scored = count(score.get("scored_samples"))
        n = scored if scored is not None else completed
        for key, metric in score["metrics"].items():
            value = number(metric.get("value")) if isinstance(metric, dict) else None
            if value is None:
                continue
            metrics[f"{scorer}.{key}"] = Measured(value, n)
            if scorer == lead:
                metrics.setdefault(key, Measured(value, n))
    if not metrics:
        raise ResultFileError("Inspect AI log with no numeric metric in `results.scores`")
    evaluation = data["eval"]
    packages = evaluation.get("packages")
    version = text(packages.get("inspect_ai")) if isinstance(packages, dict) else None
    return Results("inspect", "inspect", version, metrics)
