"""Markdown for a PR comment or `$GITHUB_STEP_SUMMARY`: the counts, then a table of findings.

Locations link to `path#Lline`, relative to where the markdown is shown. Waived findings get
their own table, so the accepted risk stays visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from backlog_cli.check import CheckResult
    from backlog_cli.diagnostic import Diagnostic

HEADING = "## backlog check"
CLEAN = "No problems found."
_HEADER = "| severity | rule | item | location | message |\n|---|---|---|---|---|"


def cell(text: str) -> str:
    """`text` inside one table cell: `|` escaped, line breaks as `<br>`."""
    text = text.replace("|", "\\|")
    return "<br>".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def link(d: Diagnostic) -> str:
    label = f"{d.path}:{d.line}".replace("[", "\\[").replace("]", "\\]")
    return f"[{label}]({quote(d.path, safe='/')}#L{d.line})"


def _table(findings: Sequence[Diagnostic]) -> list[str]:
    rows = [_HEADER]
    for d in findings:
        message = f"{d.message}\nhint: {d.hint}" if d.hint else d.message
        cells = [d.severity, d.rule, d.item or "", link(d), message]
        rows.append("| " + " | ".join(cell(c) for c in cells) + " |")
    return rows


def render(result: CheckResult) -> str:
    lines = [
        HEADING,
        "",
        "| items | errors | warnings | waived |",
        "|---:|---:|---:|---:|",
        f"| {result.items} | {result.errors} | {result.warnings} | {len(result.waived)} |",
        "",
    ]
    lines.extend(_table(result.diagnostics) if result.diagnostics else [CLEAN])
    if result.waived:
        lines.extend(["", f"### Waived ({len(result.waived)})", "", *_table(result.waived)])
    return "\n".join(lines) + "\n"
