"""Messages that point at the real fix (issue 13, section 8), through the real CLI."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git, item, run_cli, write_backlog


def _on_a_terminal(root: Path, no_color: str | None) -> str:
    """`backlog check` with its stdout on a pseudo-terminal, as a user's shell runs it."""
    import pty

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    env["TERM"] = "xterm-256color"
    parent, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "backlog_cli.cli", "check", "--root", str(root)],
        stdout=child,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    os.close(child)
    out = b""
    while True:
        ready, _, _ = select.select([parent], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(parent, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(parent)
    proc.wait(timeout=60)
    return out.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("", True), ("1", False)])
def test_only_a_non_empty_no_color_turns_colour_off(
    tmp_path: Path, no_color: str | None, coloured: bool
) -> None:
    # no-color.org: "when present and not an empty string"; `NO_COLOR=` keeps colour on
    root = write_backlog(tmp_path / "repo", {"backlog/t.yaml": "kind: tool\n"})
    out = _on_a_terminal(root, no_color)
    assert "missing required key `apiVersion`" in out
    assert ("\x1b[" in out) is coloured


def _check(root: Path, *paths: str) -> str:
    result = run_cli("check", *paths, cwd=root)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_a_reversed_operator_suggests_the_operator_it_reverses(tmp_path: Path) -> None:
    extra = """
        acceptance:
          - {id: a1, text: answers, metric: acc, op: "=>", threshold: 0.5}
          - {id: a2, text: answers, metric: acc, op: "=<", threshold: 0.5}
    """
    root = write_backlog(tmp_path / "repo", {"backlog/p.yaml": item("prompt", "p", extra=extra)})
    assert _check(root) == (
        "backlog/p.yaml:9:46: error schema `acceptance[0].op` is `=>`; expected one of "
        "`>=`, `<=`, `>`, `<`, `==`\n"
        "  hint: did you mean `>=`?\n"
        "backlog/p.yaml:10:46: error schema `acceptance[1].op` is `=<`; expected one of "
        "`>=`, `<=`, `>`, `<`, `==`\n"
        "  hint: did you mean `<=`?\n"
        "\n1 item checked: 2 errors, 0 warnings\n"
    )


def test_an_invalid_range_is_named_once(tmp_path: Path) -> None:
    files = {
        "backlog/p.yaml": item("prompt", "p"),
        "backlog/a.yaml": item(
            "agent", "a", spec="prompts: [prompt/p@^1.0.0.0, prompt/p@>=1.0.0 <2.0.0 ^]"
        ),
    }
    root = write_backlog(tmp_path / "repo", files)
    hint = "  hint: use npm range syntax: `1.2.3`, `^1.2`, `~1.2.3`, `1.x`, `>=1.0.0 <2.0.0`\n"
    assert _check(root) == (
        "backlog/a.yaml:9:13: error version-constraint `prompt/p@^1.0.0.0`: "
        "invalid version range `^1.0.0.0`\n"
        + hint
        + "backlog/a.yaml:9:32: error version-constraint `prompt/p@>=1.0.0 <2.0.0 ^`: "
        "invalid version range `>=1.0.0 <2.0.0 ^`: `^` is not a valid comparator\n"
        + hint
        + "\n2 items checked: 2 errors, 0 warnings\n"
    )


def test_a_cycle_names_the_loop_members_off_the_path_shown(tmp_path: Path) -> None:
    # a -> b -> a is the path shown; a -> c -> d -> a puts c and d in the same loop
    files = {
        "backlog/a.yaml": item("agent", "a", spec="agents: [agent/b, agent/c]"),
        "backlog/b.yaml": item("agent", "b", spec="agents: [agent/a]"),
        "backlog/c.yaml": item("agent", "c", spec="agents: [agent/d]"),
        "backlog/d.yaml": item("agent", "d", spec="agents: [agent/a]"),
    }
    root = write_backlog(tmp_path / "repo", files)
    assert _check(root) == (
        "backlog/a.yaml:9:12: error cycle dependency cycle: agent/a -> agent/b -> agent/a; "
        "agent/c, agent/d are in the same loop too\n"
        "  hint: break the cycle by removing one of these references: agent/a `spec.agents`, "
        "agent/b `spec.agents`\n"
        "\n4 items checked: 1 error, 0 warnings\n"
    )


