"""Items at a base ref against items at head: matching by `kind/id`, classification, bumps.

Head is the working tree (a loaded `Project`, untracked files included) or a commit, written
byte for byte as committed into a temporary folder (`git.export_tree`: no `.gitattributes`
processing, unlike `git archive`) and loaded the same way. Base is
read lazily: only files that differ between base and head are read from git (one
`cat-file --batch` process); an item in an unchanged file is the same at both ends.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from backlog_cli import git
from backlog_cli.classify import (
    METADATA,
    Change,
    classify,
    field_changes,
    level_of,
    metadata_changes,
    rename_table,
)
from backlog_cli.config import CONFIG_NAME, Config, load_config
from backlog_cli.diagnostic import printable
from backlog_cli.discovery import is_item_path
from backlog_cli.errors import BacklogError, ParseProblem
from backlog_cli.fsutil import signals_deferred
from backlog_cli.loader import Document, Limits, decode, parse
from backlog_cli.paths import read_text, relpath, resolve
from backlog_cli.project import Project, load_project
from backlog_cli.semver import Bump, Level, actual_bump, bump_satisfies, required_bump
from backlog_cli.vocab import KINDS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

WORKING_TREE = "working tree"


@dataclass
class Side:
    """One item at one end of the comparison."""

    key: str
    kind: str
    id: str
    rel: str  # repository-relative path of the item file
    data: dict[str, Any]
    template: str | None = None  # content of `template_file`, when the prompt has one
    template_rel: str | None = None
    # the loaded file at the head (working tree or `--head` checkout), for positions
    doc: Document | None = field(default=None, compare=False, repr=False)

    def version_line(self) -> int | None:
        """The line of `version:` in the head file (None at the base: no positions kept)."""
        if self.doc is None or "version" not in self.data:
            return None
        return self.doc.locate(("version",), at_key=True)[0]

    @property
    def version(self) -> str | None:
        value = self.data.get("version")
        return value if isinstance(value, str) else None

    @property
    def status(self) -> str | None:
        value = self.data.get("status")
        return value if isinstance(value, str) else None

    @property
    def renamed_from(self) -> list[str]:
        value = self.data.get("renamed_from")
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@dataclass
class ItemChange:
    key: str  # head key (base key for removed items)
    kind: str
    state: str  # added | removed | moved | changed
    base: Side | None
    head: Side | None
    renamed_from: str | None = None  # base key, when the id was renamed
    changes: list[Change] = field(default_factory=list)
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)
    level: Level = Level.NONE
    required: Level = Level.NONE
    actual: Bump = Level.NONE
    # the edits of an item whose only differences are governance metadata (else empty)
    metadata: list[Change] = field(default_factory=list)

    @property
    def change_class(self) -> str:
        """`metadata` for a metadata-only change, else the level's name."""
        return METADATA if self.metadata else self.level

    @property
    def moved(self) -> bool:
        return self.base is not None and self.head is not None and self.base.rel != self.head.rel

    @property
    def bump_ok(self) -> bool:
        return bump_satisfies(self.actual, self.required)


def template_text(side: Side | None) -> str | None:
    """The prompt template of one side: its `template_file`'s text, else `spec.template`."""
    if side is None:
        return None
    if side.template is not None:
        return side.template
    spec = side.data.get("spec")
    template = spec.get("template") if isinstance(spec, dict) else None
    return template if isinstance(template, str) else None


def classified(
    base: Side, head: Side, renames: Mapping[str, str] | None = None
) -> tuple[tuple[Change, ...], tuple[Change, ...]]:
    """The classified changes from `base` to `head` (most severe first) and, when only
    governance metadata differs, its edits (class `metadata`; else empty)."""
    texts = (template_text(base), template_text(head))
    changes = classify(head.kind, base.data, head.data, *texts, renames=renames)
    return tuple(changes), tuple(metadata_changes(head.kind, base.data, head.data, *texts))


@dataclass
class Comparison:
    base_ref: str
    base_sha: str
    head_ref: str
    head_sha: str | None
    items: list[ItemChange]
    notes: list[str] = field(default_factory=list)  # for the user, on stderr

    def get(self, key: str) -> ItemChange | None:
        return next((c for c in self.items if c.key == key), None)


# --- loading -------------------------------------------------------------------------------


def _side_from_data(data: Any, rel: str) -> Side | None:
    if not isinstance(data, dict):
        return None
    kind, item_id = data.get("kind"), data.get("id")
    if kind not in KINDS or not isinstance(item_id, str) or not item_id:
        return None
    return Side(f"{kind}/{item_id}", str(kind), item_id, rel, data)


