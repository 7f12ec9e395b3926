"""`backlog show KIND/ID@VERSION` (issue 13 §7): the item as the newest commit with that
version left it, from git history, in text and JSON; an unknown version is exit 2 listing
the versions that exist. Real git repositories through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from tests.conftest import git, item, run_cli, write_backlog

REPO = Path(__file__).resolve().parent.parent
CONFIG = "items: backlog/\nrules:\n  readiness: off\n"
TOOL = "backlog/tools/search.yaml"
AGENT = "backlog/agents/answer.yaml"


def _commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _repo(tmp_path: Path) -> tuple[Path, list[str]]:
    """tool/search 1.0.0 (two commits), then 1.1.0; agent/answer references it."""
    files: dict[str, str | bytes] = {
        TOOL: item("tool", "search", spec="description: the kb"),
        AGENT: item("agent", "answer", spec="tools: ['tool/search@^1.0']"),
    }
    root = write_backlog(tmp_path / "repo", files, config=CONFIG)
    git(root, "init", "-q", "-b", "main")
    shas = [_commit(root, "add search")]
    _edit(root, TOOL, "title: Search", "title: Knowledge search")
    shas.append(_commit(root, "retitle"))
    _edit(root, TOOL, "the kb", "the kb and the web")
    _edit(root, TOOL, '"1.0.0"', '"1.1.0"')
    shas.append(_commit(root, "search the web too"))
    return root, shas


def test_show_at_a_version_is_the_newest_commit_with_it(tmp_path: Path) -> None:
    root, shas = _repo(tmp_path)
    result = run_cli("show", "tool/search@1.0.0", cwd=root)
    assert (result.returncode, result.stderr) == (0, "")
    date = git(root, "log", "-1", "--format=%aI", shas[1]).strip()[:10]
    assert result.stdout == (
        "tool/search  1.0.0  [proposed]\n"
        f"  commit: {shas[1][:7]} {date} Test Author: retitle\n"
        "  title:  Knowledge search\n"
        "  owner:  team-ai\n"
        "  file:   backlog/tools/search.yaml\n"
        "depends on (today): nothing\n"
        "used by (today):\n"
        "  agent/answer (spec.tools) 1.0.0 [proposed]\n"
    )


def test_show_at_a_version_in_json_meets_the_contract(tmp_path: Path) -> None:
    root, shas = _repo(tmp_path)
    _edit(root, TOOL, "the kb and the web", "uncommitted")  # the working tree is not history
    result = run_cli("show", "search@1.1.0", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    schema = json.loads((REPO / "schemas/show-result.schema.json").read_text("utf-8"))
    Draft202012Validator(schema).validate(data)
    assert data["item"]["version"] == "1.1.0"
    assert data["item"]["data"]["spec"] == {"description": "the kb and the web"}
    assert data["commit"]["sha"] == shas[2]
    assert data["commit"]["subject"] == "search the web too"
    assert [d["item"] for d in data["downstream"]] == ["agent/answer"]


def test_a_past_version_s_links_are_checked_against_today(tmp_path: Path) -> None:
    root, _ = _repo(tmp_path)
    result = run_cli("show", "agent/answer@1.0.0", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    [link] = json.loads(result.stdout)["upstream"]
    assert (link["item"], link["range"], link["version"], link["admitted"]) == (
        "tool/search",
        "^1.0",
        "1.1.0",
        True,
    )


def test_an_unknown_version_is_exit_2_listing_the_versions(tmp_path: Path) -> None:
    root, _ = _repo(tmp_path)
    for fmt in ("text", "json"):
        result = run_cli("show", "tool/search@2.0.0", "--format", fmt, cwd=root)
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == (
            "backlog: error: `tool/search` never had version 2.0.0 in the git history of "
            "HEAD; versions: 1.0.0, 1.1.0\n"
        )


def test_a_version_only_the_working_tree_has_is_refused_with_the_way_out(tmp_path: Path) -> None:
    root, _ = _repo(tmp_path)
    _edit(root, TOOL, '"1.1.0"', '"1.2.0"')
    result = run_cli("show", "tool/search@1.2.0", cwd=root)
    assert result.returncode == 2
    assert result.stderr == (
        "backlog: error: `tool/search` never had version 1.2.0 in the git history of HEAD "
        "(only the working tree has it: commit it, or `backlog show ITEM`); "
        "versions: 1.0.0, 1.1.0\n"
    )


def test_an_item_gone_from_the_working_tree_is_shown_from_history(tmp_path: Path) -> None:
    root, shas = _repo(tmp_path)
    (root / TOOL).unlink()
    _commit(root, "drop search")
    result = run_cli("show", "tool/search@1.1.0", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["commit"]["sha"] == shas[2]


def test_bad_names_are_exit_2_without_a_traceback(tmp_path: Path) -> None:
    root, _ = _repo(tmp_path)
    cases = {
        "tool/search@": "backlog: error: `tool/search@`: write ITEM@VERSION, e.g. "
        "`prompt/triage@1.2.0`\n",
        "tool/serch@1.0.0": "backlog: error: unknown item `tool/serch`; did you mean "
        "`tool/search`? (`backlog list` shows them); it is not in the git history of HEAD "
        "either\n",
    }
    for name, message in cases.items():
        result = run_cli("show", name, cwd=root)
        assert (result.returncode, result.stderr) == (2, message)


def test_show_without_a_version_is_unchanged(tmp_path: Path) -> None:
    root, _ = _repo(tmp_path)
    result = run_cli("show", "tool/search", cwd=root)
    assert result.returncode == 0
    assert result.stdout.startswith("tool/search  1.1.0  [proposed]\n  title:  Knowledge search\n")
    assert "(today)" not in result.stdout