def test_a_huge_loop_names_ten_members_and_counts_the_rest(tmp_path: Path) -> None:
    chain = [f"agent/m{n:02}" for n in range(1, 13)]
    files = {
        "backlog/a.yaml": item("agent", "a", spec="agents: [agent/b, agent/m01]"),
        "backlog/b.yaml": item("agent", "b", spec="agents: [agent/a]"),
    }
    for here, there in zip(chain, [*chain[1:], "agent/a"], strict=True):
        files[f"backlog/{here[6:]}.yaml"] = item("agent", here[6:], spec=f"agents: [{there}]")
    root = write_backlog(tmp_path / "repo", files)
    result = run_cli("check", "--format", "json", cwd=root)
    messages = [f["message"] for f in json.loads(result.stdout)["diagnostics"]]
    assert messages == [
        "dependency cycle: agent/a -> agent/b -> agent/a; "
        + ", ".join(chain[:10])
        + " and 2 more are in the same loop too"
    ]


@pytest.mark.parametrize(
    ("name", "config", "message"),
    [
        (
            "backlog.yaml",
            "items: backlog/\nrules:\n  nope: error\n",
            "backlog.yaml:3:3: unknown rule `nope`",
        ),
        (
            "backlog.yaml",
            "items: [\n",
            # issue 14: where the bracket opened, and the fix
            "backlog.yaml:1:8: the bracket `[` opened at line 1, column 8 is never closed; "
            "close it: `items: []`",
        ),
        (
            "pyproject.toml",
            "[tool.backlog]\nitems = 'backlog/'\nexclude = 3\n",
            "pyproject.toml:3:11: `exclude`: must be a list of glob patterns",
        ),
        (
            "backlog.yaml",
            "items: missing/\n",
            "no item folder at missing/ (from backlog.yaml); create it, run `backlog init`, "
            "or set `items:` in backlog.yaml",
        ),
    ],
)
def test_config_errors_name_files_as_findings_do(
    tmp_path: Path, name: str, config: str, message: str
) -> None:
    # run from a subfolder of a git repository: findings say `backlog/a.yaml`, so the config
    # is `backlog.yaml`, not the absolute path of this machine
    root = write_backlog(tmp_path / "repo", {"backlog/a.yaml": item("model", "m")}, config=None)
    (root / name).write_text(config, encoding="utf-8")
    git(root, "init", "-q")
    result = run_cli("check", cwd=root / "backlog")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"backlog: error: {message}\n"


def test_a_missing_root_is_named_as_typed(tmp_path: Path) -> None:
    result = run_cli("check", "--root", "nowhere", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        "backlog: error: --root nowhere: not a directory\n",
    )


def test_a_comma_or_colon_inside_a_flow_sequence_is_named_as_the_cause(tmp_path: Path) -> None:
    files = {
        "backlog/p.yaml": item("prompt", "support-answer"),
        "backlog/a.yaml": item(
            "agent",
            "bot",
            extra="tags: [rag, note: beta]\nacceptance: [{id: a1, text: answers}]",
            spec="prompts: [prompt/support-answer@~1,2]",
        ),
    }
    root = write_backlog(tmp_path / "repo", files)
    assert _check(root) == (
        "backlog/a.yaml:8:13: error schema `tags[1]` must be a string, not a mapping\n"
        "  hint: inside `[...]`, `note: beta` is read as a mapping (`key: value`); quote it "
        'to keep it as text: `"note: beta"`\n'
        "backlog/a.yaml:11:38: error schema `spec.prompts[1]` must be a string, not a number\n"
        "  hint: a comma ends an item in a flow sequence `[...]`, so "
        "`prompt/support-answer@~1,2` was read as two items, `prompt/support-answer@~1` and "
        '`2`; to keep it one item, quote it: `"prompt/support-answer@~1,2"`\n'
        "\n2 items checked: 2 errors, 0 warnings\n"
    )


