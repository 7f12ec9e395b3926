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
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.diagnostic import Finding, Severity
from backlog_cli.vocab import KINDS

if TYPE_CHECKING:
    from backlog_cli.engine import Context
    from backlog_cli.project import Project

ID = "unknown-reference"
SEVERITY: Severity = "error"


def _renames(project: Project) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in project.items:
        for old in item.summary.renamed_from:
            out.setdefault(old, item.key)
    return out


_CLAIM = re.compile(r"^(kind|id)[ \t]*:[ \t]*[\"']?([a-z0-9][a-z0-9._-]*)[\"']?[ \t]*$", re.M)


def _unparsable(project: Project) -> dict[str, str]:
    """`kind/id` -> file, for item files that do not parse but still say which item they
    hold in plain `kind:` and `id:` lines: a reference to one is not to a missing item."""
    out: dict[str, str] = {}
    for error in project.load_errors:
        try:
            with open(error.path, "rb") as handle:
                text = handle.read(project.config.limits.max_file_size).decode("utf-8", "replace")
        except OSError:
            continue
        claims: dict[str, str] = {m.group(1): m.group(2) for m in _CLAIM.finditer(text)}
        if "kind" in claims and "id" in claims:
            out.setdefault(f"{claims['kind']}/{claims['id']}", error.rel)
    return out


def _mistyped_kinds(project: Project) -> dict[str, tuple[str, str]]:
    """id -> (file, kind) of the files that declare an id under a `kind` that is not one
    (`kind: tools`): a reference to that id is most likely meant for them."""
    out: dict[str, tuple[str, str]] = {}
    for doc in project.documents:
        summary = doc.summary
        if summary is None or not summary.id or summary.kind is None or summary.kind in KINDS:
            continue
        out.setdefault(summary.id, (doc.rel, summary.kind))
    return out


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    graph = project.graph
    renames: dict[str, str] | None = None
    unparsable: dict[str, str] | None = None
    mistyped: dict[str, tuple[str, str]] | None = None
    keys = sorted(graph.nodes)
    for edge in context.edges():
        if edge.target in graph.nodes:
            continue
        if renames is None:
            # built once, at the first unknown reference: a clean backlog never pays for them
            renames, unparsable = _renames(project), _unparsable(project)
            mistyped = _mistyped_kinds(project)
        assert unparsable is not None and mistyped is not None
        source = graph.nodes[edge.source]
        line, column = source.doc.locate(edge.pointer)
        if edge.target in unparsable:
            yield Finding(
                path=source.doc.rel,
                line=line,
                column=column,
                item=edge.source,
                message=f"`{edge.relation}` references `{edge.target}`, whose file "
                f"{unparsable[edge.target]} does not parse",
                hint="fix the yaml-syntax finding in that file",
                follows=unparsable[edge.target],
            )
            continue
        if edge.target in renames:
            new = renames[edge.target]
            hint = f"`{edge.target}` was renamed to `{new}`; reference `{new}`"
        else:
            same_kind = [k for k in keys if k.startswith(edge.ref.kind + "/")]
            match = difflib.get_close_matches(edge.target, same_kind, n=1, cutoff=0.6) or (
                difflib.get_close_matches(edge.target, keys, n=1, cutoff=0.75)
            )
            declared = mistyped.get(edge.ref.id)
            if match:
                hint = f"did you mean `{match[0]}`?"
            elif declared is not None:
                rel, kind = declared
                hint = (
                    f"{rel} declares id `{edge.ref.id}` with `kind: {kind}`, which is not a "
                    f"kind; write `kind: {edge.ref.kind}` there"
                )
            else:
                hint = (
                    f"no {edge.ref.kind} item has id `{edge.ref.id}`; create it with "
                    f"`backlog new {edge.ref.kind} {edge.ref.id}` or fix the reference"
                )
        yield Finding(
            path=source.doc.rel,
            line=line,
            column=column,
            item=edge.source,
            message=f"`{edge.relation}` references `{edge.target}`, which does not exist",
            hint=hint,
        )
