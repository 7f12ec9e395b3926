"""`backlog history ITEM`: every version of one item across git history, oldest first.

One `git log` of the whole first-parent history (no pathspec, so a prompt's template file
is seen wherever it lives) is walked from HEAD backwards while tracking two paths: the item
file and its `template_file`. Commits that touch neither are skipped without reading
anything; for the others the item (and template) as it was before the commit is read
through one `cat-file --batch` process. The walk follows:

- file moves: the tracked path was the new side of a rename, so continue with the old one;
- id renames: the item file was added (or kept its path) and the item lists the former key
  in `renamed_from`: the former item is looked for among the files the same commit deleted
  or renamed away, then in the parent commit's item folder;
- a move with heavy edits that git reports as delete + add: the same key among the files
  the commit deleted.

A version is a commit whose item data or template differs from the one before it; pure
moves and edits that do not change the data (comments, formatting) are not versions. A
final "working tree" entry shows uncommitted changes. An item gone from the working tree
is found in history (its newest deletion, or the edit that put another id in its file) and
its last entry says when it was removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

from backlog_cli import git
from backlog_cli.classify import (
    Change,
    actual_bump,
    bump_satisfies,
    classify,
    level_of,
    required_bump,
)
from backlog_cli.commands import inventory
from backlog_cli.config import Config
from backlog_cli.errors import BacklogError
from backlog_cli.loader import is_item_path
from backlog_cli.paths import read_text, resolve
from backlog_cli.project import Item, Project
from backlog_cli.versioning import Side, _template_rel, parse_blob

_LEVEL_ORDER = ("major", "minor", "patch", "none")


@dataclass(frozen=True)
class Entry:
    """One version of the item: `side` as committed by `commit` (None: the working tree).

    `side` is None for the entry that removed the item; `previous` is the version before
    (None for the first one).
    """

    commit: git.Commit | None
    side: Side | None
    previous: Side | None
    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()  # a move or id rename: no bump needed, but worth saying

    @property
    def shown(self) -> Side:
        side = self.side or self.previous
        assert side is not None
        return side

    @property
    def level(self) -> str:
        if self.previous is None:
            return "added"
        if self.side is None:
            return "removed"
        return level_of(self.changes)

    @property
    def required(self) -> str:
        if self.previous is None or self.side is None:
            return "none"
        return required_bump(self.previous.version or "", level_of(self.changes))

    @property
    def actual(self) -> str:
        if self.previous is None or self.side is None:
            return "none"
        return actual_bump(self.previous.version or "", self.side.version or "")

    @property
    def bump_ok(self) -> bool:
        return bump_satisfies(self.actual, self.required) and self.actual != "decreased"

    def to_json(self) -> dict[str, Any]:
        commit = self.commit
        reasons = [{"level": c.level, "path": c.path, "reason": c.reason} for c in self.changes]
        reasons += [{"level": "none", "path": "", "reason": note} for note in self.notes]
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

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, "item": self.item, "entries": [e.to_json() for e in self.entries]}


# --- the walk -------------------------------------------------------------------------------


class _Walker:
    """Reads item and template versions out of git for one history walk."""

    def __init__(self, config: Config, repo: Path, reader: git.BlobReader) -> None:
        self.config = config
        self.repo = repo
        self.reader = reader
        self.items_rel = git.relative_to_repo(config.items, repo)
        prefix = git.relative_to_repo(config.project_root, repo)
        self.prefix = "" if prefix in ("", ".") else prefix.rstrip("/") + "/"

    def is_item(self, rel: str | None) -> bool:
        return rel is not None and is_item_path(
            rel, self.items_rel, self.config.exclude, self.prefix
        )

    def read_items(self, rev: str, paths: Sequence[str]) -> list[Side | None]:
        limit = self.config.limits.max_file_size
        blobs = self.reader.read_many([f"{rev}:{p}" for p in paths], limit)
        return [parse_blob(raw, rel, self.config) for rel, raw in zip(paths, blobs, strict=True)]

    def with_template(self, side: Side, rev: str) -> Side:
        """`side` with its template file's path and its content at `rev`."""
        side.template_rel = _template_rel(side)
        if side.template_rel is None:
            side.template = None
            return side
        limit = self.config.limits.max_file_size
        raw = self.reader.read_many([f"{rev}:{side.template_rel}"], limit)[0]
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
            found = self.read_items(parent, [old_path])[0]
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


def _notes(before: Side, after: Side) -> tuple[str, ...]:
    notes = []
    if before.key != after.key:
        notes.append(f"renamed from {before.key}")
    if before.rel != after.rel:
        notes.append(f"moved from {before.rel}")
    return tuple(notes)


