"""`backlog diff --exit-code` (issue 13 §7): exit 1 when the diff reports a version problem,
like `git diff --exit-code`; without the flag, exit 0 as before. Real git repositories
through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import git, item, run_cli, write_backlog

CONFIG = "items: backlog/\nrules:\n  readiness: off\n"
TOOL = "backlog/tools/search.yaml"


def _repo(tmp_path: Path) -> Path:
    files: dict[str, str | bytes] = {TOOL: item("tool", "search", spec="description: the kb")}
    root = write_backlog(tmp_path / "repo", files, config=CONFIG)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def _edit(root: Path, old: str, new: str) -> None:
    path = root / TOOL
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _sha(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()[:12]


NOT_BUMPED = """\
diff main ({sha}) .. working tree

~ tool/search  1.0.0 -> 1.0.0  [patch]  changed
    backlog/tools/search.yaml
    patch  `description` text changed
      spec.description: "the kb" -> "the knowledge base"
    version: not bumped: needs patch (1.0.1)

1 changed, 0 added, 0 removed, 0 moved; 1 version problem
"""


def test_a_version_problem_exits_1_with_the_flag_and_0_without(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _edit(root, "the kb", "the knowledge base")
    expected = NOT_BUMPED.format(sha=_sha(root))
    plain = run_cli("diff", "main", cwd=root)
    assert (plain.returncode, plain.stdout, plain.stderr) == (0, expected, "")
    flagged = run_cli("diff", "main", "--exit-code", cwd=root)
    assert (flagged.returncode, flagged.stdout, flagged.stderr) == (1, expected, "")


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_every_format_exits_1_on_a_version_problem(tmp_path: Path, fmt: str) -> None:
    root = _repo(tmp_path)
    _edit(root, "the kb", "the knowledge base")
    result = run_cli("diff", "--exit-code", "--base", "main", "--format", fmt, cwd=root)
    assert result.returncode == 1, result.stderr
    if fmt == "json":
        assert json.loads(result.stdout)["summary"]["bump_problems"] == 1
    else:
        assert "— **1 version problem**" in result.stdout


def test_the_exit_code_holds_when_the_output_goes_to_a_file(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _edit(root, "the kb", "the knowledge base")
    out = tmp_path / "diff.txt"
    result = run_cli("diff", "main", "--exit-code", "--output", str(out), cwd=root)
    assert (result.returncode, result.stdout) == (1, "")
    assert out.read_text(encoding="utf-8") == NOT_BUMPED.format(sha=_sha(root))


@pytest.mark.parametrize(
    "edits",
    [
        [("the kb", "the knowledge base"), ('"1.0.0"', '"1.0.1"')],
        [("title: Search", "title: Knowledge search")],
        [],
    ],
    ids=["bumped enough", "metadata only", "nothing changed"],
)
def test_no_version_problem_exits_0(tmp_path: Path, edits: list[tuple[str, str]]) -> None:
    root = _repo(tmp_path)
    for old, new in edits:
        _edit(root, old, new)
    result = run_cli("diff", "main", "--exit-code", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("0 version problems\n")


def test_added_and_removed_items_are_no_version_problem(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / TOOL).unlink()
    (root / "backlog/tools/fetch.yaml").write_text(item("tool", "fetch"), encoding="utf-8")
    result = run_cli("diff", "main", "--exit-code", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("0 changed, 1 added, 1 removed, 0 moved; 0 version problems\n")


def test_a_bad_ref_is_still_exit_2(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    result = run_cli("diff", "no-such-ref", "--exit-code", cwd=root)
    assert result.returncode == 2
    assert result.stderr.startswith("backlog: error: ")
    assert "Traceback" not in result.stderr
