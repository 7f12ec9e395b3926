"""removed-while-referenced: (with `--base`) an item was deleted that others still reference.

Deleting an item that other items depend on breaks them; deprecate it first
(`status: deprecated`), move its dependents to a successor, then delete it. An id rename
recorded in the new item's `renamed_from` is not a deletion (references to the old id get
an `unknown-reference` finding with the new id as hint). Reported at each reference.

Failing (against the base ref, `prompt/triage` existed there):

    # prompt/triage deleted; agent/router still has
    spec:
      prompts: [prompt/triage]

Passing: remove the reference in the same change, or keep the item as `deprecated`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.diagnostic import Finding, Severity

if TYPE_CHECKING:
    from backlog_cli.engine import Context

ID = "removed-while-referenced"
SEVERITY: Severity = "error"


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    comparison = context.comparison
    if comparison is None:
        return
    removed = {c.key for c in comparison.items if c.state == "removed"}
    if not removed:
        return
    graph = project.graph
    for edge in graph.edges:
        if edge.target not in removed or edge.target in graph.nodes:
            continue
        source = graph.nodes[edge.source]
        line, column = source.doc.locate(edge.pointer)
        yield Finding(
            source.doc.rel,
            line,
            column,
            f"`{edge.target}` was deleted since {comparison.base_ref} but `{edge.source}` "
            f"still references it in `{edge.relation}`",
            edge.source,
            f"deprecate `{edge.target}` instead of deleting it, or move `{edge.source}` to "
            "its successor in the same change",
        )
