"""Definition of Ready and Done: the default requirements per kind, the config that adjusts
them, and the evaluation of one item against them.

Shared by the `readiness` rule and `backlog status`. A requirement is named by a dotted field
path (`performance.latency_p95_ms`, `spec.review_by`) or by one of the named checks below;
the config adds (`require`) or drops (`drop`) requirements per kind and from a status on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backlog_cli.suggest import did_you_mean
from backlog_cli.vocab import GATED, KINDS, RANK

if TYPE_CHECKING:
    from backlog_cli.project import Item, Project

# named checks (not plain "field is filled in")
ACCEPTANCE = "acceptance"  # at least one criterion, at least one of them measurable
EVALUATION = "evaluation"  # some evaluation item lists the item in `spec.targets`
ROLLOUT = "rollout"  # high risk: a strategy other than `direct`, and a rollback text
POLICY_RULES = "spec.rules"  # at least one rule
EVAL_METRICS = "spec.metrics"  # at least one metric with a threshold
EVALUATIONS_STARTED = "evaluations-started"  # done: targeting evaluations in-progress or later
ITEMS_DONE = "items-done"  # done: a capability's `spec.items` are all done
NAMED = (ACCEPTANCE, EVALUATION, ROLLOUT, EVALUATIONS_STARTED, ITEMS_DONE)

_READY: dict[str, tuple[str, ...]] = {
    "capability": ("owner", ACCEPTANCE, EVALUATION),
    "prompt": ("owner", ACCEPTANCE, "performance.latency_p95_ms", "safety.policies", EVALUATION),
    "agent": ("owner", ACCEPTANCE, "performance.latency_p95_ms", "safety.policies", EVALUATION),
    "tool": ("owner", ACCEPTANCE, "performance.latency_p95_ms", "safety.policies"),
    "policy": ("owner", POLICY_RULES, "spec.review_by"),
    "dataset": ("owner", "spec.classification", "spec.provenance", "spec.refresh"),
    "model": ("owner", "spec.snapshot"),
    "evaluation": ("owner", "spec.targets", EVAL_METRICS),
}
_DONE: dict[str, tuple[str, ...]] = {
    kind: (EVALUATIONS_STARTED, ITEMS_DONE) if kind == "capability" else (EVALUATIONS_STARTED,)
    for kind in KINDS
}


def defaults() -> dict[str, dict[str, list[str]]]:
    """kind -> gating status -> requirements, before the config."""
    return {kind: {"ready": [*_READY[kind], ROLLOUT], "done": list(_DONE[kind])} for kind in KINDS}


@dataclass(frozen=True)
class Rules:
    """The effective requirements: kind -> status -> requirement names, gated from a status on."""

    table: dict[str, dict[str, list[str]]] = field(default_factory=defaults)

    def required(self, kind: str, status: str) -> list[tuple[str, str]]:
        """(requirement, the status that introduced it) for an item of `kind` at `status`."""
        if status not in RANK or status == "deprecated":
            return []
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        for gate in GATED:
            if RANK[gate] > RANK[status]:
                break
            for name in self.table.get(kind, {}).get(gate, []):
                if name not in seen:
                    seen.add(name)
                    out.append((name, gate))
        return out


def schema_paths(kind: str) -> set[str]:
    """Every dotted field path the kind's schema defines (for validating the config)."""
    from backlog_cli import schemas

    schema = schemas.load(kind)
    defs = schema.get("$defs", {})
    paths: set[str] = set()

    def walk(node: Any, prefix: str, depth: int) -> None:
        if depth > 4 or not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            node = defs.get(ref.removeprefix("#/$defs/"), {})
        for name, sub in node.get("properties", {}).items():
            path = f"{prefix}{name}"
            paths.add(path)
            walk(sub, path + ".", depth + 1)

    walk(schema, "", 0)
    return paths


