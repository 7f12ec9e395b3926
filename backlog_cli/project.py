"""A loaded backlog: the config, every file's `Document | LoadError`, and the items.

A YAML file under the item folder that is not a backlog item at all (a `promptfooconfig.yaml`
next to its evaluation) is kept apart in `Project.others` (`foreign.py`): it is no item, is
not counted as one, and only the `schema` rule looks at it (one warning).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from backlog_cli.cache import Cache, content_key
from backlog_cli.config import Config
from backlog_cli.discovery import discover_entries
from backlog_cli.errors import ParseProblem
from backlog_cli.foreign import is_item_file
from backlog_cli.graph import EdgeSpec, Graph
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


@dataclass
class Project:
    config: Config
    documents: list[Document]
    load_errors: list[LoadError]
    others: list[Document] = field(default_factory=list)  # YAML files that are not items
    items: list[Item] = field(init=False)

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
    others: list[Document] = []
    limits = config.limits
    for entry in scanned if scanned is not None else scan(config):
        loaded = _load(entry, limits, cache)
        if isinstance(loaded, LoadError):
            errors.append(loaded)
        else:
            (documents if is_item_file(loaded) else others).append(loaded)
    if cache is not None:
        cache.save()
    return Project(config, documents, errors, others)


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
