"""`bump --auto --update-dependents`: widen the ranges a bump breaks, bump their referrers.

After `plan_auto`, every reference whose range admitted its target's old version but not the
planned new one is widened in its own style (`widen.widen`); the referrer is then classified
against the base as `--auto` classifies any edit (a range-only change is minor, so 0.x items
take a patch) and bumped when its version does not cover that; the new versions can break
further ranges, so this repeats until nothing changes. Versions are counted from the base,
never from one another, so the loop settles.

Everything is planned before anything is written: each file's new text is made by byte-exact
splices (the reference's characters, then the version's), parsed again and compared with
the data expected; only when every file passed is any written (each atomically).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backlog_cli.commands.bump import (
    BOM,
    Bump,
    _scalar_end,
    _scalar_start,
    replace_version,
)
from backlog_cli.errors import BacklogError, ParseProblem
from backlog_cli.fsutil import write_atomic
from backlog_cli.loader import DEFAULT_LIMITS, Limits, decode, parse, split_lines
from backlog_cli.paths import relpath

if TYPE_CHECKING:
    from backlog_cli.project import Item, Project
    from backlog_cli.versioning import Comparison
    from backlog_cli.vocab import Pointer


@dataclass(frozen=True)
class RangeEdit:
    """One reference rewritten: `old` -> `new` (both `kind/id@range`) in `referrer`'s file."""

    referrer: str
    path: Path
    rel: str
    line: int
    pointer: Pointer
    old: str
    new: str
    version: str  # the target's new version, which `new` admits

    def to_json(self) -> dict[str, object]:
        return {
            "referrer": self.referrer,
            "path": self.rel,
            "line": self.line,
            "from": self.old,
            "to": self.new,
            "version": self.version,
        }


@dataclass(frozen=True)
class Revalidate:
    """A referrer downstream of a bump, in a status that asks for a fresh look."""

    item: str
    status: str
    why: str

    def to_json(self) -> dict[str, object]:
        return {"item": self.item, "status": self.status, "why": self.why}


@dataclass
class Outcome:
    plan: list[Bump]
    edits: list[RangeEdit]
    revalidate: list[Revalidate]
    texts: dict[Path, str] = field(default_factory=dict)  # every file's new text, verified

    def write(self) -> None:
        for path, text in self.texts.items():
            write_atomic(path, text)


def _set(data: Any, pointer: Pointer, value: str) -> Any:
    out = copy.deepcopy(data)
    target = out
    for part in pointer[:-1]:
        target = target[part]
    target[pointer[-1]] = value
    return out


def _referrer_bump(
    project: Project,
    comparison: Comparison,
    item: Item,
    data: dict[str, Any],
    renames: dict[str, str],
) -> Bump | None:
    """The bump `item` needs with `data` (its edited ranges) against the base, or None."""
    from backlog_cli.classify import level_of
    from backlog_cli.semver import actual_bump, bump_satisfies, bump_version, required_bump
    from backlog_cli.semver import parse_version as version_of
    from backlog_cli.versioning import Side, classified

    change = comparison.get(item.key)
    if change is not None:
        if change.state not in ("changed", "moved") or change.base is None or change.head is None:
            return None  # added: no version rule applies to it
        base, head = change.base, replace(change.head, data=data)
    else:  # the same at the base as at head, but for the edited ranges
        base = Side(item.key, item.kind, item.id, item.doc.rel, item.data)
        head = replace(base, data=data)
    base_version = base.version or ""
    if version_of(base_version) is None:
        return None
    changes, _ = classified(base, head, renames)
    required = required_bump(base_version, level_of(changes))
    if bump_satisfies(actual_bump(base_version, item.version or ""), required):
        return None
    why = tuple(f"{c.level}: {c.reason}" for c in changes if c.level != "none")
    path = item.doc.path
    rel = relpath(path, project.config.repo_root)
    return Bump(item.key, path, rel, item.version or "?", bump_version(base_version, required), why)


