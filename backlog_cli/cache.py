"""A content-keyed cache of what the loader produced for each file.

It lives in `.backlog_cache/` at the repository root (with its own `.gitignore` holding
`*`, as ruff and mypy do), or in `--cache-dir` / `BACKLOG_CACHE_DIR`; `--no-cache` turns
it off. One pack file holds, for each file content seen in the last run, the parsed data or
the load error, keyed by a hash of the bytes, the tool version, the cache format and the
loader limits. The pack is JSON (it cannot execute anything) and is checked entry by entry
on read: a truncated, corrupt or foreign pack is ignored and rebuilt, never trusted. Writes
go to a temporary file that is renamed into place, so parallel runs (pre-commit runs hooks
in parallel) each see an old or a new pack, never a torn one; the last writer wins, and
since entries are keyed by content any writer's pack is right.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from backlog_cli import __version__
from backlog_cli.loader import Document, Limits, LoadError

FORMAT = 1
ENV_VAR = "BACKLOG_CACHE_DIR"
DIR_NAME = ".backlog_cache"
PACK = "items.json"

Entry = dict[str, Any]


def content_key(raw: bytes, limits: Limits) -> str:
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}\0{__version__}\0{limits}\0".encode())
    digest.update(raw)
    return digest.hexdigest()


def directory(repo_root: Path, option: Path | None, disabled: bool) -> Path | None:
    """Where the cache lives, or None when it is off."""
    if disabled:
        return None
    if option is not None:
        return option
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return repo_root / DIR_NAME


class Cache:
    """The parse cache of one run: read once at the start, written once at the end."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._pack: dict[str, Entry] | None = None  # read on first use
        self._new: dict[str, Entry] = {}
        self.hits = 0
        self.misses = 0

    def _read(self) -> dict[str, Entry]:
        assert self.folder is not None
        try:
            payload = json.loads((self.folder / PACK).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            return {}
        if (
            not isinstance(payload, dict)
            or payload.get("format") != FORMAT
            or payload.get("tool") != __version__
            or not isinstance(payload.get("entries"), dict)
        ):
            return {}
        return {k: v for k, v in payload["entries"].items() if _valid(v)}

    @property
    def _old(self) -> dict[str, Entry]:
        if self._pack is None:
            self._pack = self._read() if self.folder is not None else {}
        return self._pack

    def get(
        self, key: str, path: Path, rel: str, text: str, limits: Limits
    ) -> Document | LoadError | None:
        entry = self._old.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._new[key] = entry
        if "data" in entry:
            return Document(path, rel, entry["data"], text, limits)
        message, line, column, hint, warning = entry["error"]
        return LoadError(path, rel, message, line, column, hint, warning)

    def put(self, key: str, loaded: Document | LoadError) -> None:
        if isinstance(loaded, Document):
            self._new[key] = {"data": loaded.data}
        else:
            self._new[key] = {
                "error": [loaded.message, loaded.line, loaded.column, loaded.hint, loaded.warning]
            }

    def save(self) -> None:
        """Write the entries of this run (old ones that no file has any more are dropped)."""
        if self.folder is None or (not self.misses and len(self._new) == len(self._old)):
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                _write(ignore, "# created by backlog-cli\n*\n")
            payload = {"format": FORMAT, "tool": __version__, "entries": self._new}
            _write(self.folder / PACK, json.dumps(payload, separators=(",", ":")))
        except (OSError, ValueError):
            return  # a cache that cannot be written is just a slower next run


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _valid(entry: Any) -> bool:
    if not isinstance(entry, dict) or len(entry) != 1:
        return False
    if "data" in entry:
        return isinstance(entry["data"], dict)
    error = entry.get("error")
    return (
        isinstance(error, list)
        and len(error) == 5
        and isinstance(error[0], str)
        and type(error[1]) is int
        and type(error[2]) is int
        and (error[3] is None or isinstance(error[3], str))
        and isinstance(error[4], bool)
    )


# --- whole-run results ---------------------------------------------------------------------

RESULTS = "results"
KEEP_RESULTS = 8


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def read_result(folder: Path | None, digest: str) -> dict[str, Any] | None:
    """A stored run result for `digest`, if every file it depended on is unchanged."""
    if folder is None:
        return None
    try:
        payload = json.loads((folder / RESULTS / f"{digest}.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if (
        not isinstance(payload, dict)
        or payload.get("format") != FORMAT
        or payload.get("tool") != __version__
        or payload.get("digest") != digest
        or not isinstance(payload.get("refs"), dict)
        or not isinstance(payload.get("result"), dict)
    ):
        return None
    for ref, expected in payload["refs"].items():
        if not isinstance(ref, str) or file_digest(Path(ref)) != expected:
            return None
    result: dict[str, Any] = payload["result"]
    return result


def write_result(
    folder: Path | None, digest: str, refs: dict[str, str | None], result: dict[str, Any]
) -> None:
    if folder is None:
        return
    try:
        target = folder / RESULTS
        target.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            _write(ignore, "# created by backlog-cli\n*\n")
        payload = {
            "format": FORMAT,
            "tool": __version__,
            "digest": digest,
            "refs": refs,
            "result": result,
        }
        _write(target / f"{digest}.json", json.dumps(payload, separators=(",", ":")))
        stored = sorted(target.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in stored[KEEP_RESULTS:]:
            with contextlib.suppress(OSError):
                old.unlink()
    except (OSError, ValueError):
        return
