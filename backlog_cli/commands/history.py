"""`backlog history ITEM`: every version of one item across git history, oldest first.

One `git log` of the whole history (every branch merged into HEAD, not only the first
parents, so a change is credited to the commit that made it; no pathspec, so a prompt's
template file is seen wherever it lives) lists the commits newest first in date order
(never a parent before its children), each with its files changed against its first
parent. The walk carries the item as it is at each commit back into that commit's parents,
tracking two paths: the item file and its `template_file`. A commit that touches neither is
passed without reading anything; for the others the item (and template) as it was in the
parent is read through one `cat-file --batch` process. A merge is no different when it
leaves the item as its first parent has it; only one that changed it is compared with its
other parents (read, or diffed when the item moved). The walk follows:

- file moves: the tracked path was the new side of a rename, so continue with the old one;
- id renames: the item file was added (or kept its path) and the item lists the former key
  in `renamed_from`: the former item is looked for among the files the same commit deleted
  or renamed away, then in the parent commit's item folder;
- a move with heavy edits that git reports as delete + add: the same key among the files
  the commit deleted.

A version is a commit whose item data or template differs from its parent's, or that moved
the item file; edits that do not change the data (comments, formatting) are not versions.
A merge is a version only for what it made itself: a result (data and template, or path)
that none of its parents had, as a conflict resolution does; what it brings in from a branch
is credited to the branch's commits. A merge that has the item exactly as one parent has it
is followed into that parent only, as `git log` simplifies history, so a change the merge
dropped is not listed and the last entry is the item as it is. A final "working tree" entry
shows uncommitted changes. An item gone from the working tree is found in history (its
newest deletion, or the edit that put another id in its file) and its last entry says when
it was removed. In a shallow clone the oldest entry reached is not claimed as the item's
creation: git cannot know what came before, so the entry says the history is cut off there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any, Literal, NoReturn

from backlog_cli import git
from backlog_cli.classify import METADATA, Change, level_of
from backlog_cli.commands import inventory
from backlog_cli.config import Config
from backlog_cli.discovery import is_item_path
from backlog_cli.errors import BacklogError
from backlog_cli.paths import read_text, resolve
from backlog_cli.project import Item, Project
from backlog_cli.semver import LEVELS, Bump, Level, actual_bump, bump_satisfies, required_bump
from backlog_cli.versioning import Side, _template_rel, classified, parse_blob

CUT_OFF = "history cut off: shallow clone; `git fetch --unshallow` for the rest"
MERGED = "merge result matches no parent"


@dataclass(frozen=True)
class Entry:
    """One version of the item: `side` as committed by `commit` (None: the working tree).

    `side` is None for the entry that removed the item; `previous` is the version before
    (None for the first one). `cut_off`: the first entry of a shallow clone, where git
    cannot tell whether the item was added or is older.
    """

    commit: git.Commit | None
    side: Side | None
    previous: Side | None
    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()  # a move or id rename: no bump needed, but worth saying
    cut_off: bool = False
    metadata: tuple[Change, ...] = ()  # the edits, when only governance metadata changed

    @property
    def shown(self) -> Side:
        side = self.side or self.previous
        assert side is not None
        return side

    @property
    def level(self) -> Level | Literal["added", "removed", "metadata"]:
        if self.cut_off:
            return Level.NONE  # not `added`: what came before is not in the clone
        if self.previous is None:
            return "added"
        if self.side is None:
            return "removed"
        if self.metadata:
            return METADATA
        return level_of(self.changes)

    @property
    def required(self) -> Level:
        if self.previous is None or self.side is None:
            return Level.NONE
        return required_bump(self.previous.version or "", level_of(self.changes))

    @property
    def actual(self) -> Bump:
        if self.previous is None or self.side is None:
            return Level.NONE
        return actual_bump(self.previous.version or "", self.side.version or "")

    @property
    def bump_ok(self) -> bool:
        return bump_satisfies(self.actual, self.required)

    def to_json(self) -> dict[str, Any]:
        commit = self.commit
        reasons = [{"level": c.level, "path": c.path, "reason": c.reason} for c in self.changes]
        reasons += [{"level": METADATA, "path": c.path, "reason": c.reason} for c in self.metadata]
        reasons += [{"level": Level.NONE, "path": "", "reason": note} for note in self.notes]
        return {
            "commit": commit.sha if commit else None,
            "short": commit.sha[:7] if commit else None,
            "date": commit.date if commit else None,
            "author": commit.author if commit else None,
            "subject": commit.subject if commit else None,
            "path": self.shown.rel,
            "key": self.shown.key,
            "version": self.side.version if self.side else None,
            "status": self.side.status if self.side else None,
            "level": self.level,
            "reasons": reasons,
            "required_bump": self.required,
            "actual_bump": self.actual,
            "bump_ok": self.bump_ok,
        }


@dataclass
class History:
    item: str  # the key the history is about (its current one, or its last one if removed)
    entries: list[Entry] = field(default_factory=list)  # oldest first
    notes: list[str] = field(default_factory=list)  # for the user, on stderr (not the JSON)

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, "item": self.item, "entries": [e.to_json() for e in self.entries]}


def _shallow_edge(repo: Path) -> frozenset[str]:
    """The commits whose parents this shallow clone lacks (none in a full clone)."""
    out = git.run(repo, "rev-parse", "--is-shallow-repository", "--git-path", "shallow")
    lines = out.decode("utf-8", "replace").splitlines()
    if len(lines) < 2 or lines[0] != "true":
        return frozenset()
    try:
        listed = (repo / lines[1]).read_text(encoding="ascii", errors="replace")
    except OSError:
        return frozenset()
    return frozenset(line.strip() for line in listed.splitlines() if line.strip())


# --- the walk -------------------------------------------------------------------------------


class _Gone(Enum):
    """The item is not at this commit (it was removed later): look further back for the
    commit that removed it."""

    HERE = "here"


_State = Side | _Gone


class _Walker:
    """Reads item and template versions out of git for one history walk."""

    def __init__(self, config: Config, repo: Path, reader: git.BlobReader) -> None:
        self.config = config
        self.repo = repo
        self.reader = reader
        self.items_rel = git.relative_to_repo(config.items, repo)
        prefix = git.relative_to_repo(config.project_root, repo)
        self.prefix = "" if prefix in ("", ".") else prefix.rstrip("/") + "/"
        # blobs read for the commit being walked: one cat-file round trip costs far more
        # than reading a template along with its item, on the chance it is asked for next
        self.blobs: dict[str, bytes | None] = {}

    def walk(
        self, nodes: Sequence[git.Commit], head: str, start: _State, name: str, edge: frozenset[str]
    ) -> Iterator[Entry]:
        """The entries of the commits from `head` back, newest first: `start` is the item at
        `head` (or `_Gone` when it is removed there, `name` being what to look for)."""
        states: dict[str, _State] = {head: start}
        for node in nodes:  # every child before its parents, so its state is complete
            state = states.pop(node.sha, None)
            if state is None:
                continue  # the item is not there (or not on a line of history it came from)
            self.blobs.clear()
            befores: Sequence[_State | None]
            if isinstance(state, Side):
                sides = self.sides_before(node, state)
                entry = _version(node, state, sides, node.sha in edge)
                befores = _followed(state, sides)
            else:
                gone = self.gone_before(node, name)
                found = [b for b in gone if isinstance(b, Side)]
                # removed here, unless some parent lacks it too (then it was removed there)
                entry = Entry(node, None, found[0]) if gone and found == gone else None
                befores = gone
            if entry is not None:
                yield entry
            for parent, before in zip(node.parents, befores, strict=True):
                if before is not None and not isinstance(states.get(parent), Side):
                    states[parent] = before  # a line that holds the item wins over one without

    def sides_before(self, node: git.Commit, side: Side) -> list[Side | None]:
        """The item as it was in each parent of `node`, which made it `side`: None where a
        parent does not have it, or is not followed (see `_followed`)."""
        if not node.parents:
            return []
        tracked = {side.rel, side.template_rel} - {None}
        if not any(c.new in tracked or c.old in tracked for c in node.changes):
            # as in the first parent; a merge is then followed into that parent only, and
            # costs nothing more however many merges there are
            return [side, *[None] * (len(node.parents) - 1)]
        if len(node.parents) == 1:
            return [self.predecessor(side, node.changes, node.parents[0])]
        # a merge that changed the item against its first parent: if it has the item as
        # another parent has it, it took the item from there; else each parent is looked
        # at (the item at the same path, or a diff when it moved)
        paths = [side.rel, *([side.template_rel] if side.template_rel else [])]
        blobs = self.read([f"{rev}:{p}" for rev in (node.sha, *node.parents) for p in paths])
        size = len(paths)
        mine = blobs[:size]
        theirs = [blobs[n * size : (n + 1) * size] for n in range(1, len(node.parents) + 1)]
        if mine[0] is not None and mine in theirs:
            taken = theirs.index(mine)
            return [side if n == taken else None for n in range(len(node.parents))]
        known = (side.key, *side.renamed_from)
        out = [self.predecessor(side, node.changes, node.parents[0])]
        for parent, blob in zip(node.parents[1:], theirs[1:], strict=True):
            found = parse_blob(blob[0], side.rel, self.config)
            if found is not None and found.key in known:
                out.append(self.with_template(found, parent))
                continue
            changes = git.changed_files(self.repo, parent, node.sha)
            out.append(self.predecessor(side, changes, parent))
        return out

    def gone_before(self, node: git.Commit, name: str) -> list[_State | None]:
        """For each parent of `node`, where the item is not: the item as it was there when
        `node` removed it, or `_Gone` (look further back), or None (not followed). A merge
        whose result lacks the item as a parent lacks it is followed into that parent only,
        like git's history simplification: its removal is on that side."""
        if not node.parents:
            return []
        first = node.parents[0]
        found = self.find_removed(name, node.changes, first, node.sha)
        if found is None:
            return [_Gone.HERE, *[None] * (len(node.parents) - 1)]
        befores: list[_State | None] = [found]
        for parent in node.parents[1:]:
            there = self.same_item(found, parent)
            if there is None:
                return [_Gone.HERE if p == parent else None for p in node.parents]
            befores.append(there)
        return befores

    def same_item(self, side: Side, rev: str) -> Side | None:
        """The item of `side` at `rev`, looked for at the same path."""
        found = self.read_items(rev, [side.rel])[0]
        return self.with_template(found, rev) if found and found.key == side.key else None

    def is_item(self, rel: str | None) -> bool:
        return rel is not None and is_item_path(
            rel, self.items_rel, self.config.exclude, self.prefix
        )

    def read(self, names: Sequence[str]) -> list[bytes | None]:
        """The contents of `names` (`rev:path`; None: missing or too big), in one round trip
        for those not read yet for this commit."""
        missing = [n for n in dict.fromkeys(names) if n not in self.blobs]
        if missing:
            read = self.reader.read_many(missing, self.config.limits.max_file_size)
            self.blobs.update(zip(missing, read, strict=True))
        return [self.blobs[n] for n in names]

    def read_items(
        self, rev: str, paths: Sequence[str], ahead: Sequence[str] = ()
    ) -> list[Side | None]:
        """The items in `paths` at `rev`; `ahead` (`rev:path`) is read along, for later."""
        blobs = self.read([*(f"{rev}:{p}" for p in paths), *ahead])
        return [parse_blob(raw, rel, self.config) for rel, raw in zip(paths, blobs, strict=False)]

    def with_template(self, side: Side, rev: str) -> Side:
        """`side` with its template file's path and its content at `rev`."""
        side.template_rel = _template_rel(side)
        if side.template_rel is None:
            side.template = None
            return side
        raw = self.read([f"{rev}:{side.template_rel}"])[0]
        side.template = raw.decode("utf-8", "replace") if raw is not None else None
        return side

    def predecessor(
        self, side: Side, changes: Sequence[git.FileChange], parent: str | None
    ) -> Side | None:
        """The item as it was at `parent`, before `changes` made it `side`; None when
        `changes` created it (or there is no parent)."""
        if parent is None:
            return None
        known = (side.key, *side.renamed_from)
        change = next((c for c in changes if c.new == side.rel), None)
        if change is None:  # the file is untouched: only the template may have changed
            copy = replace(side, data=side.data)
            return self.with_template(copy, parent)
        old_path = change.old if change.status in ("M", "R") else None
        if old_path is not None:
            template = [f"{parent}:{side.template_rel}"] if side.template_rel else []
            found = self.read_items(parent, [old_path], template)[0]
            if found is not None and found.key in known:
                return self.with_template(found, parent)
        # added, or its path now holds another item: look where the item came from
        gone = [
            c.old
            for c in changes
            if c.old is not None
            and c.old != old_path
            and c.status in ("D", "R")
            and self.is_item(c.old)
        ]
        candidates = self.read_items(parent, gone) if gone else []
        if not any(c is not None and c.key in known for c in candidates) and side.renamed_from:
            candidates = self.read_items(parent, self.tree_items(parent))
        for key in known:
            found = next((c for c in candidates if c is not None and c.key == key), None)
            if found is not None:
                return self.with_template(found, parent)
        return None

    def tree_items(self, rev: str) -> list[str]:
        """The item files in the tree of `rev`."""
        folder = "" if self.items_rel in ("", ".") else self.items_rel
        args = ["ls-tree", "-r", "-z", "--name-only", rev, "--"]
        out = git.run(self.repo, *args, *([folder] if folder else []))
        names = [p.decode("utf-8", "replace") for p in out.split(b"\x00") if p]
        return [p for p in names if self.is_item(p)]

    def find_removed(
        self, name: str, changes: Sequence[git.FileChange], parent: str, at: str | None
    ) -> Side | None:
        """The item called `name` among the item files `changes` delete (or move out of the
        item folder), or edit so that they no longer hold it, as it was at `parent`; `at`
        is the commit that made `changes` (None: the working tree, which lacks the item)."""
        gone = [
            c.old
            for c in changes
            if self.is_item(c.old)
            and (c.status == "D" or (c.status == "R" and not self.is_item(c.new)))
        ]
        for side in self.read_items(parent, [p for p in gone if p is not None]) if gone else []:
            if side is not None and _named(side, name):
                return self.with_template(side, parent)
        # the file stays but another item (or nothing that parses) is in it now: an id
        # changed in place without `renamed_from`. Only files that mention the id are parsed.
        edited = [
            c
            for c in changes
            if c.status in ("M", "R") and self.is_item(c.old) and self.is_item(c.new)
        ]
        if not edited:
            return None
        mention = name.rsplit("/", 1)[-1].encode("utf-8")
        limit = self.config.limits.max_file_size
        olds = self.reader.read_many([f"{parent}:{c.old}" for c in edited], limit)
        for change, raw in zip(edited, olds, strict=True):
            if raw is None or mention not in raw or change.old is None:
                continue
            side = parse_blob(raw, change.old, self.config)
            if side is None or not _named(side, name):
                continue
            if at is not None and change.new is not None:
                now = self.read_items(at, [change.new])[0]
                if now is not None and _named(now, name):
                    continue  # still there: an edit, not the removal
            return self.with_template(side, parent)
        return None


