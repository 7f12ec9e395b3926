"""cycle: the dependency graph has a cycle.

References point from a dependent item to what it depends on; a cycle means no item in
it can be delivered or validated first. Each loop (a strongly connected set of items) is
reported once, with one whole path through it, at the reference that leaves its first item
(by `kind/id`), naming the loop's other members (the first ten) that the path does not pass
through; `check FILE` on any item of the loop reports it.

Failing:

    # agent/triage               # agent/escalation
    spec:                        spec:
      agents: [agent/escalation]   agents: [agent/triage]

Passing: break the loop — one of the two stops depending on the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.diagnostic import Finding, Severity

if TYPE_CHECKING:
    from backlog_cli.engine import Context

ID = "cycle"
SEVERITY: Severity = "error"


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    graph = project.graph
    focus = context.focus
    for component in graph.strongly_connected(None if focus is None else focus.items):
        path = graph.cycle_through(component)
        if not path:  # pragma: no cover
            continue
        first = path[0]
        source = graph.nodes[first.source]
        line, column = source.doc.locate(first.pointer)
        chain = " -> ".join([e.source for e in path] + [path[-1].target])
        via = ", ".join(f"{e.source} `{e.relation}`" for e in path)
        more = _also_in_the_loop(sorted(set(component) - {e.source for e in path}))
        yield Finding(
            path=source.doc.rel,
            line=line,
            column=column,
            item=first.source,
            message=f"dependency cycle: {chain}{more}",
            hint=f"break the cycle by removing one of these references: {via}",
            related=tuple(sorted(component)),
        )


_NAMED = 10  # past this many, the rest of a huge loop is counted, not listed


def _also_in_the_loop(others: list[str]) -> str:
    """The loop's members that the path shown does not pass through, by name."""
    if not others:
        return ""
    named = ", ".join(others[:_NAMED])
    rest = len(others) - _NAMED
    if rest > 0:
        named += f" and {rest} more"
    verb = "is" if len(others) == 1 else "are"
    return f"; {named} {verb} in the same loop too"
