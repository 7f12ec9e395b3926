"""SPEC §6: every command takes --root, --format, --output, --no-color, -q/--quiet and
-v/--verbose, and each does what it says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import git, run_cli

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "support-copilot"

# each command with the arguments it needs to succeed on a copy of the example (in git)
COMMANDS: dict[str, list[str]] = {
    "check": ["check"],
    "list": ["list"],
    "show": ["show", "prompt/support-triage"],
    "status": ["status"],
    "diff": ["diff", "HEAD"],
    "impact": ["impact", "--base", "HEAD"],
    "history": ["history", "prompt/support-triage"],
    "lineage": ["lineage", "prompt/support-triage"],
    "bump": ["bump", "--auto", "--base", "HEAD"],
    "rules": ["rules"],
    "schema": ["schema", "prompt"],
    "new": ["new", "tool", "fresh-tool"],
    "init": ["init", "--force"],
}
JSON_FORMAT = {"lineage": "json", "schema": "json"}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_takes_the_common_options(repo: Path, name: str) -> None:
    args = COMMANDS[name]
    out = repo.parent / "out.json"
    fmt = JSON_FORMAT.get(name, "json")
    proc = run_cli(
        *args,
        "--root",
        str(repo),
        "--format",
        fmt,
        "--output",
        str(out),
        "--no-color",
        "--quiet",
        cwd=repo.parent,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "No such option" not in proc.stderr
    written = out.read_text(encoding="utf-8") if name != "schema" else None
    if written is not None:
        payload = json.loads(written)
        assert payload.get("version") == 1 or "$schema" in payload
    if name == "new":  # a second item of the same id would be refused
        args = ["new", "tool", "other-tool"]
    verbose = run_cli(*args, "--root", str(repo), "-v", cwd=repo.parent)
    assert verbose.returncode in (0, 1), verbose.stderr
    both = run_cli(*args, "--root", str(repo), "-q", "-v", cwd=repo.parent)
    assert both.returncode == 2 and "--quiet or --verbose" in both.stderr


def test_verbose_says_where_the_config_and_items_are(repo: Path) -> None:
    proc = run_cli("list", "-v", cwd=repo)
    assert proc.returncode == 0
    assert f"config {repo / 'backlog.yaml'}" in proc.stderr and "files loaded" in proc.stderr
    assert run_cli("list", cwd=repo).stderr == ""


def test_quiet_drops_summary_lines(repo: Path) -> None:
    loud, quiet = run_cli("list", cwd=repo), run_cli("list", "-q", cwd=repo)
    assert loud.stdout.splitlines()[-1].endswith(" items")
    assert quiet.stdout.splitlines() == loud.stdout.splitlines()[:-1]
    rules = run_cli("rules", "-q", cwd=repo).stdout.splitlines()
    assert "cycle  error" in rules and all(len(line.split()) == 2 for line in rules)
    init = run_cli("init", "-q", "--force", cwd=repo).stdout
    assert "next:" not in init and "backlog.yaml" in init


def test_rules_shows_the_configured_severity(repo: Path) -> None:
    config = repo / "backlog.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "\nrules:\n  cycle: warning\n", encoding="utf-8"
    )
    proc = run_cli("rules", "--format", "json", "--root", str(repo), cwd=repo.parent)
    cycle = next(r for r in json.loads(proc.stdout)["rules"] if r["id"] == "cycle")
    assert (cycle["severity"], cycle["default_severity"]) == ("warning", "error")
    assert "configured: warning" in run_cli("rules", cwd=repo).stdout