def _named(side: Side, name: str) -> bool:
    if "/" in name:
        return side.key == name or name in side.renamed_from
    return side.id == name or any(k.split("/", 1)[-1] == name for k in side.renamed_from)


def _same(a: Side, b: Side) -> bool:
    return a.data == b.data and a.template == b.template


def _version(
    commit: git.Commit | None, side: Side, befores: Sequence[Side | None], cut_off: bool = False
) -> Entry | None:
    """The entry of a commit (None: the working tree) that made the item `side` from
    `befores`, the item in each of its parents (None where a parent lacks it); None when the
    commit made no version: the data, template and path are each as in some parent.
    `cut_off`: the commit is where a shallow clone's history stops, so an item none of its
    (missing) parents has was not necessarily added there."""
    present = [b for b in befores if b is not None]
    if not present and cut_off:
        return Entry(commit, side, None, notes=(CUT_OFF,), cut_off=True)
    if not present:
        return _entry(commit, side, None)
    same = [b for b in present if _same(b, side)]
    moved = all(b.rel != side.rel for b in present)
    if same and not moved:
        return None  # unchanged, or a merge that took the item from one of its parents
    # the change is told against the parent with the same data (a merge that only moved
    # the file), else the first parent that has the item
    previous = same[0] if same else present[0]
    notes = []
    if all(b.key != side.key for b in present):
        notes.append(f"renamed from {previous.key}")
    if moved:
        notes.append(f"moved from {previous.rel}")
    if len(befores) > 1 and not same:
        notes.append(MERGED)
    return replace(_entry(commit, side, previous), notes=tuple(notes))


