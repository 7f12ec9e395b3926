"""Text: `path:line:col: severity rule message`, the hint on the next line, grouped by file.

A finding with related locations (one in a template file: the item that uses it) lists each
on a `note:` line after the hint, `path:line:col: what is there`, as compilers do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backlog_cli.diagnostic import printable

if TYPE_CHECKING:
    from backlog_cli.diagnostic import Diagnostic
    from backlog_cli.engine import CheckResult

_RESET = "\x1b[0m"
_STYLES = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "path": "\x1b[1m", "hint": "\x1b[2m"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(result: CheckResult) -> str:
    if result.loaded is None:
        checked = f"{_plural(result.items, 'item')} checked"
    else:  # `check PATHS`: the files it reports on, and the backlog they were checked against
        checked = (
            f"{_plural(result.items, 'file')} checked, {_plural(result.loaded, 'item')} loaded"
        )
    notes = []
    if result.waived:
        notes.append(f"{len(result.waived)} waived")
    if result.baselined:
        notes.append(f"{result.baselined} in baseline")
    if result.stale_baseline:
        entries = _plural(result.stale_baseline, "baseline entry").replace("entrys", "entries")
        notes.append(f"{entries} fixed: shrink it with --write-baseline")
    waived = f" ({'; '.join(notes)})" if notes else ""
    if not result.diagnostics:
        return f"{checked}: no problems{waived}"
    counts = f"{_plural(result.errors, 'error')}, {_plural(result.warnings, 'warning')}"
    return f"{checked}: {counts}{waived}"


def notes(d: Diagnostic) -> list[str]:
    """`note: path:line:col: message` for each related location of `d`."""
    return [f"note: {printable(a.path)}:{a.line}:{a.column}: {a.message}" for a in d.also]


def render(result: CheckResult, *, color: bool = False, quiet: bool = False) -> str:
    def paint(style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if color else text

    lines: list[str] = []
    current: str | None = None
    for d in result.diagnostics:
        if current is not None and d.path != current:
            lines.append("")
        current = d.path
        where = paint("path", f"{printable(d.path)}:{d.line}:{d.column}:")
        lines.append(f"{where} {paint(d.severity, d.severity)} {d.rule} {d.message}")
        if d.hint:
            lines.append(paint("hint", f"  hint: {d.hint}"))
        lines.extend(paint("hint", f"  {note}") for note in notes(d))
    if quiet:
        return "".join(line + "\n" for line in lines)
    if result.waived:
        if lines:
            lines.append("")
        lines.append(f"waived ({len(result.waived)}):")
        lines.extend(
            f"  {printable(d.path)}:{d.line}:{d.column}: {d.severity} {d.rule} {d.message}"
            for d in result.waived
        )
    if lines:
        lines.append("")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"
