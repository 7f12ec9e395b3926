"""`backlog lineage` through the real CLI: node sets per direction and depth, and every format
checked for what its consumer needs (Graphviz renders the DOT, JSON meets its schema)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from backlog_cli.cli.lineage import LineageFormat
from backlog_cli.commands import lineage
from backlog_cli.config import load_config
from backlog_cli.project import load_project
from tests.conftest import item, require, run_cli, write_backlog

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "support-copilot"
SCHEMA = json.loads((REPO / "schemas/lineage-result.schema.json").read_text(encoding="utf-8"))

# capability/c -> agent/a -> prompt/p -> model/m, and c -> p directly, a -> m directly
# (two diamonds); p -> policy/guard via safety.policies; evaluation/e targets p;
# agent/a names a tool that does not exist; tool/alone is unrelated.
FILES: dict[str, str | bytes] = {
    "backlog/m.yaml": item("model", "m", status="done"),
    "backlog/guard.yaml": item("policy", "guard", version="2.0.0", status="ready"),
    "backlog/p.yaml": item(
        "prompt",
        "p",
        version="1.2.0",
        status="ready",
        extra="safety: {policies: ['policy/guard@^2']}",
        spec="model: model/m",
    ),
    "backlog/a.yaml": item(
        "agent",
        "a",
        status="in-progress",
        spec="model: model/m\nprompts: ['prompt/p@^1.2']\ntools: [tool/ghost]",
    ),
    "backlog/c.yaml": item("capability", "c", spec="items: [agent/a, prompt/p]"),
    "backlog/e.yaml": item("evaluation", "e", status="refined", spec="targets: [prompt/p]"),
    "backlog/alone.yaml": item("tool", "alone"),
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_backlog(tmp_path / "repo", FILES)


def lineage_json(root: Path, name: str, *args: str) -> dict[str, Any]:
    result = run_cli("lineage", name, "--format", "json", "--root", str(root), *args)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    Draft202012Validator(SCHEMA).validate(data)
    return data


def keys(data: dict[str, Any]) -> set[str]:
    return {node["key"] for node in data["nodes"]}


def edges(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(e["from"], e["to"], e["relation"]) for e in data["edges"]}


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("prompt/p", ["--up"], {"prompt/p", "model/m", "policy/guard"}),
        ("prompt/p", ["--down"], {"prompt/p", "agent/a", "capability/c", "evaluation/e"}),
        ("model/m", ["--down", "--depth", "1"], {"model/m", "prompt/p", "agent/a"}),
        (
            "model/m",
            ["--down"],
            {"model/m", "prompt/p", "agent/a", "capability/c", "evaluation/e"},
        ),
        ("capability/c", ["--up", "--depth", "1"], {"capability/c", "agent/a", "prompt/p"}),
        (
            "capability/c",
            ["--up", "--depth", "2"],
            {"capability/c", "agent/a", "prompt/p", "model/m", "policy/guard", "tool/ghost"},
        ),
        (
            "agent/a",
            [],
            {"agent/a", "model/m", "prompt/p", "policy/guard", "tool/ghost", "capability/c"},
        ),
        (
            "agent/a",
            ["--both", "--depth", "1"],
            {"agent/a", "model/m", "prompt/p", "tool/ghost", "capability/c"},
        ),
        ("tool/alone", [], {"tool/alone"}),
    ],
)
def test_node_sets_per_direction_and_depth(
    repo: Path, name: str, args: list[str], expected: set[str]
) -> None:
    assert keys(lineage_json(repo, name, *args)) == expected


def test_json_nodes_edges_and_why(repo: Path) -> None:
    data = lineage_json(repo, "prompt/p")
    assert (data["version"], data["root"], data["direction"], data["depth"]) == (
        1,
        "prompt/p",
        "both",
        None,
    )
    # only edges along a walk: agent/a -> model/m joins a downstream node to an upstream one
    assert edges(data) == {
        ("prompt/p", "model/m", "spec.model"),
        ("prompt/p", "policy/guard", "safety.policies"),
        ("agent/a", "prompt/p", "spec.prompts"),
        ("capability/c", "agent/a", "spec.items"),
        ("capability/c", "prompt/p", "spec.items"),
        ("evaluation/e", "prompt/p", "spec.targets"),
    }
    assert [e["from"] for e in data["edges"]] == sorted(e["from"] for e in data["edges"])
    order = [(n["direction"], n["distance"], n["key"]) for n in data["nodes"]]
    assert order == [
        ("root", 0, "prompt/p"),
        ("up", 1, "model/m"),
        ("up", 1, "policy/guard"),
        ("down", 1, "agent/a"),
        ("down", 1, "capability/c"),
        ("down", 1, "evaluation/e"),
    ]
    guard = next(n for n in data["nodes"] if n["key"] == "policy/guard")
    assert guard["why"] == {
        "seed": "prompt/p",
        "path": [
            {"from": "prompt/p", "to": "policy/guard", "relation": "safety.policies", "range": "^2"}
        ],
    }
    assert guard["path"] == "backlog/guard.yaml"
    assert (guard["version"], guard["status"], guard["owner"]) == ("2.0.0", "ready", "team-ai")


def test_dangling_reference_is_a_missing_node(repo: Path) -> None:
    data = lineage_json(repo, "capability/c", "--up")
    ghost = next(n for n in data["nodes"] if n["key"] == "tool/ghost")
    assert ghost["missing"] is True
    assert (ghost["kind"], ghost["id"], ghost["path"], ghost["version"]) == (
        "tool",
        "ghost",
        None,
        None,
    )
    assert ghost["why"]["path"][-1] == {
        "from": "agent/a",
        "to": "tool/ghost",
        "relation": "spec.tools",
        "range": None,
    }
    assert ("agent/a", "tool/ghost", "spec.tools") in edges(data)
    assert all(not n["missing"] for n in data["nodes"] if n["key"] != "tool/ghost")


def test_tree_exact_with_diamond_and_missing(repo: Path) -> None:
    result = run_cli("lineage", "capability/c", "--up", "--root", str(repo))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "capability/c 1.0.0 [proposed]\n"
        "├── spec.items → agent/a 1.0.0 [in-progress]\n"
        "│   ├── spec.model → model/m 1.0.0 [done]\n"
        "│   ├── spec.prompts → prompt/p 1.2.0 [ready]\n"
        "│   │   ├── safety.policies → policy/guard 2.0.0 [ready]\n"
        "│   │   └── spec.model → model/m 1.0.0 [done]\n"
        "│   └── spec.tools → tool/ghost (missing: no such item)\n"
        "└── spec.items → prompt/p 1.2.0 [ready] (see above)\n"
    )


def test_tree_both_has_two_branches(repo: Path) -> None:
    result = run_cli("lineage", "prompt/p", "--root", str(repo))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "prompt/p 1.2.0 [ready]\n"
        "├── upstream (what it depends on)\n"
        "│   ├── safety.policies → policy/guard 2.0.0 [ready]\n"
        "│   └── spec.model → model/m 1.0.0 [done]\n"
        "└── downstream (what depends on it)\n"
        "    ├── spec.items ← capability/c 1.0.0 [proposed]\n"
        "    ├── spec.prompts ← agent/a 1.0.0 [in-progress]\n"
        "    │   └── spec.items ← capability/c 1.0.0 [proposed]\n"
        "    └── spec.targets ← evaluation/e 1.0.0 [refined]\n"
    )
    alone = run_cli("lineage", "tool/alone", "--up", "--root", str(repo))
    assert alone.stdout == "tool/alone 1.0.0 [proposed]\n└── depends on nothing\n"


def test_output_file_gets_plain_tree(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "tree.txt"
    result = run_cli(
        "lineage",
        "prompt/p",
        "--down",
        "--output",
        str(target),
        "--root",
        str(repo),
        env={"NO_COLOR": ""},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert "\x1b[" not in text
    assert text.startswith("prompt/p 1.2.0 [ready]\n├── spec.items ← capability/c")


def test_rich_tree_is_the_plain_tree_in_colour(repo: Path) -> None:
    project = load_project(load_config(repo))
    focus = project.find("capability/c")
    assert focus is not None
    result = lineage.build(project, focus, "both", None)
    coloured = lineage.render(result, "tree", rich_terminal=True)
    assert "\x1b[" in coloured
    plain = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert [line.rstrip() for line in plain.splitlines()] == lineage.render_tree(
        result
    ).splitlines()


# --- mermaid ----------------------------------------------------------------------------

NODE = re.compile(r'^    ([A-Za-z0-9_]+)\["([^"]*)"\]$')
EDGE = re.compile(r'^    ([A-Za-z0-9_]+) -->\|"([^"]*)"\| ([A-Za-z0-9_]+)$')
CLASSDEF = re.compile(r"^    classDef ([A-Za-z0-9_]+) [a-z-]+:[^,]+(,[a-z-]+:[^,]+)*$")
CLASS = re.compile(r"^    class ([A-Za-z0-9_,]+) ([A-Za-z0-9_]+)$")


def check_mermaid(text: str) -> dict[str, str]:
    """Parse the flowchart strictly; returns node id -> label."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    labels: dict[str, str] = {}
    defined: set[str] = set()
    used: set[str] = set()
    for line in lines[1:]:
        if match := NODE.match(line):
            assert match[1] not in labels, f"duplicate node id {match[1]}"
            labels[match[1]] = match[2]
        elif match := EDGE.match(line):
            assert match[1] in labels and match[3] in labels, line
        elif match := CLASSDEF.match(line):
            defined.add(match[1])
        elif match := CLASS.match(line):
            assert set(match[1].split(",")) <= set(labels), line
            used.add(match[2])
        else:
            raise AssertionError(f"unexpected Mermaid line: {line!r}")
    assert defined == used, "every classDef is used and every class defined"
    for label in labels.values():
        # entity codes (`#quot;`) are the only place a `#` or `;` may appear
        bare = re.sub(r"#[a-z0-9]+;", "", label).replace("<br/>", "")
        assert not set(bare) & set('"#<>`|'), label
        for opening, closing in ("[]", "()", "{}"):
            assert bare.count(opening) == bare.count(closing), label
    return labels


