"""`bump --auto` on an item whose base version is not SemVer: skipped (as `check` does), no
internal error. (The item's own version is then a schema error, so `--force`: without it
`bump --auto` stops at that error, see test_bump_guard.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import git, run_cli

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "support-copilot"


def test_a_base_version_that_is_not_semver_is_skipped(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    tool = root / "backlog/tools/order-lookup.yaml"
    tool.write_text(
        tool.read_text(encoding="utf-8").replace('version: "1.3.0"', 'version: "1.3"'),
        encoding="utf-8",
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    tool.write_text(
        tool.read_text(encoding="utf-8").replace("side_effects: read", "side_effects: write"),
        encoding="utf-8",
    )
    before = tool.read_bytes()
    proc = run_cli("bump", "--auto", "--force", "--base", "HEAD", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "internal error" not in proc.stderr
    assert tool.read_bytes() == before
