"""An item file that stops parsing is a yaml-syntax finding, not a deleted item: no
removed-while-referenced, no 'removed' in diff or impact, and references to it say why."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git, item, run_cli, write_backlog


def _repo(tmp_path: Path) -> Path:
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/t.yaml": item("tool", "lookup"),
            "backlog/a.yaml": item("agent", "bot", spec="tools: [tool/lookup]"),
        },
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    with (root / "backlog/t.yaml").open("a", encoding="utf-8") as handle:
        handle.write("foo: [unclosed\n")
    return root


def test_check_base_reports_the_syntax_error_not_a_deletion(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    proc = run_cli("check", "--base", "main", "--format", "json", "--no-cache", cwd=root)
    assert proc.returncode == 1
    found = {(d["rule"], d["path"]): d["message"] for d in json.loads(proc.stdout)["diagnostics"]}
    assert set(found) == {
        ("yaml-syntax", "backlog/t.yaml"),
        ("unknown-reference", "backlog/a.yaml"),
    }
    assert found["unknown-reference", "backlog/a.yaml"] == (
        "`spec.tools` references `tool/lookup`, whose file backlog/t.yaml does not parse"
    )
    assert "does not parse at the head" in proc.stderr


def test_diff_and_impact_leave_it_out(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    diff = json.loads(run_cli("diff", "main", "--format", "json", cwd=root).stdout)
    assert diff["items"] == []
    impact = json.loads(run_cli("impact", "--base", "main", "--format", "json", cwd=root).stdout)
    assert impact["changed"] == []
    # a real deletion is still one
    (root / "backlog/t.yaml").unlink()
    diff = json.loads(run_cli("diff", "main", "--format", "json", cwd=root).stdout)
    assert [(i["item"], i["state"]) for i in diff["items"]] == [("tool/lookup", "removed")]
