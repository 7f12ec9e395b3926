"""readiness: an item at `ready` or later misses its kind's Definition of Ready (or, at
`done`, its Definition of Done).

One finding per missing element, at the item's `status` line (or at the offending field),
saying what is missing and how to add it. The defaults per kind:

| kind | must have (at ready, in-progress, done) |
|---|---|
| every kind | `owner`; with `risk: high`, a `rollout.strategy` other than `direct` |
| | and a `rollout.rollback` text |
| capability, prompt, agent, tool | an acceptance criterion, one of them measurable |
| | (`metric`, `op`, `threshold`) |
| prompt, agent, tool | `performance.latency_p95_ms`, non-empty `safety.policies` |
| capability, prompt, agent | an `evaluation` item whose `spec.targets` include it |
| policy | `spec.rules` (at least one), `spec.review_by` |
| dataset | `spec.classification`, `spec.provenance`, `spec.refresh` |
| model | `spec.snapshot` |
| evaluation | `spec.targets`, a metric with a threshold |

At `done` also: every evaluation targeting the item is `in-progress` or `done`
(`evaluations-started`), and a capability's `spec.items` are all `done` (`items-done`).
An absent `owner` key, or an empty one (`owner: ""`), is `schema`'s finding (with what to
write) and is not repeated here.
The `readiness:` config block adds or drops requirements per kind and status (README).

Failing:

    kind: prompt
    id: support-triage
    status: ready               # no acceptance, no latency_p95_ms, no safety.policies,
                                # and no evaluation targets it

Passing: the same prompt with a measurable acceptance criterion, `performance:
{latency_p95_ms: 1200}`, `safety: {policies: [policy/pii-redaction]}`, and an evaluation
item with `targets: [prompt/support-triage]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.diagnostic import Finding, Severity
from backlog_cli.readiness import evaluate

if TYPE_CHECKING:
    from backlog_cli.engine import Context

ID = "readiness"
SEVERITY: Severity = "error"


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    rules = project.config.readiness_rules
    for item in context.nodes():
        for gap in evaluate(project, item, rules):
            if gap.requirement == "owner" and item.data.get("owner") in (None, ""):
                continue  # `schema` reports the missing key or the empty value, with its hint
            line, column = item.doc.locate(gap.pointer)
            yield Finding(item.doc.rel, line, column, gap.message(item.key), item.key, gap.hint)
