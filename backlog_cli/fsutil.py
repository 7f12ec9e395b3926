"""Atomic file writes: a temp file in the same folder, then a rename."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from backlog_cli.errors import BacklogError

_DEFERRED = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C (and SIGTERM) back while a write is in flight, deliver it afterwards.

    A KeyboardInterrupt can otherwise surface at any bytecode: inside `mkstemp` after the
    file was created but before its name was returned, or between the write and the clean-up,
    and the temporary file stays behind. The signal is blocked, not dropped: on leaving, it is
    delivered and the command stops with exit 130, the target old or new. Only the main
    thread receives Python's signals, and the tool runs no other threads.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not (
        threading.main_thread()
    ):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    try:
        # a signal that arrived just before is raised here, before anything was created
        signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_atomic(path: Path, text: str, *, force: bool = True) -> bool:
    """Write `text` to `path` so readers see the old or the new file, never a partial one.

    Returns False when the file already holds exactly `text`. Without `force`, an existing
    file with other content is refused. Existing permissions are kept.
    """
    data = text.encode("utf-8")
    try:
        if path.is_symlink():
            raise BacklogError(f"{path}: refusing to write through a symlink")
        if path.exists():
            if path.is_dir():
                raise BacklogError(f"{path}: is a directory")
            if path.read_bytes() == data:
                return False
            if not force:
                raise BacklogError(f"{path} exists and differs; pass --force to overwrite it")
            mode = stat.S_IMODE(path.stat().st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise BacklogError(f"{path}: cannot write: {_in_the_way(path)}") from exc
    except OSError as exc:
        raise BacklogError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    try:
        replace_atomically(path, data, mode)
    except OSError as exc:
        raise BacklogError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    return True


def _in_the_way(path: Path) -> str:
    """Why `mkdir -p` of `path`'s folder failed with "File exists": what is in the way."""
    for folder in reversed(path.parents):
        if folder.is_symlink() and not folder.exists():
            return f"{folder} is a symlink to a missing target"
        if folder.exists() and not folder.is_dir():
            return f"{folder} is a file, not a folder"
    return "a file is in the way"


def replace_atomically(
    path: Path, data: bytes, mode: int | None = None, *, durable: bool = True
) -> None:
    """Put `data` at `path` through a temporary file in the same folder and a rename, with
    Ctrl-C held until the rename is done: readers see the old or the new file, and no
    temporary file is left. `mode`: the new file's permissions (None: mkstemp's 0600);
    `durable`: fsync before the rename (a cache can do without). Raises OSError."""
    with signals_deferred():
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                if durable:
                    handle.flush()
                    os.fsync(handle.fileno())
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
