"""YAML files under the item folder that are not backlog items.

Other tools' files often sit next to the items they belong to (a `promptfooconfig.yaml`
beside its evaluation). Validated as items they would drown the run in schema errors about
keys they were never meant to have; instead each gets one `schema` warning that names the
file as not an item and shows the `exclude:` entry that silences it, and none is counted as
an item.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from backlog_cli.diagnostic import Finding
from backlog_cli.paths import relpath
from backlog_cli.vocab import API_VERSION, KINDS

if TYPE_CHECKING:
    from backlog_cli.config import Config
    from backlog_cli.loader import Document


def is_item_file(doc: Document) -> bool:
    """Whether a parsed file means to be a backlog item: it names a known `kind`, or its
    `apiVersion` is a `backlog/...` one. Anything else (no `apiVersion`, or another tool's
    such as `v1`) is some other tool's YAML that happens to sit under the item folder.

    A file that names a kind but lacks `apiVersion` is an item with a mistake in it, so the
    `schema` rule still reports what it misses.
    """
    summary = doc.summary
    if summary is not None and summary.kind in KINDS:
        return True  # known from the cache's summary, without parsing
    data = doc.data
    if data.get("kind") in KINDS:
        return True
    api = data.get("apiVersion")
    return isinstance(api, str) and api.startswith("backlog/")


def _glob_literal(path: str) -> str:
    """`path` as an `exclude` glob that matches only itself."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in path)


def not_an_item(doc: Document, config: Config) -> Finding:
    """The one finding for a file that is not an item: what it lacks, and how to exclude it."""
    api = doc.data.get("apiVersion")
    if "apiVersion" in doc.data:
        line, column = doc.locate(("apiVersion",))
        shown = json.dumps(api, ensure_ascii=False) if not isinstance(api, str) else api
        why = f"its `apiVersion` is `{shown[:40]}`, not `{API_VERSION}`"
    else:
        line, column = 1, 1
        why = f"it has no `apiVersion: {API_VERSION}`"
    pattern = json.dumps(_glob_literal(relpath(doc.path, config.project_root)))
    if config.source is not None and config.source.name == "pyproject.toml":
        where = f"`exclude = [{pattern}]` under `[tool.backlog]` in {config.source_rel}"
    else:
        where = f"`exclude: [{pattern}]` in {config.source_rel}"
    return Finding(
        path=doc.rel,
        line=line,
        column=column,
        message=f"not a backlog item ({why}); it is not checked or counted as one",
        hint=(
            f"another tool's file? Leave it out of the backlog with {where}; "
            f"an item starts with `apiVersion: {API_VERSION}` and a `kind:`"
        ),
        severity="warning",
    )