def test_mermaid_structure_and_direction(repo: Path) -> None:
    result = run_cli("lineage", "agent/a", "--format", "mermaid", "--root", str(repo))
    assert result.returncode == 0, result.stderr
    labels = check_mermaid(result.stdout)
    assert set(labels) == {
        "agent_a",
        "model_m",
        "prompt_p",
        "policy_guard",
        "tool_ghost",
        "capability_c",
    }
    assert labels["prompt_p"] == "prompt/p<br/>1.2.0 · ready"
    assert labels["tool_ghost"] == "tool/ghost<br/>missing"
    text = result.stdout
    # drawn from the referenced item to the one that depends on it
    assert '    prompt_p -->|"spec.prompts"| agent_a\n' in text
    assert '    agent_a -->|"spec.items"| capability_c\n' in text
    assert "    class agent_a focus\n" in text
    assert "    class tool_ghost missing\n" in text
    assert "classDef tool " not in text  # the only tool is missing: no kind class for it


def test_mermaid_escapes_labels_and_keeps_ids_unique(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/x.yaml": item("prompt", "a-b", spec="model: model/m").replace(
                "status: proposed", "status: 'odd \"#1\" <b>|x|</b> [y'"
            ),
            "backlog/y.yaml": item("prompt", "a.b", spec="model: model/m"),
            "backlog/m.yaml": item("model", "m"),
        },
    )
    result = run_cli("lineage", "model/m", "--format", "mermaid", "--root", str(root))
    assert result.returncode == 0, result.stderr
    labels = check_mermaid(result.stdout.replace("[y", "[y]"))  # balance the user's own `[`
    ids = [i for i in labels if i.startswith("prompt_a_b")]
    assert len(ids) == 2 and all(re.fullmatch(r"prompt_a_b_[0-9a-f]{8}", i) for i in ids)
    assert "odd #quot;#35;1#quot; #60;b#62;#124;x#124;#60;/b#62; [y" in result.stdout
    assert lineage.mermaid_ids(["prompt/x", "model/x"]) == {
        "model/x": "model_x",
        "prompt/x": "prompt_x",
    }


