"""version-constraint: a reference's range does not admit the referenced item's version.

A reference may pin a SemVer range with npm semantics: exact `1.2.3`, `^1.2`, `~1.2.3`,
`1.x`, `*`, hyphen ranges `1.2 - 2.0`, comparator sets `>=1.0.0 <2.0.0` and unions with
`||`, including npm's 0.x rules (`^0.2.3` admits `0.2.x` only) and its prerelease rule.
A range that does not parse is reported too.

Failing:

    spec:
      model: model/gpt-4o@^2.0        # model/gpt-4o is at version 1.3.0

Passing:

    spec:
      model: model/gpt-4o@^1.2        # admits 1.3.0
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.diagnostic import Finding, Severity
from backlog_cli.refs import RangeError, parse_range
from backlog_cli.semver import oversized_components, parse_version

if TYPE_CHECKING:
    from backlog_cli.engine import Context
    from backlog_cli.graph import Edge
    from backlog_cli.project import Project

ID = "version-constraint"
SEVERITY: Severity = "error"


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    graph = project.graph
    for edge in context.edges():
        if edge.ref.range is None:
            continue
        problem = _problem(project, edge)
        if problem is not None:
            message, hint = problem
            source = graph.nodes[edge.source]
            line, column = source.doc.locate(edge.pointer)
            yield Finding(source.doc.rel, line, column, message, edge.source, hint)


def _problem(project: Project, edge: Edge) -> tuple[str, str] | None:
    assert edge.ref.range is not None
    try:
        wanted = parse_range(edge.ref.range)
    except RangeError as exc:
        reason = "" if exc.reason is None else f": {exc.reason}"
        return (
            f"`{edge.ref}`: invalid version range `{edge.ref.range}`{reason}",
            "use npm range syntax: `1.2.3`, `^1.2`, `~1.2.3`, `1.x`, `>=1.0.0 <2.0.0`",
        )
    target = project.graph.nodes.get(edge.target)
    if target is None or target.version is None:
        return None  # unknown-reference / schema report these
    if oversized_components(target.version):
        return None  # a version no range can admit: `schema` reports it at the version
    version = parse_version(target.version)
    if version is None or wanted.admits(version):
        return None
    return (
        f"`{edge.ref}` does not admit `{edge.target}` at version {target.version}",
        f"widen the range (e.g. `@^{version.major}.{version.minor}` or "
        f"`@~{version.major}.{version.minor}.{version.patch}`) after checking the "
        f"change, or pin an older version of `{edge.target}`",
    )
