"""`list --kind/--status`: a value that matches nothing known is a usage error, not 0 items."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import item, run_cli, write_backlog


@pytest.mark.parametrize(
    ("option", "value", "suggestion"),
    [
        ("--status", "redy", "`ready`"),
        ("--status", "READY", "`ready`"),
        ("--kind", "promt", "`prompt`"),
    ],
)
def test_a_typo_is_exit_2_with_a_suggestion(
    tmp_path: Path, option: str, value: str, suggestion: str
) -> None:
    root = write_backlog(tmp_path / "r", {"backlog/m.yaml": item("model", "m", status="ready")})
    proc = run_cli("list", option, value, "--no-cache", cwd=root)
    assert proc.returncode == 2
    assert f"{option} {value}: unknown" in proc.stderr and suggestion in proc.stderr


def test_known_values_filter(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/m.yaml": item("model", "m", status="ready"),
            "backlog/n.yaml": item("model", "n", status="proposed"),
        },
    )
    proc = run_cli("list", "--status", "ready", "--status", "done", "--no-cache", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "model/m" in proc.stdout and "model/n" not in proc.stdout
