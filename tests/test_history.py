"""`backlog history` (commands/history.py) and the `git.log` it walks, on real repositories."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from backlog_cli import git as gitmod
from backlog_cli.commands import history
from backlog_cli.config import load_config
from backlog_cli.errors import BacklogError
from backlog_cli.project import load_project
from tests.conftest import git, item, run_cli, write_backlog, write_files

REPO = Path(__file__).resolve().parent.parent


def commit(repo: Path, message: str, files: dict[str, str | None] | None = None) -> str:
    """Write (or, for None, delete) `files`, stage everything and commit; the new sha."""
    write_files(repo, files or {})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def new_repo(tmp_path: Path, files: dict[str, str | bytes] | None = None) -> Path:
    repo = write_backlog(tmp_path / "repo", dict(files or {}))
    git(repo, "init", "-q")
    return repo


def entries(repo: Path, name: str) -> list[dict[str, Any]]:
    result = history.build(load_project(load_config(repo)), name).to_json()
    listed: list[dict[str, Any]] = result["entries"]
    return listed


def prompt(version: str, template_file: str = "triage.j2", inputs: str = "") -> str:
    """The `prompt/triage` item with a template file and a required `message` input."""
    spec = f"template_file: {template_file}\ninputs:\n  message: {{type: string, required: true}}\n"
    return item("prompt", "triage", version=version, spec=spec + inputs)


# --- versions and classification ------------------------------------------------------------


def test_versions_oldest_first_with_classification_and_bumps(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    p = "backlog/prompts/triage.yaml"
    t = "backlog/prompts/triage.j2"
    first = commit(repo, "Add triage", {p: prompt("1.0.0"), t: "Classify {{ message }}\n"})
    commit(repo, "Unrelated", {"README.md": "hello\n"})
    commit(
        repo,
        "Optional tier",
        {
            p: prompt("1.1.0", inputs="  tier: {type: string}\n"),
            t: "Classify {{ message }} for {{ tier }}\n",
        },
    )
    commit(repo, "Drop tier, forget the bump", {p: prompt("1.1.0")})
    commit(repo, "Comment only", {p: "# owned by team-ai\n" + prompt("1.1.0")})
    commit(repo, "Catch up", {p: prompt("2.0.0")})

    got = entries(repo, "prompt/triage")

    # the comment-only commit leaves the data as it was: not a version
    assert [e["subject"] for e in got] == [
        "Add triage",
        "Optional tier",
        "Drop tier, forget the bump",
        "Catch up",
    ]
    added, minor, major, catch_up = got
    assert added["commit"] == first and added["short"] == first[:7]
    assert (added["author"], added["path"], added["key"], added["version"]) == (
        "Test Author",
        p,
        "prompt/triage",
        "1.0.0",
    )
    assert (added["level"], added["reasons"], added["bump_ok"]) == ("added", [], True)
    assert minor["level"] == "minor"
    assert {r["reason"] for r in minor["reasons"]} == {
        "template text changed",
        "new optional input `tier`",
    }
    assert (minor["required_bump"], minor["actual_bump"], minor["bump_ok"]) == (
        "minor",
        "minor",
        True,
    )
    assert major["reasons"] == [
        {"level": "major", "path": "spec.inputs.tier", "reason": "input `tier` removed"}
    ]
    assert (major["level"], major["required_bump"], major["actual_bump"]) == (
        "major",
        "major",
        "none",
    )
    assert major["bump_ok"] is False
    assert (catch_up["level"], catch_up["actual_bump"], catch_up["bump_ok"]) == (
        "none",
        "major",
        True,
    )


def test_version_only_commit_is_an_entry_without_spec_change(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    p = "backlog/prompts/triage.yaml"
    commit(repo, "Add", {p: prompt("1.0.0"), "backlog/prompts/triage.j2": "x {{ message }}\n"})
    commit(repo, "Edit", {"backlog/prompts/triage.j2": "y {{ message }}\n"})
    commit(repo, "Bump", {p: prompt("1.1.0")})

    got = entries(repo, "triage")  # a unique bare id works too

    assert [(e["subject"], e["level"], e["bump_ok"]) for e in got] == [
        ("Add", "added", True),
        ("Edit", "minor", False),
        ("Bump", "none", True),
    ]
    assert got[2]["actual_bump"] == "minor" and got[2]["reasons"] == []


def test_text_output(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    p = "backlog/prompts/triage.yaml"
    t = "backlog/prompts/triage.j2"
    commit(repo, "Add triage", {p: prompt("1.0.0"), t: "Classify {{ message }}\n"})
    commit(repo, "Tighten", {t: "Classify carefully {{ message }}\n"})
    commit(repo, "Ready", {p: prompt("1.1.0").replace("proposed", "refined")})

    result = run_cli("history", "prompt/triage", cwd=repo)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "prompt/triage: 3 versions, oldest first"
    assert lines[2].startswith("1.0.0  [proposed]  20")
    assert lines[2].endswith('  Test Author  "Add triage"')
    assert lines[3:] == [
        f"  added as prompt/triage in {p}",
        lines[4],
        "  minor: template text changed",
        "  version not bumped: needs minor",
        lines[7],
        "  no spec change (status proposed -> refined)",
    ]
    assert lines[4].startswith("1.0.0  [proposed]") and lines[4].endswith('"Tighten"')
    assert lines[7].startswith("1.1.0  [refined] ")


# --- moves and renames ----------------------------------------------------------------------


def test_git_mv_keeps_one_history(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {"backlog/a/ds.yaml": item("dataset", "ds")})
    commit(
        repo,
        "Change",
        {"backlog/a/ds.yaml": item("dataset", "ds", version="1.1.0", spec="license: MIT")},
    )
    (repo / "backlog/b").mkdir()
    git(repo, "mv", "backlog/a/ds.yaml", "backlog/b/ds.yaml")
    commit(repo, "Move")
    commit(
        repo,
        "Change again",
        {"backlog/b/ds.yaml": item("dataset", "ds", version="1.2.0", spec="license: Apache-2.0")},
    )

    got = entries(repo, "dataset/ds")

    # the move is an entry of its own (no spec change), not a note on the next edit
    assert [(e["subject"], e["path"]) for e in got] == [
        ("Add", "backlog/a/ds.yaml"),
        ("Change", "backlog/a/ds.yaml"),
        ("Move", "backlog/b/ds.yaml"),
        ("Change again", "backlog/b/ds.yaml"),
    ]
    assert got[2]["reasons"] == [
        {"level": "none", "path": "", "reason": "moved from backlog/a/ds.yaml"}
    ]
    assert (got[2]["level"], got[2]["bump_ok"]) == ("none", True)
    assert got[3]["level"] == "minor" and got[3]["bump_ok"] is True
    assert all("moved" not in r["reason"] for r in got[3]["reasons"])


def test_move_with_heavy_edits_seen_as_delete_and_add(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {"backlog/old.yaml": item("model", "m")})
    rewritten = item(
        "model",
        "m",
        version="2.0.0",
        extra="description: " + "words " * 60,
        spec="provider: acme\nname: m\nsnapshot: m-2025\ncontext_window: 8000",
    )
    commit(repo, "Move and rewrite", {"backlog/old.yaml": None, "backlog/new/m.yaml": rewritten})
    changes = next(gitmod.log(repo, "HEAD")).changes
    assert {c.status for c in changes} == {"A", "D"}  # too different for rename detection

    got = entries(repo, "model/m")

    assert [e["path"] for e in got] == ["backlog/old.yaml", "backlog/new/m.yaml"]
    assert got[1]["level"] == "minor" and got[1]["bump_ok"] is True


def test_id_rename_with_file_rename_continues_into_the_old_id(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(
        repo, "Add old", {"backlog/old-name.yaml": item("tool", "old-name", spec="timeout_ms: 100")}
    )
    commit(
        repo,
        "Slower",
        {
            "backlog/old-name.yaml": item(
                "tool", "old-name", version="1.1.0", spec="timeout_ms: 200"
            )
        },
    )
    renamed = item(
        "tool",
        "new-name",
        version="1.1.0",
        extra="renamed_from: [tool/old-name]",
        spec="timeout_ms: 200",
    )
    commit(repo, "Rename", {"backlog/old-name.yaml": None, "backlog/new-name.yaml": renamed})
    commit(repo, "Faster", {"backlog/new-name.yaml": renamed.replace("200", "150")})

    got = entries(repo, "tool/new-name")

    assert [(e["subject"], e["key"], e["path"]) for e in got] == [
        ("Add old", "tool/old-name", "backlog/old-name.yaml"),
        ("Slower", "tool/old-name", "backlog/old-name.yaml"),
        ("Rename", "tool/new-name", "backlog/new-name.yaml"),
        ("Faster", "tool/new-name", "backlog/new-name.yaml"),
    ]
    reasons = [r["reason"] for r in got[2]["reasons"]]
    assert reasons == ["renamed from tool/old-name", "moved from backlog/old-name.yaml"]
    assert got[2]["level"] == "none"
    assert got[3]["bump_ok"] is False  # timeout changed, version not bumped
    # the old id finds the same history through the current item's renamed_from
    assert entries(repo, "tool/old-name") == got


def test_id_rename_in_the_same_file(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    path = "backlog/eval.yaml"
    commit(repo, "Add", {path: item("evaluation", "before", spec="harness: custom")})
    commit(
        repo,
        "Rename id",
        {
            path: item(
                "evaluation",
                "after",
                spec="harness: custom",
                extra="renamed_from: [evaluation/before]",
            )
        },
    )

    got = entries(repo, "evaluation/after")

    assert [(e["key"], e["level"]) for e in got] == [
        ("evaluation/before", "added"),
        ("evaluation/after", "none"),
    ]
    assert got[1]["reasons"][0]["reason"] == "renamed from evaluation/before"


def test_id_rename_found_in_the_parent_tree(tmp_path: Path) -> None:
    """The old file stays (say, deprecated) while a new one takes over with renamed_from."""
    repo = new_repo(tmp_path)
    commit(repo, "Add", {"backlog/x.yaml": item("dataset", "x", spec="license: MIT")})
    commit(
        repo,
        "Successor",
        {
            "backlog/y.yaml": item(
                "dataset", "y", extra="renamed_from: [dataset/x]", spec="license: MIT"
            ),
        },
    )

    got = entries(repo, "dataset/y")

    assert [e["key"] for e in got] == ["dataset/x", "dataset/y"]


def test_a_path_reused_by_another_item_ends_the_history(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    path = "backlog/thing.yaml"
    commit(repo, "First item", {path: item("model", "first")})
    commit(repo, "Replaced", {path: item("model", "second")})

    got = entries(repo, "model/second")

    assert [(e["subject"], e["level"]) for e in got] == [("Replaced", "added")]


def test_project_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "mono"
    write_backlog(repo / "product", {})
    git(repo, "init", "-q")
    commit(repo, "One", {"product/backlog/m.yaml": item("model", "m")})
    commit(repo, "Two", {"product/backlog/m.yaml": item("model", "m", spec="provider: acme")})

    result = run_cli("history", "m", "--root", str(repo / "product"), "--format", "json")

    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)["entries"]
    assert [(e["path"], e["level"]) for e in got] == [
        ("product/backlog/m.yaml", "added"),
        ("product/backlog/m.yaml", "minor"),
    ]


# --- template files -------------------------------------------------------------------------


def test_template_only_commit_is_an_entry(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(
        repo,
        "Add",
        {
            "backlog/prompts/triage.yaml": item(
                "prompt", "triage", spec="template_file: ../../templates/t.j2"
            ),
            "templates/t.j2": "Hello\n",
        },
    )
    commit(repo, "Whitespace", {"templates/t.j2": "Hello  \n"})
    commit(repo, "Text", {"templates/t.j2": "Hello there\n"})

    got = entries(repo, "prompt/triage")

    assert [(e["subject"], e["level"]) for e in got] == [
        ("Add", "added"),
        ("Whitespace", "patch"),
        ("Text", "minor"),
    ]
    assert got[1]["reasons"] == [
        {"level": "patch", "path": "spec.template_file", "reason": "template whitespace changed"}
    ]
    assert got[2]["reasons"][0]["reason"] == "template text changed"


def test_template_rename_is_followed(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    p = "backlog/prompts/triage.yaml"
    commit(repo, "Add", {p: prompt("1.0.0", "a.j2"), "backlog/prompts/a.j2": "One {{ message }}\n"})
    commit(repo, "Edit a", {"backlog/prompts/a.j2": "Two {{ message }}\n"})
    git(repo, "mv", "backlog/prompts/a.j2", "backlog/prompts/b.j2")
    commit(repo, "Rename template", {p: prompt("1.0.0", "b.j2")})
    commit(repo, "Edit b", {"backlog/prompts/b.j2": "Three {{ message }}\n"})

    got = entries(repo, "prompt/triage")

    assert [(e["subject"], e["level"]) for e in got] == [
        ("Add", "added"),
        ("Edit a", "minor"),
        ("Rename template", "none"),  # same text under a new name: no spec change
        ("Edit b", "minor"),
    ]


# --- working tree and removed items ---------------------------------------------------------


def test_working_tree_entry(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    p = "backlog/prompts/triage.yaml"
    t = "backlog/prompts/triage.j2"
    commit(repo, "Add", {p: prompt("1.0.0"), t: "Hi {{ message }}\n"})
    assert [e["subject"] for e in entries(repo, "prompt/triage")] == ["Add"]  # clean tree

    (repo / t).write_text("Hello {{ message }}\n", encoding="utf-8")
    got = entries(repo, "prompt/triage")

    assert [e["subject"] for e in got] == ["Add", None]
    fields = ("commit", "short", "date", "author", "subject")
    assert {k: got[1][k] for k in fields} == dict.fromkeys(fields)
    assert (got[1]["level"], got[1]["bump_ok"]) == ("minor", False)

    # an uncommitted move with a bump: still the same item, now at its new path
    git(repo, "mv", p, "backlog/triage.yaml")
    (repo / "backlog/triage.yaml").write_text(
        prompt("1.1.0", "prompts/triage.j2"), encoding="utf-8"
    )
    got = entries(repo, "prompt/triage")

    assert [(e["path"], e["version"], e["bump_ok"]) for e in got] == [
        (p, "1.0.0", True),
        ("backlog/triage.yaml", "1.1.0", True),
    ]
    assert got[1]["reasons"][-1]["reason"] == f"moved from {p}"


def test_item_only_in_the_working_tree(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Start", {"README.md": "x\n"})
    (repo / "backlog/m.yaml").write_text(item("model", "m"), encoding="utf-8")

    got = entries(repo, "model/m")

    assert [(e["commit"], e["level"]) for e in got] == [(None, "added")]


def test_deleted_item_keeps_its_history(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {"backlog/p.yaml": item("policy", "p")})
    commit(
        repo,
        "Edit",
        {
            "backlog/p.yaml": item(
                "policy", "p", version="1.1.0", spec="controls: [iso-42001:A.6.2.4]"
            )
        },
    )
    gone = commit(repo, "Retire", {"backlog/p.yaml": None})
    commit(repo, "Later", {"README.md": "x\n"})

    got = entries(repo, "policy/p")

    assert [(e["subject"], e["level"], e["version"]) for e in got] == [
        ("Add", "added", "1.0.0"),
        ("Edit", "minor", "1.1.0"),
        ("Retire", "removed", None),
    ]
    assert got[2]["commit"] == gone and got[2]["path"] == "backlog/p.yaml"
    result = run_cli("history", "p", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "  removed policy/p from backlog/p.yaml" in result.stdout
    assert "[removed]" in result.stdout


def test_item_deleted_in_the_working_tree_only(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {"backlog/p.yaml": item("policy", "p")})
    (repo / "backlog/p.yaml").unlink()

    got = entries(repo, "policy/p")

    assert [(e["commit"] is None, e["level"]) for e in got] == [(False, "added"), (True, "removed")]


# --- JSON contract, CLI and errors ----------------------------------------------------------


def test_json_matches_the_published_schema(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    p = "backlog/prompts/triage.yaml"
    commit(repo, "Add", {p: prompt("1.0.0"), "backlog/prompts/triage.j2": "A {{ message }}\n"})
    commit(repo, "Edit", {"backlog/prompts/triage.j2": "B {{ message }}\n"})
    commit(repo, "Bad bump", {p: prompt("0.9.0")})
    (repo / p).unlink()
    out = repo.parent / "history.json"

    result = run_cli("history", "prompt/triage", "--format", "json", "--output", str(out), cwd=repo)

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert list(payload) == ["version", "item", "entries"] and payload["version"] == 1
    schema = json.loads((REPO / "schemas" / "history-result.schema.json").read_text())
    Draft202012Validator(schema).validate(payload)
    assert [e["level"] for e in payload["entries"]] == ["added", "minor", "none", "removed"]
    assert payload["entries"][2]["actual_bump"] == "decreased"
    assert payload["entries"][2]["bump_ok"] is False


def test_unknown_item_exits_2_with_did_you_mean(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {"backlog/t.yaml": item("prompt", "support-triage")})

    result = run_cli("history", "prompt/support-triag", cwd=repo)

    assert result.returncode == 2
    assert "unknown item `prompt/support-triag`" in result.stderr
    assert "did you mean `prompt/support-triage`?" in result.stderr
    assert "Traceback" not in result.stderr


def test_outside_a_git_repository_exits_2(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "plain", {"backlog/m.yaml": item("model", "m")})

    result = run_cli("history", "model/m", cwd=root, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})

    assert result.returncode == 2
    assert "not inside a git repository" in result.stderr


def test_repository_without_commits_exits_2(tmp_path: Path) -> None:
    repo = new_repo(tmp_path, {"backlog/m.yaml": item("model", "m")})

    result = run_cli("history", "model/m", cwd=repo)

    assert result.returncode == 2
    assert "no commits yet" in result.stderr


def test_bad_format_exits_2(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {"backlog/m.yaml": item("model", "m")})

    assert run_cli("history", "model/m", "--format", "sarif", cwd=repo).returncode == 2


def test_ambiguous_bare_id_exits_2(tmp_path: Path) -> None:
    repo = new_repo(tmp_path)
    commit(repo, "Add", {"backlog/a.yaml": item("model", "x"), "backlog/b.yaml": item("tool", "x")})

    with pytest.raises(BacklogError, match="ambiguous"):
        entries(repo, "x")


# --- git.log --------------------------------------------------------------------------------


def _history_with_every_change(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "first", {"a.txt": "".join(f"{i}\n" for i in range(50)), "b.txt": "b\n"})
    git(repo, "mv", "a.txt", "c.txt")
    commit(
        repo,
        "rename delete add",
        {"b.txt": None, "d e.txt": "new\n", "\nodd": "x\n", "R100": "named like a status\n"},
    )
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "on feature", {"f.txt": "f\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, "modify", {"c.txt": "changed\n"})
    git(repo, "merge", "-q", "--no-ff", "feature", "-m", "merge feature")
    commit(repo, "empty")


@pytest.mark.parametrize("config", ["", "[log]\n\tdiffMerges = combined\n\tshowRoot = false\n"])
def test_git_log_parses_renames_deletes_merges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str
) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    _history_with_every_change(repo)
    user_config = tmp_path / "gitconfig"
    user_config.write_text(config, encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(user_config))  # a user's settings

    commits = list(gitmod.log(repo, "HEAD"))

    F = gitmod.FileChange
    # every commit, the feature branch's too; a merge's changes are against its first parent
    # (what it brought in), and `parents` says where the walk goes
    assert [(c.subject, set(c.changes)) for c in commits] == [
        ("empty", set()),
        ("merge feature", {F("A", None, "f.txt")}),
        ("modify", {F("M", "c.txt", "c.txt")}),
        ("on feature", {F("A", None, "f.txt")}),
        (
            "rename delete add",
            {
                F("R", "a.txt", "c.txt"),
                F("D", "b.txt", None),
                F("A", None, "d e.txt"),
                F("A", None, "\nodd"),
                F("A", None, "R100"),
            },
        ),
        ("first", {F("A", None, "a.txt"), F("A", None, "b.txt")}),
    ]
    by_subject = {c.subject: c for c in commits}
    merge, modify, feature = (
        by_subject["merge feature"],
        by_subject["modify"],
        by_subject["on feature"],
    )
    assert merge.parents == (modify.sha, feature.sha)
    assert by_subject["first"].parents == () and len(by_subject["empty"].parents) == 1
    first = commits[-1]
    assert (first.author, first.email) == ("Test Author", "author@example.com")
    assert len(first.sha) == 40 and first.date[:2] == "20"


def test_git_log_bad_start_is_a_backlog_error(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, "one")

    with pytest.raises(BacklogError, match="git log failed"):
        list(gitmod.log(repo, "no-such-ref"))


def test_long_history_from_fast_import(tmp_path: Path) -> None:
    """200 commits, the item touched by every 50th: each of those is one version."""
    repo = tmp_path / "big"
    write_backlog(repo, {})
    git(repo, "init", "-q")
    stream: list[str] = []
    for n in range(1, 201):
        if n % 50 == 0:
            path, body = "backlog/m.yaml", item("model", "m", version=f"1.{n}.0")
        else:
            path, body = f"src/f{n % 7}.txt", f"{n}\n"
        stream.append(
            f"commit refs/heads/main\ncommitter T <t@example.com> {1_700_000_000 + n} +0000\n"
            f"data {len(f'c{n}')}\nc{n}\n"
            f"M 644 inline {path}\ndata {len(body.encode())}\n{body}\n"
        )
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo, check=True, input="".join(stream).encode()
    )
    git(repo, "checkout", "-q", "-f", "main")

    got = entries(repo, "model/m")

    assert [e["version"] for e in got] == ["1.50.0", "1.100.0", "1.150.0", "1.200.0"]
    assert [e["subject"] for e in got] == ["c50", "c100", "c150", "c200"]