def parse_blob(raw: bytes | None, rel: str, config: Config) -> Side | None:
    """An item from file content read out of git; None when it does not parse as one."""
    if raw is None or len(raw) > config.limits.max_file_size:
        return None
    try:
        data, _ = parse(decode(raw), config.limits, track=False)
    except ParseProblem:
        return None
    return _side_from_data(data, rel)


def _template_rel(side: Side) -> str | None:
    """The repository-relative path of a prompt's `template_file` (lexically resolved)."""
    if side.kind != "prompt":
        return None
    spec = side.data.get("spec")
    raw = spec.get("template_file") if isinstance(spec, dict) else None
    if not isinstance(raw, str) or not raw.strip() or "\x00" in raw:
        return None
    if raw.startswith("/"):
        joined = PurePosixPath(raw.lstrip("/"))
    else:
        joined = PurePosixPath(side.rel).parent / raw
    parts: list[str] = []
    for part in joined.parts:
        if part == "..":
            if not parts:
                return None  # leaves the repository: missing-file's finding, never read
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts) or None


def _head_sides(project: Project) -> dict[str, Side]:
    root = project.config.repo_root
    sides: dict[str, Side] = {}
    for item in project.items:
        if item.key in sides:
            continue
        side = Side(item.key, item.kind, item.id, item.doc.rel, item.data, doc=item.doc)
        template_rel = _template_rel(side)
        if template_rel is not None:
            side.template_rel = template_rel
            resolved = resolve("/" + template_rel, item.doc.path, root)
            if resolved.path is not None:
                text = read_text(resolved.path, project.config.limits.max_file_size)
                side.template = text if isinstance(text, str) else None
        sides[item.key] = side
    return sides


def materialise(repo: Path, sha: str, dest: Path) -> None:
    """Write the tree of commit `sha` into `dest` as committed (no `.gitattributes`
    processing; members that would leave `dest` are skipped); the repository is untouched."""
    try:
        git.export_tree(repo, sha, dest)
    except OSError as exc:
        raise BacklogError(
            f"cannot write commit {sha[:12]} into the temporary folder {dest}: {exc}; "
            "free some space or point TMPDIR at a writable folder"
        ) from exc
    (dest / ".git").mkdir(exist_ok=True)  # marks the root, so paths stay repo-relative


def load_head(config: Config, repo: Path, head_sha: str, workdir: Path) -> Project:
    materialise(repo, head_sha, workdir)
    project_rel = relpath(config.project_root, repo)
    root = workdir if project_rel in ("", ".") else workdir / project_rel
    if not root.is_dir():
        raise BacklogError(f"the project folder {project_rel} does not exist at {head_sha[:12]}")
    return load_project(load_config(root))


@dataclass(frozen=True)
class _Layout:
    """Which repository-relative paths are item files: what `is_item_path` needs."""

    items_rel: str
    exclude: tuple[str, ...]
    project_prefix: str  # "" or "folder/"

    def holds(self, rel: str) -> bool:
        return is_item_path(rel, self.items_rel, self.exclude, self.project_prefix)


def _layout(config: Config) -> _Layout:
    prefix = relpath(config.project_root, config.repo_root)
    prefix = "" if prefix in ("", ".") else prefix.rstrip("/") + "/"
    return _Layout(relpath(config.items, config.repo_root), config.exclude, prefix)


def _base_layout(
    reader: git.BlobReader, base_sha: str, head: _Layout, limits: Limits
) -> tuple[_Layout, bool]:
    """The layout of the base commit, from its own `backlog.yaml` / `[tool.backlog]` in
    the project's folder (the folder the head's config is in), and whether it has one
    there. Without one, or with one that cannot be read, the head's layout stands in.

    Only `items` and `exclude` are taken, leniently: the base may predate keys or rule ids
    the head's config uses, and it only has to say where its items are.
    """
    prefix = head.project_prefix
    yaml_raw, toml_raw = reader.read_many(
        [f"{base_sha}:{prefix}{CONFIG_NAME}", f"{base_sha}:{prefix}pyproject.toml"],
        limits.max_file_size,
    )
    table: Any = None
    if yaml_raw is not None:
        try:
            table, _ = parse(decode(yaml_raw), limits, track=False)
        except ParseProblem as problem:
            table = {} if problem.message == "empty file" else None
        else:
            table = {} if table is None else table  # `---` alone: the defaults
    elif toml_raw is not None and b"[tool.backlog" in toml_raw:
        try:
            tool = tomllib.loads(toml_raw.decode("utf-8")).get("tool")
            table = tool.get("backlog") if isinstance(tool, dict) else None
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            table = None
    else:
        return head, False
    if not isinstance(table, dict):
        return head, True
    items = table.get("items", "backlog")
    exclude = table.get("exclude", [])
    exclude = [exclude] if isinstance(exclude, str) else exclude
    if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
        return head, True
    items_rel = _within_repo(prefix, items)
    if items_rel is None:
        return head, True
    return _Layout(items_rel, tuple(exclude), prefix), True


