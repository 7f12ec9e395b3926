"""The item folder must lie inside the repository: nothing outside it is read or echoed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import git, item, run_cli

PRIVATE = item("model", "leak", extra="description: PRIVATE-CONTENT-OUTSIDE-REPO")


def _layout(tmp_path: Path) -> Path:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "private.yaml").write_text(PRIVATE, encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    return repo


@pytest.mark.parametrize("how", ["relative", "absolute", "symlinked folder"])
@pytest.mark.parametrize("command", [["check"], ["list"], ["status"], ["check", "-f", "sarif"]])
def test_an_item_folder_outside_the_repository_is_refused(
    tmp_path: Path, how: str, command: list[str]
) -> None:
    repo = _layout(tmp_path)
    if how == "relative":
        (repo / "backlog.yaml").write_text("items: ../outside\n", encoding="utf-8")
    elif how == "absolute":
        (repo / "backlog.yaml").write_text(f"items: {tmp_path / 'outside'}\n", encoding="utf-8")
    else:
        os.symlink("../outside", repo / "backlog")
    proc = run_cli(*command, "--no-cache", cwd=repo)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "outside the repository" in proc.stderr
    assert "PRIVATE" not in proc.stdout + proc.stderr and "leak" not in proc.stdout
    if how != "symlinked folder":
        assert "backlog.yaml:1:8:" in proc.stderr  # at the `items:` value


def test_a_folder_elsewhere_inside_the_repository_is_fine(tmp_path: Path) -> None:
    repo = _layout(tmp_path)
    project = repo / "apps" / "support"
    project.mkdir(parents=True)
    (repo / "shared").mkdir()
    (repo / "shared" / "m.yaml").write_text(item("model", "m"), encoding="utf-8")
    (project / "backlog.yaml").write_text("items: ../../shared\n", encoding="utf-8")
    proc = run_cli("list", "--no-cache", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert "model/m" in proc.stdout and "shared/m.yaml" in proc.stdout
