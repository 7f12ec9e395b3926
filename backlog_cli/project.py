"""A loaded backlog: the config, every file's `Document | LoadError`, and the items."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backlog_cli.config import Config
from backlog_cli.graph import Graph
from backlog_cli.loader import Document, LoadError, discover, load_file
from backlog_cli.refs import KINDS

if TYPE_CHECKING:
    from backlog_cli.versioning import Comparison


@dataclass
class Item:
    """A document that names a kind and an id: enough to take part in the graph."""

    doc: Document
    kind: str
    id: str

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.id}"

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data

    def text(self, name: str) -> str | None:
        value = self.doc.data.get(name)
        return value if isinstance(value, str) else None

    @property
    def version(self) -> str | None:
        return self.text("version")

    @property
    def status(self) -> str | None:
        return self.text("status")

    @property
    def owner(self) -> str | None:
        return self.text("owner")

    @property
    def title(self) -> str | None:
        return self.text("title")


def as_item(doc: Document) -> Item | None:
    kind, item_id = doc.data.get("kind"), doc.data.get("id")
    if kind in KINDS and isinstance(item_id, str) and item_id:
        return Item(doc, kind, item_id)
    return None


@dataclass
class Project:
    config: Config
    documents: list[Document]
    load_errors: list[LoadError]
    items: list[Item] = field(init=False)
    # with `--base`: what changed since the base ref (the versioning rules read it)
    comparison: Comparison | None = None

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
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None  # a dangling link or a loop: load_file reports it
    if target.is_relative_to(repo_root.resolve()):
        return None
    return LoadError(path, rel, "symlink points outside the repository; not read", warning=True)


def load_project(config: Config) -> Project:
    documents: list[Document] = []
    errors: list[LoadError] = []
    if config.items.is_dir():
        found = discover(config.items, config.repo_root, config.exclude, config.project_root)
        for path, rel in found:
            loaded = _outside(path, rel, config.repo_root) or load_file(path, rel, config.limits)
            (errors if isinstance(loaded, LoadError) else documents).append(loaded)  # type: ignore[arg-type]
    return Project(config, documents, errors)