def parse_config(raw: dict[str, Any], fail: Callable[[tuple[str | int, ...], str], None]) -> Rules:
    """Apply a `readiness:` config block to the defaults; `fail(pointer, message)` on errors.

    readiness:
      prompt:                      # a kind, or "*" for every kind
        ready:                     # refined | ready | in-progress | done: from that status on
          require: [description, spec.output_schema]
          drop: [performance.latency_p95_ms]
          evaluation: false        # evaluation coverage required or not
    """
    table = defaults()
    for kind_key, per_status in raw.items():
        kinds = list(KINDS) if kind_key == "*" else [kind_key]
        if kind_key != "*" and kind_key not in KINDS:
            fail(
                ("readiness", kind_key),
                f"unknown kind `{kind_key}`{did_you_mean(str(kind_key), KINDS)}",
            )
        if not isinstance(per_status, dict):
            fail(("readiness", kind_key), "must map statuses (ready, done, ...) to requirements")
        for status, block in per_status.items():
            where: tuple[str | int, ...] = ("readiness", kind_key, status)
            if status not in GATED:
                fail(
                    where,
                    f"unknown status `{status}`{did_you_mean(str(status), GATED)}; "
                    f"use one of {', '.join(GATED)}",
                )
            if not isinstance(block, dict):
                fail(where, "must be a mapping with `require`, `drop` and/or `evaluation`")
            for key in block:
                if key not in ("require", "drop", "evaluation"):
                    fail(
                        (*where, key),
                        f"unknown key `{key}`"
                        f"{did_you_mean(str(key), ('require', 'drop', 'evaluation'))}",
                    )
            for kind in kinds:
                known = schema_paths(kind) | set(NAMED)
                for verb in ("require", "drop"):
                    names = block.get(verb, [])
                    if isinstance(names, str):
                        names = [names]
                    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                        fail((*where, verb), "must be a list of dotted field paths")
                    for index, name in enumerate(names):
                        if name not in known:
                            fail(
                                (*where, verb, index),
                                f"`{name}` is not a field of a {kind} item"
                                f"{did_you_mean(name, sorted(known))}",
                            )
                        _apply(table[kind], status, name, add=verb == "require")
                evaluation = block.get("evaluation")
                if evaluation is not None:
                    if not isinstance(evaluation, bool):
                        fail((*where, "evaluation"), "must be true or false")
                    _apply(table[kind], status, EVALUATION, add=evaluation)
    return Rules(table)


def _apply(per_kind: dict[str, list[str]], status: str, name: str, *, add: bool) -> None:
    if add:
        bucket = per_kind.setdefault(status, [])
        if name not in bucket:
            bucket.append(name)
        return
    # dropping removes it wherever the defaults put it, from this status on
    for gate in GATED:
        if RANK[gate] >= RANK[status] and name in per_kind.get(gate, []):
            per_kind[gate].remove(name)


# --- evaluating an item -------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """One missing element: what, where (pointer; () = the status line) and how to fix it."""

    requirement: str
    reason: str  # "has no `spec.snapshot`": reads after "`model/m` is ready but "
    hint: str
    pointer: tuple[str | int, ...] = ("status",)
    at: str = "ready"  # the status whose definition asks for it

    def message(self, key: str) -> str:
        return f"`{key}` is {self.at} but {self.reason}"


def _get(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, (str, list, dict)):
        return bool(value.strip() if isinstance(value, str) else value)
    return True


_FIELD_HINTS = {
    "owner": 'add `owner: "@you"` or a team name',
    "performance.latency_p95_ms": "add `performance: {latency_p95_ms: 1200}`",
    "safety.policies": "list the governing policies: `safety: {policies: [policy/pii-redaction]}`",
    "spec.review_by": "add `review_by: 2027-06-30` under `spec`",
    "spec.classification": "add `classification: internal` (public, internal, confidential, "
    "restricted) under `spec`",
    "spec.provenance": "say where the data comes from: `provenance: ...` under `spec`",
    "spec.refresh": "add `refresh: {strategy: batch, schedule: daily}` under `spec`",
    "spec.snapshot": "pin the provider version: `snapshot: gpt-4o-2024-08-06` under `spec`",
    "spec.targets": "list what it evaluates: `targets: [prompt/support-triage]` under `spec`",
}


def evaluate(
    project: Project, item: Item, rules: Rules, status: str | None = None
) -> Iterator[Gap]:
    """The gaps of `item` at `status` (default: its own status)."""
    status = status or item.status or ""
    data = item.data
    for name, gate in rules.required(item.kind, status):
        at = "done" if gate == "done" else status
        yield from _check(project, item, data, name, at)


def _check(project: Project, item: Item, data: dict[str, Any], name: str, at: str) -> Iterator[Gap]:
    check = _CHECKS.get(name) or _KIND_CHECKS.get((name, item.kind))
    if check is not None:
        yield from check(project, item, data, at)
    elif not _filled(_get(data, name)):
        yield Gap(name, f"has no `{name}`", _FIELD_HINTS.get(name, f"fill in `{name}`"), at=at)


