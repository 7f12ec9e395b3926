"""check --base, diff and bump on real git repositories built in tmp dirs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import git, item, run_cli, write_backlog

PROMPT = """\
# Triage prompt: keep this comment
apiVersion: backlog/v1
kind: prompt
id: triage
title: Triage
version: "{version}"   # bumped by hand or by `backlog bump`
status: proposed
owner: team-ai
spec:
  template_file: templates/triage.j2
  inputs:
    ticket: {{type: string, required: true}}
    refund_policy: {{type: string}}
"""
TEMPLATE = "Ticket: {{ ticket }}\nPolicy: {{ refund_policy }}\n"


def repo_with(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = write_backlog(tmp_path / "repo", files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def base_files(version: str = "1.2.0") -> dict[str, str | bytes]:
    return {
        "backlog/prompts/triage.yaml": PROMPT.format(version=version),
        "backlog/prompts/templates/triage.j2": TEMPLATE,
        "backlog/agents/router.yaml": item("agent", "router", spec="prompts: [prompt/triage]"),
    }


def rules(root: Path, *args: str) -> list[tuple[str, str, int, int]]:
    result = run_cli("check", "--format", "json", *args, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return [
        (d["rule"], d["path"], d["line"], d["column"])
        for d in json.loads(result.stdout)["diagnostics"]
    ]


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_unbumped_breaking_change(tmp_path: Path) -> None:
    root = repo_with(tmp_path, base_files())
    edit(root, "backlog/prompts/triage.yaml", "    refund_policy: {type: string}\n", "")
    edit(root, "backlog/prompts/templates/triage.j2", "Policy: {{ refund_policy }}\n", "")
    assert rules(root, "--base", "main") == [
        ("version-not-bumped", "backlog/prompts/triage.yaml", 6, 10)
    ]
    result = run_cli("check", "--base", "main", cwd=root)
    assert "(major: input `refund_policy` removed" in result.stdout  # the level said once
    assert 'needs a major bump: `version: "2.0.0"`' in result.stdout


def test_bump_too_small_and_enough(tmp_path: Path) -> None:
    root = repo_with(tmp_path, base_files())
    edit(
        root,
        "backlog/prompts/triage.yaml",
        "refund_policy: {type: string}",
        "refund_policy: {type: string, required: true}",
    )
    edit(root, "backlog/prompts/triage.yaml", '"1.2.0"', '"1.3.0"')
    assert rules(root, "--base", "main") == [
        ("version-bump-too-small", "backlog/prompts/triage.yaml", 6, 10)
    ]
    edit(root, "backlog/prompts/triage.yaml", '"1.3.0"', '"2.0.0"')
    assert rules(root, "--base", "main") == []


def test_version_decreased(tmp_path: Path) -> None:
    root = repo_with(tmp_path, base_files())
    edit(root, "backlog/prompts/triage.yaml", '"1.2.0"', '"1.1.9"')
    assert ("version-decreased", "backlog/prompts/triage.yaml", 6, 10) in rules(
        root, "--base", "main"
    )
    out = run_cli("check", "--base", "main", cwd=root).stdout
    assert "hint: versions only go up: use 1.2.0 or higher" in out
    # with a spec change too, the lowest version that passes is the bump it needs
    edit(root, "backlog/prompts/templates/triage.j2", "Ticket:", "Support ticket:")
    out = run_cli("check", "--base", "main", cwd=root).stdout
    assert "hint: versions only go up: this change needs 1.3.0 or higher" in out


def test_envelope_only_edits_need_no_bump(tmp_path: Path) -> None:
    root = repo_with(tmp_path, base_files())
    edit(root, "backlog/prompts/triage.yaml", "title: Triage", "title: Ticket triage")
    edit(root, "backlog/prompts/triage.yaml", "status: proposed", "status: refined")
    assert rules(root, "--base", "main") == []


def test_template_file_only_edit_is_a_change(tmp_path: Path) -> None:
    root = repo_with(tmp_path, base_files())
    edit(root, "backlog/prompts/templates/triage.j2", "Ticket:", "Support ticket:")
    assert rules(root, "--base", "main") == [
        ("version-not-bumped", "backlog/prompts/triage.yaml", 6, 10)
    ]
    # whitespace-only template edits are a patch change
    edit(root, "backlog/prompts/templates/triage.j2", "Support ticket:", "Ticket:  ")
    diff = json.loads(run_cli("diff", "main", "--format", "json", cwd=root).stdout)
    assert diff["items"][0]["level"] == "patch"


def test_zero_x_breaking_change_needs_only_a_minor_bump(tmp_path: Path) -> None:
    root = repo_with(tmp_path, base_files(version="0.4.1"))
    edit(root, "backlog/prompts/triage.yaml", "    refund_policy: {type: string}\n", "")
    edit(root, "backlog/prompts/templates/triage.j2", "Policy: {{ refund_policy }}\n", "")
    edit(root, "backlog/prompts/triage.yaml", '"0.4.1"', '"0.4.2"')
    assert rules(root, "--base", "main") == [
        ("version-bump-too-small", "backlog/prompts/triage.yaml", 6, 10)
    ]
    edit(root, "backlog/prompts/triage.yaml", '"0.4.2"', '"0.5.0"')
    assert rules(root, "--base", "main") == []


def test_a_moved_file_is_not_a_change(tmp_path: Path) -> None:
    root = repo_with(tmp_path, base_files())
    (root / "backlog/prompts/support").mkdir()
    git(root, "mv", "backlog/prompts/triage.yaml", "backlog/prompts/support/triage.yaml")
    edit(
        root, "backlog/prompts/support/triage.yaml", "templates/triage.j2", "../templates/triage.j2"
    )
    git(root, "commit", "-q", "-am", "move")
    assert rules(root, "--base", "main") == []
    diff = json.loads(run_cli("diff", "main", "HEAD", "--format", "json", cwd=root).stdout)
    (entry,) = diff["items"]
    # the template_file path was rewritten for the move, the template text is the same:
    # the prompt did not change in substance, so it is a move like any other
    assert entry["state"] == "moved" and entry["moved"] is True
    assert entry["level"] == "none" and entry["reasons"] == []
    # a pure move (content identical) is reported as moved, with no classification
    (root / "backlog/agents/team").mkdir()
    git(root, "mv", "backlog/agents/router.yaml", "backlog/agents/team/router.yaml")
    diff = json.loads(run_cli("diff", "main", "--format", "json", cwd=root).stdout)
    router = next(i for i in diff["items"] if i["item"] == "agent/router")
    assert router["state"] == "moved" and router["reasons"] == []


def test_id_rename_and_removal(tmp_path: Path) -> None:
    root = repo_with(tmp_path, base_files())
    # rename prompt/triage -> prompt/ticket-triage, recorded in renamed_from
    edit(
        root,
        "backlog/prompts/triage.yaml",
        "id: triage",
        "id: ticket-triage\nrenamed_from: [prompt/triage]",
    )
    diff = json.loads(run_cli("diff", "main", "--format", "json", cwd=root).stdout)
    (entry,) = diff["items"]
    assert (entry["item"], entry["renamed_from"]) == ("prompt/ticket-triage", "prompt/triage")
    found = rules(root, "--base", "main")
    assert [r[0] for r in found] == ["unknown-reference"]  # router still uses the old id
    # deleting an item others reference is its own finding
    (root / "backlog/prompts/triage.yaml").unlink()
    found = rules(root, "--base", "main")
    assert ("removed-while-referenced", "backlog/agents/router.yaml", 9, 13) in found


def test_untracked_new_item_is_added(tmp_path: Path) -> None:
    root = repo_with(tmp_path, base_files())
    (root / "backlog/models").mkdir()
    (root / "backlog/models/m.yaml").write_text(item("model", "m"), encoding="utf-8")
    diff = json.loads(run_cli("diff", "--base", "main", "--format", "json", cwd=root).stdout)
    assert [(i["item"], i["state"]) for i in diff["items"]] == [("model/m", "added")]


def test_head_commit_is_checked_not_the_working_tree(tmp_path: Path) -> None:
    root = repo_with(tmp_path, base_files())
    edit(root, "backlog/prompts/templates/triage.j2", "Ticket:", "Support ticket:")
    git(root, "commit", "-q", "-am", "template")
    (root / "backlog/prompts/templates/triage.j2").write_text(TEMPLATE, encoding="utf-8")
    assert rules(root, "--base", "main") == []  # the working tree is back to base
    assert rules(root, "--base", "main", "--head", "feature") == [
        ("version-not-bumped", "backlog/prompts/triage.yaml", 6, 10)
    ]


HOSTILE = [
    "--output=/tmp/backlog-pwned",
    "--upload-pack=touch /tmp/backlog-pwned",
    "-c",
    "core.pager=touch /tmp/backlog-pwned",
    "main;touch /tmp/backlog-pwned",
    "main touch",
    "main\ntouch",
    "",
    "$(touch /tmp/backlog-pwned)",
]


@pytest.mark.parametrize("ref", HOSTILE)
def test_hostile_refs_are_exit_2_and_never_reach_git(tmp_path: Path, ref: str) -> None:
    root = repo_with(tmp_path, base_files())
    pwned = Path("/tmp/backlog-pwned")
    pwned.unlink(missing_ok=True)
    for args in (
        ("check", "--base", ref),
        ("check", "--base", "main", "--head", ref),
        ("diff", "--base", ref),
        ("bump", "--auto", "--base", ref),
    ):
        result = run_cli(*args, cwd=root)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
    assert not pwned.exists()


def test_shallow_clone_names_the_fix(tmp_path: Path) -> None:
    origin = repo_with(tmp_path, base_files())
    git(origin, "checkout", "-q", "main")
    edit(origin, "backlog/prompts/triage.yaml", "title: Triage", "title: T2")
    git(origin, "commit", "-q", "-am", "second")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(clone)],
        check=True,
        capture_output=True,
    )
    result = run_cli("check", "--base", "HEAD~1", cwd=clone)
    assert result.returncode == 2
    assert "shallow clone" in result.stderr and "git fetch --unshallow" in result.stderr
    assert "fetch-depth: 0" in result.stderr
    # without --base, a shallow clone is fine
    assert run_cli("check", cwd=clone).returncode == 0


def test_default_base_is_the_merge_base_with_origin(tmp_path: Path) -> None:
    origin = repo_with(tmp_path, base_files())
    git(origin, "checkout", "-q", "main")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", f"file://{origin}", str(clone)], check=True, capture_output=True
    )
    git(clone, "checkout", "-q", "-b", "work")
    edit(clone, "backlog/prompts/templates/triage.j2", "Ticket:", "Support ticket:")
    git(clone, "commit", "-q", "-am", "edit")
    result = run_cli("diff", "--format", "json", cwd=clone)
    assert result.returncode == 0, result.stderr
    assert [i["item"] for i in json.loads(result.stdout)["items"]] == ["prompt/triage"]


def test_base_needs_git_but_plain_check_does_not(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "nogit", base_files())
    assert run_cli("check", cwd=root).returncode == 0
    result = run_cli("check", "--base", "main", cwd=root)
    assert result.returncode == 2 and "not inside a git repository" in result.stderr
    assert run_cli("diff", cwd=root).returncode == 2


def test_bump_preserves_every_other_byte(tmp_path: Path) -> None:
    original = (
        "\ufeff# header comment\r\n"
        "apiVersion: backlog/v1\r\n"
        "kind: model\r\n"
        "id: m\r\n"
        "title:   'spaced  title'   # trailing comment\r\n"
        "version: '1.2.3'  # pinned\r\n"
        "status: proposed\r\n"
        "\r\n"
        "owner: team-ai\r\n"
        "tags: [a,   b]\r\n"
    )
    root = write_backlog(tmp_path / "repo", {"backlog/m.yaml": original.encode("utf-8")})
    result = run_cli("bump", "model/m", "--minor", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "model/m: 1.2.3 -> 1.3.0 (backlog/m.yaml)\n"
    after = (root / "backlog/m.yaml").read_bytes().decode("utf-8")
    assert after == original.replace("'1.2.3'", "'1.3.0'")
    flow = (
        "{apiVersion: backlog/v1, kind: model, id: f, title: F, version: 2.0.0, "
        "status: proposed, owner: x}\n"
    )
    (root / "backlog/f.yaml").write_text(flow, encoding="utf-8")
    assert run_cli("bump", "model/f", "--patch", cwd=root).returncode == 0
    assert (root / "backlog/f.yaml").read_text(encoding="utf-8") == flow.replace(
        "version: 2.0.0", "version: 2.0.1"
    )


def test_bump_auto_then_check_base_is_clean(tmp_path: Path) -> None:
    root = repo_with(tmp_path, base_files())
    edit(root, "backlog/prompts/triage.yaml", "    refund_policy: {type: string}\n", "")
    edit(root, "backlog/prompts/templates/triage.j2", "Policy: {{ refund_policy }}\n", "")
    edit(
        root,
        "backlog/agents/router.yaml",
        "prompts: [prompt/triage]",
        "prompts: [prompt/triage]\n  timeout_ms: 3000",
    )
    before = (root / "backlog/prompts/triage.yaml").read_text(encoding="utf-8")
    result = run_cli("bump", "--auto", "--base", "main", cwd=root)
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == [
        "agent/router: 1.0.0 -> 1.1.0 (backlog/agents/router.yaml)",
        "prompt/triage: 1.2.0 -> 2.0.0 (backlog/prompts/triage.yaml)",
    ]
    after = (root / "backlog/prompts/triage.yaml").read_text(encoding="utf-8")
    assert after == before.replace('"1.2.0"', '"2.0.0"')
    assert rules(root, "--base", "main") == []
    again = run_cli("bump", "--auto", "--base", "main", cwd=root)
    assert again.stdout.startswith("nothing to bump")


def test_bump_usage_errors(tmp_path: Path) -> None:
    root = repo_with(tmp_path, base_files())
    assert run_cli("bump", "prompt/triage", cwd=root).returncode == 2
    assert run_cli("bump", "--major", "--minor", "prompt/triage", cwd=root).returncode == 2
    assert run_cli("bump", "--major", cwd=root).returncode == 2
    unknown = run_cli("bump", "--major", "prompt/traige", cwd=root)
    assert unknown.returncode == 2 and "did you mean" in unknown.stderr


def test_diff_text_and_markdown(tmp_path: Path) -> None:
    root = repo_with(tmp_path, base_files())
    edit(root, "backlog/prompts/triage.yaml", "    refund_policy: {type: string}\n", "")
    edit(root, "backlog/prompts/templates/triage.j2", "Policy: {{ refund_policy }}\n", "")
    text = run_cli("diff", "main", cwd=root).stdout
    assert "~ prompt/triage  1.2.0 -> 1.2.0  [major]  changed" in text
    assert "major  input `refund_policy` removed" in text
    assert "-Policy: {{ refund_policy }}" in text
    assert "version: not bumped: needs major (2.0.0)" in text
    markdown = run_cli("diff", "main", "--format", "markdown", cwd=root).stdout
    # issue 13 §5: the item links to its file, at its `version:` line
    row = (
        "| `prompt/triage` | [backlog/prompts/triage.yaml:6](backlog/prompts/triage.yaml#L6) | "
        "changed | major | 1.2.0 → 1.2.0 | ❌ not bumped: needs major (2.0.0) |"
    )
    assert row in markdown
    assert "```diff" in markdown
    payload = json.loads(run_cli("diff", "main", "--format", "json", cwd=root).stdout)
    schema = json.loads(
        (Path(__file__).parent.parent / "schemas" / "diff-result.schema.json").read_text(
            encoding="utf-8"
        )
    )
    Draft202012Validator(schema).validate(payload)
    assert payload["summary"]["bump_problems"] == 1
    only = json.loads(run_cli("diff", "main", "agent/router", "--format", "json", cwd=root).stdout)
    assert only["items"] == []


@pytest.mark.parametrize("ref", ["--output=/tmp/backlog-pwned", "main;touch /tmp/backlog-pwned"])
def test_hostile_base_in_the_config_is_refused(tmp_path: Path, ref: str) -> None:
    root = repo_with(tmp_path, base_files())
    (root / "backlog.yaml").write_text(f"items: backlog/\nbase: '{ref}'\n", encoding="utf-8")
    result = run_cli("diff", cwd=root)
    assert result.returncode == 2
    assert "base ref (config `base`)" in result.stderr
    assert not Path("/tmp/backlog-pwned").exists()
