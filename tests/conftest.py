from __future__ import annotations

import importlib
import os
import select
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import NoReturn, TypeVar

import pytest

from backlog_cli.config import load_config
from backlog_cli.engine import CheckOptions, CheckResult, run_check
from backlog_cli.project import load_project

_T = TypeVar("_T")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def item(
    kind: str,
    item_id: str,
    *,
    version: str = "1.0.0",
    status: str = "proposed",
    extra: str = "",
    spec: str = "",
) -> str:
    """A valid item of `kind` as YAML text; `extra` and `spec` add indented-free YAML lines."""
    text = (
        "apiVersion: backlog/v1\n"
        f"kind: {kind}\n"
        f"id: {item_id}\n"
        f"title: {item_id.replace('-', ' ').title()}\n"
        f'version: "{version}"\n'
        f"status: {status}\n"
        "owner: team-ai\n"
    )
    if extra:
        text += textwrap.dedent(extra).strip("\n") + "\n"
    if spec:
        text += "spec:\n" + textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ") + "\n"
    return text


def write_backlog(root: Path, files: dict[str, str | bytes], config: str | None = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (root / "backlog.yaml").write_text(config or "items: backlog/\n", encoding="utf-8")
    (root / "backlog").mkdir(exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def write_files(root: Path, files: dict[str, str | None]) -> None:
    """Write `files` under `root` (None: delete that file), creating folders."""
    for name, content in files.items():
        path = root / name
        if content is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")


def check(root: Path, **options: object) -> CheckResult:
    project = load_project(load_config(root))
    return run_check(project, CheckOptions(**options))  # type: ignore[arg-type]


Found = list[tuple[str, int, int]]


@pytest.fixture
def findings(tmp_path: Path) -> Callable[..., Found]:
    """Write `files` as a backlog and return the (rule, line, column) of each finding."""

    def run(files: dict[str, str | bytes], rule: str | None = None, config: str = "") -> Found:
        root = write_backlog(tmp_path / "repo", files, config)
        result = check(root)
        return [
            (d.rule, d.line, d.column) for d in result.diagnostics if rule is None or d.rule == rule
        ]

    return run


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The real entry point, in a subprocess, as a user runs it."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "backlog_cli.cli", *args],
        cwd=cwd,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


# The entry point as `python -m backlog_cli.cli` runs it, plus one test-only hook: when the
# command puts Python's own Ctrl-C handler in place (its first act, before any work), the
# child says so on the pipe named by BACKLOG_TEST_READY_FD.
_READY_CHILD = """
import os, runpy, signal, sys

ready = int(os.environ.pop("BACKLOG_TEST_READY_FD"))
install = signal.signal

def install_and_report(signum, handler):
    previous = install(signum, handler)
    if signum == signal.SIGINT and handler is signal.default_int_handler:
        signal.signal = install
        os.write(ready, b"ready\\n")
        os.close(ready)
    return previous

signal.signal = install_and_report
sys.argv = ["backlog", *sys.argv[1:]]
runpy.run_module("backlog_cli.cli", run_name="__main__", alter_sys=True)
"""


def spawn_cli(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, *, stdout: int | None = None
) -> subprocess.Popen[bytes]:
    """The real entry point in a subprocess, returned once it handles Ctrl-C itself.

    A signal sent after a fixed sleep can land while the interpreter is still starting
    (`Fatal Python error: init_import_site` under load); one sent after this returns lands
    in the command. Stdout goes to `stdout` (default: nowhere), stderr to a pipe.
    """
    read, write = os.pipe()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", _READY_CHILD, *args],
            cwd=cwd,
            env={**(os.environ if env is None else env), "BACKLOG_TEST_READY_FD": str(write)},
            pass_fds=(write,),
            stdout=subprocess.DEVNULL if stdout is None else stdout,
            stderr=subprocess.PIPE,
        )
    finally:
        os.close(write)
    with os.fdopen(read, "rb") as marker:
        line = marker.readline() if select.select([marker], [], [], 120)[0] else b""
    if line != b"ready\n":
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"`backlog {' '.join(args)}` never got under way: {err!r}")
    return proc


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
        text=True,
    ).stdout


# --- outside consumers: skip here, fail in CI ------------------------------------------------


def under_ci() -> bool:
    """`CI=true`, as GitHub Actions, GitLab CI and `.ci/run` set it."""
    return os.environ.get("CI", "").strip().lower() == "true"


def missing(why: str) -> NoReturn:
    """An outside consumer (a tool, a module, an install) this test drives is missing: skip
    on a developer's machine, fail under CI, which installs every consumer, so that a broken
    install cannot turn into a green run that tested less."""
    if under_ci():
        pytest.fail(f"{why} (CI=true: a missing consumer fails the run)", pytrace=False)
    pytest.skip(why, allow_module_level=True)


def require(found: _T, why: str) -> _T:
    """`found` (a path, a flag, a module), or `missing(why)` when it is not there."""
    if not found:
        missing(why)
    return found


def require_module(name: str, why: str) -> ModuleType:
    """The module `name`, or `missing(why)`."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing(why)
