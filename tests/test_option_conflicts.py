"""Options that contradict each other or name nothing are usage errors, not silent no-ops."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import item, run_cli, write_backlog


def _repo(tmp_path: Path, files: dict[str, str | bytes] | None = None, config: str = "") -> Path:
    return write_backlog(tmp_path / "r", files or {"backlog/m.yaml": item("model", "m")}, config)


def test_empty_format_is_refused(tmp_path: Path) -> None:
    proc = run_cli("check", "--format", "", cwd=_repo(tmp_path))
    assert proc.returncode == 2 and "unknown format" in proc.stderr


def test_a_rule_both_selected_and_ignored_is_refused(tmp_path: Path) -> None:
    proc = run_cli("check", "--rule", "cycle", "--ignore-rule", "cycle", cwd=_repo(tmp_path))
    assert proc.returncode == 2 and "contradict" in proc.stderr


def test_config_errors_quote_values_as_yaml(tmp_path: Path) -> None:
    root = _repo(tmp_path, config="items: backlog/\nrules:\n  cycle: true\n")
    proc = run_cli("check", cwd=root)
    assert proc.returncode == 2
    assert "`true` is not one of error, warning, off" in proc.stderr and "True" not in proc.stderr
    root = _repo(tmp_path, config="items: backlog/\nrules:\n  cycle: null\n")
    assert "`null` is not one of" in run_cli("check", cwd=root).stderr


def test_show_of_a_duplicated_id_names_both_files(tmp_path: Path) -> None:
    text = item("model", "m")
    root = _repo(tmp_path, {"backlog/a.yaml": text, "backlog/b.yaml": text})
    for name in ("model/m", "m"):
        proc = run_cli("show", name, cwd=root)
        assert proc.returncode == 2
        assert "defined in more than one file (backlog/a.yaml, backlog/b.yaml)" in proc.stderr


def test_a_write_blocked_by_a_file_or_dangling_link_says_which(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "backlog" / "f.yaml").write_text("x\n", encoding="utf-8")
    proc = run_cli("new", "prompt", "p11", "--path", "backlog/f.yaml/p11.yaml", cwd=root)
    assert proc.returncode == 2 and "f.yaml is a file, not a folder" in proc.stderr
    (root / "sch").symlink_to(tmp_path / "missing")
    proc = run_cli("schema", "--output", "sch", cwd=root)
    assert proc.returncode == 2 and "sch is a symlink to a missing target" in proc.stderr
