"""The item schemas inside a user's repository, and the modeline that points at them.

`init` writes the item schemas (envelope, one per kind, and `item`) into `schemas/` next to
the config, and every `$schema` modeline `new` and `init` write is relative to the item's
file and lands there. A modeline never holds a path of the machine the tool is installed on:
committed, it would break for every other clone. Without the repository's own copy there is
no modeline (the command says how to get one).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from backlog_cli.fsutil import write_atomic
from backlog_cli.schemas import ID_BASE, ITEM_SCHEMAS, dumps, file_name, load, schema_dir

FOLDER = "schemas"  # relative to the project root (the config's folder)


def is_ours(path: Path, name: str) -> bool:
    """Whether `path` is this tool's schema `name` (any version), told by its `$id`: a
    product repository may have an unrelated `schemas/` folder."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("$id") == ID_BASE + file_name(name)


@dataclass(frozen=True)
class SchemaFile:
    path: Path
    written: bool
    skipped: str | None = None  # why it was left alone


def write_item_schemas(folder: Path, *, force: bool = False) -> list[SchemaFile]:
    """Write the item schemas into `folder`; an existing file that is not this tool's schema
    is never touched, and one of another version of it only with `force`."""
    out = []
    for name in ITEM_SCHEMAS:
        target = folder / file_name(name)
        text = dumps(load(name))
        if os.path.lexists(target) and not target.is_symlink():
            if target.read_bytes() == text.encode("utf-8"):
                out.append(SchemaFile(target, False))
                continue
            if not is_ours(target, name):
                out.append(SchemaFile(target, False, "exists and is not backlog-cli's schema"))
                continue
            if not force:
                out.append(SchemaFile(target, False, "differs; --force rewrites it"))
                continue
        out.append(SchemaFile(target, write_atomic(target, text, force=True)))
    return out


def modeline_target(kind: str, folder: Path, project_root: Path, repo_root: Path) -> str | None:
    """The `$schema` for an item of `kind` written into `folder`, relative to it: the
    project's `schemas/` copy (else the repository root's), or the shipped copy when the
    package itself lies inside the repository (a source checkout). None when there is none."""
    name = file_name(kind)
    for candidate in (project_root / FOLDER / name, repo_root / FOLDER / name):
        if is_ours(candidate, kind):
            return _relative(candidate, folder)
    shipped = (schema_dir() / name).resolve()
    if shipped.is_relative_to(repo_root.resolve()):
        return _relative(shipped, folder)
    return None


def _relative(path: Path, folder: Path) -> str | None:
    try:
        return Path(os.path.relpath(path, folder)).as_posix()
    except ValueError:  # another drive on Windows: no relative path exists
        return None
