"""Messages that point at the real fix (issue 13, section 8), through the real CLI."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_backlog


def _on_a_terminal(root: Path, no_color: str | None) -> str:
    """`backlog check` with its stdout on a pseudo-terminal, as a user's shell runs it."""
    import pty

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    env["TERM"] = "xterm-256color"
    parent, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "backlog_cli.cli", "check", "--root", str(root)],
        stdout=child,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    os.close(child)
    out = b""
    while True:
        ready, _, _ = select.select([parent], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(parent, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(parent)
    proc.wait(timeout=60)
    return out.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("", True), ("1", False)])
def test_only_a_non_empty_no_color_turns_colour_off(
    tmp_path: Path, no_color: str | None, coloured: bool
) -> None:
    # no-color.org: "when present and not an empty string"; `NO_COLOR=` keeps colour on
    root = write_backlog(tmp_path / "repo", {"backlog/t.yaml": "kind: tool\n"})
    out = _on_a_terminal(root, no_color)
    assert "missing required key `apiVersion`" in out
    assert ("\x1b[" in out) is coloured
