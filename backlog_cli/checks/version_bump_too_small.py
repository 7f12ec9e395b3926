"""version-bump-too-small: (with `--base`) the version went up, but by less than the change
requires.

A breaking (major) change needs a major bump, a feature (minor) change at least a minor
one, a patch-level change at least a patch. Below 1.0.0, SemVer's 0.x rule applies: a
breaking change needs a minor bump, a feature a patch.

Failing (against the base ref, where the prompt was 1.2.0):

    version: "1.2.1"
    spec:
      model: model/claude-sonnet     # was model/gpt-4o: model changed → major

Passing: `version: "2.0.0"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.checks._versioning import head_item, reasons, version_position
from backlog_cli.diagnostic import Finding, Severity
from backlog_cli.semver import Level, bump_version

if TYPE_CHECKING:
    from backlog_cli.engine import Context

ID = "version-bump-too-small"
SEVERITY: Severity = "error"


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    comparison = context.comparison
    if comparison is None:
        return
    for change in comparison.items:
        if change.state != "changed" or change.level == Level.NONE:
            continue
        if change.actual in (Level.NONE, "decreased", "invalid") or change.bump_ok:
            continue
        item = head_item(project, change)
        if item is None or change.base is None or change.head is None:
            continue
        base_version = change.base.version or "?"
        line, column = version_position(item)
        target = bump_version(base_version, change.required)
        yield Finding(
            item.doc.rel,
            line,
            column,
            f"`{change.key}` has a {change.level} change ({reasons(change)}) that needs a "
            f"{change.required} bump, but {base_version} → {change.head.version} is a "
            f"{change.actual} bump",
            change.key,
            f'use `version: "{target}"` (or run `backlog bump --auto`)',
        )
