"""version-not-bumped on a patch-level change, through `check --base` on real git repositories.

A patch change (a whitespace-only template edit, a description) still needs a patch bump
(docs/versioning.md); a rule that skipped patch-level changes would pass every other test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import git, run_cli, write_backlog, write_files

PROMPT = """\
apiVersion: backlog/v1
kind: prompt
id: triage
title: Triage
version: "{version}"
status: proposed
owner: team-ai
spec:
  template_file: templates/triage.j2
  inputs:
    ticket: {{type: string, required: true, description: The ticket text}}
"""
TEMPLATE = "Ticket: {{ ticket }}\n"
TOOL = """\
apiVersion: backlog/v1
kind: tool
id: lookup
title: Lookup
version: "2.0.0"
status: proposed
owner: team-ai
spec:
  input_schema:
    type: object
    properties:
      order_id: {type: string, description: The order number}
"""
PROMPT_FILE = "backlog/prompts/triage.yaml"
TEMPLATE_FILE = "backlog/prompts/templates/triage.j2"


def repo(tmp_path: Path, version: str = "1.2.0") -> Path:
    root = write_backlog(
        tmp_path / "repo",
        {
            PROMPT_FILE: PROMPT.format(version=version),
            TEMPLATE_FILE: TEMPLATE,
            "backlog/tools/lookup.yaml": TOOL,
        },
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def finding(item: str, base: str, reason: str, old: str, new: str, path: str) -> str:
    return (
        f"{path}:5:10: error version-not-bumped `{item}` changed since {base} "
        f"(patch: {reason}) but its version is still {old}\n"
        f'  hint: a patch change needs a patch bump: `version: "{new}"` '
        "(or run `backlog bump --auto`)\n"
    )


def test_a_whitespace_only_template_edit_needs_a_patch_bump(tmp_path: Path) -> None:
    root = repo(tmp_path)
    write_files(root, {TEMPLATE_FILE: "Ticket:   {{ ticket }}\n\n"})
    proc = run_cli("check", "--no-cache", "--base", "HEAD", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == (
        finding(
            "prompt/triage", "HEAD", "template whitespace changed", "1.2.0", "1.2.1", PROMPT_FILE
        )
        + "\n2 items checked: 1 error, 0 warnings\n"
    )
    # the template is part of the prompt: staging the template alone reports the prompt
    staged = run_cli("check", "--no-cache", "--base", "HEAD", TEMPLATE_FILE, cwd=root)
    # a PATHS run counts the files it reports on and the items it loaded
    assert (staged.returncode, staged.stdout) == (
        1,
        proc.stdout.replace("2 items checked", "1 file checked, 2 items loaded"),
    )
    bumped = run_cli("bump", "--no-cache", "--patch", "prompt/triage", cwd=root)
    assert bumped.returncode == 0, bumped.stderr
    again = run_cli("check", "--no-cache", "--base", "HEAD", cwd=root)
    assert (again.returncode, again.stdout) == (0, "2 items checked: no problems\n")


def test_a_description_edit_on_a_branch_needs_a_patch_bump(tmp_path: Path) -> None:
    root = repo(tmp_path)
    git(root, "checkout", "-q", "-b", "feature")
    text = (root / PROMPT_FILE).read_text(encoding="utf-8")
    write_files(root, {PROMPT_FILE: text.replace("The ticket text", "The raw ticket text")})
    git(root, "commit", "-q", "-am", "describe the input better")
    expected = finding(
        "prompt/triage",
        "main",
        "input `ticket` description changed",
        "1.2.0",
        "1.2.1",
        PROMPT_FILE,
    )
    for args in (("--base", "main"), ("--base", "main", "--head", "HEAD")):
        proc = run_cli("check", "--no-cache", *args, cwd=root)
        assert proc.returncode == 1, proc.stderr
        assert proc.stdout == expected + "\n2 items checked: 1 error, 0 warnings\n", args
    payload = json.loads(
        run_cli("check", "--no-cache", "--base", "main", "--format", "json", cwd=root).stdout
    )
    assert [(d["rule"], d["severity"], d["item"]) for d in payload["diagnostics"]] == [
        ("version-not-bumped", "error", "prompt/triage")
    ]
    # `bump --auto` writes exactly the patch bump the finding asks for, and check passes
    auto = run_cli("bump", "--no-cache", "--auto", "--base", "main", cwd=root)
    assert auto.stdout == f"prompt/triage: 1.2.0 -> 1.2.1 ({PROMPT_FILE})\n", auto.stderr
    assert (root / PROMPT_FILE).read_text(encoding="utf-8") == text.replace(
        "The ticket text", "The raw ticket text"
    ).replace('"1.2.0"', '"1.2.1"')
    proc = run_cli("check", "--no-cache", "--base", "main", cwd=root)
    assert (proc.returncode, proc.stdout) == (0, "2 items checked: no problems\n")


@pytest.mark.parametrize(
    ("version", "needed"),
    [("0.4.1", "0.4.2"), ("1.0.0-rc.1", "1.0.0")],
)
def test_the_patch_bump_below_1_0_and_from_a_prerelease(
    tmp_path: Path, version: str, needed: str
) -> None:
    root = repo(tmp_path, version=version)
    write_files(root, {TEMPLATE_FILE: "Ticket: {{ ticket }}  \n"})
    proc = run_cli("check", "--no-cache", "--base", "HEAD", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith(
        finding(
            "prompt/triage", "HEAD", "template whitespace changed", version, needed, PROMPT_FILE
        )
    )


def test_a_tool_schema_description_is_a_patch_change(tmp_path: Path) -> None:
    root = repo(tmp_path)
    tool = "backlog/tools/lookup.yaml"
    write_files(root, {tool: TOOL.replace("The order number", "The order number (ACM-...)")})
    proc = run_cli("check", "--no-cache", "--base", "HEAD", "--format", "json", cwd=root)
    assert proc.returncode == 1, proc.stderr
    (found,) = json.loads(proc.stdout)["diagnostics"]
    assert (found["rule"], found["path"], found["line"], found["column"]) == (
        "version-not-bumped",
        tool,
        5,
        10,
    )
    assert found["message"].startswith("`tool/lookup` changed since HEAD (patch: ")
    assert found["message"].endswith(") but its version is still 2.0.0")
    assert found["hint"] == (
        'a patch change needs a patch bump: `version: "2.0.1"` (or run `backlog bump --auto`)'
    )
    # a larger bump than needed is fine too
    assert run_cli("bump", "--no-cache", "--minor", "tool/lookup", cwd=root).returncode == 0
    assert run_cli("check", "--no-cache", "--base", "HEAD", cwd=root).returncode == 0
