"""The whole-run cache never answers for a different run: a warm result always equals a
`--no-cache` one, and a damaged stored result is ignored, never trusted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import git, run_cli

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "support-copilot"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    git(root, "init", "-q")
    return root


def _check(root: Path, *args: str) -> tuple[int, list[tuple[str, str, int]]]:
    proc = run_cli("check", "--format", "json", *args, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    found = json.loads(proc.stdout)["diagnostics"]
    return proc.returncode, sorted((d["rule"], d["path"], d["line"]) for d in found)


def test_a_symlinked_path_does_not_answer_for_the_real_one(repo: Path) -> None:
    model = repo / "backlog/models/gpt-4o-mini.yaml"
    model.write_text(
        model.read_text(encoding="utf-8").replace('version: "1.', 'version: "9.', 1),
        encoding="utf-8",
    )
    (repo / "link.yaml").symlink_to("backlog/models/gpt-4o-mini.yaml")
    _check(repo, "link.yaml")
    real = "backlog/models/gpt-4o-mini.yaml"
    assert _check(repo, real) == _check(repo, real, "--no-cache")
    assert _check(repo, real)[0] == 1


def test_a_template_swapped_for_a_link_outside_is_seen(repo: Path, tmp_path: Path) -> None:
    assert _check(repo)[0] == 0  # warm
    template = repo / "backlog/prompts/templates/support-triage.j2"
    outside = tmp_path / "outside.j2"
    shutil.copy(template, outside)
    template.unlink()
    template.symlink_to(outside)
    warm = _check(repo)
    assert warm == _check(repo, "--no-cache")
    assert warm[0] == 1 and any(rule == "missing-file" for rule, _, _ in warm[1])


@pytest.mark.parametrize(
    "damage",
    [
        {"message": ["x"]},
        {"severity": "bogus"},
        {"line": "x"},
        {"line": 0},
        {"extra": 1},
    ],
)
def test_a_damaged_stored_result_is_ignored(repo: Path, damage: dict[str, object]) -> None:
    policy = repo / "backlog/policies/ai-disclosure.yaml"
    text = policy.read_text(encoding="utf-8")
    start = text.index("review_by:")
    end = text.index("\n", start)
    policy.write_text(text[:start] + "review_by: 2020-01-01" + text[end:], encoding="utf-8")
    fresh = _check(repo, "--no-cache", "--strict")  # review-overdue is a warning
    assert fresh[0] == 1
    _check(repo, "--strict")
    (stored,) = (repo / ".backlog_cache" / "results").glob("*.json")
    payload = json.loads(stored.read_text(encoding="utf-8"))
    payload["result"]["diagnostics"][0].update(damage)
    stored.write_text(json.dumps(payload), encoding="utf-8")
    for fmt in ("json", "sarif", "text"):
        proc = run_cli("check", "--strict", "--format", fmt, cwd=repo)
        assert proc.returncode == 1, proc.stderr
    assert _check(repo, "--strict") == fresh


@pytest.mark.parametrize("where", ["", ".", "..", "backlog"])
def test_a_cache_dir_holding_the_users_files_is_refused(repo: Path, where: str) -> None:
    proc = run_cli("check", "--cache-dir", where, cwd=repo)
    assert proc.returncode == 2 and "needs a folder of its own" in proc.stderr
    assert not (repo / ".gitignore").exists() and not (repo / "backlog/.gitignore").exists()
    assert not (repo / "index.json").exists()


def test_a_cache_dir_of_its_own_is_fine(repo: Path, tmp_path: Path) -> None:
    for _ in range(2):  # created, then reused
        proc = run_cli("check", "--cache-dir", str(tmp_path / "c"), cwd=repo)
        assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "c" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