def test_a_block_sequence_keeps_the_plain_yaml_hint(tmp_path: Path) -> None:
    files = {
        "backlog/p.yaml": item("prompt", "support-answer"),
        "backlog/a.yaml": item(
            "agent", "bot", spec="prompts:\n  - prompt/support-answer@~1\n  - 2"
        ),
    }
    root = write_backlog(tmp_path / "repo", files)
    assert _check(root) == (
        "backlog/a.yaml:11:7: error schema `spec.prompts[1]` must be a string, not a number\n"
        "  hint: YAML read `2` as a number; quote it\n"
        "\n2 items checked: 1 error, 0 warnings\n"
    )


def test_a_missing_owner_is_reported_once_with_what_to_write(tmp_path: Path) -> None:
    text = item("model", "m", status="ready", extra="spec:\n  snapshot: m-2024-08-06")
    text = text.replace("owner: team-ai\n", "")
    root = write_backlog(tmp_path / "repo", {"backlog/m.yaml": text})
    assert _check(root) == (
        "backlog/m.yaml:1:1: error schema missing required key `owner`\n"
        '  hint: add `owner:` with a team name or "@person", e.g. `owner: team-ai`\n'
        "\n1 item checked: 1 error, 0 warnings\n"
    )


def _json_findings(root: Path) -> list[dict[str, object]]:
    proc = run_cli("check", "--no-cache", "--format", "json", cwd=root)
    assert proc.returncode == 1, proc.stderr
    found: list[dict[str, object]] = json.loads(proc.stdout)["diagnostics"]
    return found


def test_a_mistyped_kind_is_named_instead_of_suggesting_backlog_new(tmp_path: Path) -> None:
    # the tool's file exists; only its `kind:` is wrong: creating it again is not the fix
    tool = item("tool", "search").replace("kind: tool\n", "kind: tools\n")
    root = write_backlog(
        tmp_path / "repo",
        {
            "backlog/tools/search.yaml": tool,
            "backlog/agent.yaml": item("agent", "bot", spec="tools: [tool/search]"),
        },
    )
    hints = [d["hint"] for d in _json_findings(root) if d["rule"] == "unknown-reference"]
    assert hints == [
        "backlog/tools/search.yaml declares id `search` with `kind: tools`, which is not a "
        "kind; write `kind: tool` there"
    ]
    # a reference to an id nobody declares still offers `backlog new`
    root = write_backlog(
        tmp_path / "other",
        {"backlog/agent.yaml": item("agent", "bot", spec="tools: [tool/search]")},
    )
    hints = [d["hint"] for d in _json_findings(root) if d["rule"] == "unknown-reference"]
    assert hints == [
        "no tool item has id `search`; create it with `backlog new tool search` or fix the "
        "reference"
    ]


@pytest.mark.parametrize(
    ("field", "example"),
    [
        ("model: gpt 4o", "model/gpt-4o@^1.2"),  # only models: a model example
        ("tools: [order lookup]", "tool/order-lookup@^1.2"),
        ("agents: [triage bot]", "agent/triage-orchestrator@^1.2"),
    ],
)
def test_the_example_reference_has_the_kind_the_field_takes(
    tmp_path: Path, field: str, example: str
) -> None:
    root = write_backlog(
        tmp_path / "repo", {"backlog/agent.yaml": item("agent", "bot", spec=field)}
    )
    hints = [
        d["hint"] for d in _json_findings(root) if "not a valid reference" in str(d["message"])
    ]
    assert hints == [f"write `kind/id` or `kind/id@range`, e.g. `{example}`"]


def test_an_empty_owner_is_reported_once_with_what_to_write(tmp_path: Path) -> None:
    text = item("model", "m", status="ready", extra="spec:\n  snapshot: m-2024-08-06")
    text = text.replace("owner: team-ai\n", 'owner: ""\n')
    root = write_backlog(tmp_path / "repo", {"backlog/m.yaml": text})
    assert _check(root) == (
        "backlog/m.yaml:7:8: error schema `owner` is empty\n"
        '  hint: write `owner:` with a team name or "@person", e.g. `owner: team-ai`\n'
        "\n1 item checked: 1 error, 0 warnings\n"
    )