def _within_repo(prefix: str, folder: Any) -> str | None:
    """`folder` (a config's `items:`) relative to the repository, lexically; None when it is
    not a path inside the repository (the head's config would be refused for it)."""
    if not isinstance(folder, str) or not folder.strip() or folder.startswith("/"):
        return None
    parts: list[str] = []
    for part in PurePosixPath(prefix + folder).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


def _base_item_paths(repo: Path, base_sha: str, layout: _Layout) -> list[str]:
    """Every item file at the base under `layout` (for a base laid out unlike the head)."""
    folder = layout.items_rel if layout.items_rel not in ("", ".") else ""
    tree = f"{base_sha}:{folder}" if folder else base_sha
    prefix = f"{folder}/" if folder else ""
    return [
        prefix + entry.path
        for entry in git.ls_tree(repo, tree, check=False, sizes=False)
        if entry.mode != "160000" and layout.holds(prefix + entry.path)
    ]


def compare(
    config: Config,
    head: Project,
    repo: Path,
    base_ref: str,
    base_sha: str,
    head_ref: str = WORKING_TREE,
    head_sha: str | None = None,
    only: set[str] | None = None,
) -> Comparison:
    """Every item that differs between base and head (`only`: restrict to these keys).

    Items are found at each end with that end's own configuration, so moving the item folder
    (and changing `items:` with it) moves items rather than adding them all.
    """
    changes = git.changed_files(repo, base_sha, head_sha)
    head_layout = _layout(head.config)
    changed_old = {c.old for c in changes if c.old is not None}
    changed_new = {c.new for c in changes if c.new is not None}
    head_sides = _head_sides(head)
    head_by_rel = {side.rel: side for side in head_sides.values()}

    base_sides: dict[str, Side] = {}
    notes: list[str] = []
    with git.BlobReader(repo) as reader:
        base_layout, base_configured = _base_layout(reader, base_sha, head_layout, config.limits)
        if base_layout == head_layout:
            # the same paths are item files at both ends: only changed files are read
            unchanged = [rel for rel in head_by_rel if rel not in changed_new]
            at_base = set(unchanged) | {p for p in changed_old if base_layout.holds(p)}
        else:
            unchanged = []
            at_base = set(_base_item_paths(repo, base_sha, base_layout))
        reused = [rel for rel in unchanged if rel in at_base and rel not in changed_old]
        reused += sorted(
            rel for rel in at_base - set(reused) if rel in head_by_rel and rel not in changed_old
        )
        for rel in reused:  # same file, same content at base
            side = head_by_rel[rel]
            base_sides.setdefault(
                side.key,
                Side(
                    side.key,
                    side.kind,
                    side.id,
                    side.rel,
                    side.data,
                    side.template,
                    side.template_rel,
                ),
            )
        old_item_paths = sorted(at_base - set(reused))
        blobs = reader.read_many(
            [f"{base_sha}:{p}" for p in old_item_paths], config.limits.max_file_size
        )
        for rel, raw in zip(old_item_paths, blobs, strict=True):
            parsed = parse_blob(raw, rel, config)
            if parsed is not None:
                base_sides.setdefault(parsed.key, parsed)
        # templates at base: read when the template or the prompt's file changed
        wanted: list[tuple[Side, str]] = []
        for side in base_sides.values():
            template_rel = _template_rel(side)
            if template_rel is None:
                continue
            side.template_rel = template_rel
            if (
                side.rel in changed_old
                or side.rel not in head_by_rel
                or template_rel in changed_old
                or template_rel in changed_new
            ):
                side.template = None
                wanted.append((side, template_rel))
        texts = reader.read_many(
            [f"{base_sha}:{rel}" for _, rel in wanted], config.limits.max_file_size
        )
        for (side, _), raw in zip(wanted, texts, strict=True):
            side.template = raw.decode("utf-8", "replace") if raw is not None else None

    # an item file that no longer parses is not a deletion: `yaml-syntax` reports it, and
    # calling it removed would fail every item that refers to it (removed-while-referenced)
    unreadable = {error.rel for error in head.load_errors}
    for key, side in sorted(base_sides.items()):
        if key not in head_sides and side.rel in unreadable:
            del base_sides[key]
            notes.append(
                f"{printable(side.rel)} does not parse at the head: `{printable(key)}` is left "
                "out of the comparison until its yaml-syntax finding is fixed"
            )
    if not base_configured and not at_base and head_sides:
        where = head_layout.project_prefix.rstrip("/") or "."
        notes.append(
            f"the base {printable(base_ref)} has no backlog at {printable(where)}; every item "
            "counts as added (a new backlog, or did the project folder move?)"
        )
    return Comparison(
        base_ref, base_sha, head_ref, head_sha, match(base_sides, head_sides, only), notes
    )


