"""A loaded backlog: the config, every file's `Document | LoadError`, and the items."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backlog_cli.cache import Cache, content_key
from backlog_cli.config import Config
from backlog_cli.diagnostic import Diagnostic
from backlog_cli.discovery import discover_entries
from backlog_cli.errors import ParseProblem
from backlog_cli.graph import Edge, EdgeSpec, Graph
from backlog_cli.loader import (
    Document,
    Limits,
    LoadError,
    decode,
    load_bytes,
    read_file,
)
from backlog_cli.summary import Summary, summarize
from backlog_cli.vocab import KINDS

if TYPE_CHECKING:
    from backlog_cli.versioning import Comparison


@dataclass
class Item:
    """A document that names a kind and an id: enough to take part in the graph.

    The envelope fields and the references come from the document's summary, so that
    building the graph never needs the data of a document restored lazily from the cache.
    """

    doc: Document
    kind: str
    id: str
    summary: Summary
    key: str = field(init=False)  # `kind/id`

    def __post_init__(self) -> None:
        self.key = f"{self.kind}/{self.id}"

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data

    def text(self, name: str) -> str | None:
        if name in _SUMMARY_TEXT:
            value: str | None = getattr(self.summary, name)
            return value
        value = self.doc.data.get(name)
        return value if isinstance(value, str) else None

    @property
    def version(self) -> str | None:
        return self.summary.version

    @property
    def status(self) -> str | None:
        return self.summary.status

    @property
    def owner(self) -> str | None:
        return self.text("owner")

    @property
    def title(self) -> str | None:
        return self.text("title")

    @property
    def edge_specs(self) -> tuple[EdgeSpec, ...]:
        return self.summary.edges


_SUMMARY_TEXT = frozenset(("version", "status"))


def as_item(doc: Document) -> Item | None:
    summary = doc.summary
    if summary is None:
        summary = doc.summary = summarize(doc.data)
    kind, item_id = summary.kind, summary.id
    if kind in KINDS and item_id:
        return Item(doc, kind, item_id, summary)
    return None


@dataclass(frozen=True)
class Scope:
    """What `check PATHS` reports: findings in these files, or on these items.

    pre-commit passes the staged files. An item file selects its item; a template or
    evaluation config selects the items that use it; the config file selects everything.
    Selected items reach one hop downstream (the items that reference them directly, or
    reference a former id in their `renamed_from`), so a staged change that breaks a
    reference in an unchanged file is still reported there.
    """

    files: frozenset[str]
    items: frozenset[str]

    def covers(self, diagnostic: Diagnostic) -> bool:
        if diagnostic.path in self.files or diagnostic.item in self.items:
            return True
        # a cycle is reported once, at its first item: any selected item on it counts
        return diagnostic.rule == "cycle" and any(
            f"{key} ->" in diagnostic.message or diagnostic.message.endswith(key)
            for key in self.items
        )


@dataclass
class Project:
    config: Config
    documents: list[Document]
    load_errors: list[LoadError]
    items: list[Item] = field(init=False)
    # with `--base`: what changed since the base ref (the versioning rules read it)
    comparison: Comparison | None = None
    # set while `check PATHS` runs: rules may skip what lies outside it (the findings are
    # filtered by it anyway), so that a pre-commit run reads the data of a few items only
    focus: Scope | None = None

    def __post_init__(self) -> None:
        self.items = [item for item in map(as_item, self.documents) if item is not None]

    @cached_property
    def by_key(self) -> dict[str, list[Item]]:
        out: dict[str, list[Item]] = {}
        for item in self.items:
            out.setdefault(item.key, []).append(item)
        return out

    @cached_property
    def graph(self) -> Graph:
        return Graph.build(self.items)

    def find(self, key: str) -> Item | None:
        found = self.by_key.get(key)
        return found[0] if found else None

    # -- what the rules look at: everything, or what the focus covers ----------------------

    def checks(self, key: str) -> bool:
        """Whether findings on the item `key` can be reported in this run."""
        return self.focus is None or key in self.focus.items

    def checked_documents(self) -> list[Document]:
        focus = self.focus
        if focus is None:
            return self.documents
        return [d for d in self.documents if d.rel in focus.files or _key(d) in focus.items]

    def checked_load_errors(self) -> list[LoadError]:
        focus = self.focus
        if focus is None:
            return self.load_errors
        return [e for e in self.load_errors if e.rel in focus.files]

    def checked_items(self) -> list[Item]:
        """Every item (duplicates included) the findings may be about."""
        focus = self.focus
        if focus is None:
            return self.items
        return [i for i in self.items if i.key in focus.items or i.doc.rel in focus.files]

    def checked_nodes(self) -> list[Item]:
        """The graph's nodes (the first file of a duplicate id) the findings may be about."""
        nodes = self.graph.nodes
        focus = self.focus
        if focus is None:
            return list(nodes.values())
        return [nodes[k] for k in sorted(focus.items) if k in nodes]

    def checked_edges(self) -> list[Edge]:
        """The references whose referring item the findings may be about."""
        graph = self.graph
        focus = self.focus
        if focus is None:
            return graph.edges
        return [e for k in sorted(focus.items) for e in graph.upstream.get(k, ())]


