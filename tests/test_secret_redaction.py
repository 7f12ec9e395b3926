"""No rule prints a credential: findings of other rules that quote a value mask it too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli, write_backlog

TOKEN = "ghp_R8x2Kq9ZpL4mW7vN3cT6yB1hJ5sD0fGaE2uQ"
PASSWORD = "Xk29aQ7mZp41Lw"  # random-looking, found by its name in `Password=...`

ITEM = f"""\
apiVersion: backlog/v1
kind: model
id: m1
title: A model
version: "{TOKEN}"
status: "Password={PASSWORD}"
owner: team-x
{TOKEN}: 1
spec: {{provider: openai, name: gpt}}
"""


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "markdown"])
@pytest.mark.parametrize("rules", [[], ["--ignore-rule", "secret"]])
def test_no_format_prints_a_credential_quoted_by_another_rule(
    tmp_path: Path, fmt: str, rules: list[str]
) -> None:
    root = write_backlog(tmp_path / "r", {"backlog/m.yaml": ITEM})
    proc = run_cli("check", "--no-cache", "--format", fmt, *rules, cwd=root)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout + proc.stderr
    assert TOKEN not in out and PASSWORD not in out
    # the findings that quoted them are still there, masked like the secret rule does
    assert "ghp_…E2uQ" in out and "Password=Xk…" in out
    assert out.count("schema") >= 3 or fmt == "junit"


def test_a_value_that_is_no_credential_is_quoted_as_written(tmp_path: Path) -> None:
    text = ITEM.replace(TOKEN, "not-a-version").replace(f"Password={PASSWORD}", "shipped")
    root = write_backlog(tmp_path / "r", {"backlog/m.yaml": text})
    proc = run_cli("check", "--no-cache", cwd=root)
    assert "`version` is `not-a-version`" in proc.stdout
    assert "`status` is `shipped`" in proc.stdout