def _followed(side: Side, befores: Sequence[Side | None]) -> list[Side | None]:
    """The parents the walk goes on into: like git's history simplification, a merge that has
    the item exactly as one parent has it (data, template and path) took it from there, so
    only that parent is followed. A change the other side made and the merge dropped then
    stays out of the history, whose last entry is the item as it is."""
    for index, before in enumerate(befores):
        if before is not None and _same(before, side) and before.rel == side.rel:
            return [before if n == index else None for n in range(len(befores))]
    return list(befores)


def _entry(commit: git.Commit | None, side: Side | None, previous: Side | None) -> Entry:
    changes: tuple[Change, ...] = ()
    metadata: tuple[Change, ...] = ()
    if side is not None and previous is not None:
        changes, metadata = classified(previous, side)
    return Entry(commit, side, previous, changes, metadata=metadata)


def _working_side(item: Item, repo: Path, config: Config) -> Side:
    side = Side(item.key, item.kind, item.id, git.relative_to_repo(item.doc.path, repo), item.data)
    side.template_rel = _template_rel(side)
    if side.template_rel is not None:
        resolved = resolve("/" + side.template_rel, item.doc.path, repo)
        if resolved.path is not None:
            text = read_text(resolved.path, config.limits.max_file_size)
            side.template = text if isinstance(text, str) else None
    return side