def match(
    base: dict[str, Side], head: dict[str, Side], only: set[str] | None = None
) -> list[ItemChange]:
    """Pair items by `kind/id` (and `renamed_from`) and classify every difference."""
    out: list[ItemChange] = []
    renames = rename_table({key: side.renamed_from for key, side in head.items()})
    renamed: dict[str, str] = {}  # base key -> head key
    for key, side in head.items():
        if key in base:
            continue
        for former in side.renamed_from:
            if former in base and former not in head and former not in renamed:
                renamed[former] = key
                break
    for key in sorted(set(base) | set(head)):
        b, h = base.get(key), head.get(key)
        if b is not None and h is None and key in renamed:
            continue  # reported under its new key
        if h is not None and b is None:
            former_key = next((old for old, new in renamed.items() if new == key), None)
            if former_key is not None:
                b = base[former_key]
        if only is not None and key not in only and (b is None or b.key not in only):
            continue
        if b is None and h is not None:
            out.append(ItemChange(key, h.kind, "added", None, h))
            continue
        if h is None and b is not None:
            out.append(ItemChange(key, b.kind, "removed", b, None))
            continue
        assert b is not None and h is not None
        same = b.data == h.data and template_text(b) == template_text(h)
        if same and b.key == h.key:
            if b.rel != h.rel:
                out.append(ItemChange(key, h.kind, "moved", b, h))
            continue
        change = ItemChange(
            key, h.kind, "changed", b, h, renamed_from=b.key if b.key != h.key else None
        )
        changes, metadata = classified(b, h, renames)
        change.changes, change.metadata = list(changes), list(metadata)
        change.fields = field_changes(b.data, h.data)
        change.level = level_of(change.changes)
        base_version, head_version = b.version or "", h.version or ""
        change.required = required_bump(base_version, change.level)
        change.actual = actual_bump(base_version, head_version)
        out.append(change)
    return out


def with_base(
    config: Config,
    head: Project,
    base_ref: str | None,
    head_ref: str | None,
    only: set[str] | None = None,
    label: str | None = None,
) -> Comparison:
    """The comparison for `--base/--head` options (defaults from the config and git);
    `label` names the base in messages instead of `base_ref`."""
    repo = git.require_repo(config.project_root, "comparing with a base ref")
    if base_ref is not None:
        base_sha = git.verify_ref(repo, base_ref, "base ref")
    else:
        base_sha = git.default_base(repo, config.base)
    shown_base = label or base_ref or config.base or f"merge-base {base_sha[:12]}"
    if head_ref is None:
        comparison = compare(config, head, repo, shown_base, base_sha, only=only)
    else:
        head_sha = git.verify_ref(repo, head_ref, "head ref")
        comparison = compare(
            config, head, repo, shown_base, base_sha, head_ref, head_sha, only=only
        )
    return comparison


def temporary_head(
    config: Config, head_ref: str
) -> tuple[Project, tempfile.TemporaryDirectory[str]]:
    """The project as it is at commit `head_ref` (a temporary checkout the caller keeps)."""
    repo = git.require_repo(config.project_root, "--head")
    head_sha = git.verify_ref(repo, head_ref, "head ref")
    with signals_deferred():  # a Ctrl-C inside the constructor would leave the folder
        workdir = tempfile.TemporaryDirectory(prefix="backlog-head-")
    try:
        return load_head(config, repo, head_sha, Path(workdir.name)), workdir
    except BaseException:
        with signals_deferred():  # a second Ctrl-C must not stop the removal half-way
            workdir.cleanup()
        raise