def _renames(project: Project) -> dict[str, str]:
    from backlog_cli.classify import rename_table

    table: dict[str, list[str]] = {}
    for item in project.items:
        value = item.data.get("renamed_from")
        table[item.key] = (
            [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
        )
    return rename_table(table)


def plan(project: Project, comparison: Comparison, bumps: Sequence[Bump]) -> Outcome:
    """Widen every range the bumps break, bump the referrers, until stable; then verify
    every file's new text (raises BacklogError, nothing written, when one cannot be made)."""
    from backlog_cli.refs import range_admits
    from backlog_cli.widen import widen

    graph = project.graph
    versions = {b.key: b for b in bumps}
    edits: dict[tuple[str, Pointer], RangeEdit] = {}
    edited: dict[str, dict[str, Any]] = {}
    renames = _renames(project)
    edges = sorted(graph.edges, key=lambda e: (e.source, e.relation, str(e.pointer)))
    for _ in range(len(graph.nodes) + len(edges) + 2):
        touched: list[str] = []
        for edge in edges:
            bump = versions.get(edge.target)
            if bump is None or edge.range is None or edge.source not in graph.nodes:
                continue
            previous = edits.get((edge.source, edge.pointer))
            current = previous.new.partition("@")[2] if previous else edge.range
            if range_admits(current, bump.new) is not False:
                continue
            if previous is None and range_admits(edge.range, bump.old) is False:
                continue  # failing before the bump: `version-constraint` reports it
            source = graph.nodes[edge.source]
            line, _ = source.doc.locate(edge.pointer)
            written = f"{edge.target}@{current}"
            widened = widen(current, bump.new)
            if widened is None:
                raise BacklogError(
                    f"{source.doc.rel}:{line}: cannot widen `{written}` to admit {bump.new} "
                    "in its own style; widen it by hand, then run bump again (nothing written)"
                )
            raw = _get(source.data, edge.pointer)
            new_ref = f"{raw.partition('@')[0]}@{widened}"
            edits[(edge.source, edge.pointer)] = RangeEdit(
                edge.source,
                source.doc.path,
                source.doc.rel,
                line,
                edge.pointer,
                previous.old if previous else raw,
                new_ref,
                bump.new,
            )
            edited[edge.source] = _set(edited.get(edge.source, source.data), edge.pointer, new_ref)
            touched.append(edge.source)
        changed = False
        for key in dict.fromkeys(touched):
            item = graph.nodes[key]
            needed = _referrer_bump(project, comparison, item, edited[key], renames)
            own = versions.get(key)
            if needed is None or (own is not None and _not_lower(needed.new, own.new)):
                continue
            versions[key] = needed if own is None else replace(needed, old=own.old)
            changed = True
        if not changed:
            break
    else:  # pragma: no cover - versions only grow from the base: the loop settles
        raise BacklogError("updating dependents did not settle; nothing written")
    outcome = Outcome(
        list(versions.values()), sorted(edits.values(), key=lambda e: (e.rel, e.line)), []
    )
    outcome.revalidate = revalidate(project, [b.key for b in bumps])
    outcome.texts = render(outcome.plan, outcome.edits, project.config.limits)
    return outcome


def _not_lower(candidate: str, current: str) -> bool:
    """Whether `candidate` is no higher than `current` (the current plan already covers it)."""
    from backlog_cli.semver import parse_version

    a, b = parse_version(candidate), parse_version(current)
    return a is not None and b is not None and a <= b


def _get(data: Any, pointer: Pointer) -> str:
    for part in pointer:
        data = data[part]
    assert isinstance(data, str)
    return data


def revalidate(project: Project, seeds: Sequence[str]) -> list[Revalidate]:
    """Everything downstream of the bumped items that is ready, in progress or done, with
    the chain of references from a bumped item (as `backlog impact` shows it)."""
    from backlog_cli.commands.impact import REVALIDATE
    from backlog_cli.graph import walk

    graph = project.graph
    reached = walk(graph, seeds, "down")
    out: list[Revalidate] = []
    for key in sorted(reached, key=lambda k: (reached[k].depth, k)):
        node = graph.nodes.get(key)
        found = reached[key]
        if node is None or not found.path or node.status not in REVALIDATE:
            continue
        chain = [found.path[0].target] + [f"{e.source} ({e.relation})" for e in found.path]
        out.append(Revalidate(key, node.status or "", " <- ".join(chain)))
    return out


def splice_reference(
    text: str, pointer: Pointer, old: str, new: str, limits: Limits = DEFAULT_LIMITS
) -> str:
    """`text` with the reference at `pointer` rewritten from `old` to `new`, byte for byte
    everything else; verified by parsing the result again."""
    body = text.removeprefix(BOM)
    try:
        data, positions = parse(body, limits, track=True)
    except ParseProblem as problem:
        raise BacklogError(f"cannot parse the item ({problem.message})") from None
    position = positions.get(pointer)
    if position is None:
        raise BacklogError(f"`{old}` is no longer where it was")
    lines = split_lines(body, keepends=True)
    index, start = _scalar_start(lines, position[2] - 1, position[3] - 1)
    line = lines[index]
    try:
        end = _scalar_end(line, start)
    except BacklogError:
        end = start
    raw = line[start:end]
    at = raw.find(old)
    if at == -1 or raw.count(old) != 1:
        raise BacklogError(
            f"`{old}` is not written on one line as it reads (an escape or a line break "
            "inside it); widen it by hand"
        )
    lines[index] = f"{line[:start]}{raw[:at]}{new}{raw[at + len(old) :]}{line[end:]}"
    result = "".join(lines)
    try:
        after, _ = parse(result, limits, track=False)
    except ParseProblem:
        after = None
    if after != _set(data, pointer, new):
        raise BacklogError(
            f"rewriting `{old}` would change more than the reference; widen it by hand"
        )
    return (BOM if text.startswith(BOM) else "") + result


def render(
    bumps: Sequence[Bump], edits: Sequence[RangeEdit], limits: Limits = DEFAULT_LIMITS
) -> dict[Path, str]:
    """Every touched file's new text (range edits, then the version), each verified."""
    texts: dict[Path, str] = {}
    paths = list(dict.fromkeys([*(e.path for e in edits), *(b.path for b in bumps)]))
    for path in paths:
        try:
            raw = path.read_bytes()
            text = decode(raw)
        except OSError as exc:
            raise BacklogError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        except ParseProblem as problem:
            raise BacklogError(f"{path}: {problem.message}") from None
        text = (BOM if raw.startswith(b"\xef\xbb\xbf") else "") + text
        rel = str(path)
        try:
            for edit in (e for e in edits if e.path == path):
                rel = edit.rel
                text = splice_reference(text, edit.pointer, edit.old, edit.new, limits)
            for bump in (b for b in bumps if b.path == path):
                rel = bump.rel
                text = replace_version(text, bump.new, limits)
        except BacklogError as exc:
            raise BacklogError(f"{rel}: {exc}; nothing written") from None
        texts[path] = text
    return texts
