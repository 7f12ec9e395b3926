"""yaml-syntax: the file cannot be read as one YAML mapping.

Fires for invalid YAML, invalid UTF-8 (with the byte offset), an empty file, several
documents in one file, a top level that is not a mapping, a duplicate key, any custom tag
(`!python/object`, `!!binary`, ...), a file over the size cap, aliases that expand past the
bound (a "billion laughs" file), nesting past the depth bound, and merge keys (`<<`). A FIFO
or device file in the item tree is skipped with a warning. Every other file is still checked.

The common slips are named at the place to fix, with the corrected line as the hint:

- `owner: @maria` (or a backtick first): `@` cannot start a plain YAML value; the hint
  shows `owner: "@maria"`.
- `title: GPT-4o mini: query rewriting`: the value of `title` holds `: `; the hint
  shows `title: "GPT-4o mini: query rewriting"`.
- a tab in the indentation: the tab's line and column, and the line; the hint
  shows the line indented with spaces.
- a key (or a `-` item) indented off its siblings: how far it is indented, and the sibling's
  line and indentation; the hint shows the line
  indented like its sibling.
- a quote or bracket that never closes, or runs on into the next key: reported where it
  opened (`line 6, column 8`); the hint shows the line
  closed (`title: "Lookup"`).
- `owner:maria` without a space: YAML reads it as one string; the hint shows
  `owner: maria`.
- a `-` item where a key belongs: the key above already has a value.
- a duplicate key: reported at the second, naming the first's line.
- a Windows-1252 byte (`0x92`): the byte, its line and column, that the file is not UTF-8
  and the character the byte is in Windows-1252 (a right single quotation mark); the hint
  says to re-save the file as UTF-8.

Findings in other files that follow from a file that does not parse (`unknown-reference ...
whose file X does not parse`) are listed after that file's finding, so the cause is read first.

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
