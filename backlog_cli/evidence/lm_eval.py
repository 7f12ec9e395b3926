"""lm-evaluation-harness `results_*.json` (`lm_eval --output_path`).

Namespace: `TASK.METRIC,FILTER` for every numeric entry of `results[TASK]` (e.g.
`hellaswag.acc,none`, `gsm8k.exact_match,strict-match`), and, when the file holds one task
only, `METRIC,FILTER` as well (`acc,none`). Standard errors are there too
(`acc_stderr,none`). `n` is `n-samples[TASK].effective` (else `.original`); the harness
version is `lm_eval_version`.
"""

from __future__ import annotations

from typing import Any

from backlog_cli.evidence.results import Measured, ResultFileError, Results, count, number, text


def looks_like(data: Any) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        return False
    return any(key in data for key in ("n-samples", "lm_eval_version", "versions", "configs"))


def read(data: Any) -> Results:
    if not looks_like(data):
        raise ResultFileError(
            'not lm-evaluation-harness output: expected {"results": {TASK: {"acc,none": ...}}, '
            '"n-samples": ...}'
        )
    samples = data.get("n-samples") if isinstance(data.get("n-samples"), dict) else {}
    metrics: dict[str, Measured] = {}
    tasks = {name: entry for name, entry in data["results"].items() if isinstance(entry, dict)}
    for task, entry in tasks.items():
        n = _samples(samples.get(task))
        for key, raw in entry.items():
            value = number(raw)
            if value is None or key == "alias":
                continue  # `alias`, and `N/A` standard errors
            metrics[f"{task}.{key}"] = Measured(value, n)
            if len(tasks) == 1:
                metrics[key] = Measured(value, n)
    if not metrics:
        raise ResultFileError("lm-evaluation-harness output with no numeric results")
    return Results("lm-eval", "lm-eval", text(data.get("lm_eval_version")), metrics)


def _samples(entry: Any) -> int | None:
    if not isinstance(entry, dict):
        return None
    effective = count(entry.get("effective"))
    return effective if effective is not None else count(entry.get("original"))
