"""Every git call the tool makes.

The git binary is driven directly (`subprocess`, argument lists, never a shell), with one
long-lived `git cat-file --batch` process for bulk reads. Every ref a user gives is
verified with `rev-parse --verify --end-of-options` before it is used anywhere, so it can
never be taken as an option (the class of bug behind GitPython's CVE-2022-24439).
Failures are `BacklogError`s (exit 2) whose message says what to do.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from backlog_cli.diagnostic import printable
from backlog_cli.errors import BacklogError

FETCH_HINT = (
    "fetch it first, e.g. `git fetch origin main`; in GitHub Actions use "
    "`actions/checkout` with `fetch-depth: 0`"
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        PAGER="cat",
        LC_ALL="C",
        GIT_OPTIONAL_LOCKS="0",  # read-only commands must not take the index lock
    )
    return env


def _git() -> str:
    found = shutil.which("git")
    if found is None:
        raise BacklogError("git is not installed or not on PATH; install git to use --base")
    return found


def run(repo: Path, *args: str, check: bool = True, stdin: bytes | None = None) -> bytes:
    """Run one git command in `repo`; its stdout as bytes."""
    try:
        proc = subprocess.run(
            [_git(), "-c", "core.quotepath=off", *args],
            cwd=repo,
            env=_env(),
            input=stdin,
            capture_output=True,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BacklogError(f"git {args[0]} failed: {exc}") from exc
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BacklogError(f"git {args[0]} failed: {message[-1] if message else proc.returncode}")
    return proc.stdout


def toplevel(start: Path) -> Path | None:
    """The work tree root containing `start`, or None outside a git repository."""
    try:
        proc = subprocess.run(
            [_git(), "rev-parse", "--show-toplevel"],
            cwd=start,
            env=_env(),
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired, BacklogError):
        return None
    if proc.returncode != 0:
        return None
    return Path(proc.stdout.decode("utf-8", "replace").strip())


def require_repo(start: Path, what: str) -> Path:
    root = toplevel(start)
    if root is None:
        raise BacklogError(
            f"{start} is not inside a git repository; {what} needs git history "
            "(run it in a clone of the product repository)"
        )
    return root


def is_shallow(repo: Path) -> bool:
    out = run(repo, "rev-parse", "--is-shallow-repository", check=False)
    return out.strip() == b"true"


def _looks_hostile(ref: str) -> str | None:
    if not ref:
        return "is empty"
    if ref.startswith("-"):
        return "starts with `-` (it would be read as an option)"
    if any(ch in ref for ch in "\x00\n\r\t ;|&$`<>\\") or any(ord(ch) < 32 for ch in ref):
        return "contains a character no git ref may hold"
    return None


def verify_ref(repo: Path, ref: str, role: str = "ref") -> str:
    """The commit id `ref` names; exit 2 (with the fix) when it does not resolve."""
    problem = _looks_hostile(ref)
    if problem is not None:
        raise BacklogError(f"{role} `{printable(ref)}` {problem}; give a branch, tag or commit")
    proc_out = run(
        repo,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{ref}^{{commit}}",
        check=False,
    )
    sha = proc_out.decode("ascii", "replace").strip()
    if len(sha) >= 40:
        return sha
    if is_shallow(repo):
        raise BacklogError(
            f"{role} `{printable(ref)}` is not in this shallow clone; fetch the history with "
            "`git fetch --unshallow` (or `git fetch origin <branch>`); in GitHub Actions use "
            "`actions/checkout` with `fetch-depth: 0`"
        )
    raise BacklogError(f"{role} `{printable(ref)}` does not resolve to a commit; {FETCH_HINT}")


def default_base(repo: Path, configured: str | None) -> str:
    """The base commit: the config's `base`, else the merge-base of HEAD with the default
    branch (origin/HEAD, origin/main, origin/master, main, master)."""
    if configured:
        return verify_ref(repo, configured, "base ref (config `base`)")
    head = verify_ref(repo, "HEAD", "HEAD")
    for candidate in ("origin/HEAD", "origin/main", "origin/master", "main", "master"):
        out = run(
            repo,
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            f"{candidate}^{{commit}}",
            check=False,
        )
        if len(out.strip()) < 40:
            continue
        merge_base = run(repo, "merge-base", head, out.decode().strip(), check=False).strip()
        if merge_base:
            return merge_base.decode()
        if is_shallow(repo):
            raise BacklogError(
                f"HEAD and `{candidate}` share no history in this shallow clone; run "
                "`git fetch --unshallow`, or in GitHub Actions use `fetch-depth: 0`"
            )
    raise BacklogError(
        "no base to compare with: pass --base REF, or set `base:` in backlog.yaml "
        "(no origin/HEAD, origin/main, origin/master, main or master here)"
    )


def staged_deletions(repo: Path) -> list[str]:
    """Repository-relative paths the index deletes (renames count as a deletion and an
    addition, so the old path is listed). pre-commit passes hooks no deleted file: the
    `backlog-check` hook reads them here, in one git process."""
    args = ["diff", "--cached", "--name-only", "-z", "--no-renames", "--diff-filter=D", "--"]
    return [os.fsdecode(name) for name in run(repo, *args).split(b"\x00") if name]


def merge_base(repo: Path, ref: str, role: str) -> str:
    """The merge-base of HEAD and `ref` (verified), else `ref`'s commit when they share no
    history."""
    target = verify_ref(repo, ref, role)
    head = verify_ref(repo, "HEAD", "HEAD")
    found = run(repo, "merge-base", head, target, check=False).strip().decode()
    return found or target


@dataclass(frozen=True)
class FileChange:
    status: str  # A, M, D, R (rename), T (type change)
    old: str | None  # repository-relative posix path at base (None when added)
    new: str | None  # at head (None when deleted)


def changed_files(repo: Path, base: str, head: str | None) -> list[FileChange]:
    """Files that differ between `base` and `head` (a commit, or None for the working tree,
    including untracked files). Renames are detected (`-M`). Names are `os.fsdecode`d, as
    the loader's are: one that is not UTF-8 is still the same file."""
    args = ["diff", "--name-status", "-z", "-M", "--no-ext-diff", "--no-textconv", base]
    if head is not None:
        args.append(head)
    args += ["--"]
    fields = run(repo, *args).split(b"\x00")
    out: list[FileChange] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i].decode()
        code = status[0]
        if code in "RC":
            old, new = os.fsdecode(fields[i + 1]), os.fsdecode(fields[i + 2])
            i += 3
            out.append(FileChange("R" if code == "R" else "A", old if code == "R" else None, new))
            continue
        path = os.fsdecode(fields[i + 1])
        i += 2
        if code == "A":
            out.append(FileChange("A", None, path))
        elif code == "D":
            out.append(FileChange("D", path, None))
        else:
            out.append(FileChange("M", path, path))
    if head is None:
        untracked = run(repo, "ls-files", "--others", "--exclude-standard", "-z").split(b"\x00")
        out.extend(FileChange("A", None, os.fsdecode(p)) for p in untracked if p)
    return out


