"""version-decreased: (with `--base`) an item's version went down.

Versions only move forward: consumers pin ranges, and a lower version at head makes
`^1.2` suddenly admit old content or refuse new content. Also fires when the head version
is not valid SemVer while the base one was (the `schema` rule says why).

Failing (against the base ref, where the item was 1.4.0):

    version: "1.3.9"

Passing: `version: "1.4.0"` or higher.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.checks._versioning import head_item, version_position
from backlog_cli.diagnostic import Finding, Severity
from backlog_cli.semver import Level, bump_version

if TYPE_CHECKING:
    from backlog_cli.engine import Context

ID = "version-decreased"
SEVERITY: Severity = "error"


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    comparison = context.comparison
    if comparison is None:
        return
    for change in comparison.items:
        if change.actual != "decreased" or change.base is None or change.head is None:
            continue
        item = head_item(project, change)
        if item is None:
            continue
        line, column = version_position(item)
        yield Finding(
            item.doc.rel,
            line,
            column,
            f"`{change.key}` went from version {change.base.version} at "
            f"{comparison.base_ref} down to {change.head.version}",
            change.key,
            _hint(change.base.version, change.required),
        )


def _hint(base_version: str | None, required: Level) -> str:
    """The lowest version that passes: the base's, or, when the spec changed, the bump the
    change needs (using the base's own version would then fail `version-not-bumped`)."""
    if base_version is not None and required != Level.NONE:
        try:
            lowest = bump_version(base_version, required)
        except ValueError:
            pass
        else:
            return f"versions only go up: this change needs {lowest} or higher"
    return f"versions only go up: use {base_version} or higher"
