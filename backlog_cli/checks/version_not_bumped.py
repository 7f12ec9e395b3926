"""version-not-bumped: (with `--base`) the item's `spec` changed but `version` did not.

Only `spec` changes need a bump (a prompt's `template_file` content is part of its spec);
envelope edits such as title, status, owner or tags do not. The change is classified
(major / minor / patch, see `backlog diff`) and the finding names the bump it requires.

Failing (against the base ref):

    version: "1.2.0"          # unchanged
    spec:
      inputs:
        locale: {type: string, required: true}     # new required input: major

Passing: `version: "2.0.0"` (`backlog bump --auto` writes it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.checks._versioning import head_item, reasons, version_position
from backlog_cli.diagnostic import Finding, Severity
from backlog_cli.semver import Level, bump_version

if TYPE_CHECKING:
    from backlog_cli.engine import Context

ID = "version-not-bumped"
SEVERITY: Severity = "error"


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    comparison = context.comparison
    if comparison is None:
        return
    for change in comparison.items:
        if change.state != "changed" or change.level == Level.NONE or change.actual != Level.NONE:
            continue
        item = head_item(project, change)
        if item is None or change.base is None or change.base.version is None:
            continue
        line, column = version_position(item)
        target = bump_version(change.base.version, change.required)
        yield Finding(
            item.doc.rel,
            line,
            column,
            f"`{change.key}` changed since {comparison.base_ref} ({change.level}: "
            f"{reasons(change)}) but its version is still {change.base.version}",
            change.key,
            f"a {change.level} change needs a {change.required} bump: "
            f'`version: "{target}"` (or run `backlog bump --auto`)',
        )
