"""`backlog check --pre-commit`: what the backlog-check hook sees beyond the staged files.

Real git repositories in tmp_path, the real CLI; tests/test_precommit.py runs the same
through the pre-commit framework and `git commit`.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git, item, run_cli, write_backlog

TRIAGE = item(
    "prompt",
    "triage",
    spec="""
    model: model/small@^1.0
    template_file: triage.j2
    inputs:
      ticket: {type: string, required: true}
    """,
)


def repo_with_backlog(root: Path, config: str = "") -> Path:
    write_backlog(
        root,
        {
            "backlog/models/small.yaml": item("model", "small", spec="provider: acme"),
            "backlog/models/spare.yaml": item("model", "spare", spec="provider: acme"),
            "backlog/prompts/triage.yaml": TRIAGE,
            "backlog/prompts/triage.j2": "Route {{ ticket }}\n",
            "README.md": "product\n",
        },
        config=config,
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "backlog")
    return root


def test_nothing_staged_in_the_backlog_exits_at_once(tmp_path: Path) -> None:
    repo = repo_with_backlog(tmp_path / "repo")
    (repo / "README.md").write_text("changed\n", encoding="utf-8")
    git(repo, "add", "README.md")
    proc = run_cli("check", "--pre-commit", cwd=repo)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        0,
        "nothing in the backlog is staged: 0 files checked\n",
        "",
    )
    quiet = run_cli("check", "--pre-commit", "--quiet", cwd=repo)
    assert (quiet.returncode, quiet.stdout) == (0, "")
    as_json = run_cli("check", "--pre-commit", "--format", "json", cwd=repo)
    assert as_json.returncode == 0
    assert json.loads(as_json.stdout)["summary"]["items"] == 0
    # a deletion outside the item folder is not the backlog's either
    git(repo, "rm", "-q", "-f", "README.md")
    assert run_cli("check", "--pre-commit", cwd=repo).stdout == (
        "nothing in the backlog is staged: 0 files checked\n"
    )


def test_a_staged_deletion_of_a_referenced_item_fails(tmp_path: Path) -> None:
    repo = repo_with_backlog(tmp_path / "repo")
    git(repo, "rm", "-q", "backlog/models/small.yaml")
    proc = run_cli("check", "--pre-commit", cwd=repo)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == (
        "backlog/prompts/triage.yaml:9:10: error unknown-reference `spec.model` references "
        "`model/small`, which does not exist\n"
        "  hint: did you mean `model/spare`?\n"
        "\n"
        "1 file checked, 2 items loaded: 1 error, 0 warnings\n"
    )


def test_deleting_an_unreferenced_item_passes(tmp_path: Path) -> None:
    repo = repo_with_backlog(tmp_path / "repo")
    git(repo, "rm", "-q", "backlog/models/spare.yaml")
    proc = run_cli("check", "--pre-commit", cwd=repo)
    assert (proc.returncode, proc.stdout) == (0, "0 files checked, 2 items loaded: no problems\n")


def test_an_item_renamed_without_renamed_from_is_caught(tmp_path: Path) -> None:
    # git records `mv` as a rename; the hook still sees the old path go, and the new file
    # (passed by pre-commit) no longer holds `model/small`
    repo = repo_with_backlog(tmp_path / "repo")
    (repo / "backlog/models/small.yaml").unlink()
    (repo / "backlog/models/tiny.yaml").write_text(
        item("model", "tiny", spec="provider: acme"), encoding="utf-8"
    )
    git(repo, "add", "-A")
    proc = run_cli("check", "--pre-commit", "backlog/models/tiny.yaml", cwd=repo)
    assert proc.returncode == 1, proc.stderr
    assert "backlog/prompts/triage.yaml:9:10: error unknown-reference" in proc.stdout
    assert proc.stdout.endswith("2 files checked, 3 items loaded: 1 error, 0 warnings\n")


def test_a_staged_deletion_of_a_template_in_use_fails(tmp_path: Path) -> None:
    repo = repo_with_backlog(tmp_path / "repo")
    git(repo, "rm", "-q", "backlog/prompts/triage.j2")
    proc = run_cli("check", "--pre-commit", cwd=repo)
    assert proc.returncode == 1, proc.stderr
    assert "backlog/prompts/triage.yaml:10:" in proc.stdout
    assert "triage.j2" in proc.stdout
    assert proc.stdout.endswith("1 file checked, 3 items loaded: 1 error, 0 warnings\n")


def test_config_base_runs_the_version_rules_against_the_merge_base(tmp_path: Path) -> None:
    repo = repo_with_backlog(tmp_path / "repo", config="items: backlog/\nbase: main\n")
    git(repo, "checkout", "-q", "-b", "feature")
    # main moves on after the branch point: the merge-base, not main's tip, is the base
    git(repo, "checkout", "-q", "main")
    (repo / "backlog/models/spare.yaml").write_text(
        item("model", "spare", version="1.1.0", spec="provider: other"), encoding="utf-8"
    )
    git(repo, "commit", "-q", "-am", "spare on main")
    git(repo, "checkout", "-q", "feature")
    (repo / "backlog/prompts/triage.j2").write_text("Route {{ ticket }} now\n", encoding="utf-8")
    git(repo, "add", "-A")
    proc = run_cli("check", "--pre-commit", "backlog/prompts/triage.j2", cwd=repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.startswith(
        "backlog/prompts/triage.yaml:5:10: error version-not-bumped `prompt/triage` changed "
        "since the merge-base with main (minor: template text changed) but its version is "
        "still 1.0.0\n"
    )
    assert "spare" not in proc.stdout
    assert proc.stdout.endswith("1 file checked, 3 items loaded: 1 error, 0 warnings\n")

    (repo / "backlog/prompts/triage.yaml").write_text(
        TRIAGE.replace('version: "1.0.0"', 'version: "1.1.0"'), encoding="utf-8"
    )
    git(repo, "add", "-A")
    staged = ("backlog/prompts/triage.j2", "backlog/prompts/triage.yaml")
    bumped = run_cli("check", "--pre-commit", *staged, cwd=repo)
    assert (bumped.returncode, bumped.stdout.splitlines()[-1]) == (
        0,
        "1 file checked, 3 items loaded: no problems",  # item files: the template is its item's
    ), bumped.stdout + bumped.stderr


def test_pre_commit_refuses_explicit_refs(tmp_path: Path) -> None:
    repo = repo_with_backlog(tmp_path / "repo")
    proc = run_cli("check", "--pre-commit", "--base", "HEAD", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith(
        "--pre-commit compares with config `base` itself; drop --base and --head"
    )
    outside = run_cli("check", "--pre-commit", cwd=tmp_path)
    assert outside.returncode == 2 and "not inside a git repository" in outside.stderr
