"""`backlog lineage` without an item (issue 13 §7): the whole graph, or the `--select` /
`--exclude` selection, in every lineage format, through the real CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from backlog_cli.cli.lineage import LineageFormat
from tests.conftest import item, run_cli, write_backlog
from tests.test_lineage import EXAMPLE, FILES, SCHEMA, check_mermaid, render_svg


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_backlog(tmp_path / "repo", FILES)


def graph_json(root: Path, *args: str) -> dict[str, Any]:
    result = run_cli("lineage", *args, "--format", "json", "--root", str(root))
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    Draft202012Validator(SCHEMA).validate(data)
    return data


WHOLE_TREE = """\
7 items, 8 references, 1 missing
├── capability/c 1.0.0 [proposed]
│   ├── spec.items → agent/a 1.0.0 [in-progress]
│   │   ├── spec.model → model/m 1.0.0 [done]
│   │   ├── spec.prompts → prompt/p 1.2.0 [ready]
│   │   │   ├── safety.policies → policy/guard 2.0.0 [ready]
│   │   │   └── spec.model → model/m 1.0.0 [done]
│   │   └── spec.tools → tool/ghost (missing: no such item)
│   └── spec.items → prompt/p 1.2.0 [ready] (see above)
├── evaluation/e 1.0.0 [refined]
│   └── spec.targets → prompt/p 1.2.0 [ready] (see above)
└── tool/alone 1.0.0 [proposed]
"""


def test_whole_graph_tree_hangs_everything_from_what_nothing_depends_on(repo: Path) -> None:
    result = run_cli("lineage", "--root", str(repo))
    assert (result.returncode, result.stdout, result.stderr) == (0, WHOLE_TREE, "")


def test_whole_graph_json_has_every_item_and_reference(repo: Path) -> None:
    data = graph_json(repo)
    assert (data["root"], data["direction"], data["depth"]) == (None, None, None)
    assert [n["key"] for n in data["nodes"]] == [
        "agent/a",
        "capability/c",
        "evaluation/e",
        "model/m",
        "policy/guard",
        "prompt/p",
        "tool/alone",
        "tool/ghost",
    ]
    assert all(
        (n["direction"], n["distance"], n["why"]) == (None, None, None) for n in data["nodes"]
    )
    assert [n["key"] for n in data["nodes"] if n["missing"]] == ["tool/ghost"]
    assert [(e["from"], e["to"], e["relation"], e["range"]) for e in data["edges"]] == [
        ("agent/a", "model/m", "spec.model", None),
        ("agent/a", "prompt/p", "spec.prompts", "^1.2"),
        ("agent/a", "tool/ghost", "spec.tools", None),
        ("capability/c", "agent/a", "spec.items", None),
        ("capability/c", "prompt/p", "spec.items", None),
        ("evaluation/e", "prompt/p", "spec.targets", None),
        ("prompt/p", "model/m", "spec.model", None),
        ("prompt/p", "policy/guard", "safety.policies", "^2"),
    ]


def test_whole_graph_mermaid_has_no_focus(repo: Path) -> None:
    result = run_cli("lineage", "--format", "mermaid", "--root", str(repo))
    assert result.returncode == 0, result.stderr
    labels = check_mermaid(result.stdout)
    assert set(labels) == {
        "agent_a",
        "capability_c",
        "evaluation_e",
        "model_m",
        "policy_guard",
        "prompt_p",
        "tool_alone",
        "tool_ghost",
    }
    assert "focus" not in result.stdout
    assert '    prompt_p -->|"spec.targets"| evaluation_e\n' in result.stdout
    assert "    class tool_alone tool\n    class tool_ghost missing\n" in result.stdout


def test_whole_graph_dot_renders_with_graphviz(repo: Path) -> None:
    result = run_cli("lineage", "--format", "dot", "--root", str(repo))
    assert result.returncode == 0, result.stderr
    assert "penwidth" not in result.stdout
    assert '  "tool/alone" [label="tool/alone\\n1.0.0 [proposed]", shape=component' in result.stdout
    assert len(re.findall(r" -> ", result.stdout)) == 8
    render_svg(result.stdout)


SELECTED_TREE = """\
4 selected items, 4 references
├── agent/a 1.0.0 [in-progress]
│   ├── spec.model → model/m 1.0.0 [done]
│   └── spec.prompts → prompt/p 1.2.0 [ready]
│       └── spec.model → model/m 1.0.0 [done]
└── evaluation/e 1.0.0 [refined]
    └── spec.targets → prompt/p 1.2.0 [ready] (see above)
