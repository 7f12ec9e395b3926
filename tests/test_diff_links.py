"""`diff --format markdown` links each item to its file at the head, at its `version:` line
(issue 13 §5): relative to the git top-level, absolute under GitHub Actions or with
`--link-base`; a removed item has no file to link to."""

from __future__ import annotations

from pathlib import Path

from tests.test_markdown_links import BLOB, GITHUB, _cli, _repo

HEADER = "| item | file | change | level | version | bump |"
ROW = (
    "| `model/a` | [sub/backlog/a.yaml:5]({base}sub/backlog/a.yaml#L5) | changed | minor | "
    "1.0.0 → 2.0.0 | ✅ major bump, ok |"
)


def _rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("| `")]


def test_diff_rows_link_the_item_file_relative_absolute_or_under_a_link_base(
    tmp_path: Path,
) -> None:
    project = _repo(tmp_path)
    plain = _cli("diff", "main", "--format", "markdown", "--no-cache", cwd=project, env={})
    assert plain.returncode == 0, plain.stderr
    assert HEADER in plain.stdout.splitlines()
    assert _rows(plain.stdout) == [ROW.format(base="")]
    actions = _cli("diff", "main", "--format", "markdown", "--no-cache", cwd=project, env=GITHUB)
    assert _rows(actions.stdout) == [ROW.format(base=BLOB + "/")]
    given = "https://gitlab.example/team/bot/-/blob/main"
    for env in ({}, GITHUB):  # --link-base wins over the GitHub variables
        done = _cli(
            "diff",
            "main",
            "--format",
            "markdown",
            "--link-base",
            given,
            "--no-cache",
            cwd=project,
            env=env,
        )
        assert _rows(done.stdout) == [ROW.format(base=given + "/")]


def test_a_removed_item_has_no_link(tmp_path: Path) -> None:
    project = _repo(tmp_path)
    (project / "backlog/answer.yaml").unlink()
    done = _cli("diff", "main", "--format", "markdown", "--no-cache", cwd=project, env={})
    assert done.returncode == 0, done.stderr
    assert _rows(done.stdout) == [
        ROW.format(base=""),
        "| `prompt/answer` | — | removed | — | 1.0.0 | — |",
    ]
