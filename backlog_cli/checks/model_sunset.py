"""model-sunset: an active item depends directly on a model its provider retires.

An error once the model's `spec.sunset` date has come (the provider switches it off that
day), a warning when it comes within 30 days. Items that are themselves `deprecated` are
exempt. "Today" is the real date, or `BACKLOG_TODAY=YYYY-MM-DD`.

Failing (today 2026-11-26):

    # model/gpt-4-0613                 # prompt/triage
    spec:                              spec:
      sunset: 2026-06-06                 model: model/gpt-4-0613

Passing: point the prompt at a model without a near sunset (`model/gpt-4o`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from backlog_cli.dates import parse_date, today
from backlog_cli.diagnostic import Finding, Severity

if TYPE_CHECKING:
    from backlog_cli.engine import Context

ID = "model-sunset"
SEVERITY: Severity = "error"
WARN_DAYS = 30


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    now = today()
    graph = project.graph
    for edge in context.edges():
        target = graph.nodes.get(edge.target)
        if target is None or target.kind != "model":
            continue
        source = graph.nodes[edge.source]
        if source.status == "deprecated" or edge.source == edge.target:
            continue
        spec = target.data.get("spec")
        sunset = parse_date(spec.get("sunset")) if isinstance(spec, dict) else None
        if sunset is None or sunset > now + timedelta(days=WARN_DAYS):
            continue
        severity: Severity = "error" if sunset <= now else "warning"
        when = (
            f"was retired on {sunset.isoformat()}"
            if sunset <= now
            else f"is retired on {sunset.isoformat()} (in {(sunset - now).days} days)"
        )
        line, column = source.doc.locate(edge.pointer)
        yield Finding(
            source.doc.rel,
            line,
            column,
            f"`{edge.source}` uses `{edge.target}`, which {when}",
            edge.source,
            "move to a supported model snapshot and re-run its evaluations",
            severity=severity,
        )