# --- dot --------------------------------------------------------------------------------


def render_svg(dot_text: str) -> None:
    dot = require(shutil.which("dot"), "Graphviz `dot` is not installed (apt-get install graphviz)")
    result = subprocess.run(
        [dot, "-Tsvg"], input=dot_text, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "<svg" in result.stdout


def test_dot_renders_with_graphviz(repo: Path) -> None:
    result = run_cli("lineage", "agent/a", "--format", "dot", "--root", str(repo))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("digraph lineage {\n  rankdir=LR;\n")
    assert '  "prompt/p" -> "agent/a" [label="spec.prompts\\n^1.2"];\n' in text
    assert '"tool/ghost" [label="tool/ghost\\nmissing", shape=box, style="dashed"' in text
    assert "penwidth=3" in text.split('"agent/a" [', 1)[1].split("\n", 1)[0]
    render_svg(text)


def test_dot_escapes_quotes_and_backslashes(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/p.yaml": item("prompt", "p", spec="model: model/m").replace(
                "status: proposed", "status: 'say \"hi\" \\\\ {x}'"
            ),
            "backlog/m.yaml": item("model", "m"),
        },
    )
    result = run_cli("lineage", "model/m", "--format", "dot", "--root", str(root))
    assert result.returncode == 0, result.stderr
    assert '[say \\"hi\\" \\\\\\\\ {x}]' in result.stdout
    render_svg(result.stdout)


