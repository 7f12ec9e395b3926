"""missing-file: a `template_file` or `config` path does not exist or leaves the repository.

Paths inside items are relative to the item's own file, like Markdown links; a leading `/`
means the repository root. A path that climbs out with `..`, or reaches outside through a
symlink, is refused and its content is never read.

Failing:

    spec:
      template_file: templates/triage.j2     # no such file next to the item
      # or: template_file: ../../../../etc/passwd

Passing:

    spec:
      template_file: templates/triage.j2     # backlog/prompts/templates/triage.j2 exists
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.diagnostic import Finding, Severity
from backlog_cli.paths import resolve
from backlog_cli.vocab import FILE_FIELDS

if TYPE_CHECKING:
    from backlog_cli.engine import Context

ID = "missing-file"
SEVERITY: Severity = "error"


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    root = project.config.repo_root
    for item in context.nodes():
        raw = item.summary.file  # `spec.template_file` or `spec.config`, if a string
        if raw is None:
            continue
        name = FILE_FIELDS[item.kind]
        resolved = resolve(raw, item.doc.path, root)
        if resolved.problem is None:
            continue
        line, column = item.doc.locate(("spec", name))
        shown = raw if len(raw) <= 80 else raw[:77] + "..."
        hint = (
            "paths are relative to the item file; a leading `/` is the repository root; "
            "keep referenced files inside the repository"
        )
        yield Finding(
            item.doc.rel,
            line,
            column,
            f"`spec.{name}` `{shown}`: {resolved.problem}",
            item.key,
            hint,
        )
