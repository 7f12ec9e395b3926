"""--write-baseline / --baseline: a legacy backlog adopts the tool in one commit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import item, run_cli, write_backlog

LEGACY: dict[str, str | bytes] = {
    "backlog/a.yaml": item("agent", "a", spec="prompts: [prompt/missing, prompt/gone]"),
    "backlog/b.yaml": item("prompt", "b", status="ready"),  # four readiness gaps
    "backlog/c.yaml": "apiVersion: backlog/v1\nkind: model\nid: c\n",  # schema findings
}


def test_baseline_round_trip(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", LEGACY)
    before = run_cli("check", cwd=root)
    assert before.returncode == 1
    written = run_cli("check", "--write-baseline", ".backlog-baseline.json", cwd=root)
    assert written.returncode == 0, written.stderr
    recorded = json.loads((root / ".backlog-baseline.json").read_text(encoding="utf-8"))
    count = len(recorded["entries"])
    assert written.stdout == f"wrote {count} findings to .backlog-baseline.json\n"
    assert count >= 8 and all("line" not in e for e in recorded["entries"])

    adopted = run_cli("check", "--baseline", ".backlog-baseline.json", cwd=root)
    assert adopted.returncode == 0, adopted.stdout
    assert adopted.stdout.strip().endswith(f"no problems ({count} in baseline)")

    # unrelated edits shift every line and move a file: nothing becomes new
    a = root / "backlog/a.yaml"
    (root / "backlog/agents").mkdir()
    (root / "backlog/agents/a.yaml").write_text("# moved\n\n" + a.read_text(), encoding="utf-8")
    a.unlink()
    assert run_cli("check", "--baseline", ".backlog-baseline.json", cwd=root).returncode == 0

    # a new finding fails, and only it is reported
    (root / "backlog/d.yaml").write_text(
        item("tool", "d", spec="data: [dataset/nope]"), encoding="utf-8"
    )
    fresh = run_cli("check", "--baseline", ".backlog-baseline.json", "--format", "json", cwd=root)
    assert fresh.returncode == 1
    payload = json.loads(fresh.stdout)
    assert [(d["rule"], d["item"]) for d in payload["diagnostics"]] == [
        ("unknown-reference", "tool/d")
    ]
    assert payload["summary"]["baselined"] == count

    # fixing a recorded finding makes its entry stale, reported so the file can shrink
    (root / "backlog/d.yaml").unlink()
    agent = root / "backlog/agents/a.yaml"
    agent.write_text(agent.read_text().replace(", prompt/gone", ""), encoding="utf-8")
    shrunk = run_cli("check", "--baseline", ".backlog-baseline.json", cwd=root)
    assert shrunk.returncode == 0
    assert "1 baseline entry fixed: shrink it with --write-baseline" in shrunk.stdout
    data = json.loads(
        run_cli(
            "check", "--baseline", ".backlog-baseline.json", "--format", "json", cwd=root
        ).stdout
    )
    assert data["summary"]["stale_baseline"] == 1 and data["summary"]["baselined"] == count - 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file; create it with --write-baseline"),
        ("{not json", "not a baseline file"),
        ('{"version": 7, "entries": []}', "not a version 1 baseline"),
        ('{"version": 1, "entries": [{"rule": 1}]}', "entry 0 is malformed"),
    ],
)
def test_bad_baseline_is_exit_2(tmp_path: Path, content: str | None, message: str) -> None:
    root = write_backlog(tmp_path / "r", LEGACY)
    if content is not None:
        (root / "base.json").write_text(content, encoding="utf-8")
    result = run_cli("check", "--baseline", "base.json", cwd=root)
    assert result.returncode == 2 and message in result.stderr
