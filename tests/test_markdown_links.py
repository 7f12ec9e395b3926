"""Markdown file links resolve from a PR comment or a job summary (issue 13 §5): absolute
under GitHub Actions, `--link-base URL` anywhere else, relative without either; the path is
the one from the git top-level, also for a project in a subfolder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git, item, write_backlog

GITHUB = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_SERVER_URL": "https://github.example",
    "GITHUB_REPOSITORY": "acme/bot",
    "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
}
BLOB = "https://github.example/acme/bot/blob/0123456789abcdef0123456789abcdef01234567"
LATENCY = "`prompt/answer` is ready but has no `performance.latency_p95_ms`"
ROW = (
    "| error | readiness | prompt/answer | "
    "[sub/backlog/answer.yaml:6]({base}sub/backlog/answer.yaml#L6) | "
)


def _cli(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The real CLI with exactly the GitHub variables of `env` (none from the runner)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return subprocess.run(
        [sys.executable, "-m", "backlog_cli.cli", *args],
        cwd=cwd,
        env={**clean, "NO_COLOR": "1", "BACKLOG_TODAY": "2026-11-26", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _repo(tmp_path: Path) -> Path:
    """A git repository whose backlog project is in `sub/`: a ready prompt (readiness
    findings) pinning `model/a@^1.0`; at head the model is 2.0.0 (a broken constraint)."""
    top = tmp_path / "top"
    prompt = item("prompt", "answer", status="ready", spec="model: model/a@^1.0")
    project = write_backlog(
        top / "sub",
        {"backlog/a.yaml": item("model", "a"), "backlog/answer.yaml": prompt},
    )
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "base")
    model = item("model", "a", version="2.0.0", spec="provider: acme")
    (project / "backlog/a.yaml").write_text(model, encoding="utf-8")
    return project


def _row(markdown: str) -> str:
    return next(line for line in markdown.splitlines() if LATENCY in line)


def test_check_links_are_absolute_under_github_actions(tmp_path: Path) -> None:
    project = _repo(tmp_path)
    summary = tmp_path / "summary.md"
    env = {**GITHUB, "GITHUB_STEP_SUMMARY": str(summary)}
    done = _cli("check", "--format", "markdown", "--summary", cwd=project, env=env)
    assert done.returncode == 1, done.stderr
    row = ROW.format(base=BLOB + "/")
    assert _row(done.stdout).startswith(row)
    assert _row(summary.read_text(encoding="utf-8")).startswith(row)


def test_link_base_sets_the_prefix_and_wins_over_github(tmp_path: Path) -> None:
    project = _repo(tmp_path)
    base = "https://gitlab.example/team/bot/-/blob/main"
    for env in ({}, GITHUB):
        done = _cli("check", "-f", "markdown", "--link-base", base + "/", cwd=project, env=env)
        assert _row(done.stdout).startswith(ROW.format(base=base + "/"))
    status = _cli("status", "--format", "markdown", "--link-base", base, cwd=project, env={})
    assert status.returncode == 0, status.stderr
    assert (
        "- **`prompt/answer`** (ready, team-ai) — "
        f"[sub/backlog/answer.yaml]({base}/sub/backlog/answer.yaml)\n"
    ) in status.stdout
    impact = _cli(
        "impact", "--base", "main", "-f", "markdown", "--link-base", base, cwd=project, env={}
    )
    assert impact.returncode == 0, impact.stderr
    assert (
        "- `prompt/answer` `spec.model`: `model/a@^1.0` admitted 1.0.0 but not 2.0.0 "
        f"([sub/backlog/answer.yaml:9]({base}/sub/backlog/answer.yaml#L9))\n"
    ) in impact.stdout


@pytest.mark.parametrize("missing", ["GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"])
def test_partial_github_environment_keeps_links_relative(tmp_path: Path, missing: str) -> None:
    project = _repo(tmp_path)
    env = {k: v for k, v in GITHUB.items() if k != missing}
    done = _cli("check", "--format", "markdown", cwd=project, env=env)
    assert _row(done.stdout).startswith(ROW.format(base=""))


def test_without_github_or_link_base_links_stay_relative(tmp_path: Path) -> None:
    project = _repo(tmp_path)
    done = _cli("status", "--format", "markdown", cwd=project, env={"GITHUB_SHA": "abc"})
    assert "[sub/backlog/answer.yaml](sub/backlog/answer.yaml)\n" in done.stdout
    done = _cli("check", "--format", "markdown", cwd=project, env={})
    assert _row(done.stdout).startswith(ROW.format(base=""))


@pytest.mark.parametrize("bad", ["ftp://host/x", "gitlab.example/x", "https://", "https://h/a b"])
def test_a_bad_link_base_is_a_usage_error(tmp_path: Path, bad: str) -> None:
    done = _cli("check", "--link-base", bad, cwd=_repo(tmp_path), env={})
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"backlog: error: --link-base {bad!r}: give an absolute http(s) URL that file paths are "
        "appended to, e.g. https://gitlab.example.com/team/repo/-/blob/main\n"
    )


def test_link_targets_are_escaped(tmp_path: Path) -> None:
    project = _repo(tmp_path)
    base = "https://host.example/a(b)<c>"
    done = _cli("status", "-f", "markdown", "--link-base", base, cwd=project, env={})
    assert "(https://host.example/a%28b%29%3Cc%3E/sub/backlog/answer.yaml)" in done.stdout
