"""Atomic file writes: a temp file in the same folder, then a rename."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from backlog_cli.errors import BacklogError


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
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise BacklogError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise BacklogError(f"{path}: cannot write: {exc.strerror or exc}") from exc
        raise
    return True
