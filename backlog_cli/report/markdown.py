"""Markdown for a PR comment or `$GITHUB_STEP_SUMMARY`: the counts, then a table of findings.

Locations link to `path#Lline`, relative to the repository root, or absolute under a link
base (GitHub Actions' blob URL of the commit, or `--link-base`; see `backlog_cli/links.py`).
A finding in a template file links to the template's line, and to the item that uses it
(`see ...`) below the message. Waived findings get their own table, so the accepted risk
stays visible.

Every value that comes from the backlog (messages, ids, paths, owners) goes through `escape`,
`code` or `message` first, so that no value can open a link, a heading, emphasis or HTML, or
end a table cell or a line. `backlog status` renders its markdown with the same helpers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from backlog_cli.diagnostic import Diagnostic
    from backlog_cli.engine import CheckResult

HEADING = "## backlog check"
CLEAN = "No problems found."
_HEADER = "| severity | rule | item | location | message |\n|---|---|---|---|---|"

NEWLINE = "\u2424"  # ␤: a line break in a value, shown instead of taken
_LINE_BREAK = re.compile(r"\r\n?|\n")
_BACKTICKS = re.compile(r"`+")
# What starts a construct within a line: escapes, code, emphasis, strikethrough, links and
# images, autolinks and HTML, entities, math. A lone `]` stays as is: without an unescaped `[`
# it opens nothing, and parser messages quote it (`expected ',' or ']'`).
_INLINE = re.compile(r"([\\`*_~\[<>&$])")
# What makes a list item's first line a heading or another list: `- # x`, `- + x`, `- 1. x`.
_BLOCK_START = re.compile(r"^(\d*)([#+.)-])")


def escape(text: str) -> str:
    """`text` as Markdown that shows exactly these characters, on one line."""
    return _INLINE.sub(r"\\\1", _LINE_BREAK.sub(NEWLINE, text))


def code(text: str) -> str:
    """`text` as one code span, on one line, whatever backticks or spaces it holds.

    CommonMark ends a span at the first backtick run as long as the opening one, so the fence
    is one longer than the longest run inside; a space pads a value that starts or ends with a
    backtick, or that starts and ends with a space (the parser strips one of each).
    """
    text = _LINE_BREAK.sub(NEWLINE, text)
    if not text:
        return ""
    fence = "`" * (max(map(len, _BACKTICKS.findall(text)), default=0) + 1)
    edges = text[0] + text[-1]
    pad = " " if "`" in edges or (edges == "  " and text.strip(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def message(text: str) -> str:
    """A message as Markdown: its parts in single backticks as code, the rest as plain text.

    Rules quote values in backticks without escaping them (`` `status` is `VALUE` ``), so a
    value with backticks of its own can make the quoting ambiguous. When the backticks do not
    pair up (an odd number, or a run of two or more) the whole message becomes one code span,
    shown exactly as written. When they pair up but a value moved the pairing, some text shows
    as code or the other way round: still only code spans and escaped text.
    """
    parts = text.split("`")
    if len(parts) % 2 == 0 or "``" in text:
        return code(text)
    shown = "".join(code(part) if i % 2 else escape(part) for i, part in enumerate(parts))
    # a message can start a list item (`backlog status`), where `# x` or `1. x` is structure
    return _BLOCK_START.sub(r"\1\\\2", shown.lstrip(" \t"), count=1)


def path_link(path: str, line: int | None = None, base: str | None = None) -> str:
    """A link to `path` (at `line`), labelled with the path: `[a.yaml:4](a.yaml#L4)`;
    `base` (ending in `/`) makes the target absolute."""
    label, target = path, (base or "") + quote(path, safe="/")
    if line is not None:
        label, target = f"{label}:{line}", f"{target}#L{line}"
    shown = escape(label).replace("]", "\\]")  # inside the label a `]` would end it early
    return f"[{shown}]({target})"


def fenced(text: str, info: str = "") -> list[str]:
    """`text` as a fenced code block, fenced longer than any backtick run inside it (a
    template holding ``` would otherwise end the block and turn the rest into Markdown)."""
    longest = max(map(len, _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", *text.split("\n"), fence]


def cell(markdown: str) -> str:
    """`markdown` inside one table cell: `|` escaped, line breaks as `<br>`.

    The `|` is escaped inside code spans too: GFM splits the row before it reads the spans,
    and unescapes `\\|` in them. Only this module's own line breaks (before a hint) reach
    here; values had theirs replaced by `escape`, `code` or `message`.
    """
    text = markdown.replace("|", "\\|")
    return "<br>".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def _table(findings: Sequence[Diagnostic], base: str | None) -> list[str]:
    rows = [_HEADER]
    for d in findings:
        shown = message(d.message)
        if d.hint:
            shown += f"\nhint: {message(d.hint)}"
        for also in d.also:  # a template file's finding: the item that uses the template
            shown += f"\nsee {path_link(also.path, also.line, base)}: {message(also.message)}"
        cells = [escape(d.severity), escape(d.rule), escape(d.item or "")]
        cells += [path_link(d.path, d.line, base), shown]
        rows.append("| " + " | ".join(cell(c) for c in cells) + " |")
    return rows


def render(result: CheckResult, link_base: str | None = None) -> str:
    lines = [
        HEADING,
        "",
        "| items | errors | warnings | waived |",
        "|---:|---:|---:|---:|",
        f"| {result.items} | {result.errors} | {result.warnings} | {len(result.waived)} |",
        "",
    ]
    if result.baselined or result.stale_baseline:
        fixed = (
            f"; {result.stale_baseline} of the recorded ones are fixed"
            if result.stale_baseline
            else ""
        )
        lines.extend(
            [f"{result.baselined} findings recorded in the baseline do not fail{fixed}.", ""]
        )
    lines.extend(_table(result.diagnostics, link_base) if result.diagnostics else [CLEAN])
    if result.waived:
        lines.extend(
            ["", f"### Waived ({len(result.waived)})", "", *_table(result.waived, link_base)]
        )
    return "\n".join(lines) + "\n"