@dataclass(frozen=True)
class TreeEntry:
    mode: str  # 100644, 100755, 120000 (symlink: the blob is the target), 160000 (submodule)
    oid: str
    size: int  # -1 for a submodule
    path: str  # relative to the tree listed; any character but NUL (os.fsdecode'd)


def ls_tree(repo: Path, tree: str, *, check: bool = True, sizes: bool = True) -> list[TreeEntry]:
    """Every file under `tree` (a verified commit id, or `commit:folder`), recursively.

    Without `check`, a tree that does not exist (`commit:folder` with no such folder) is
    an empty list. No attributes are consulted: this is the tree as committed.
    """
    long = ["-l"] if sizes else []
    raw = run(
        repo, "ls-tree", "-r", *long, "-z", "--full-tree", "--end-of-options", tree, check=check
    )
    out: list[TreeEntry] = []
    for record in raw.split(b"\x00"):
        meta, tab, name = record.partition(b"\t")
        fields = meta.decode("ascii", "replace").split()
        if not tab or len(fields) != 3 + sizes:
            continue
        mode, _, oid, size = [*fields, "-"][:4]
        out.append(TreeEntry(mode, oid, int(size) if size.isdigit() else -1, os.fsdecode(name)))
    return out


def export_tree(repo: Path, sha: str, dest: Path) -> None:
    """Write every file of commit `sha` into the empty folder `dest`, byte for byte as
    committed: unlike `git archive`, no `.gitattributes` (`export-ignore`, `export-subst`,
    `eol`, filters) applies, so it is what a checkout without filters would hold.

    `dest` is written only below itself: a name with an empty, `.` or `..` part, or a
    `.git` part (which would move the repository root), is skipped, as are submodules.
    Files and folders are made before any symlink, and no write follows a symlink. A
    symlink is kept when its target is relative and resolves inside `dest`; once all are
    made, any that resolves outside (through another) is removed.
    """
    root = os.path.realpath(dest)
    files: list[tuple[TreeEntry, str]] = []
    links: list[tuple[TreeEntry, str]] = []
    made: set[str] = {root}
    for entry in ls_tree(repo, sha):
        parts = entry.path.split("/")
        if any(p in ("", ".", "..") or p.lower() == ".git" for p in parts):
            continue
        if entry.mode not in ("100644", "100755", "120000"):
            continue  # 160000: a submodule's commit, not in this repository
        folder = os.path.join(root, *parts[:-1])
        if folder not in made:
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError as exc:
                if _unwritable_name(exc):
                    continue  # e.g. a file of that name is in the way (a crafted tree)
                raise
            made.add(folder)
        target = os.path.join(folder, parts[-1])
        (links if entry.mode == "120000" else files).append((entry, target))

    targets: dict[int, bytes] = {}

    def open_out(index: int, size: int) -> BinaryIO | None:
        if index >= len(files):
            # a symlink's target; longer ones than PATH_MAX cannot be made anyway
            return _Collect(targets, index - len(files)) if size <= 4096 else None
        entry, target = files[index]
        mode = 0o755 if entry.mode == "100755" else 0o644
        try:
            fd = os.open(target, _NEW_FILE, mode)
        except OSError as exc:
            if _unwritable_name(exc):
                return None  # e.g. named twice in a crafted tree
            raise
        return os.fdopen(fd, "wb")

    with BlobReader(repo) as reader:
        reader.copy_many([e.oid for e, _ in files] + [e.oid for e, _ in links], open_out)

    made_links: list[str] = []
    for index, (_, target) in enumerate(links):
        pointer = os.fsdecode(targets.get(index, b""))
        if not pointer or "\x00" in pointer or pointer.startswith("/"):
            continue
        folder = os.path.dirname(target)
        if os.path.realpath(folder) != folder:  # under another symlink (a crafted tree)
            continue
        if not _inside(os.path.realpath(os.path.join(folder, pointer)), root):
            continue
        try:
            os.symlink(pointer, target)
        except OSError:
            continue
        made_links.append(target)
    # `a -> b/../x` is inside while `b` does not exist, outside once `b -> .` is made: check
    # each again now that all exist. `realpath` resolves what exists and reads the rest
    # lexically, so it never calls inside what the kernel would resolve outside. Removing
    # a link only makes paths through it fail, never lead somewhere new: one pass is enough.
    for target in made_links:
        if not _inside(os.path.realpath(target), root):
            os.unlink(target)