def _same(a: Side, b: Side) -> bool:
    return a.data == b.data and a.template == b.template


def _entry(commit: git.Commit | None, side: Side | None, previous: Side | None) -> Entry:
    changes: tuple[Change, ...] = ()
    if side is not None and previous is not None:
        changes = tuple(
            classify(side.kind, previous.data, side.data, previous.template, side.template)
        )
    return Entry(commit, side, previous, changes)


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
    commits = list(git.log(repo, "HEAD"))
    newest: list[Entry] = []  # newest first
    with git.BlobReader(repo) as reader:
        walker = _Walker(config, repo, reader)
        wt_changes = git.changed_files(repo, "HEAD", None)
        current: Side | None
        start = 0
        if item is not None:
            wt_side = _working_side(item, repo, config)
            current = walker.predecessor(wt_side, wt_changes, "HEAD")
            if current is None or not _same(current, wt_side):
                newest.append(_entry(None, wt_side, current))
        else:
            current, start, removal = _removed(walker, name, wt_changes, commits)
            if current is None:
                _unknown(project, name)
            newest.append(removal)
        for index in range(start, len(commits)):
            if current is None:
                break
            commit = commits[index]
            tracked = {current.rel, current.template_rel} - {None}
            if not any(c.new in tracked or c.old in tracked for c in commit.changes):
                continue
            parent = commits[index + 1].sha if index + 1 < len(commits) else None
            before = walker.predecessor(current, commit.changes, parent)
            if before is None or not _same(before, current):
                newest.append(_entry(commit, current, before))
            current = before
    entries = newest[::-1]
    for index in range(1, len(entries)):  # a skipped pure move still shows on the next entry
        entry = entries[index]
        if entry.side is not None:
            notes = _notes(entries[index - 1].shown, entry.side)
            entries[index] = replace(entry, notes=notes)
    return History(entries[-1].shown.key, entries)


def _unknown(project: Project, name: str) -> NoReturn:
    """Exit 2 for an item neither in the working tree nor in history, with a did-you-mean
    from the current items."""
    try:
        inventory.resolve(project, name)
    except BacklogError as exc:
        raise BacklogError(f"{exc}; it is not in the git history of HEAD either") from None
    raise BacklogError(f"unknown item `{name}` (`backlog list` shows them)")  # pragma: no cover


def _removed(
    walker: _Walker, name: str, wt_changes: Sequence[git.FileChange], commits: list[git.Commit]
) -> tuple[Side | None, int, Entry]:
    """Where an item gone from the working tree was last seen: the item as it was just
    before its removal, the index of the commit to walk on from, and the removal entry."""
    found = walker.find_removed(name, wt_changes, "HEAD", None)
    if found is not None:
        return found, 0, Entry(None, None, found)
    for index, commit in enumerate(commits[:-1]):
        parent = commits[index + 1].sha
        found = walker.find_removed(name, commit.changes, parent, commit.sha)
        if found is not None:
            return found, index + 1, Entry(commit, None, found)
    return None, 0, Entry(None, None, None)


# --- text -----------------------------------------------------------------------------------


def _verdict(entry: Entry) -> str | None:
    if entry.bump_ok:
        return None
    if entry.actual == "decreased":
        assert entry.previous is not None and entry.side is not None
        return f"version decreased: {entry.previous.version} -> {entry.side.version}"
    if entry.actual == "none":
        return f"version not bumped: needs {entry.required}"
    if entry.actual == "invalid":
        return f"version is not SemVer: needs a {entry.required} bump"
    return f"bump too small: {entry.actual}, needs {entry.required}"


def _grouped(changes: Iterable[Change]) -> list[str]:
    by_level: dict[str, list[str]] = {}
    for change in changes:
        by_level.setdefault(change.level, []).append(change.reason)
    return [f"{level}: {'; '.join(by_level[level])}" for level in _LEVEL_ORDER if level in by_level]


def render_text(history: History) -> str:
    """One block per entry: a line for the version and the commit, then indented details:
    how it got there (added, moved, renamed), the classified changes by level, and the
    bump verdict when the version did not move enough."""
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
        return [f"added as {after.key} in {after.rel}"]
    if after is None:
        return [f"removed {before.key} from {before.rel}"]
    details = [*entry.notes, *_grouped(entry.changes)]
    status = f"status {before.status} -> {after.status}" if before.status != after.status else ""
    if not entry.changes:
        details.append(f"no spec change ({status})" if status else "no spec change")
    elif status:
        details.append(status)
    verdict = _verdict(entry)
    if verdict:
        details.append(verdict)
    return details
