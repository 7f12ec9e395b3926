"""`check PATH` outside the repository is a usage error; a folder holding it is everything."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import git, run_cli

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "support-copilot"


def test_paths_outside_the_repository(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    git(root, "init", "-q")
    (tmp_path / "elsewhere.yaml").write_text("id: x\n", encoding="utf-8")
    proc = run_cli("check", str(tmp_path / "elsewhere.yaml"), cwd=root)
    assert proc.returncode == 2 and "outside the repository" in proc.stderr
    whole = run_cli("check", "--no-cache", str(tmp_path), cwd=root)
    assert whole.returncode == 0 and "30 items checked" in whole.stdout
    (root / "inside-link.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    link = run_cli("check", "--no-cache", "inside-link.yaml", cwd=root)
    assert link.returncode == 0, link.stderr  # a repository file; not an item, nothing read
