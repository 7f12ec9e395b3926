"""yaml-syntax: the file cannot be read as one YAML mapping.

Fires for invalid YAML, invalid UTF-8 (with the byte offset), an empty file, several
documents in one file, a top level that is not a mapping, a duplicate key, any custom tag
(`!python/object`, `!!binary`, ...), a file over the size cap, aliases that expand past the
bound (a "billion laughs" file), nesting past the depth bound, and merge keys (`<<`). A FIFO
or device file in the item tree is skipped with a warning. Every other file is still checked.

Failing:

    id: support-triage
    id: support-triage-v2      # duplicate key

Passing:

    id: support-triage
    title: Support triage
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.diagnostic import Finding, Severity

if TYPE_CHECKING:
    from backlog_cli.engine import Context

ID = "yaml-syntax"
SEVERITY: Severity = "error"


def check(context: Context) -> Iterator[Finding]:
    for error in context.load_errors():
        yield Finding(
            path=error.rel,
            line=error.line,
            column=error.column,
            message=error.message,
            hint=error.hint,
            severity="warning" if error.warning else SEVERITY,
        )
