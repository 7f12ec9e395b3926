"""Errors in `[tool.backlog]` of pyproject.toml carry a line and column, like backlog.yaml's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli


@pytest.mark.parametrize(
    ("toml", "where", "message"),
    [
        (
            '[project]\nname = "x"\n\n[tool.backlog]\nitems = "backlog/"\n'
            'rules = {cycel = "off"}\n',
            "6:10",
            "unknown rule `cycel`",
        ),
        (
            '[tool.backlog]\nitems = "backlog/"\n\n[tool.backlog.rules]\ncycle = "of"\n',
            "5:9",
            "`of` is not one of",
        ),
        ('[tool.backlog]\nitemz = "backlog/"\n', "2:1", "unknown key `itemz`"),
        ("[tool.backlog]\nitems = 3\n", "2:9", "must be a folder path"),
        (
            '[tool.backlog]\n"rules" = { "cycle" = true }\n',
            "2:23",
            "`true` is not one of",
        ),
    ],
)
def test_a_pyproject_error_is_located(tmp_path: Path, toml: str, where: str, message: str) -> None:
    (tmp_path / "backlog").mkdir()
    (tmp_path / "pyproject.toml").write_text(toml, encoding="utf-8")
    proc = run_cli("check", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 2
    assert f"pyproject.toml:{where}: " in proc.stderr and message in proc.stderr, proc.stderr
