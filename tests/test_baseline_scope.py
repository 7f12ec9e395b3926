"""A baseline is written from, and counted against, the whole backlog only: a partial run
(PATHS, --rule, --select) never calls a recorded finding fixed, nor shrinks the file."""

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
    for name in ("ai-disclosure", "pii-redaction"):
        policy = root / f"backlog/policies/{name}.yaml"
        text = policy.read_text(encoding="utf-8")
        start = text.index("review_by:")
        end = text.index("\n", start)
        policy.write_text(text[:start] + "review_by: 2020-01-01" + text[end:], encoding="utf-8")
    proc = run_cli("check", "--write-baseline", "bl.json", cwd=root)
    assert proc.returncode == 0 and "wrote 2 findings" in proc.stdout, proc.stderr
    return root


@pytest.mark.parametrize(
    "partial",
    [
        ["backlog/policies/ai-disclosure.yaml"],
        ["--rule", "schema"],
        ["--select", "policy/ai-disclosure"],
    ],
)
def test_a_partial_run_counts_nothing_as_fixed(repo: Path, partial: list[str]) -> None:
    proc = run_cli("check", "--baseline", "bl.json", "--format", "json", *partial, cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["stale_baseline"] == 0
    text = run_cli("check", "--baseline", "bl.json", *partial, cwd=repo).stdout
    assert "fixed" not in text


def test_the_whole_run_still_counts_what_was_fixed(repo: Path) -> None:
    policy = repo / "backlog/policies/ai-disclosure.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace(
            "review_by: 2020-01-01", "review_by: 2099-01-01"
        ),
        encoding="utf-8",
    )
    proc = run_cli("check", "--baseline", "bl.json", "--format", "json", cwd=repo)
    assert json.loads(proc.stdout)["summary"]["stale_baseline"] == 1


@pytest.mark.parametrize(
    "partial", [["backlog/policies"], ["--rule", "schema"], ["-s", "kind:tool"]]
)
def test_write_baseline_refuses_a_partial_run(repo: Path, partial: list[str]) -> None:
    before = (repo / "bl.json").read_bytes()
    proc = run_cli("check", "--write-baseline", "bl.json", *partial, cwd=repo)
    assert proc.returncode == 2 and "records the whole backlog" in proc.stderr
    assert (repo / "bl.json").read_bytes() == before


@pytest.mark.parametrize("content", ["[" * 100_000, '{"version": true, "entries": []}'])
def test_a_hostile_baseline_is_exit_2(repo: Path, content: str) -> None:
    (repo / "bad.json").write_text(content, encoding="utf-8")
    proc = run_cli("check", "--baseline", "bad.json", cwd=repo)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr


def test_baselined_findings_are_suppressed_results_in_sarif_and_counted_in_markdown(
    repo: Path,
) -> None:
    import jsonschema

    data = Path(__file__).parent / "data" / "sarif-2.1.0-rtm.5.json"
    proc = run_cli("check", "--baseline", "bl.json", "--format", "sarif", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    log = json.loads(proc.stdout)
    schema = json.loads(data.read_text(encoding="utf-8"))
    assert not list(jsonschema.Draft4Validator(schema).iter_errors(log))
    results = log["runs"][0]["results"]
    assert len(results) == 2
    assert all(
        r["suppressions"][0]["justification"] == "recorded in the --baseline file" for r in results
    )
    markdown = run_cli("check", "--baseline", "bl.json", "--format", "markdown", cwd=repo)
    assert "2 findings recorded in the baseline do not fail." in markdown.stdout
