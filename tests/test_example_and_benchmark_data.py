"""The bundled example and the benchmark generator produce clean backlogs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import run_cli

REPO = Path(__file__).resolve().parent.parent


def test_example_backlog_is_clean_and_covers_every_kind() -> None:
    result = run_cli("check", "--root", str(REPO / "examples" / "support-copilot"))
    assert result.returncode == 0, result.stdout
    assert result.stdout.endswith("items checked: no problems\n")
    listed = run_cli("list", "--root", str(REPO / "examples" / "support-copilot"))
    kinds = {line.split("/")[0] for line in listed.stdout.splitlines()[:-1]}
    assert kinds == {
        "capability",
        "prompt",
        "agent",
        "tool",
        "policy",
        "dataset",
        "model",
        "evaluation",
    }
    assert int(listed.stdout.splitlines()[-1].split()[0]) >= 20


def test_benchmark_generator_makes_a_clean_backlog(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "generate.py"), "120", str(tmp_path / "bench")],
        check=True,
        capture_output=True,
    )
    result = run_cli("check", "--root", str(tmp_path / "bench"))
    assert result.returncode == 0, result.stdout
    assert result.stdout == "120 items checked: no problems\n"
