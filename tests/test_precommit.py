"""The pre-commit hooks, end to end, with the real pre-commit framework.

Two layers:

- `pre-commit try-repo` runs the hooks exactly as `.pre-commit-hooks.yaml` declares them:
  pre-commit clones the project, builds a virtualenv, pip-installs backlog-cli into it
  (PyPI, or the configured package index, must be reachable) and runs `backlog check`.
  try-repo on the checkout itself would only see committed and modified tracked files (its
  shadow repository takes `git add -u`), so a module not yet added to git would be missing.
  The test therefore snapshots the working tree (tracked and untracked files, minus ignored
  ones) into a temporary repository and points try-repo at that: it tests what is on disk.
- A real `git commit` with the hook installed (`pre-commit install`) uses a `repo: local`
  hook with the manifest's own `files:` pattern and `entry: <this python> -m backlog_cli.cli
  check`, so the commit-blocking behaviour is tested against the working tree without a
  second install. (A `repo:` URL with `rev:` = HEAD would test the last commit instead.)

Every pre-commit run gets its own PRE_COMMIT_HOME, so no cache leaks in or out.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import GIT_ENV, git, item, require, require_module, write_backlog

require_module("pre_commit", "pre-commit is not installed (pip install -e '.[test]')")

PROJECT = Path(__file__).resolve().parent.parent
MANIFEST = PROJECT / ".pre-commit-hooks.yaml"

# A failed hook-environment install that says "no package index", not "broken package".
OFFLINE = re.compile(
    r"Could not find a version that satisfies|No matching distribution found|"
    r"Failed to establish a new connection|Temporary failure in name resolution|"
    r"Network is unreachable"
)

# Set by git hooks and by `git rebase -x`: they would point git at the wrong repository.
GIT_LOCATION_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_PREFIX",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (*GIT_LOCATION_VARS, "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    monkeypatch.setenv("NO_COLOR", "1")


def pre_commit(*args: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """`pre-commit ARGS` with this interpreter, as a user runs it (output merged)."""
    # the git identity of the tests, but the real HOME: pip's user config names the index
    env = {**os.environ, **{k: v for k, v in GIT_ENV.items() if k != "HOME"}}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )


def snapshot_project(dest: Path) -> Path:
    """The project's working tree (tracked + untracked, not ignored) as a fresh one-commit repo."""
    require(
        (PROJECT / ".git").exists() and shutil.which("git"),
        "the project is not a git checkout; try-repo needs one",
    )
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = PROJECT / name
        if source.is_symlink() or not source.is_file():  # deleted but still in the index
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot of the backlog-cli working tree")
    return dest


def product_repo(root: Path) -> Path:
    """A small, valid backlog in a git repository with one commit."""
    write_backlog(
        root,
        {
            "backlog/models/small.yaml": item("model", "small", spec="provider: acme"),
            "backlog/prompts/triage.yaml": item(
                "prompt",
                "triage",
                spec="""
                model: model/small@^1.0
                template: "Route {{ ticket }}"
                inputs:
                  ticket: {type: string, required: true}
                """,
            ),
        },
    )
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "backlog")
    return root


BROKEN = item("tool", "lookup", extra="depends_on: [model/smal]")
FIXED = item("tool", "lookup", extra="depends_on: [model/small]")


def test_manifest_declares_both_hooks() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}
    assert set(hooks) == {"backlog-check", "backlog-check-all"}
    # backlog-check reads the staged deletions itself, so it runs on every commit (issue 13 §4)
    assert hooks["backlog-check"]["entry"] == "backlog check --pre-commit"
    assert hooks["backlog-check"]["always_run"] is True
    assert hooks["backlog-check-all"]["entry"] == "backlog check"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["require_serial"] is True
    assert hooks["backlog-check"].get("pass_filenames", True) is True
    assert hooks["backlog-check-all"]["pass_filenames"] is False
    assert hooks["backlog-check-all"]["always_run"] is True
    files = re.compile(hooks["backlog-check"]["files"])
    for path in (
        "backlog/prompts/triage.yaml",
        "backlog/x.yml",
        "backlog/prompts/templates/triage.j2",
        "backlog/prompts/reply.jinja2",
        "backlog/prompts/reply.mustache",
        "backlog.yaml",
        "pyproject.toml",
    ):
        assert files.search(path), path
    for path in ("docs/backlog.yaml", "other/backlog/x.yaml", "ci.yaml", "backlogs/x.yaml"):
        assert not files.search(path), path


def test_try_repo_runs_the_published_hooks(tmp_path: Path) -> None:
    """Both hooks pass on a clean backlog and fail, naming the finding, on a broken item."""
    hooks_repo = snapshot_project(tmp_path / "backlog-cli")
    repo = product_repo(tmp_path / "product")

    clean = pre_commit("try-repo", str(hooks_repo), "--all-files", cwd=repo)
    require(
        clean.returncode == 0 or not OFFLINE.search(clean.stdout),
        f"pre-commit could not install the hook (no package index?):\n{clean.stdout}",
    )
    assert clean.returncode == 0, clean.stdout
    assert re.search(r"^backlog check\.+Passed$", clean.stdout, re.M), clean.stdout
    assert re.search(r"^backlog check \(whole backlog\)\.+Passed$", clean.stdout, re.M)

    (repo / "backlog/tools/lookup.yaml").parent.mkdir()
    (repo / "backlog/tools/lookup.yaml").write_text(BROKEN, encoding="utf-8")
    git(repo, "add", "-A")
    broken = pre_commit("try-repo", str(hooks_repo), "--all-files", cwd=repo)
    assert broken.returncode == 1, broken.stdout
    assert re.search(r"^backlog check\.+Failed$", broken.stdout, re.M), broken.stdout
    assert re.search(r"^backlog check \(whole backlog\)\.+Failed$", broken.stdout, re.M)
    finding = "backlog/tools/lookup.yaml:8:14: error unknown-reference"
    assert broken.stdout.count(finding) == 2, broken.stdout  # once per hook
    assert "model/small" in broken.stdout  # the did-you-mean


