"""`backlog history` across the shapes git histories take: moves that change nothing else,
branches and merges, shallow clones. Real repositories, built commit by commit."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from backlog_cli import git as gitmod
from backlog_cli.commands import history
from backlog_cli.config import load_config
from backlog_cli.project import load_project
from tests.conftest import GIT_ENV, git, item, run_cli, write_backlog, write_files

REPO = Path(__file__).resolve().parent.parent
T0 = 1_700_000_000
TOOL = "backlog/tools/search.yaml"


def commit(
    repo: Path,
    message: str,
    files: dict[str, str | None] | None = None,
    *,
    at: int,
    author: str = "Test Author",
) -> str:
    """Write (None: delete) `files`, stage everything, commit `at` seconds after T0."""
    write_files(repo, files or {})
    git(repo, "add", "-A")
    run(repo, at, "commit", "-q", "--allow-empty", "-m", message, author=author)
    return git(repo, "rev-parse", "HEAD").strip()


def run(repo: Path, at: int, *args: str, author: str = "Test Author") -> None:
    """A git command whose commits carry the date T0 + `at` and `author`."""
    stamp = f"@{T0 + at} +0000"
    env = {
        **os.environ,
        **GIT_ENV,
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def merge(repo: Path, branch: str, *, at: int, author: str = "release-bot") -> None:
    run(repo, at, "merge", "-q", "--no-ff", "--no-edit", branch, author=author)


def new_repo(tmp_path: Path, name: str = "repo") -> Path:
    repo = write_backlog(tmp_path / name, {})
    git(repo, "init", "-q", "-b", "main")
    return repo


def tool(version: str = "1.0.0", timeout: int = 100, rate: int = 1) -> str:
    """`tool/search`; `timeout` and `rate` are far enough apart for git to merge an edit of
    each without a conflict."""
    spec = f"timeout_ms: {timeout}\nside_effects: read\nidempotent: true\nrate_limit_rps: {rate}"
    return item("tool", "search", version=version, spec=spec)


def entries(repo: Path, name: str = "tool/search") -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = history.build(load_project(load_config(repo)), name).to_json()[
        "entries"
    ]
    return listed


def validate(payload: dict[str, Any]) -> None:
    schema = json.loads((REPO / "schemas" / "history-result.schema.json").read_text())
    Draft202012Validator(schema).validate(payload)


# --- moves (bug: a commit that only moved the file was left out) ----------------------------


def test_a_move_alone_is_an_entry_and_the_next_edit_shows_only_its_own_change(
    tmp_path: Path,
) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    git(repo, "mv", TOOL, "backlog/tools/find.yaml")
    moved = commit(repo, "move only", at=10)
    commit(repo, "timeout", {"backlog/tools/find.yaml": tool(timeout=150)}, at=20)

    got = entries(repo)

    assert [(e["subject"], e["path"], e["level"]) for e in got] == [
        ("Add", TOOL, "added"),
        ("move only", "backlog/tools/find.yaml", "none"),
        ("timeout", "backlog/tools/find.yaml", "minor"),
    ]
    assert got[1]["commit"] == moved
    assert got[1]["reasons"] == [{"level": "none", "path": "", "reason": f"moved from {TOOL}"}]
    assert (got[1]["required_bump"], got[1]["bump_ok"]) == ("none", True)
    assert [r["reason"] for r in got[2]["reasons"]] == ["`timeout_ms` changed from 100 to 150"]


def test_a_move_as_the_last_commit_ends_the_history_at_the_new_path(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    git(repo, "mv", TOOL, "backlog/tools/find.yaml")
    commit(repo, "move only", at=10)

    result = run_cli("history", "tool/search", cwd=repo)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "tool/search: 2 versions, oldest first"
    assert lines[-3].endswith('"move only"')
    assert lines[-2:] == [f"  moved from {TOOL}", "  no spec change"]
    assert (repo / entries(repo)[-1]["path"]).is_file()


def test_a_move_with_a_formatting_change_is_still_a_move(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    commit(repo, "move, comment", {TOOL: None, "backlog/find.yaml": "# moved\n" + tool()}, at=10)

    got = entries(repo)

    assert [(e["subject"], e["path"]) for e in got] == [
        ("Add", TOOL),
        ("move, comment", "backlog/find.yaml"),
    ]


def test_an_uncommitted_move_is_a_working_tree_entry(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    git(repo, "mv", TOOL, "backlog/find.yaml")

    got = entries(repo)

    assert [(e["commit"] is None, e["path"]) for e in got] == [
        (False, TOOL),
        (True, "backlog/find.yaml"),
    ]
    assert got[1]["reasons"][0]["reason"] == f"moved from {TOOL}"


# --- merges (bug: a change brought in by a merge was credited to the merge) -----------------


def test_a_change_made_on_a_branch_is_credited_to_its_commit_not_the_merge(
    tmp_path: Path,
) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    git(repo, "checkout", "-q", "-b", "feature")
    raised = commit(
        repo, "raise timeout", {TOOL: tool("1.1.0", timeout=150)}, at=10, author="alice"
    )
    git(repo, "checkout", "-q", "main")
    commit(repo, "unrelated", {"README.md": "x\n"}, at=20)
    merge(repo, "feature", at=30)

    got = entries(repo)

    assert [(e["subject"], e["author"], e["level"]) for e in got] == [
        ("Add", "Test Author", "added"),
        ("raise timeout", "alice", "minor"),
    ]
    assert got[1]["commit"] == raised and got[1]["bump_ok"] is True
    result = run_cli("history", "tool/search", cwd=repo)
    assert "Merge branch" not in result.stdout and '  alice  "raise timeout"' in result.stdout


def test_changes_on_both_sides_are_each_credited_in_date_order(tmp_path: Path) -> None:
    """Branch and main edit different lines; git merges them cleanly. Each edit is an entry
    of the commit that made it, oldest first by date; the merge made a version neither side
    had (both edits), so it is one too, classified against its first parent."""
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "rate", {TOOL: tool(rate=2)}, at=20, author="alice")
    git(repo, "checkout", "-q", "main")
    commit(repo, "timeout", {TOOL: tool("1.1.0", timeout=150)}, at=10, author="bob")
    commit(repo, "later on main", {"README.md": "x\n"}, at=30)
    merge(repo, "feature", at=40)
    body = (repo / TOOL).read_text(encoding="utf-8")
    assert "timeout_ms: 150" in body and "rate_limit_rps: 2" in body  # both edits, cleanly merged

    got = entries(repo)

    assert [(e["subject"], e["author"]) for e in got] == [
        ("Add", "Test Author"),
        ("timeout", "bob"),
        ("rate", "alice"),
        ("Merge branch 'feature'", "release-bot"),
    ]
    merged = got[3]
    assert merged["reasons"][-1] == {"level": "none", "path": "", "reason": history.MERGED}
    # against main (the first parent): what the branch brought
    assert [r["reason"] for r in merged["reasons"][:-1]] == ["`rate_limit_rps` changed from 1 to 2"]
    validate(history.build(load_project(load_config(repo)), "tool/search").to_json())


def test_a_conflict_resolved_to_a_new_value_is_credited_to_the_merge(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "150 on feature", {TOOL: tool("1.1.0", timeout=150)}, at=10, author="alice")
    git(repo, "checkout", "-q", "main")
    commit(repo, "200 on main", {TOOL: tool("1.1.0", timeout=200)}, at=20, author="bob")
    with pytest.raises(subprocess.CalledProcessError):  # both changed the same line
        merge(repo, "feature", at=30)
    (repo / TOOL).write_text(tool("1.2.0", timeout=175), encoding="utf-8")
    git(repo, "add", TOOL)
    run(repo, 30, "commit", "-q", "--no-edit", author="release-bot")

    got = entries(repo)

    assert [(e["subject"], e["version"]) for e in got] == [
        ("Add", "1.0.0"),
        ("150 on feature", "1.1.0"),
        ("200 on main", "1.1.0"),
        ("Merge branch 'feature'", "1.2.0"),
    ]
    resolved = got[3]
    assert resolved["author"] == "release-bot"
    assert [r["reason"] for r in resolved["reasons"]] == [
        "`timeout_ms` changed from 200 to 175",
        history.MERGED,
    ]
    assert (resolved["actual_bump"], resolved["bump_ok"]) == ("minor", True)


def test_a_conflict_resolved_to_one_side_follows_that_side_only(tmp_path: Path) -> None:
    """As `git log` on the file does: the merge took the item from the branch, so main's
    edit, which the merge dropped, is not a version of the item as it is now."""
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "150 on feature", {TOOL: tool("1.1.0", timeout=150)}, at=10, author="alice")
    git(repo, "checkout", "-q", "main")
    commit(repo, "200 on main", {TOOL: tool("1.1.0", timeout=200)}, at=20, author="bob")
    with pytest.raises(subprocess.CalledProcessError):
        merge(repo, "feature", at=30)
    git(repo, "checkout", "--theirs", TOOL)  # the branch's version wins
    git(repo, "add", TOOL)
    run(repo, 30, "commit", "-q", "--no-edit", author="release-bot")

    got = entries(repo)

    assert [e["subject"] for e in got] == ["Add", "150 on feature"]
    assert "timeout_ms: 150" in (repo / TOOL).read_text(encoding="utf-8")


def test_a_move_on_a_branch_and_an_edit_on_main_meet_in_a_merge(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "mv", TOOL, "backlog/search.yaml")
    commit(repo, "move", at=10, author="alice")
    git(repo, "checkout", "-q", "main")
    commit(repo, "edit", {TOOL: tool("1.1.0", timeout=150)}, at=20, author="bob")
    merge(repo, "feature", at=30)  # the merged item: edited (main), at the new path (branch)
    assert (repo / "backlog/search.yaml").read_text(encoding="utf-8") == tool("1.1.0", 150)

    got = entries(repo)

    assert [(e["subject"], e["path"], e["level"]) for e in got] == [
        ("Add", TOOL, "added"),
        ("move", "backlog/search.yaml", "none"),
        ("edit", TOOL, "minor"),
    ]


def test_an_item_added_on_a_branch_is_added_by_the_branch_commit(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Start", {"README.md": "x\n"}, at=0)
    git(repo, "checkout", "-q", "-b", "feature")
    added = commit(repo, "Add tool", {TOOL: tool()}, at=10, author="alice")
    git(repo, "checkout", "-q", "main")
    commit(repo, "unrelated", {"README.md": "y\n"}, at=20)
    merge(repo, "feature", at=30)

    got = entries(repo)

    assert [(e["commit"], e["level"], e["author"]) for e in got] == [(added, "added", "alice")]


def test_an_item_removed_on_a_branch_is_removed_by_the_branch_commit(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    git(repo, "checkout", "-q", "-b", "feature")
    removed = commit(repo, "Retire", {TOOL: None}, at=10, author="alice")
    git(repo, "checkout", "-q", "main")
    commit(repo, "unrelated", {"README.md": "y\n"}, at=20)
    merge(repo, "feature", at=30)

    got = entries(repo)

    assert [(e["subject"], e["level"], e["author"]) for e in got] == [
        ("Add", "added", "Test Author"),
        ("Retire", "removed", "alice"),
    ]
    assert got[1]["commit"] == removed


def test_an_edit_on_main_dropped_by_a_merge_that_removes_the_item(tmp_path: Path) -> None:
    """Removed on a branch, edited on main later; the merge keeps the removal. The history
    ends with the removal, not with the edit that no longer exists."""
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "Retire", {TOOL: None}, at=10, author="alice")
    git(repo, "checkout", "-q", "main")
    commit(repo, "edit", {TOOL: tool("1.1.0", timeout=150)}, at=20, author="bob")
    with pytest.raises(subprocess.CalledProcessError):  # modify/delete
        merge(repo, "feature", at=30)
    git(repo, "rm", "-q", TOOL)
    run(repo, 30, "commit", "-q", "--no-edit", author="release-bot")

    got = entries(repo)

    assert [(e["subject"], e["level"]) for e in got] == [("Add", "added"), ("Retire", "removed")]


def test_an_item_removed_by_the_merge_itself_is_removed_by_the_merge(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "on feature", {"README.md": "f\n"}, at=10)
    git(repo, "checkout", "-q", "main")
    commit(repo, "on main", {"NOTES.md": "m\n"}, at=20)
    run(repo, 30, "merge", "-q", "--no-ff", "--no-commit", "feature")
    git(repo, "rm", "-q", TOOL)
    run(repo, 30, "commit", "-q", "--no-edit", author="release-bot")

    got = entries(repo)

    assert [(e["level"], e["author"]) for e in got] == [
        ("added", "Test Author"),
        ("removed", "release-bot"),
    ]


def test_a_fast_forward_merge_keeps_the_branch_commits(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "edit", {TOOL: tool("1.1.0", timeout=150)}, at=10, author="alice")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "feature")

    assert [e["author"] for e in entries(repo)] == ["Test Author", "alice"]


@pytest.mark.parametrize(
    "config",
    [
        "",
        "[log]\n\tdiffMerges = combined\n\tshowRoot = false\n\tshowSignature = true\n"
        "[diff]\n\trenames = false\n",
    ],
)
def test_a_users_git_config_does_not_change_the_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str
) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {TOOL: tool()}, at=0)
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "mv", TOOL, "backlog/search.yaml")
    commit(repo, "move", at=10, author="alice")
    git(repo, "checkout", "-q", "main")
    commit(repo, "unrelated", {"README.md": "y\n"}, at=20)
    merge(repo, "feature", at=30)
    user_config = tmp_path / "gitconfig"
    user_config.write_text(config, encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(user_config))

    got = entries(repo)

    assert [(e["subject"], e["level"]) for e in got] == [("Add", "added"), ("move", "none")]


def _merged_pull_requests(repo: Path, count: int, edit_every: int) -> None:
    """`count` pull requests, each a branch commit merged with --no-ff; every
    `edit_every`th edits `tool/search` on its branch, the others touch another file."""
    stream: list[str] = []

    def blob(path: str, text: str) -> str:
        return f"M 644 inline {path}\ndata {len(text.encode())}\n{text}\n"

    def head(ref: str, mark: int, when: int, message: str) -> str:
        return (
            f"commit {ref}\nmark :{mark}\n"
            f"committer T <t@example.com> {T0 + when} +0000\ndata {len(message)}\n{message}\n"
        )

    stream.append(head("refs/heads/main", 1, 0, "Add") + blob(TOOL, tool()))
    main = 1
    for n in range(1, count + 1):
        pr, merged = 2 * n, 2 * n + 1
        if n % edit_every == 0:
            change = blob(TOOL, tool(f"1.{n}.0", timeout=100 + n))
        else:
            change = blob(f"src/f{n}.txt", f"{n}\n")
        stream.append(head("refs/heads/pr", pr, 2 * n, f"pr {n}") + f"from :{main}\n" + change)
        stream.append(
            head("refs/heads/main", merged, 2 * n + 1, f"Merge pr {n}")
            + f"from :{main}\nmerge :{pr}\n"
            + change
        )
        main = merged
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo, check=True, input="".join(stream).encode()
    )
    git(repo, "checkout", "-q", "-f", "main")


def test_a_history_of_merged_pull_requests_costs_no_git_call_per_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """200 merges, 10 of which bring an edit: each edit is credited to its branch commit,
    and a merge that leaves the item alone costs no git call (nor cat-file round trip)."""
    repo = new_repo(tmp_path)
    _merged_pull_requests(repo, 200, 20)
    calls = {"run": 0, "read": 0}
    real_run, real_read = gitmod.run, gitmod.BlobReader.read_many

    def counted_run(*args: Any, **kwargs: Any) -> bytes:
        calls["run"] += 1
        return real_run(*args, **kwargs)

    def counted_read(self: gitmod.BlobReader, *args: Any, **kwargs: Any) -> list[bytes | None]:
        calls["read"] += 1
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(gitmod, "run", counted_run)
    monkeypatch.setattr(gitmod.BlobReader, "read_many", counted_read)

    got = entries(repo)

    assert [e["subject"] for e in got] == ["Add", *(f"pr {n}" for n in range(20, 201, 20))]
    assert {e["author"] for e in got} == {"T"}
    assert calls["run"] <= 8, calls
    assert calls["read"] <= 3 * len(got), calls


# --- shallow clones (bug: the clone's first commit was said to add the item) ----------------


def _shallow(tmp_path: Path, depth: int) -> Path:
    source = new_repo(tmp_path, "source")
    commit(source, "Add", {TOOL: tool()}, at=0)
    commit(source, "Slower", {TOOL: tool("1.1.0", timeout=150)}, at=10)
    commit(source, "Rate", {TOOL: tool("1.2.0", timeout=150, rate=3)}, at=20)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", f"--depth={depth}", source.as_uri(), str(clone))
    return clone


def test_a_shallow_clone_does_not_claim_the_item_was_added(tmp_path: Path) -> None:
    clone = _shallow(tmp_path, 2)

    found = history.build(load_project(load_config(clone)), "tool/search")

    payload = found.to_json()
    validate(payload)
    oldest, newest = payload["entries"]
    assert (oldest["subject"], oldest["level"], oldest["bump_ok"]) == ("Slower", "none", True)
    assert oldest["reasons"] == [{"level": "none", "path": "", "reason": history.CUT_OFF}]
    assert (newest["subject"], newest["level"]) == ("Rate", "minor")
    assert len(found.notes) == 1 and "git fetch --unshallow" in found.notes[0]
    assert oldest["short"] in found.notes[0]

    result = run_cli("history", "tool/search", cwd=clone)

    assert result.returncode == 0, result.stderr
    assert "added as" not in result.stdout
    assert (
        f"  tool/search in {TOOL} (history cut off: shallow clone; "
        "`git fetch --unshallow` for the rest)"
    ) in result.stdout.splitlines()
    assert result.stderr.startswith("backlog: note: ") and "--unshallow" in result.stderr
    quiet = run_cli("history", "tool/search", "-q", cwd=clone)
    assert quiet.stderr == "" and quiet.stdout == result.stdout


def test_a_full_history_has_no_cut_off(tmp_path: Path) -> None:
    clone = _shallow(tmp_path, 2)
    git(clone, "fetch", "-q", "--unshallow")

    found = history.build(load_project(load_config(clone)), "tool/search")

    assert [e.level for e in found.entries] == ["added", "minor", "minor"]
    assert found.notes == []


def test_an_item_not_in_a_shallow_clone_says_how_to_fetch_more(tmp_path: Path) -> None:
    clone = _shallow(tmp_path, 1)

    result = run_cli("history", "tool/other", cwd=clone)

    assert result.returncode == 2
    assert "git fetch --unshallow" in result.stderr and "Traceback" not in result.stderr
