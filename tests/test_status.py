"""`backlog status`: the board in text, JSON and Markdown, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from tests.conftest import item, run_cli, write_backlog

REPO = Path(__file__).resolve().parent.parent


def board(tmp_path: Path) -> Path:
    return write_backlog(
        tmp_path / "r",
        {
            "backlog/m.yaml": item("model", "m", status="done", spec="snapshot: m-2024-08-06"),
            "backlog/n.yaml": item("model", "n", status="refined"),
            "backlog/o.yaml": item("model", "o", status="refined", spec="snapshot: o-1"),
            "backlog/p.yaml": item("prompt", "p", status="proposed"),
            "backlog/a.yaml": item("agent", "a", status="ready", spec="prompts: [prompt/p]"),
            "backlog/d.yaml": item("dataset", "d", status="deprecated"),
        },
    )


def test_status_text(tmp_path: Path) -> None:
    result = run_cli("status", cwd=board(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "kind",
        "proposed",
        "refined",
        "ready",
        "in-progress",
        "done",
        "deprecated",
    ]
    assert lines[2].split() == ["prompt", "1"]
    assert lines[3].split() == ["agent", "1"]
    assert lines[7].split() == ["model", "2", "1"]
    assert lines[9].split() == ["total", "1", "2", "1", "0", "1", "1"]
    text = result.stdout
    assert "not ready (2):" in text
    assert "  agent/a [ready] team-ai (backlog/a.yaml)" in text
    assert "    - depends on `prompt/p`, which is only proposed" in text
    assert "    - has no acceptance criteria" in text
    assert "  model/n [refined] team-ai (backlog/n.yaml)\n    - has no `spec.snapshot`" in text
    assert "ready to pick up (1):\n  model/o [refined] team-ai (can move to ready)" in text
    assert "model/m" not in text.split("not ready")[1]  # done and fine: not listed


def test_status_json_matches_its_schema(tmp_path: Path) -> None:
    result = run_cli("status", "--format", "json", cwd=board(tmp_path))
    payload = json.loads(result.stdout)
    schema = json.loads((REPO / "schemas" / "status-result.schema.json").read_text())
    Draft202012Validator(schema).validate(payload)
    assert payload["board"]["model"] == {
        "proposed": 0,
        "refined": 2,
        "ready": 0,
        "in-progress": 0,
        "done": 1,
        "deprecated": 0,
    }
    assert [e["item"] for e in payload["not_ready"]] == ["agent/a", "model/n"]
    assert payload["not_ready"][1]["reasons"] == ["has no `spec.snapshot`"]
    assert [e["item"] for e in payload["ready_to_pick_up"]] == ["model/o"]


def test_status_markdown(tmp_path: Path) -> None:
    result = run_cli("status", "--format", "markdown", cwd=board(tmp_path))
    text = result.stdout
    assert text.startswith("## Backlog status\n")
    assert "| kind | proposed | refined | ready | in-progress | done | deprecated |" in text
    assert "| model |  | 2 |  |  | 1 |  |" in text
    assert "| **total** | **1** | **2** | **1** | **0** | **1** | **1** |" in text
    assert "- **`agent/a`** (ready, team-ai) — [backlog/a.yaml](backlog/a.yaml)" in text
    assert "  - depends on `prompt/p`, which is only proposed" in text
    assert "### Ready to pick up (1)" in text


def test_status_bad_format_is_exit_2(tmp_path: Path) -> None:
    assert run_cli("status", "--format", "html", cwd=board(tmp_path)).returncode == 2


def test_status_rich_table_on_a_terminal(tmp_path: Path) -> None:
    from backlog_cli.commands.status import build, render_text
    from backlog_cli.config import load_config
    from backlog_cli.project import load_project

    project = load_project(load_config(board(tmp_path)))
    text = render_text(build(project), rich_terminal=True)
    assert "backlog board" in text and "┃" in text  # rich's table borders
    assert "not ready (2):" in text