def install_hook(repo: Path) -> None:
    """The published backlog-check hook as a `repo: local` hook on this interpreter."""
    manifest = {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}
    published = manifest["backlog-check"]
    args = published["entry"].split()[1:]  # `backlog check --pre-commit` -> check --pre-commit
    hook = {
        "id": published["id"],
        "name": published["name"],
        "entry": shlex.join([sys.executable, "-m", "backlog_cli.cli", *args]),
        "language": "system",
        "files": published["files"],
        "always_run": published["always_run"],
        "require_serial": True,
    }
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "-m", "pre-commit config")
    installed = pre_commit("install", cwd=repo)
    assert installed.returncode == 0, installed.stdout


def commit(repo: Path, message: str) -> tuple[int, str]:
    """`git commit -m MESSAGE` with the hook installed: its exit code and output."""
    proc = subprocess.run(
        ["git", "commit", "-m", message],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode, proc.stdout + proc.stderr


def test_installed_hook_blocks_a_commit_with_a_broken_item(tmp_path: Path) -> None:
    repo = product_repo(tmp_path / "product")
    install_hook(repo)
    head = git(repo, "rev-parse", "HEAD").strip()

    (repo / "backlog/tools").mkdir()
    (repo / "backlog/tools/lookup.yaml").write_text(BROKEN, encoding="utf-8")
    git(repo, "add", "backlog/tools/lookup.yaml")
    env = {**os.environ, **GIT_ENV}
    refused = subprocess.run(
        ["git", "commit", "-m", "add lookup"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "backlog/tools/lookup.yaml:8:14: error unknown-reference" in output
    assert git(repo, "rev-parse", "HEAD").strip() == head  # no commit was made

    (repo / "backlog/tools/lookup.yaml").write_text(FIXED, encoding="utf-8")
    git(repo, "add", "backlog/tools/lookup.yaml")
    accepted = subprocess.run(
        ["git", "commit", "-m", "add lookup"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert re.search(r"^backlog check\.+Passed$", output, re.M), output
    assert git(repo, "rev-parse", "HEAD~1").strip() == head
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [
        "backlog/tools/lookup.yaml"
    ]


def test_installed_hook_blocks_deleting_a_referenced_item(tmp_path: Path) -> None:
    repo = product_repo(tmp_path / "product")
    (repo / "backlog/models/spare.yaml").write_text(
        item("model", "spare", spec="provider: acme"), encoding="utf-8"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "spare model")
    install_hook(repo)
    head = git(repo, "rev-parse", "HEAD").strip()

    # nothing in the backlog staged: the hook runs (always_run) and passes at once
    (repo / "README.md").write_text("product\n", encoding="utf-8")
    git(repo, "add", "README.md")
    code, output = commit(repo, "readme")
    assert code == 0, output
    assert re.search(r"^backlog check\.+Passed$", output, re.M), output
    head = git(repo, "rev-parse", "HEAD").strip()

    git(repo, "rm", "-q", "backlog/models/small.yaml")  # triage's model
    code, output = commit(repo, "drop the small model")
    assert code != 0, output
    assert re.search(r"^backlog check\.+Failed$", output, re.M), output
    assert (
        "backlog/prompts/triage.yaml:9:10: error unknown-reference `spec.model` references "
        "`model/small`, which does not exist"
    ) in output
    assert "1 file checked, 2 items loaded: 1 error, 0 warnings" in output
    assert git(repo, "rev-parse", "HEAD").strip() == head  # no commit was made

    git(repo, "reset", "-q", "--hard")
    git(repo, "rm", "-q", "backlog/models/spare.yaml")  # nothing references it
    code, output = commit(repo, "drop the spare model")
    assert code == 0, output
    assert git(repo, "rev-parse", "HEAD~1").strip() == head


def test_installed_hook_runs_the_version_rules_when_the_config_names_a_base(
    tmp_path: Path,
) -> None:
    repo = product_repo(tmp_path / "product")
    (repo / "backlog.yaml").write_text("items: backlog/\nbase: main\n", encoding="utf-8")
    git(repo, "branch", "-M", "main")
    git(repo, "commit", "-q", "-am", "compare with main")
    git(repo, "checkout", "-q", "-b", "feature")
    install_hook(repo)
    head = git(repo, "rev-parse", "HEAD").strip()

    prompt = repo / "backlog/prompts/triage.yaml"
    edited = prompt.read_text(encoding="utf-8").replace("Route {{ ticket }}", "Route {{ ticket }}!")
    prompt.write_text(edited, encoding="utf-8")
    git(repo, "add", "-A")
    code, output = commit(repo, "sharper triage")
    assert code != 0, output
    assert "backlog/prompts/triage.yaml:5:10: error version-not-bumped `prompt/triage` " in output
    assert "changed since the merge-base with main" in output
    assert git(repo, "rev-parse", "HEAD").strip() == head

    prompt.write_text(edited.replace('version: "1.0.0"', 'version: "1.1.0"'), encoding="utf-8")
    git(repo, "add", "-A")
    code, output = commit(repo, "sharper triage, bumped")
    assert code == 0, output
    assert git(repo, "rev-parse", "HEAD~1").strip() == head
