"""A content-keyed cache of what the loader produced for each file.

It lives in `.backlog_cache/` at the repository root (with its own `.gitignore` holding
`*`, as ruff and mypy do), or in `--cache-dir` / `BACKLOG_CACHE_DIR`; `--no-cache` turns
it off. Entries are keyed by a hash of the file's bytes, the tool version, the cache format
and the loader limits, in two packs:

- `index.json`: for every file content seen in the last run, its summary (what the graph,
  the scope and the reports need: kind, id, version, references, ...) or its load error.
  Every run reads it.
- `items.json`: the parsed data. Only a run that reports on the whole backlog reads it; a
  `check PATH` run parses the few files it reports on instead (a millisecond each), which
  is what keeps the pre-commit hook fast on a big backlog.

Both are JSON (nothing in them can execute) and are checked entry by entry on read: a
truncated, corrupt or foreign pack or entry is ignored and rebuilt, never trusted. Writes go
to a temporary file that is renamed into place, so parallel runs (pre-commit runs hooks in
parallel) each see an old or a new pack, never a torn one; the last writer wins, and since
entries are keyed by content any writer's pack is right.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from backlog_cli import __version__
from backlog_cli.errors import BacklogError
from backlog_cli.fsutil import replace_atomically
from backlog_cli.loader import Document, Limits, LoadError
from backlog_cli.summary import Summary, from_json, summarize

FORMAT = 4
_MARKER = "# created by backlog-cli"
ENV_VAR = "BACKLOG_CACHE_DIR"
DIR_NAME = ".backlog_cache"
INDEX = "index.json"
PACK = "items.json"
# misses a lazy run does not rewrite the index for (a parse costs ~1 ms; a rewrite ~50 ms)
LAZY_MISSES_UNSAVED = 32

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
        chosen, source = option, "--cache-dir"
    elif os.environ.get(ENV_VAR):
        chosen, source = Path(os.environ[ENV_VAR]), ENV_VAR
    else:
        return repo_root / DIR_NAME
    if repo_root.resolve().is_relative_to(chosen.resolve()) or not _ours_or_empty(chosen):
        # `--cache-dir ""` (it reads as `.`), `.`, a parent or a folder of the project: the
        # cache would mix with the user's files, and its `.gitignore` (`*`) hide them
        raise BacklogError(
            f"{source} {chosen}: a folder with other files in it; the cache needs a folder "
            f"of its own, e.g. {DIR_NAME} (the default)"
        )
    return chosen


def _ours_or_empty(folder: Path) -> bool:
    try:
        if not folder.exists() or not any(folder.iterdir()):
            return True
        return (folder / ".gitignore").read_text(encoding="utf-8").startswith(_MARKER)
    except (OSError, UnicodeDecodeError):
        return False


def _read(path: Path) -> dict[str, Any] | None:
    """A file this cache wrote (this format, this tool version), or None for a missing,
    damaged or foreign one."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if (
        not isinstance(payload, dict)
        or payload.get("format") != FORMAT
        or payload.get("tool") != __version__
    ):
        return None
    return payload


