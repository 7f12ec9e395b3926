"""`backlog bump`: plan the new versions (by a chosen level, or as each change requires),
then rewrite each item's `version` in place.

Only the characters of the version value change: comments, key order, quoting style, anchors
and tags, blank lines, line endings and a BOM are preserved byte for byte. The value's
position comes from the loader; the edited text is parsed again and must differ from the
original in `version` alone before it is written (atomically). ruamel.yaml's round-trip
dumper was the first candidate, but it re-flows long lines and re-indents sequences, so a
byte-exact splice is the safer tool for a one-value edit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from backlog_cli.commands.inventory import resolve
from backlog_cli.errors import BacklogError, ParseProblem
from backlog_cli.fsutil import write_atomic
from backlog_cli.loader import DEFAULT_LIMITS, Limits, decode, parse, split_lines
from backlog_cli.paths import relpath
from backlog_cli.semver import Level, bump_version, parse_version

if TYPE_CHECKING:
    from backlog_cli.diagnostic import Diagnostic
    from backlog_cli.project import Item, Project
    from backlog_cli.versioning import Comparison

BOM = "\ufeff"

# A node's properties (a verbatim tag `!<...>`, or a tag `!!str` / anchor `&a`, which end at
# a blank or a flow indicator), each followed by blanks, line breaks and comments.
_PROPERTIES = re.compile(r"(?:(?:!<[^>]*>|[&!][^ \t\r\n,\[\]{}]*)(?:[ \t\r\n]+|#[^\r\n]*)*)*")


@dataclass(frozen=True)
class Bump:
    """One planned rewrite: `key`'s file (`path`, `rel` to the repository) from `old` to
    `new`. `old` is what the item says today (`?` when it has no valid version)."""

    key: str
    path: Path
    rel: str
    old: str
    new: str
    why: tuple[str, ...] = ()  # the classification's reasons, or the level asked for

    def to_json(self) -> dict[str, object]:
        return {
            "item": self.key,
            "path": self.rel,
            "from": self.old,
            "to": self.new,
            "why": list(self.why),
        }


# The rules `bump --auto` exists to fix: findings of these never stop it.
VERSION_RULES = frozenset({"version-not-bumped", "version-bump-too-small", "version-decreased"})


def _planned(project: Project, item: Item, old: str, new: str, why: Sequence[str]) -> Bump:
    path = item.doc.path
    return Bump(item.key, path, relpath(path, project.config.repo_root), old, new, tuple(why))


def blocking_errors(project: Project, comparison: Comparison) -> list[Diagnostic]:
    """The errors open in the backlog other than the version rules `--auto` fixes: a bump
    computed over them (a typo'd reference read as a removal) would make things worse."""
    from backlog_cli.engine import CheckOptions, run_check

    result = run_check(project, CheckOptions(), comparison)
    return [d for d in result.diagnostics if d.severity == "error" and d.rule not in VERSION_RULES]


def plan_levels(project: Project, names: Sequence[str], level: Level) -> list[Bump]:
    """`--major/--minor/--patch`: each item named in `names` bumped by `level`."""
    plan: list[Bump] = []
    for name in names:
        item = resolve(project, name)
        if item.version is None:
            raise BacklogError(f"`{item.key}` has no valid version to bump")
        try:
            new = bump_version(item.version, level)
        except ValueError as exc:
            raise BacklogError(f"`{item.key}`: {exc}") from None
        plan.append(_planned(project, item, item.version, new, [f"--{level} asked for"]))
    return plan


def plan_auto(project: Project, comparison: Comparison) -> list[Bump]:
    """`--auto`: every changed item whose version bump is not enough gets the bump its
    classification requires, counted from its version at the base."""
    plan: list[Bump] = []
    for change in comparison.items:
        if change.state != "changed" or change.level == "none" or change.bump_ok:
            continue
        item = project.find(change.key)
        if item is None or change.base is None or change.base.version is None:
            continue
        if parse_version(change.base.version) is None:
            continue  # no valid version at the base: nothing to bump from (as check)
        target = bump_version(change.base.version, change.required)
        why = [f"{c.level}: {c.reason}" for c in change.changes if c.level != Level.NONE]
        plan.append(_planned(project, item, item.version or "?", target, why))
    return plan


def apply(plan: Sequence[Bump], limits: Limits = DEFAULT_LIMITS) -> None:
    """Write every bump of `plan`, in order."""
    for bump in plan:
        write_bump(bump.path, bump.new, limits)


def _scalar_end(line: str, start: int) -> int:
    """Where the scalar starting at `start` in `line` ends (exclusive)."""
    quote = line[start : start + 1]
    if quote in ("'", '"'):
        i = start + 1
        while i < len(line):
            ch = line[i]
            if quote == '"' and ch == "\\":
                i += 2
                continue
            if ch == quote:
                if quote == "'" and line[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        raise BacklogError("the version value spans lines; put it on one line to bump it")
    end = len(line)
    for marker in (" #", "\t#"):
        found = line.find(marker, start)
        if found != -1:
            end = min(end, found)
    for stop in (",", "}", "]"):  # inside a flow mapping
        found = line.find(stop, start)
        if found != -1:
            end = min(end, found)
    return len(line[:end].rstrip(" \t\r\n")) if end > start else start


def _scalar_start(lines: list[str], index: int, start: int) -> tuple[int, int]:
    """The line index and column where the scalar itself begins.

    The loader's position is where the value's node begins, which is its anchor or tag when
    it has one (`version: &v !!str 1.0.0`); splicing from there would drop them.
    """
    rest = "".join(lines[index:])
    properties = _PROPERTIES.match(rest, start)
    assert properties is not None  # the pattern matches the empty string too
    offset = properties.end()
    while offset >= len(lines[index]) and index + 1 < len(lines):
        offset -= len(lines[index])
        index += 1
    return index, offset


def replace_version(text: str, new: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """`text` with the top-level `version` value replaced by `new`, nothing else touched."""
    body = text.removeprefix(BOM)
    try:
        data, positions = parse(body, limits, track=True)
    except ParseProblem as problem:
        raise BacklogError(f"cannot parse the item ({problem.message})") from None
    if not isinstance(data, dict) or "version" not in data:
        raise BacklogError('the item has no `version` line; add `version: "0.1.0"` first')
    _, _, line_no, column = positions[("version",)]
    lines = split_lines(body, keepends=True)
    index, start = _scalar_start(lines, line_no - 1, column - 1)
    line = lines[index]
    end = _scalar_end(line, start)
    quote = line[start] if line[start : start + 1] in ("'", '"') else ""
    lines[index] = f"{line[:start]}{quote}{new}{quote}{line[end:]}"
    result = "".join(lines)
    try:
        after, _ = parse(result, limits, track=False)
    except ParseProblem as problem:  # pragma: no cover - a splice that breaks YAML is a bug
        raise BacklogError(
            f"bumping would break the file ({problem.message}); not written"
        ) from None
    expected = dict(data, version=new)
    if after != expected:
        raise BacklogError("bumping would change more than `version`; the file was not written")
    return (BOM if text.startswith(BOM) else "") + result


def write_bump(path: Path, new: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """Rewrite the version in `path`; returns the old version."""
    if parse_version(new) is None:
        raise BacklogError(f"`{new}` is not a SemVer version")
    try:
        raw = path.read_bytes()
        text = decode(raw)
    except OSError as exc:
        raise BacklogError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except ParseProblem as problem:
        raise BacklogError(f"{path}: {problem.message}") from None
    had_bom = raw.startswith(b"\xef\xbb\xbf")
    data, _ = parse(text, limits, track=False)
    old = data.get("version") if isinstance(data, dict) else None
    updated = replace_version((BOM if had_bom else "") + text, new, limits)
    write_atomic(path, updated)
    return str(old)


@dataclass(frozen=True)
class BrokenRange:
    """A referrer's range that admits a bumped item today but not its new version."""

    referrer: str
    rel: str
    line: int
    ref: str
    version: str

    def to_json(self) -> dict[str, object]:
        return {
            "referrer": self.referrer,
            "path": self.rel,
            "line": self.line,
            "reference": self.ref,
            "version": self.version,
        }


def broken_ranges(project: Project, plan: Sequence[Bump]) -> list[BrokenRange]:
    """Every reference whose range admits the old version of a planned bump but will not
    admit the new one: after the bump, `version-constraint` fails there."""
    from backlog_cli.refs import range_admits

    new = {b.key: b for b in plan}
    graph = project.graph
    out: list[BrokenRange] = []
    for edge in graph.edges:
        bump = new.get(edge.target)
        if bump is None or edge.range is None or edge.source not in graph.nodes:
            continue
        if range_admits(edge.range, bump.new) is not False:
            continue
        if range_admits(edge.range, bump.old) is False:
            continue  # already failing: `version-constraint` reports it today
        source = graph.nodes[edge.source]
        line, _ = source.doc.locate(edge.pointer)
        out.append(BrokenRange(edge.source, source.doc.rel, line, str(edge.ref), bump.new))
    return sorted(out, key=lambda r: (r.rel, r.line, r.ref))
