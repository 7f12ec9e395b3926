"""Config discovery and validation through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import item, run_cli, write_backlog


def test_config_found_by_walking_up(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "repo", {"backlog/a.yaml": item("model", "m")}, config="items: backlog/\n"
    )
    deep = root / "backlog" / "sub"
    deep.mkdir()
    result = run_cli("check", cwd=deep)
    assert result.returncode == 0, result.stderr
    assert "1 item checked: no problems" in result.stdout


def test_pyproject_tool_table(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_backlog(root, {"items/a.yaml": item("model", "m")}, config=None)
    (root / "pyproject.toml").write_text('[tool.backlog]\nitems = "items"\n', encoding="utf-8")
    result = run_cli("check", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "1 item checked" in result.stdout


def test_git_root_without_config(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", {"backlog/a.yaml": item("model", "m")}, config=None)
    (root / ".git").mkdir()
    (root / "src").mkdir()
    result = run_cli("check", cwd=root / "src")
    assert result.returncode == 0, result.stderr
    assert "1 item checked" in result.stdout


def test_root_option_overrides(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", {"backlog/a.yaml": item("model", "m")})
    result = run_cli("check", "--root", str(root), cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_exclude_globs(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "repo",
        {
            "backlog/a.yaml": item("model", "m"),
            "backlog/drafts/b.yaml": "broken: [\n",
            "backlog/c.draft.yaml": "also: [broken\n",
        },
        config="items: backlog\nexclude: [backlog/drafts, '*.draft.yaml']\n",
    )
    result = run_cli("check", "--root", str(root))
    assert result.returncode == 0, result.stdout
    assert "1 item checked" in result.stdout


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("rule: {}\n", "backlog.yaml:1:1: unknown key `rule`; did you mean `rules`?"),
        ("rules:\n  cycel: off\n", "backlog.yaml:2:3: unknown rule `cycel`; did you mean `cycle`?"),
        ("rules:\n  cycle: loud\n", "backlog.yaml:2:10: `rules.cycle`: `loud` is not one of"),
        ("items: [a]\n", "backlog.yaml:1:8: `items`: must be a folder path"),
        ("limits: {max_file_size: -1}\n", "`limits.max_file_size`: must be a positive integer"),
        ("limits: {max_depth: 5000}\n", "must be at most 200"),
        ("exclude: 3\n", "`exclude`: must be a list of glob patterns"),
        ("a: [\n", "backlog.yaml:1:4: the bracket `[` opened"),  # issue 14: where it opened
        ("- just\n- a list\n", "top level is a list"),
    ],
)
def test_bad_config_is_exit_2_with_file_and_line(tmp_path: Path, config: str, message: str) -> None:
    root = write_backlog(tmp_path / "repo", {"backlog/a.yaml": item("model", "m")}, config=config)
    result = run_cli("check", "--root", str(root))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_rule_severity_and_off(tmp_path: Path) -> None:
    files = {"backlog/a.yaml": item("agent", "a", spec="prompts: [prompt/missing]")}
    root = write_backlog(tmp_path / "repo", files, config="rules:\n  unknown-reference: warning\n")
    result = run_cli("check", "--root", str(root))
    assert result.returncode == 0
    assert "warning unknown-reference" in result.stdout
    strict = run_cli("check", "--root", str(root), "--strict")
    assert strict.returncode == 1
    (root / "backlog.yaml").write_text("rules:\n  unknown-reference: off\n", encoding="utf-8")
    off = run_cli("check", "--root", str(root))
    assert off.returncode == 0 and "no problems" in off.stdout


def test_missing_items_folder_is_exit_2(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "backlog.yaml").write_text("items: nowhere/\n", encoding="utf-8")
    result = run_cli("check", "--root", str(root))
    assert result.returncode == 2
    assert "no item folder" in result.stderr