"""


def test_selection_tree_has_the_selected_items_and_references_between_them(repo: Path) -> None:
    result = run_cli(
        "lineage", "--select", "model/m+", "--exclude", "kind:capability", "--root", str(repo)
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, SELECTED_TREE, "")


def test_selection_json_says_why_each_node_was_selected(repo: Path) -> None:
    data = graph_json(repo, "--select", "model/m+", "--exclude", "kind:capability")
    assert data["root"] is None
    whys = {n["key"]: n["why"] for n in data["nodes"]}
    assert list(whys) == ["agent/a", "evaluation/e", "model/m", "prompt/p"]
    assert whys["model/m"] == {"seed": "model/m+", "path": []}
    assert [step["from"] for step in whys["evaluation/e"]["path"]] == ["prompt/p", "evaluation/e"]
    assert len(data["edges"]) == 4
    assert {e["from"] for e in data["edges"]} | {e["to"] for e in data["edges"]} == set(whys)


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_selection_pictures_leave_out_what_is_not_selected(repo: Path, fmt: str) -> None:
    result = run_cli("lineage", "-s", "kind:prompt kind:model", "-f", fmt, "--root", str(repo))
    assert result.returncode == 0, result.stderr
    for absent in ("agent", "capability", "policy", "ghost"):
        assert absent not in result.stdout
    if fmt == "mermaid":
        assert set(check_mermaid(result.stdout)) == {"model_m", "prompt_p"}
        assert '    model_m -->|"spec.model"| prompt_p\n' in result.stdout
    else:
        assert '  "model/m" -> "prompt/p" [label="spec.model"];\n' in result.stdout
        render_svg(result.stdout)


def test_an_empty_selection_says_so(repo: Path) -> None:
    tree = run_cli("lineage", "--select", "tag:none", "--root", str(repo))
    assert (tree.returncode, tree.stdout) == (
        0,
        "0 selected items, 0 references\n└── nothing selected\n",
    )
    data = graph_json(repo, "--select", "tag:none")
    assert (data["nodes"], data["edges"]) == ([], [])


def test_a_loop_nothing_else_reaches_is_still_drawn(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/x.yaml": item("agent", "x", spec="agents: [agent/y]"),
            "backlog/y.yaml": item("agent", "y", spec="agents: [agent/z]"),
            "backlog/z.yaml": item("agent", "z", spec="agents: [agent/x, agent/z]"),
        },
    )
    result = run_cli("lineage", "--root", str(root))
    assert result.stdout == (
        "3 items, 4 references\n"
        "└── agent/x 1.0.0 [proposed]\n"
        "    └── spec.agents → agent/y 1.0.0 [proposed]\n"
        "        └── spec.agents → agent/z 1.0.0 [proposed]\n"
        "            ├── spec.agents → agent/x 1.0.0 [proposed] (see above)\n"
        "            └── spec.agents → agent/z 1.0.0 [proposed] (see above)\n"
    )


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--up"], "--up"),
        (["--down"], "--down"),
        (["--both"], "--both"),
        (["--depth", "2"], "--depth"),
    ],
)
def test_a_walk_without_an_item_is_exit_2(repo: Path, args: list[str], flag: str) -> None:
    result = run_cli("lineage", *args, "--root", str(repo))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"backlog: error: {flag} walks from an ITEM; without one, `lineage` shows the whole "
        "graph (widen a selection with `+kind/id` or `kind/id+` in --select)\n"
    )


def test_a_bad_selector_is_exit_2(repo: Path) -> None:
    result = run_cli("lineage", "--select", "kind:promt", "--root", str(repo))
    assert result.returncode == 2
    assert "unknown kind `promt` at column 6; did you mean `prompt`?" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("fmt", [f.value for f in LineageFormat])
@pytest.mark.parametrize("args", [[], ["--select", "+capability/auto-triage"]])
def test_example_backlog_in_every_format(args: list[str], fmt: str) -> None:
    result = run_cli("lineage", *args, "--format", fmt, "--root", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        data = json.loads(result.stdout)
        Draft202012Validator(SCHEMA).validate(data)
        assert len(data["nodes"]) == (30 if not args else 9)
    elif fmt == "mermaid":
        check_mermaid(result.stdout)
    elif fmt == "dot":
        render_svg(result.stdout)
    else:
        assert result.stdout.startswith(
            "30 items, 77 references\n" if not args else "9 selected items, 17 references\n"
        )