def _successor(project: Project, name: str) -> Item | None:
    """The current item that lists `name` in `renamed_from` (or a unique id in it)."""
    found = [
        i
        for i in project.items
        if _named(Side(i.key, i.kind, i.id, i.doc.rel, i.data), name) and i.key != name
    ]
    return found[0] if len(found) == 1 else None


def _in_working_tree(project: Project, name: str) -> bool:
    if project.find(name) is not None:
        return True
    return "/" not in name and any(i.id == name for i in project.items)


def build(project: Project, name: str) -> History:
    """The history of the item `name` (`kind/id` or a unique id), oldest first."""
    config = project.config
    repo = git.require_repo(config.project_root, "history")
    head = git.run(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
    if not head.strip():
        raise BacklogError(
            f"the repository at {repo} has no commits yet, so there is no history; "
            "commit the backlog first (`git add` and `git commit`)"
        )
    item: Item | None = None
    if _in_working_tree(project, name):
        item = inventory.resolve(project, name)  # exit 2 when a bare id is ambiguous
    else:
        item = _successor(project, name)
    nodes = list(git.log(repo, "HEAD"))  # newest first, never a parent before its children
    edge = _shallow_edge(repo)
    newest: list[Entry] = []
    with git.BlobReader(repo) as reader:
        walker = _Walker(config, repo, reader)
        wt_changes = git.changed_files(repo, "HEAD", None)
        start: _State | None
        if item is not None:
            wt_side = _working_side(item, repo, config)
            start = walker.predecessor(wt_side, wt_changes, "HEAD")
            uncommitted = _version(None, wt_side, [start])
            newest += [uncommitted] if uncommitted is not None else []
        else:
            removed = walker.find_removed(name, wt_changes, "HEAD", None)
            if removed is not None:
                newest.append(Entry(None, None, removed))
            start = removed or _Gone.HERE
        if start is not None:
            newest += walker.walk(nodes, head.decode().strip(), start, name, edge)
    if not newest:
        _unknown(project, name, bool(edge))
    entries = newest[::-1]
    notes = [
        f"this is a shallow clone: the history of {e.shown.key} is cut off at "
        f"{e.commit.sha[:7]}, where it may not have been added; `git fetch --unshallow` "
        "fetches the rest"
        for e in entries
        if e.cut_off and e.commit is not None
    ]
    return History(entries[-1].shown.key, entries, notes)


def _unknown(project: Project, name: str, shallow: bool) -> NoReturn:
    """Exit 2 for an item neither in the working tree nor in history, with a did-you-mean
    from the current items."""
    cut = " (a shallow clone: `git fetch --unshallow` fetches the rest)" if shallow else ""
    try:
        inventory.resolve(project, name)
    except BacklogError as exc:
        raise BacklogError(f"{exc}; it is not in the git history of HEAD either{cut}") from None
    raise BacklogError(f"unknown item `{name}` (`backlog list` shows them)")  # pragma: no cover


# --- text -----------------------------------------------------------------------------------


def _verdict(entry: Entry) -> str | None:
    if entry.bump_ok:
        return None
    if entry.actual == "decreased":
        assert entry.previous is not None and entry.side is not None
        return f"version decreased: {entry.previous.version} -> {entry.side.version}"
    if entry.actual == Level.NONE:
        return f"version not bumped: needs {entry.required}"
    if entry.actual == "invalid":
        return f"version is not SemVer: needs a {entry.required} bump"
    return f"bump too small: {entry.actual}, needs {entry.required}"


def _grouped(changes: Iterable[Change]) -> list[str]:
    by_level: dict[Level, list[str]] = {}
    for change in changes:
        by_level.setdefault(change.level, []).append(change.reason)
    return [f"{level}: {'; '.join(by_level[level])}" for level in LEVELS[::-1] if level in by_level]


def render_text(history: History) -> str:
    """One block per entry: a line for the version and the commit, then indented details:
    how it got there (added, moved, renamed, merged, or where a shallow clone's history is
    cut off), the classified changes by level, and the bump verdict when the version did
    not move enough."""
    entries = history.entries
    count = sum(1 for e in entries if e.side is not None)
    lines = [f"{history.item}: {count} version{'' if count == 1 else 's'}, oldest first", ""]
    heads = [
        (
            (e.side.version or "?") if e.side else "-",
            f"[{e.side.status or '?'}]" if e.side else "[removed]",
        )
        for e in entries
    ]
    widths = [max((len(h[i]) for h in heads), default=0) for i in (0, 1)]
    for entry, (version, status) in zip(entries, heads, strict=True):
        commit = entry.commit
        where = (
            f'{commit.date[:10]}  {commit.sha[:7]}  {commit.author}  "{commit.subject}"'
            if commit
            else "working tree (not committed)"
        )
        lines.append(f"{version.ljust(widths[0])}  {status.ljust(widths[1])}  {where}")
        lines.extend(f"  {d}" for d in _details(entry))
    return "\n".join(lines) + "\n"


def _details(entry: Entry) -> list[str]:
    before, after = entry.previous, entry.side
    if before is None:
        assert after is not None
        if entry.cut_off:
            return [f"{after.key} in {after.rel} ({CUT_OFF})"]
        return [f"added as {after.key} in {after.rel}"]
    if after is None:
        return [f"removed {before.key} from {before.rel}"]
    details = [*entry.notes, *_grouped(entry.changes)]
    status = f"status {before.status} -> {after.status}" if before.status != after.status else ""
    if entry.metadata:  # the only differences: no spec change, and the status is the same
        details.append(f"{METADATA}: {'; '.join(c.reason for c in entry.metadata)}")
    elif not entry.changes:
        details.append(f"no spec change ({status})" if status else "no spec change")
    elif status:
        details.append(status)
    verdict = _verdict(entry)
    if verdict:
        details.append(verdict)
    return details