def _store(folder: Path, path: Path, **fields: Any) -> None:
    """Write `fields` (with the format and tool version) to `path` inside the cache folder,
    creating the folder and its `.gitignore` first. Raises OSError/ValueError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():  # `directory` refused a folder that holds anything else
        _write(ignore, f"{_MARKER}\n*\n")
    payload = {"format": FORMAT, "tool": __version__, **fields}
    _write(path, json.dumps(payload, separators=(",", ":")))


def _read_pack(path: Path) -> dict[str, Any]:
    """The entries of one pack, or {} for a missing, damaged or foreign one."""
    payload = _read(path)
    entries = payload.get("entries") if payload is not None else None
    return entries if isinstance(entries, dict) else {}


class Cache:
    """The parse cache of one run: read once at the start, written once at the end.

    `lazy`: restore documents from their summaries alone (their data is parsed on first
    use) and leave the data pack alone.
    """

    def __init__(self, folder: Path | None, *, lazy: bool = False) -> None:
        self.folder = folder
        self.lazy = lazy
        self._index: dict[str, Any] | None = None
        self._data: dict[str, Any] | None = None
        self._new_index: dict[str, Entry] = {}
        self._new_data: dict[str, dict[str, Any]] = {}
        self.hits = 0
        self.misses = 0

    def _old_index(self) -> dict[str, Any]:
        if self._index is None:
            self._index = _read_pack(self.folder / INDEX) if self.folder is not None else {}
        return self._index

    def _old_data(self) -> dict[str, Any]:
        if self._data is None:
            self._data = _read_pack(self.folder / PACK) if self.folder is not None else {}
        return self._data

    def get(
        self, key: str, path: Path, rel: str, text: str, limits: Limits
    ) -> Document | LoadError | None:
        entry: Any = self._old_index().get(key)  # _restore checks its shape
        restored = _restore(entry, path, rel)
        if restored is None:
            self.misses += 1
            return None
        if isinstance(restored, LoadError):
            self.hits += 1
            self._new_index[key] = entry
            return restored
        if self.lazy:
            self.hits += 1
            self._new_index[key] = entry
            return Document(path, rel, None, text, limits, restored)
        data = self._old_data().get(key)
        if not isinstance(data, dict):
            self.misses += 1
            return None
        self.hits += 1
        self._new_index[key] = entry
        self._new_data[key] = data
        return Document(path, rel, data, text, limits, restored)

    def put(self, key: str, loaded: Document | LoadError) -> None:
        if isinstance(loaded, Document):
            if loaded.summary is None:
                loaded.summary = summarize(loaded.data)
            self._new_index[key] = {"s": loaded.summary.to_json()}
            self._new_data[key] = loaded.data
        else:
            self._new_index[key] = {
                "error": [loaded.message, loaded.line, loaded.column, loaded.hint, loaded.warning]
            }

    def save(self) -> None:
        """Write the entries of this run (old ones that no file has any more are dropped).

        A lazy run (`check PATHS`) leaves a few misses unrecorded: rewriting the index
        costs more than parsing those few files again next time, and the next full run
        records them anyway.
        """
        folder = self.folder
        if folder is None:
            return
        if not self.misses and len(self._new_index) == len(self._old_index()):
            return
        if self.lazy and self.misses <= LAZY_MISSES_UNSAVED:
            return
        try:
            _store(folder, folder / INDEX, entries=self._new_index)
            if not self.lazy:
                _store(folder, folder / PACK, entries=self._new_data)
        except (OSError, ValueError):
            return  # a cache that cannot be written is just a slower next run


def _restore(entry: Any, path: Path, rel: str) -> Summary | LoadError | None:
    """What an index entry holds, or None when it is not exactly one of the two shapes."""
    if type(entry) is not dict or len(entry) != 1:
        return None
    if "s" in entry:
        return from_json(entry["s"])
    error = entry.get("error")
    if (
        type(error) is list
        and len(error) == 5
        and type(error[0]) is str
        and type(error[1]) is int
        and type(error[2]) is int
        and (error[3] is None or type(error[3]) is str)
        and type(error[4]) is bool
    ):
        message, line, column, hint, warning = error
        return LoadError(path, rel, message, line, column, hint, warning)
    return None


def _write(path: Path, text: str) -> None:
    # old or new for parallel runs, no temp file left by a Ctrl-C; no fsync: it is a cache
    replace_atomically(path, text.encode("utf-8"), durable=False)


# --- whole-run results ---------------------------------------------------------------------

RESULTS = "results"
KEEP_RESULTS = 8


def file_digest(path: Path) -> str | None:
    """The content digest of `path` and where it really is: a template swapped for a symlink
    to an identical copy elsewhere (outside the repository) is not the same file."""
    try:
        content = hashlib.sha256(path.read_bytes()).hexdigest()
        return f"{os.path.realpath(path)}:{content}"
    except OSError:
        return None


def read_result(folder: Path | None, digest: str) -> dict[str, Any] | None:
    """A stored run result for `digest`, if every file it depended on is unchanged."""
    if folder is None:
        return None
    payload = _read(folder / RESULTS / f"{digest}.json")
    if (
        payload is None
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
        _store(folder, target / f"{digest}.json", digest=digest, refs=refs, result=result)
        stored = sorted(target.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in stored[KEEP_RESULTS:]:
            with contextlib.suppress(OSError):
                old.unlink()
    except (OSError, ValueError):
        return
