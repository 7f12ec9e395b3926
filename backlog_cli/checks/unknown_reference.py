"""unknown-reference: a reference names no item.

Every reference field (`depends_on`, `safety.policies`, `spec.model`, `spec.prompts`,
`spec.targets`, ...) must name an existing `kind/id`. The hint offers the closest existing
item, or the new id when the target was renamed (`renamed_from`).

Failing:

    spec:
      model: model/gpt-4-turbo        # no such item

Passing:

    spec:
      model: model/gpt-4o             # backlog/models/gpt-4o.yaml declares it
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.diagnostic import Diagnostic, Severity

if TYPE_CHECKING:
    from backlog_cli.project import Project

ID = "unknown-reference"
SEVERITY: Severity = "error"


def _renames(project: Project) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in project.items:
        for old in item.summary.renamed_from:
            out.setdefault(old, item.key)
    return out


def check(project: Project) -> Iterator[Diagnostic]:
    graph = project.graph
    renames: dict[str, str] | None = None
    keys = sorted(graph.nodes)
    for edge in project.checked_edges():
        if edge.target in graph.nodes:
            continue
        if renames is None:
            renames = _renames(project)
        source = graph.nodes[edge.source]
        line, column = source.doc.locate(edge.pointer)
        if edge.target in renames:
            new = renames[edge.target]
            hint = f"`{edge.target}` was renamed to `{new}`; reference `{new}`"
        else:
            same_kind = [k for k in keys if k.startswith(edge.ref.kind + "/")]
            match = difflib.get_close_matches(edge.target, same_kind, n=1, cutoff=0.6) or (
                difflib.get_close_matches(edge.target, keys, n=1, cutoff=0.75)
            )
            hint = (
                f"did you mean `{match[0]}`?"
                if match
                else (
                    f"no {edge.ref.kind} item has id `{edge.ref.id}`; create it with "
                    f"`backlog new {edge.ref.kind} {edge.ref.id}` or fix the reference"
                )
            )
        yield Diagnostic(
            path=source.doc.rel,
            line=line,
            column=column,
            rule=ID,
            severity=SEVERITY,
            item=edge.source,
            message=f"`{edge.relation}` references `{edge.target}`, which does not exist",
            hint=hint,
        )
