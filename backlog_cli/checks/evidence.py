"""evidence: an item at `done` (or wherever `evidence.gate` says) has no fresh, passing
evidence record for an evaluation that targets it.

For each gated item, every evaluation that targets it (`spec.targets`, deprecated
evaluations aside) needs a record under the evidence folder (`evidence/<evaluation id>/`,
written by `backlog evidence record`) made for the item's current version, the evaluation's
current version and its dataset's current version. Otherwise the evidence is missing or
stale ("evidence was recorded for prompt/x 1.2.0; the item is now 1.3.0"). In the newest
such record every metric of the evaluation must meet the evaluation's current `op` and
`threshold`; a value resting on fewer samples than the metric's `min_samples` is too few
to judge; and a metric that fell from the item's previous record by more than its
`tolerance` is reported even when it still meets the threshold. A record file that is not
valid JSON or breaks `schemas/evidence-record.schema.json` is one finding.

Missing and stale findings are at the evaluation's reference to the item, metric findings
at the metric's line, and the hint is the command that records a new run. A promise is not
evidence: before this rule, a prompt could be `done` at 0.6 against a threshold of 0.95.
`evidence.gate` in the config chooses the status each kind is gated from (`"*": done` by
default; `prompt: ready`, or `false` for none).

Failing:

    kind: evaluation
    id: triage-accuracy
    version: 1.1.0
    spec:
      targets: [prompt/support-triage]        # prompt/support-triage 1.3.0 is done, and
      metrics:                                # the newest record was made at 1.2.0
        - {metric: accuracy, op: ">=", threshold: 0.95}

Passing: `backlog evidence record evaluation/triage-accuracy --from results.json` after the
change, with an accuracy of at least 0.95.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from backlog_cli import evidence_store
from backlog_cli.diagnostic import Finding, Severity

if TYPE_CHECKING:
    from backlog_cli.engine import Context
    from backlog_cli.evidence_store import Record, Store
    from backlog_cli.graph import Edge
    from backlog_cli.project import Item, Project

ID = "evidence"
SEVERITY: Severity = "error"

_OPS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
}


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    config = project.config
    gated = [i for i in _candidates(context) if config.gated(i.kind, i.status)]
    store = evidence_store.load(config.evidence_dir, config.repo_root)
    for bad in store.bad:
        yield Finding(bad.rel, 1, 1, bad.message, bad.evaluation, _REWRITE)
    for item in gated:
        for evaluation, edge in targeting(project, item):
            yield from check_pair(project, store, item, evaluation, edge)


def _candidates(context: Context) -> list[Item]:
    """The items in focus, and the targets of the evaluations in focus (their findings sit
    in the evaluation's file)."""
    nodes = context.nodes()
    if context.focus is None:
        return nodes
    graph = context.project.graph
    found = {i.key: i for i in nodes}
    for node in nodes:
        if node.kind == "evaluation":
            for edge in graph.upstream.get(node.key, []):
                target = graph.nodes.get(edge.target)
                if edge.relation == "spec.targets" and target is not None:
                    found.setdefault(target.key, target)
    return list(found.values())


_REWRITE = "delete the file and record the run again with `backlog evidence record`"


def targeting(project: Project, item: Item) -> list[tuple[Item, Edge]]:
    """The non-deprecated evaluations whose `spec.targets` name `item`, with that reference."""
    graph = project.graph
    found: list[tuple[Item, Edge]] = []
    seen: set[str] = set()
    for edge in graph.downstream.get(item.key, []):
        source = graph.nodes.get(edge.source)
        if (
            source is not None
            and source.kind == "evaluation"
            and edge.relation == "spec.targets"
            and source.status != "deprecated"
            and source.key not in seen
        ):
            seen.add(source.key)
            found.append((source, edge))
    return found


def dataset_of(project: Project, evaluation: Item) -> tuple[str, str | None] | None:
    """The evaluation's dataset and that dataset's current version (None: it names none)."""
    for edge in project.graph.upstream.get(evaluation.key, []):
        if edge.relation == "spec.dataset":
            target = project.graph.nodes.get(edge.target)
            return edge.target, target.version if target is not None else None
    return None


def command(evaluation: Item, store: Store) -> str:
    """`backlog evidence record ...` with the result file of the evaluation's last record."""
    records = store.records(evaluation.key)
    source = records[-1].source_path if records else "RESULTS"
    return f"backlog evidence record {evaluation.key} --from {source}"


def stale_reason(
    record: Record | None,
    item: Item,
    evaluation: Item,
    dataset: tuple[str, str | None] | None,
) -> str:
    """Why the newest record for (evaluation, item) does not count for the current versions."""
    if record is None:
        return f"no evidence recorded from {evaluation.key} for {item.key} {item.version}"
    recorded = record.targets.get(item.key)
    if recorded != item.version:
        return (
            f"evidence was recorded for {item.key} {recorded}; the item is now {item.version}"
            f" — re-run {evaluation.key}"
        )
    if record.evaluation_version != evaluation.version:
        return (
            f"evidence was recorded with {evaluation.key} {record.evaluation_version}; the "
            f"evaluation is now {evaluation.version} — re-run it for {item.key}"
        )
    was = "no dataset" if record.dataset is None else " ".join(map(str, record.dataset))
    now = "no dataset" if dataset is None else " ".join(map(str, dataset))
    return f"evidence was recorded on {was}; {evaluation.key} now runs on {now} — re-run it"


def check_pair(
    project: Project, store: Store, item: Item, evaluation: Item, edge: Edge
) -> Iterator[Finding]:
    dataset = dataset_of(project, evaluation)
    hint = f"run {evaluation.key} and record it: `{command(evaluation, store)}`"
    fresh = store.latest(evaluation.key, evaluation.version, dataset, item.key, item.version)
    doc = evaluation.doc
    if fresh is None:
        records = store.records(evaluation.key, item.key)
        message = stale_reason(records[-1] if records else None, item, evaluation, dataset)
        line, column = doc.locate(edge.pointer)
        yield Finding(doc.rel, line, column, message, item.key, hint, related=(evaluation.key,))
        return
    previous = store.previous(fresh, item.key)
    for index, metric in metric_specs(evaluation):
        problem = judge(metric, fresh, previous)
        if problem is None:
            continue
        line, column = doc.locate(("spec", "metrics", index), at_key=False)
        message = f"{evaluation.key} on {item.key} {item.version}: {problem} ({fresh.rel})"
        yield Finding(doc.rel, line, column, message, item.key, hint, related=(evaluation.key,))


def metric_specs(evaluation: Item) -> list[tuple[int, dict[str, Any]]]:
    spec = evaluation.data.get("spec")
    metrics = spec.get("metrics") if isinstance(spec, dict) else None
    if not isinstance(metrics, list):
        return []
    return [
        (index, m)
        for index, m in enumerate(metrics)
        if isinstance(m, dict) and isinstance(m.get("metric"), str)
    ]


def judge(metric: dict[str, Any], record: Record, previous: Record | None) -> str | None:
    """What is wrong with the recorded value of `metric` (its current definition), if anything."""
    name: str = metric["metric"]
    recorded = record.metrics.get(name)
    if recorded is None:
        return f"the record has no value for `{name}`"
    minimum = metric.get("min_samples")
    if type(minimum) is int and recorded.n is not None and recorded.n < minimum:
        return f"`{name}`: too few samples to judge: {recorded.n} < {minimum}"
    if type(minimum) is int and recorded.n is None:
        return (
            f"`{name}`: too few samples to judge: the record does not say how many "
            f"({minimum} needed)"
        )
    op, threshold = metric.get("op"), metric.get("threshold")
    if op in _OPS and _number(threshold) and not _OPS[op](recorded.value, threshold):
        return f"`{name}` is {_show(recorded.value)}, which does not meet {op} {_show(threshold)}"
    tolerance: Any = metric.get("tolerance")
    if previous is None or not _number(tolerance) or op not in (">=", ">", "<=", "<"):
        return None
    before = previous.metrics.get(name)
    if before is None:
        return None
    drop = before.value - recorded.value if op in (">=", ">") else recorded.value - before.value
    if drop > tolerance:
        return (
            f"`{name}` regressed from {_show(before.value)} to {_show(recorded.value)}, more "
            f"than its tolerance {_show(tolerance)} (previous record {previous.rel})"
        )
    return None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _show(value: Any) -> str:
    return str(value)