def _acceptance(project: Project, item: Item, data: dict[str, Any], at: str) -> Iterator[Gap]:
    listed = data.get("acceptance")
    criteria = [c for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []
    if not criteria:
        yield Gap(
            ACCEPTANCE,
            "has no acceptance criteria",
            "add `acceptance:` with at least one criterion that has `metric`, `op` and `threshold`",
            at=at,
        )
    elif not any(all(k in c for k in ("metric", "op", "threshold")) for c in criteria):
        yield Gap(
            ACCEPTANCE,
            "none of its acceptance criteria is measurable",
            'give one criterion a target: `metric: accuracy`, `op: ">="`, `threshold: 0.9`',
            ("acceptance",),
            at=at,
        )


def _evaluation(project: Project, item: Item, data: dict[str, Any], at: str) -> Iterator[Gap]:
    if not _evaluations(project, item):
        yield Gap(
            EVALUATION,
            "no evaluation targets it",
            f"add an evaluation item with `targets: [{item.key}]` "
            f"(`backlog new evaluation {item.id}-eval`)",
            at=at,
        )


def _rollout(project: Project, item: Item, data: dict[str, Any], at: str) -> Iterator[Gap]:
    if data.get("risk") != "high":
        return
    rollout_value = data.get("rollout")
    rollout: dict[str, Any] = rollout_value if isinstance(rollout_value, dict) else {}
    strategy = rollout.get("strategy")
    if strategy in (None, "direct"):
        pointer: tuple[str | int, ...] = ("rollout", "strategy") if strategy else ("status",)
        how = "directly" if strategy else "without a strategy"
        yield Gap(
            ROLLOUT,
            f"rolls out {how} although it is high risk",
            "set `rollout.strategy` to `feature-flag`, `canary` or `blue-green`",
            pointer,
            at=at,
        )
    if not _filled(rollout.get("rollback")):
        yield Gap(
            ROLLOUT,
            "says nothing about rollback although it is high risk",
            "add `rollout.rollback`: how to undo the change",
            at=at,
        )


def _policy_rules(project: Project, item: Item, data: dict[str, Any], at: str) -> Iterator[Gap]:
    if not _filled(_get(data, "spec.rules")):
        yield Gap(
            POLICY_RULES,
            "has no rules",
            "add `rules:` under `spec`, each with `id`, `description` and `action`",
            at=at,
        )


def _eval_metrics(project: Project, item: Item, data: dict[str, Any], at: str) -> Iterator[Gap]:
    metrics = _get(data, "spec.metrics")
    if not isinstance(metrics, list) or not any(
        isinstance(m, dict) and m.get("threshold") is not None for m in metrics
    ):
        yield Gap(
            EVAL_METRICS,
            "has no metric with a threshold",
            'add `metrics: [{metric: accuracy, op: ">=", threshold: 0.9}]` under `spec`',
            at=at,
        )


def _evaluations_started(
    project: Project, item: Item, data: dict[str, Any], at: str
) -> Iterator[Gap]:
    for evaluation in _evaluations(project, item):
        eval_status = evaluation.status or ""
        if eval_status in ("proposed", "refined", "ready"):
            yield Gap(
                EVALUATIONS_STARTED,
                f"its evaluation `{evaluation.key}` is only {eval_status}",
                "run the evaluation (move it to in-progress or done) before calling the item done",
                at="done",
            )


def _items_done(project: Project, item: Item, data: dict[str, Any], at: str) -> Iterator[Gap]:
    if item.kind != "capability":
        return
    for edge in project.graph.upstream.get(item.key, []):
        if edge.relation != "spec.items":
            continue
        target = project.graph.nodes.get(edge.target)
        if target is not None and target.status != "done":
            yield Gap(
                ITEMS_DONE,
                f"`{edge.target}`, which delivers it, is {target.status}",
                "finish the delivering items first",
                edge.pointer,
                at="done",
            )


_Check = Callable[["Project", "Item", dict[str, Any], str], Iterator[Gap]]
# the named checks, whatever the kind
_CHECKS: dict[str, _Check] = {
    ACCEPTANCE: _acceptance,
    EVALUATION: _evaluation,
    ROLLOUT: _rollout,
    EVALUATIONS_STARTED: _evaluations_started,
    ITEMS_DONE: _items_done,
}
# field paths that ask for more than "filled in" on one kind (elsewhere: filled in)
_KIND_CHECKS: dict[tuple[str, str], _Check] = {
    (POLICY_RULES, "policy"): _policy_rules,
    (EVAL_METRICS, "evaluation"): _eval_metrics,
}


def _evaluations(project: Project, item: Item) -> list[Item]:
    found: list[Item] = []
    for edge in project.graph.downstream.get(item.key, []):
        source = project.graph.nodes.get(edge.source)
        if (
            source is not None
            and source.kind == "evaluation"
            and edge.relation == "spec.targets"
            and source.status != "deprecated"
            and source not in found
        ):
            found.append(source)
    return found
