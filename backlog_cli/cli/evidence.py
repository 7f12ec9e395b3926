"""`backlog evidence`: the group of evidence commands.

`backlog evidence record EVALUATION --from FILE` records one run's results (`evidence/`);
`backlog evidence` alone shows the matrix of evaluations and their targets, which lives in
`evidence_matrix.py` (its `show` takes the group's own options).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from backlog_cli.cli import complete
from backlog_cli.cli.common import JSON, REPORT, Common, JsonFormat, ReportFormat, common_options

if TYPE_CHECKING:
    from backlog_cli.evidence.record import Recorded

FORMAT_NAMES = ("promptfoo", "inspect", "junit", "lm-eval", "plain-json", "plain-csv")

evidence_app = typer.Typer(
    name="evidence",
    help="Evaluation results recorded in the repository: the matrix, and `record`.",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@evidence_app.callback()
@common_options(REPORT, cache=True, links=True)
def evidence(common: Common[ReportFormat], ctx: typer.Context) -> None:
    """Evidence of evaluation runs: with no subcommand, the matrix of evaluations x targets."""
    if ctx.invoked_subcommand is not None:
        return
    from backlog_cli.cli import evidence_matrix

    code = evidence_matrix.show(common)
    if code:
        raise typer.Exit(code)


def _result_format(incomplete: str) -> list[str]:
    return [name for name in FORMAT_NAMES if name.startswith(incomplete)]


@evidence_app.command("record")
@common_options(JSON, cache=True)
def record(
    common: Common[JsonFormat],
    evaluation: Annotated[
        str,
        typer.Argument(
            metavar="EVALUATION",
            help="The evaluation (`evaluation/id`, or its id) the run belongs to.",
            autocompletion=complete.items,
        ),
    ],
    source: Annotated[
        Path,
        typer.Option(
            "--from",
            metavar="FILE",
            help="The run's result file (promptfoo --output JSON, Inspect AI JSON log, "
            "JUnit XML, lm-evaluation-harness results_*.json, or plain JSON/CSV).",
            show_default=False,
        ),
    ],
    result_format: Annotated[
        str | None,
        typer.Option(
            "--from-format",
            metavar="F",
            help=f"The result file's format ({', '.join(FORMAT_NAMES)}); "
            "default: detected from its content.",
            show_default=False,
            autocompletion=_result_format,
        ),
    ] = None,
) -> None:
    """Record one run's results as evidence: a JSON file under the evidence folder pinning
    the evaluation's, its targets' and its dataset's versions, the commit and each
    metric's value and sample count. Says whether every threshold holds; exits 0 either
    way (a failing run is evidence too)."""
    from backlog_cli import dates
    from backlog_cli.errors import BacklogError
    from backlog_cli.evidence.record import record_evidence
    from backlog_cli.suggest import did_you_mean

    if result_format is not None and result_format not in FORMAT_NAMES:
        raise BacklogError(
            f"--from-format {result_format}: choose one of {', '.join(FORMAT_NAMES)}"
            f"{did_you_mean(result_format, FORMAT_NAMES)}"
        )
    project = common.project()
    done = record_evidence(project, evaluation, source, result_format, dates.now())
    if common.fmt is JsonFormat.json:
        common.emit_json({**done.record, "path": done.rel})
        return
    common.emit(render_text(done))


def render_text(done: Recorded) -> str:
    """What was recorded, one line per metric, and whether every threshold holds."""
    record = done.record
    evaluation = record["evaluation"]
    lines = [f"recorded {done.rel}" + ("" if done.written else " (already there, unchanged)")]
    pinned = [f"{t['ref']} {t['version'] or '(missing)'}" for t in record["targets"]]
    if record["dataset"] is not None:
        pinned.append(f"{record['dataset']['ref']} {record['dataset']['version'] or '(missing)'}")
    harness = record["harness"]
    commit = record["commit"][:12] if record["commit"] else "no commit"
    lines.append(
        f"{evaluation['ref']} {evaluation['version']} on {', '.join(pinned) or 'no target'}"
        f" ({harness['name']}{' ' + harness['version'] if harness['version'] else ''}, "
        f"{commit}{', uncommitted changes' if record['dirty'] else ''})"
    )
    few = {metric: (n, least) for metric, n, least in done.few_samples}
    for metric in record["metrics"]:
        n = "n unknown" if metric["n"] is None else f"n={metric['n']}"
        line = (
            f"  {'PASS' if metric['passed'] else 'FAIL'} {metric['metric']} = {metric['value']:g}"
            f" {metric['op']} {metric['threshold']:g} ({n})"
        )
        if metric["metric"] in few:
            have, least = few[metric["metric"]]
            line += f"; too few samples to judge: {'unknown' if have is None else have} < {least}"
        lines.append(line)
    failing = sum(not m["passed"] for m in record["metrics"])
    total = len(record["metrics"])
    lines.append(
        "every threshold holds"
        if not failing
        else f"{failing} of {total} threshold{'s' if total > 1 else ''} not met"
    )
    return "\n".join(lines) + "\n"