# --- the example backlog ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", [f.value for f in LineageFormat])
@pytest.mark.parametrize(
    "args",
    [
        ["capability/auto-triage", "--up"],
        ["policy/pii-redaction", "--down", "--depth", "2"],
        ["agent/support-copilot"],
        ["prompt/support-triage", "--both", "--depth", "1"],
    ],
)
def test_example_backlog_in_every_format(args: list[str], fmt: str) -> None:
    result = run_cli("lineage", *args, "--format", fmt, "--root", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        Draft202012Validator(SCHEMA).validate(json.loads(result.stdout))
    elif fmt == "mermaid":
        check_mermaid(result.stdout)
    elif fmt == "dot":
        render_svg(result.stdout)
    else:
        assert result.stdout.startswith(args[0] + " ")
        assert "[done]" in result.stdout


def test_example_backlog_node_sets() -> None:
    up1 = lineage_json(EXAMPLE, "capability/auto-triage", "--up", "--depth", "1")
    assert keys(up1) == {
        "capability/auto-triage",
        "agent/triage-orchestrator",
        "prompt/support-triage",
        "tool/ticket-update",
    }
    down = lineage_json(EXAMPLE, "model/gpt-4o-mini", "--down")
    assert {n["key"] for n in down["nodes"] if n["distance"] == 1} == {
        "agent/triage-orchestrator",
        "prompt/intent-summary",
        "prompt/macro-suggest-legacy",
        "prompt/support-triage",
    }
    assert all(n["direction"] in ("root", "down") for n in down["nodes"])
    assert "evaluation/triage-accuracy" in keys(down)


def test_readme_picture_is_current() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- lineage-example -->\n```mermaid\n", 1)[1].split("```", 1)[0]
    result = run_cli(
        "lineage", "capability/auto-triage", "--root", str(EXAMPLE), "--format", "mermaid"
    )
    assert block == result.stdout, "regenerate the README's lineage picture"


# --- errors and cycles ------------------------------------------------------------------


def test_unknown_item_is_exit_2_with_did_you_mean(repo: Path) -> None:
    result = run_cli("lineage", "prompt/pp", "--root", str(repo))
    assert result.returncode == 2
    assert "unknown item `prompt/pp`; did you mean `prompt/p`?" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--depth", "0"],
        ["--depth", "-1"],
        ["--depth", "two"],
        ["--format", "svg"],
        ["--up", "--down"],
    ],
)
def test_bad_options_are_exit_2(repo: Path, args: list[str]) -> None:
    result = run_cli("lineage", "prompt/p", *args, "--root", str(repo))
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr


def test_a_cycle_does_not_loop(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/x.yaml": item("agent", "x", spec="agents: [agent/y]"),
            "backlog/y.yaml": item("agent", "y", spec="agents: [agent/z]"),
            "backlog/z.yaml": item("agent", "z", spec="agents: [agent/x, agent/z]"),
        },
    )
    data = lineage_json(root, "agent/x")
    assert keys(data) == {"agent/x", "agent/y", "agent/z"}
    # reached both ways: listed once, with the shorter walk
    assert [(n["key"], n["direction"], n["distance"]) for n in data["nodes"]] == [
        ("agent/x", "root", 0),
        ("agent/y", "up", 1),
        ("agent/z", "down", 1),
    ]
    assert ("agent/z", "agent/z", "spec.agents") in edges(data)
    tree = run_cli("lineage", "agent/x", "--up", "--root", str(root)).stdout
    assert tree == (
        "agent/x 1.0.0 [proposed]\n"
        "└── spec.agents → agent/y 1.0.0 [proposed]\n"
        "    └── spec.agents → agent/z 1.0.0 [proposed]\n"
        "        ├── spec.agents → agent/x 1.0.0 [proposed] (see above)\n"
        "        └── spec.agents → agent/z 1.0.0 [proposed] (see above)\n"
    )
    for fmt in ("mermaid", "dot"):
        result = run_cli("lineage", "agent/x", "--format", fmt, "--root", str(root))
        assert result.returncode == 0, result.stderr
    render_svg(run_cli("lineage", "agent/x", "--format", "dot", "--root", str(root)).stdout)


# --- the selector hook ------------------------------------------------------------------


def test_filter_nodes_drops_nodes_and_their_edges(repo: Path) -> None:
    project = load_project(load_config(repo))
    focus = project.find("agent/a")
    assert focus is not None
    full = lineage.build(project, focus, "both", None)
    narrowed = lineage.filter_nodes(full, lambda node: node.kind != "prompt")
    assert "prompt/p" in full.nodes and "prompt/p" not in narrowed.nodes
    assert all("prompt/p" not in (e.source, e.target) for e in narrowed.edges)
    assert set(narrowed.nodes) == set(full.nodes) - {"prompt/p"}
    only_focus = lineage.filter_nodes(full, lambda node: False)
    assert set(only_focus.nodes) == {"agent/a"} and only_focus.edges == ()
    Draft202012Validator(SCHEMA).validate(lineage.to_json(narrowed))
