"""The one type that carries a finding, from every rule to every reporter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Location:
    """Another place a finding concerns, with what it is there: for a finding in a template
    file, the item that uses the template. SARIF `relatedLocations`, a note in the others."""

    path: str  # relative to the repository root, posix form
    line: int
    column: int
    message: str

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding. Ordered by file, then position, then rule, as reports list them.

    `path` is relative to the repository root (posix form); `line` and `column` are 1-based;
    `item` is `kind/id` when the finding belongs to an item.
    """

    path: str
    line: int
    column: int
    rule: str
    severity: Severity
    message: str
    item: str | None = None
    hint: str | None = None
    # other items the finding is about (the members of a cycle): `check PATHS` reports it when
    # one of them is in scope. Not part of the finding's identity nor of any output.
    related: tuple[str, ...] = field(default=(), compare=False, repr=False)
    # the file that does not parse whose finding this one follows from (`... whose file X
    # does not parse`): reports list it after that file (`report_order`). Not in any output.
    follows: str | None = field(default=None, compare=False, repr=False)
    # other places the finding concerns (a template file's finding: the item using it). Not
    # part of the finding's identity; shown by every report, in JSON only when there are any
    also: tuple[Location, ...] = field(default=(), compare=False, repr=False)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "item": self.item,
            "message": self.message,
            "hint": self.hint,
        }
        if self.also:
            out["related_locations"] = [location.to_json() for location in self.also]
        return out


@dataclass(frozen=True, order=True)
class Finding:
    """What a rule yields: where, what, and how to fix it.

    The engine turns it into a `Diagnostic` by adding the rule's id and the severity: the
    config's override for the rule, else `severity` when the rule sets one for this finding
    (a deprecated dependency is only a warning), else the rule's default.
    """

    path: str
    line: int
    column: int
    message: str
    item: str | None = None
    hint: str | None = None
    severity: Severity | None = None
    related: tuple[str, ...] = ()  # see Diagnostic.related
    follows: str | None = None  # see Diagnostic.follows
    also: tuple[Location, ...] = ()  # see Diagnostic.also


def printable(text: str) -> str:
    """`text` with control and other invisible characters escaped (`\\n`, `\\x1b`, `\\u202e`).

    Messages quote what users wrote (titles, owners, values, file names). Printed raw, an
    escape sequence would recolour or clear the terminal and a line break would start a line
    of its own that a CI log reads as a command (`::error ...` in GitHub Actions)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def report_order(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """By file, then position, then rule; but a file whose findings follow from a file that
    does not parse (`unknown-reference ... whose file X does not parse`) comes right after
    that file, so that the first thing a reader meets is the cause, not its echo."""
    found = list(diagnostics)
    anchor: dict[str, str] = {}
    for d in found:
        if d.follows is not None and d.follows > anchor.get(d.path, d.path):
            anchor[d.path] = d.follows
    return sorted(found, key=lambda d: (anchor.get(d.path, d.path), d.path in anchor, d))
