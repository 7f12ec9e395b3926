"""File paths: as the tool shows them (`relpath`), and as items write them (`template_file`,
`config`), resolved safely.

A path written in an item is relative to the item's own file, like a Markdown link; a leading
`/` means the repository root. A path that leaves the repository — by `..`, by an absolute
target, or through a symlink anywhere on the way — is refused, and its content is never read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple


@dataclass(frozen=True)
class Resolved:
    path: Path | None  # the real file, when it exists inside the repository
    problem: str | None  # why not, in words, when it does not


def written(raw: str, item_file: Path, repo_root: Path) -> Path:
    """Where a path written in an item points, lexically (absolute, `..` folded, nothing
    resolved or checked): relative to the item's file, or to `repo_root` with a leading `/`."""
    candidate = repo_root / raw.lstrip("/") if raw.startswith("/") else item_file.parent / raw
    return Path(os.path.normpath(os.path.abspath(candidate)))


def resolve(raw: str, item_file: Path, repo_root: Path) -> Resolved:
    root = repo_root.resolve()
    if not raw.strip():
        return Resolved(None, "the path is empty")
    if "\x00" in raw:
        return Resolved(None, "the path contains a NUL character")
    candidate = root / raw.lstrip("/") if raw.startswith("/") else item_file.parent / raw
    # judge the path as written first: `..` must not climb out even if it climbs back
    lexical = written(raw, item_file, root)
    if not lexical.is_relative_to(root) and not _inside_unresolved(lexical, repo_root):
        return Resolved(None, "the path leaves the repository")
    try:
        real = candidate.resolve(strict=True)
    except FileNotFoundError:
        return Resolved(None, "no such file")
    except (OSError, RuntimeError) as exc:  # symlink loops, permission errors
        return Resolved(None, f"cannot be read ({exc.__class__.__name__})")
    if not real.is_relative_to(root):
        return Resolved(None, "the path leads outside the repository (through a symlink)")
    if real.is_dir():
        return Resolved(None, "is a folder, not a file")
    return Resolved(real, None)


def _inside_unresolved(lexical: Path, repo_root: Path) -> bool:
    # the repository root may itself be reached through a symlink (e.g. /tmp -> /private/tmp)
    return lexical.is_relative_to(Path(os.path.abspath(repo_root)))


class Unreadable(NamedTuple):
    """Why a referenced file's text could not be read, and what to do about it."""

    why: str
    hint: str


def read_text(path: Path, limit: int) -> str | Unreadable:
    """A resolved template file's text, or why not (too large, unreadable, not UTF-8)."""
    try:
        if path.stat().st_size > limit:
            return Unreadable(
                f"it is over the {limit}-byte size cap",
                "split the template, or raise `limits.max_file_size` in the config",
            )
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return Unreadable("it is not UTF-8 text", "save the template as UTF-8 text")
    except OSError as exc:
        return Unreadable(
            f"it cannot be read ({exc.strerror or exc})",
            "make the file readable by the user that runs the check",
        )


def relpath(path: Path, root: Path) -> str:
    """`path` relative to `root` in posix form, as findings and JSON output show it; with
    `../` steps when it lies outside `root` (never an absolute path)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()
