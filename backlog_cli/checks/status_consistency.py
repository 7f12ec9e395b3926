"""status-consistency: an item's status does not fit the statuses of what it depends on.

An item at `ready` or later that depends on a `proposed` item is an error: it cannot really
be ready while a dependency has not even been refined. Anything that is not itself
`deprecated` depending on a `deprecated` item is a warning: plan the migration.

Failing:

    # agent/triage (status: ready)        # prompt/triage (status: proposed)
    spec:
      prompts: [prompt/triage]

Passing: refine the prompt first (`status: refined` or later), or move the agent back to
`refined`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.diagnostic import Finding, Severity
from backlog_cli.vocab import READY_OR_LATER

if TYPE_CHECKING:
    from backlog_cli.engine import Context

ID = "status-consistency"
SEVERITY: Severity = "error"


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    graph = project.graph
    for edge in context.edges():
        source, target = graph.nodes[edge.source], graph.nodes.get(edge.target)
        if target is None or edge.source == edge.target:
            continue
        if source.status in READY_OR_LATER and target.status == "proposed":
            severity: Severity = "error"
            message = (
                f"`{edge.source}` is {source.status} but depends on `{edge.target}`, "
                "which is only proposed"
            )
            hint = f"refine `{edge.target}` first, or move `{edge.source}` back to refined"
        elif target.status == "deprecated" and source.status != "deprecated":
            severity = "warning"
            message = f"`{edge.source}` depends on `{edge.target}`, which is deprecated"
            hint = f"move `{edge.relation}` to a successor of `{edge.target}`"
        else:
            continue
        line, column = source.doc.locate(edge.pointer)
        yield Finding(source.doc.rel, line, column, message, edge.source, hint, severity=severity)
