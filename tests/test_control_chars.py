"""User text never reaches a terminal or CI log raw: control characters are escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli, write_backlog

ESC = "\x1b"
ITEM = """\
apiVersion: backlog/v1
kind: model
id: m1
title: "T\\e]0;pwned\\a\\e[2J"
version: "1.0.0"
status: "proposed\\e[8m\\n::error file=backlog/x.yaml,line=1::forged annotation"
owner: "team\\r\\n::warning::forged"
spec: {provider: a, name: b}
"""


def _repo(tmp_path: Path) -> Path:
    odd_name = f"backlog/e{ESC}[31mred.yaml"
    return write_backlog(
        tmp_path / "r",
        {"backlog/a.yaml": ITEM, odd_name: ITEM.replace("id: m1", "id: m2")},
    )


def _assert_inert(out: str) -> None:
    assert ESC not in out and "\a" not in out and "\r" not in out
    for line in out.splitlines():
        assert not line.startswith(("::error file=backlog/x", "::warning::forged")), line


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_check_escapes_values_and_file_names(tmp_path: Path, fmt: str) -> None:
    proc = run_cli("check", "--no-cache", "--format", fmt, cwd=_repo(tmp_path))
    assert proc.returncode == 1, proc.stderr
    _assert_inert(proc.stdout)
    assert "proposed\\x1b[8m\\n::error" in proc.stdout  # shown, escaped, not dropped
    assert "e\\x1b[31mred.yaml" in proc.stdout


@pytest.mark.parametrize("args", [["list"], ["show", "model/m1"], ["show", "model/m2"], ["status"]])
def test_inventory_commands_escape_titles_owners_and_statuses(
    tmp_path: Path, args: list[str]
) -> None:
    proc = run_cli(*args, "--no-cache", cwd=_repo(tmp_path))
    assert proc.returncode in (0, 1), proc.stderr
    _assert_inert(proc.stdout)
    assert "team\\r\\n::warning::forged" in proc.stdout or args == ["status"]


def test_json_keeps_the_message_escaped_and_parseable(tmp_path: Path) -> None:
    import json

    proc = run_cli("check", "--no-cache", "--format", "json", cwd=_repo(tmp_path))
    messages = [d["message"] for d in json.loads(proc.stdout)["diagnostics"]]
    assert messages and all(ESC not in m and "\n" not in m for m in messages)


def test_status_escapes_owners_of_items_that_are_not_ready(tmp_path: Path) -> None:
    text = ITEM.replace(
        'status: "proposed\\e[8m\\n::error file=backlog/x.yaml,line=1::forged annotation"',
        "status: ready",
    )
    root = write_backlog(tmp_path / "r", {"backlog/a.yaml": text})
    proc = run_cli("status", "--no-cache", cwd=root)
    _assert_inert(proc.stdout)
    assert "team\\r\\n::warning::forged" in proc.stdout
