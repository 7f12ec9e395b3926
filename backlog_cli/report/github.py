"""GitHub Actions workflow commands: one `::error`/`::warning` annotation per finding.

`::error file=PATH,line=L,col=C,title=RULE::MESSAGE`, the hint on a second line of the
message (and a `note:` line for each related location: a finding in a template file is
annotated on the template, and names the item that uses it), escaped as `@actions/core`
does, then the plain summary line. Waived findings get no
annotation; the summary counts them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backlog_cli.diagnostic import printable
from backlog_cli.report.text import notes, summary

if TYPE_CHECKING:
    from backlog_cli.engine import CheckResult


def escape_data(value: str) -> str:
    """A command's message, as `escapeData` in actions/toolkit `core/src/command.ts`."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A command property value, as `escapeProperty`: the data escapes plus `:` and `,`."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(result: CheckResult, *, quiet: bool = False) -> str:
    lines: list[str] = []
    for d in result.diagnostics:
        # a file name with an escape sequence: printed escaped (the annotation cannot point
        # at it anyway; GitHub would not find the file by that name)
        where = {"file": printable(d.path), "line": d.line, "col": d.column, "title": d.rule}
        properties = ",".join(f"{k}={escape_property(str(v))}" for k, v in where.items())
        message = f"{d.message}\nhint: {d.hint}" if d.hint else d.message
        message = "\n".join([message, *notes(d)])
        lines.append(f"::{d.severity} {properties}::{escape_data(message)}")
    if not quiet:
        lines.append(summary(result))
    return "".join(line + "\n" for line in lines)
