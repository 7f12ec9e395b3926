"""YAML files under the item folder that are not items: one `schema` warning, not counted."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git, item, run_cli, write_backlog

PROMPTFOO = """\
description: Support bot answers
prompts:
  - file://prompt.txt
providers:
  - openai:gpt-4o
tests:
  - vars: {question: Where is my order?}
"""
EVAL = item("evaluation", "support-eval", spec="harness: promptfoo\nconfig: promptfooconfig.yaml")
FILES = {
    "backlog/evals/support-eval.yaml": EVAL,
    "backlog/evals/promptfooconfig.yaml": PROMPTFOO,
}
WARNING = (
    "backlog/evals/promptfooconfig.yaml:1:1: warning schema not a backlog item (it has no "
    "`apiVersion: backlog/v1`); it is not checked or counted as one\n"
    "  hint: another tool's file? Leave it out of the backlog with "
    '`exclude: ["backlog/evals/promptfooconfig.yaml"]` in backlog.yaml; an item starts with '
    "`apiVersion: backlog/v1` and a `kind:`\n"
)


def test_one_warning_and_not_counted(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", FILES)
    result = run_cli("check", cwd=root)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == WARNING + "\n1 item checked: 0 errors, 1 warning\n"
    assert run_cli("check", "--strict", cwd=root).returncode == 1
    # the same from the stored result and from the parse cache
    assert run_cli("check", cwd=root).stdout == result.stdout

    as_json = json.loads(run_cli("check", "--format", "json", cwd=root).stdout)
    assert as_json["summary"]["items"] == 1
    assert as_json["diagnostics"] == [
        {
            "rule": "schema",
            "severity": "warning",
            "path": "backlog/evals/promptfooconfig.yaml",
            "line": 1,
            "column": 1,
            "item": None,
            "message": "not a backlog item (it has no `apiVersion: backlog/v1`); it is not "
            "checked or counted as one",
            "hint": "another tool's file? Leave it out of the backlog with "
            '`exclude: ["backlog/evals/promptfooconfig.yaml"]` in backlog.yaml; an item '
            "starts with `apiVersion: backlog/v1` and a `kind:`",
        }
    ]
    listed = run_cli("list", cwd=root)
    assert listed.stdout.endswith("\n1 item\n"), listed.stdout


def test_the_exclude_from_the_hint_silences_it(tmp_path: Path) -> None:
    config = 'items: backlog/\nexclude: ["backlog/evals/promptfooconfig.yaml"]\n'
    root = write_backlog(tmp_path / "repo", FILES, config)
    result = run_cli("check", cwd=root)
    assert (result.returncode, result.stdout) == (0, "1 item checked: no problems\n")


def test_named_on_the_command_line_as_pre_commit_does(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", FILES)
    git(root, "init", "-q")
    git(root, "add", "-A")
    for _ in range(2):  # cold, then from the caches
        result = run_cli("check", "backlog/evals/promptfooconfig.yaml", cwd=root)
        # it is the evaluation's `config:`, so the evaluation is checked too
        assert (result.returncode, result.stdout) == (
            0,
            WARNING + "\n1 file checked, 1 item loaded: 0 errors, 1 warning\n",
        )
    result = run_cli("check", "backlog/evals", cwd=root)
    assert result.stdout == WARNING + "\n1 file checked, 1 item loaded: 0 errors, 1 warning\n"
    # a staged evaluation is still checked with its neighbour in the folder
    result = run_cli("check", "backlog/evals/support-eval.yaml", cwd=root)
    assert (result.returncode, result.stdout) == (0, "1 file checked, 1 item loaded: no problems\n")


def test_another_tools_api_version_is_pointed_at(tmp_path: Path) -> None:
    k8s = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bot}\n"
    root = write_backlog(tmp_path / "repo", {"backlog/deploy/bot.yaml": "# k8s\n" + k8s})
    result = run_cli("check", cwd=root)
    assert result.stdout == (
        "backlog/deploy/bot.yaml:2:13: warning schema not a backlog item (its `apiVersion` is "
        "`v1`, not `backlog/v1`); it is not checked or counted as one\n"
        "  hint: another tool's file? Leave it out of the backlog with "
        '`exclude: ["backlog/deploy/bot.yaml"]` in backlog.yaml; an item starts with '
        "`apiVersion: backlog/v1` and a `kind:`\n"
        "\n0 items checked: 0 errors, 1 warning\n"
    )


def test_pyproject_config_and_glob_characters_in_the_name(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "repo", {"pyproject.toml": '[tool.backlog]\nitems = "items"\n'}, None
    )
    (root / "items").mkdir()
    (root / "items/[draft]*.yml").write_text("foo: 1\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", cwd=root)
    (found,) = json.loads(result.stdout)["diagnostics"]
    assert found["hint"] == (
        "another tool's file? Leave it out of the backlog with "
        '`exclude = ["items/[[]draft][*].yml"]` under `[tool.backlog]` in pyproject.toml; '
        "an item starts with `apiVersion: backlog/v1` and a `kind:`"
    )
    with (root / "pyproject.toml").open("a", encoding="utf-8") as toml:
        toml.write('exclude = ["items/[[]draft][*].yml"]\n')
    result = run_cli("check", cwd=root)
    assert (result.returncode, result.stdout) == (0, "0 items checked: no problems\n")


def test_an_item_that_forgot_its_api_version_is_still_an_item(tmp_path: Path) -> None:
    text = item("prompt", "triage").replace("apiVersion: backlog/v1\n", "")
    root = write_backlog(tmp_path / "repo", {"backlog/triage.yaml": text})
    result = run_cli("check", cwd=root)
    assert result.returncode == 1
    assert result.stdout == (
        "backlog/triage.yaml:1:1: error schema missing required key `apiVersion`\n"
        "  hint: add `apiVersion: backlog/v1` as the first line\n"
        "\n1 item checked: 1 error, 0 warnings\n"
    )
