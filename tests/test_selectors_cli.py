"""--select / --exclude through the real CLI on list, check, lineage and impact."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from tests.conftest import git, item, run_cli, write_backlog

REPO = Path(__file__).resolve().parent.parent
FILES: dict[str, str | bytes] = {
    "backlog/models/m.yaml": item("model", "m", extra="tags: [llm]"),
    "backlog/prompts/p.yaml": item(
        "prompt", "p", status="refined", spec="model: model/m", extra="tags: [pii]"
    ),
    "backlog/prompts/q.yaml": item("prompt", "q", spec="model: model/m\ncontext: [dataset/x]"),
    "backlog/agents/a.yaml": item("agent", "a", spec="prompts: [prompt/p]"),
    "backlog/evaluations/e.yaml": item("evaluation", "e", spec="targets: [agent/a]"),
}


def schema(name: str) -> Draft202012Validator:
    path = REPO / "schemas" / f"{name}.schema.json"
    return Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def test_list_select_with_why(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    result = run_cli(
        "list", "--select", "model/m+", "--exclude", "kind:evaluation", "--format", "json", cwd=root
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    schema("list-result").validate(payload)
    why = {i["key"]: i["why"] for i in payload["items"]}
    assert sorted(why) == ["agent/a", "model/m", "prompt/p", "prompt/q"]
    assert why["agent/a"]["seed"] == "model/m+"
    assert [(e["from"], e["to"]) for e in why["agent/a"]["path"]] == [
        ("prompt/p", "model/m"),
        ("agent/a", "prompt/p"),
    ]
    text = run_cli("list", "-s", "kind:prompt,tag:pii", "-s", "kind:model", cwd=root).stdout
    assert [line.split()[0] for line in text.splitlines()[:-1]] == ["model/m", "prompt/p"]


def test_check_select_narrows_the_items_reported(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    everything = json.loads(run_cli("check", "--format", "json", cwd=root).stdout)
    assert {d["item"] for d in everything["diagnostics"]} == {"prompt/q"}  # dataset/x missing
    narrowed = run_cli("check", "--select", "kind:agent", "--format", "json", cwd=root)
    assert narrowed.returncode == 0
    payload = json.loads(narrowed.stdout)
    assert payload["diagnostics"] == [] and payload["summary"]["items"] == 1


def test_lineage_select_filters_nodes(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    result = run_cli(
        "lineage",
        "model/m",
        "--down",
        "--select",
        "kind:prompt kind:agent",
        "--format",
        "json",
        cwd=root,
    )
    payload = json.loads(result.stdout)
    schema("lineage-result").validate(payload)
    assert sorted(n["key"] for n in payload["nodes"]) == [
        "agent/a",
        "model/m",
        "prompt/p",
        "prompt/q",
    ]


def test_impact_select_and_changed(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    path = root / "backlog/models/m.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "spec: {snapshot: m-2}\n", encoding="utf-8")
    payload = json.loads(
        run_cli(
            "impact", "--base", "main", "--select", "kind:evaluation", "--format", "json", cwd=root
        ).stdout
    )
    assert [i["item"] for i in payload["impacted"]] == ["evaluation/e"]
    changed = run_cli("list", "--select", "changed+", "--base", "main", cwd=root).stdout
    assert [line.split()[0] for line in changed.splitlines()[:-1]] == [
        "agent/a",
        "evaluation/e",
        "model/m",
        "prompt/p",
        "prompt/q",
    ]
    only_changed = run_cli(
        "check", "--base", "main", "--select", "changed", "--format", "json", cwd=root
    )
    assert {d["item"] for d in json.loads(only_changed.stdout)["diagnostics"]} == {"model/m"}


def test_malformed_selector_is_exit_2_with_the_column(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    result = run_cli("list", "--select", "kind:promt", cwd=root)
    assert result.returncode == 2
    assert "unknown kind `promt` at column 6; did you mean `prompt`?" in result.stderr
    unknown = run_cli("check", "--select", "prompt/pp+", cwd=root)
    assert unknown.returncode == 2 and "did you mean `prompt/p`" in unknown.stderr