# a new file only (never an existing one, nor through a symlink), in binary on every system
_NEW_FILE = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def _unwritable_name(exc: OSError) -> bool:
    """A name this file system cannot hold as given (taken, too long, not valid here), as
    opposed to a failing disk or folder, which must stop the run rather than thin it out."""
    return isinstance(exc, (FileExistsError, NotADirectoryError, IsADirectoryError)) or (
        exc.errno in (errno.ENAMETOOLONG, errno.ELOOP, errno.EILSEQ, errno.EINVAL)
    )


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class _Collect(io.BytesIO):
    """A symlink's target, kept in memory and handed over on close."""

    def __init__(self, into: dict[int, bytes], index: int) -> None:
        super().__init__()
        self._into = into
        self._index = index

    def close(self) -> None:
        if not self.closed:
            self._into[self._index] = self.getvalue()
        super().close()


# `cat-file --batch` reads one name per line, and drops a carriage return before the newline
_UNBATCHABLE = frozenset("\n\r")


class BlobReader:
    """One `git cat-file --batch` process for many reads of `rev:path` or blob ids."""

    def __init__(self, repo: Path) -> None:
        self._repo = repo
        self._proc = subprocess.Popen(
            [_git(), "cat-file", "--batch"],
            cwd=repo,
            env=_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        if self._proc.stdout:
            # before the wait: a reader left early (Ctrl-C, an error) must not leave git
            # blocked on a full pipe; closing it also avoids a ResourceWarning
            self._proc.stdout.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self._proc.kill()
            self._proc.wait()

    def read_many(self, names: Sequence[str], limit: int | None = None) -> list[bytes | None]:
        """Contents for each object name (`commit:path`), None when missing or not a blob.

        Requests are written in chunks and answered in order, so the pipe never deadlocks.
        A blob over `limit` bytes is read and dropped (None), never kept in memory twice.
        A name the line-based protocol cannot carry (a file name, or a `template_file` value,
        with a line break in it: anyone who can push a commit can create one) is read on its
        own instead, so that it never stops a whole diff.
        """
        out: list[bytes | None] = []
        assert self._proc.stdin is not None and self._proc.stdout is not None
        for start in range(0, len(names), 256):
            chunk = names[start : start + 256]
            batched = [n for n in chunk if not _UNBATCHABLE.intersection(n)]
            self._proc.stdin.write(os.fsencode("".join(f"{n}\n" for n in batched)))
            self._proc.stdin.flush()
            answers = iter([self._answer(limit) for _ in batched])
            for name in chunk:
                if _UNBATCHABLE.intersection(name):
                    out.append(self._read_alone(name, limit))
                else:
                    out.append(next(answers))
        return out

    def _answer(self, limit: int | None) -> bytes | None:
        assert self._proc.stdout is not None
        header = self._proc.stdout.readline().decode("utf-8", "replace").split()
        if len(header) == 3 and header[1] in ("blob", "tree", "commit", "tag"):
            size = int(header[2])
            data = self._read_exact(size)
            self._read_exact(1)  # the newline after each object
            ok = header[1] == "blob" and (limit is None or size <= limit)
            return data if ok else None
        return None  # "<name> missing" / "ambiguous"

    def copy_many(
        self, oids: Sequence[str], open_out: Callable[[int, int], BinaryIO | None]
    ) -> None:
        """Stream each blob `oids[i]` into `open_out(i, size)` (None: drop it), a megabyte at
        a time, so a large file is never held in memory. Object ids only: they never hold a
        line break. The file is closed here."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        for start in range(0, len(oids), 256):
            chunk = oids[start : start + 256]
            self._proc.stdin.write("".join(f"{oid}\n" for oid in chunk).encode())
            self._proc.stdin.flush()
            for index in range(start, start + len(chunk)):
                header = self._proc.stdout.readline().decode("utf-8", "replace").split()
                if len(header) != 3 or not header[2].isdigit():
                    continue  # missing
                size = int(header[2])
                out = open_out(index, size) if header[1] == "blob" else None
                try:
                    remaining = size
                    while remaining:
                        data = self._read_exact(min(remaining, 1 << 20))
                        remaining -= len(data)
                        if out is not None:
                            out.write(data)
                finally:
                    if out is not None:
                        out.close()
                self._read_exact(1)

    def _read_alone(self, name: str, limit: int | None) -> bytes | None:
        """One object by name, in an argument list (where a line break is just a byte)."""
        if (
            run(self._repo, "cat-file", "-t", "--end-of-options", name, check=False).strip()
            != b"blob"
        ):
            return None
        size = run(self._repo, "cat-file", "-s", "--end-of-options", name, check=False).strip()
        if not size.isdigit() or (limit is not None and int(size) > limit):
            return None
        return run(self._repo, "cat-file", "blob", "--end-of-options", name, check=False)

    def _read_exact(self, size: int) -> bytes:
        assert self._proc.stdout is not None
        chunks: list[bytes] = []
        remaining = size
        while remaining:
            chunk = self._proc.stdout.read(remaining)
            if not chunk:
                raise BacklogError("git cat-file ended early")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    email: str
    date: str  # ISO 8601 author date
    subject: str
    changes: tuple[FileChange, ...]  # against the first parent
    parents: tuple[str, ...] = ()  # none: a root commit, or the edge of a shallow clone


def log(repo: Path, start: str) -> Iterator[Commit]:
    """Every commit reachable from `start` (merged branches too), newest first in date order
    (never a parent before its children), each with its parents and its file changes against
    its first parent (renames detected)."""
    args = [
        # the user's config must not change what is listed: `log.diffMerges=combined` would
        # hide a merge's changes, `log.showRoot=false` the root commit's files, and
        # `log.showSignature` would print gpg output into the records
        "-c",
        "log.diffMerges=first-parent",
        "log",
        "--date-order",
        "-m",
        "--root",
        "--no-show-signature",
        "--no-color",
        "--name-status",
        "-M",
        "-z",
        f"--format={_LOG_MARKER}%H%x00%P%x00%an%x00%ae%x00%aI%x00%s%x00",
        start,
        "--",
    ]
    try:
        raw = run(repo, *args).decode("utf-8", "replace")
    except BacklogError as exc:  # named after its first argument, which is the `-c`
        raise BacklogError(str(exc).replace("git -c failed", "git log failed", 1)) from None
    seen: set[str] = set()
    for commit in _parse_log(raw.split("\x00")):
        # a git before 2.31 ignores `log.diffMerges` and lists a merge once per parent whose
        # diff is not empty: only the first (against the first parent) is kept
        if commit.sha not in seen:
            seen.add(commit.sha)
            yield commit


_LOG_MARKER = "\x01commit\x01"


def _parse_log(fields: list[str]) -> Iterator[Commit]:
    """Records of `git log -z --name-status`: a header (sha, parents, author, email, date,
    subject), then `status NUL path` (two paths for renames and copies) until the next one.

    Read field by field rather than split on the marker, so a path is never taken for a
    status: only the first field after a header may carry git's separating newline.
    """
    i = 0
    while i < len(fields):
        if not fields[i].startswith(_LOG_MARKER):
            i += 1  # the empty field after the last record
            continue
        sha = fields[i][len(_LOG_MARKER) :]
        parents, author, email, date, subject = [*fields[i + 1 : i + 6], "", "", "", "", ""][:5]
        i += 6
        changes: list[FileChange] = []
        while i < len(fields) and not fields[i].startswith(_LOG_MARKER):
            status = fields[i].lstrip("\n")
            code = status[:1]
            if not code:
                i += 1
            elif code in "RC" and i + 2 < len(fields):
                old, new = fields[i + 1], fields[i + 2]
                changes.append(
                    FileChange("R", old, new) if code == "R" else FileChange("A", None, new)
                )
                i += 3
            elif i + 1 < len(fields):
                path = fields[i + 1]
                if code == "A":
                    changes.append(FileChange("A", None, path))
                elif code == "D":
                    changes.append(FileChange("D", path, None))
                else:  # M, T (type change), and anything newer git may add
                    changes.append(FileChange("M", path, path))
                i += 2
            else:
                i += 1
        yield Commit(sha, author, email, date, subject, tuple(changes), tuple(parents.split()))


def relative_to_repo(path: Path, repo: Path) -> str:
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