def _key(doc: Document) -> str | None:
    summary = doc.summary
    if summary is None or summary.kind is None or summary.id is None:
        return None
    return f"{summary.kind}/{summary.id}"


def _outside(path: Path, rel: str, repo_root: Path) -> LoadError | None:
    """A symlinked item file that resolves outside the repository is not read."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None  # a dangling link or a loop: read_file reports it
    if target.is_relative_to(repo_root.resolve()):
        return None
    return LoadError(path, rel, "symlink points outside the repository; not read", warning=True)


@dataclass(frozen=True)
class Scanned:
    """One item file, read but not parsed: its bytes (or why not) and its content key."""

    path: Path
    rel: str
    raw: bytes | LoadError
    key: str | None


def scan(config: Config) -> list[Scanned]:
    """Read every item file once (the cache keys and a whole-run digest come from this)."""
    out: list[Scanned] = []
    if not config.items.is_dir():
        return out
    found = discover_entries(config.items, config.repo_root, config.exclude, config.project_root)
    limits, root = config.limits, config.repo_root
    for name, rel, link, problem in found:
        path = Path(name)
        if problem is not None:  # a folder that cannot be listed: its items go unchecked
            out.append(Scanned(path, rel, LoadError(path, rel, problem), None))
            continue
        raw = (_outside(path, rel, root) if link else None) or read_file(path, rel, limits)
        key = content_key(raw, limits) if isinstance(raw, bytes) else None
        out.append(Scanned(path, rel, raw, key))
    return out


def load_project(
    config: Config, cache: Cache | None = None, scanned: list[Scanned] | None = None
) -> Project:
    """Every item file under the item folder, parsed (or taken from the content cache)."""
    documents: list[Document] = []
    errors: list[LoadError] = []
    limits = config.limits
    for entry in scanned if scanned is not None else scan(config):
        loaded = _load(entry, limits, cache)
        (errors if isinstance(loaded, LoadError) else documents).append(loaded)  # type: ignore[arg-type]
    if cache is not None:
        cache.save()
    return Project(config, documents, errors)


def _load(entry: Scanned, limits: Limits, cache: Cache | None) -> Document | LoadError:
    path, rel, raw, key = entry.path, entry.rel, entry.raw, entry.key
    if isinstance(raw, LoadError):
        return raw
    if cache is None or key is None:
        return load_bytes(path, rel, raw, limits)
    try:
        text = decode(raw)
    except ParseProblem:
        text = ""
    hit = cache.get(key, path, rel, text, limits)
    if hit is not None:
        return hit
    loaded = load_bytes(path, rel, raw, limits)
    cache.put(key, loaded)
    return loaded
