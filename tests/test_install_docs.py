"""The install and pinning lines of the README work as written, placeholders filled in.

`<org>`'s repository is stood in for by a snapshot of this working tree (a one-commit git
repository, `tests/test_precommit.py`), and `<sha>` by that commit's full id. pip and
pre-commit build the package from it; their build and run-time dependencies come from the
configured package index, and the tests skip when there is none.
"""

from __future__ import annotations

import re
import subprocess
import venv
from pathlib import Path

import pytest

from backlog_cli import __version__
from tests.conftest import git, require
from tests.test_precommit import OFFLINE, pre_commit, product_repo, snapshot_project

PROJECT = Path(__file__).resolve().parent.parent
README = PROJECT / "README.md"
PLACEHOLDER_URL = "https://github.com/<org>/backlog-cli"


def readme_block(language: str, marker: str) -> str:
    blocks = re.findall(rf"^```{language}\n(.*?)^```$", README.read_text("utf-8"), re.M | re.S)
    found = [block for block in blocks if marker in block]
    assert len(found) == 1, f"README: {len(found)} {language} blocks with {marker!r}"
    return str(found[0])


def fill_in(text: str, repo: Path, sha: str) -> str:
    # pip's `name @ URL` form wants a host in a file URL (pip 23 rejects `file:///path`)
    return text.replace(PLACEHOLDER_URL, f"file://localhost{repo}").replace("<sha>", sha)


def test_the_pinned_git_url_installs(tmp_path: Path) -> None:
    hooks_repo = snapshot_project(tmp_path / "backlog-cli")
    sha = git(hooks_repo, "rev-parse", "HEAD").strip()
    line = readme_block("sh", f"{PLACEHOLDER_URL}@<sha>").strip()
    assert line == f'pip install "backlog-cli @ git+{PLACEHOLDER_URL}@<sha>"'
    requirement = fill_in(line, hooks_repo, sha).split('"')[1]
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    done = subprocess.run(
        [str(env_dir / "bin/python"), "-m", "pip", "install", "-q", "--no-deps", requirement],
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    require(done.returncode == 0 or not OFFLINE.search(output), f"no package index:\n{output}")
    assert done.returncode == 0, output
    frozen = subprocess.run(
        [str(env_dir / "bin/python"), "-m", "pip", "freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"backlog-cli @ git+file://localhost{hooks_repo}@{sha}\n" in frozen
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    init = (site / "backlog_cli/__init__.py").read_text(encoding="utf-8")
    assert f'__version__ = "{__version__}"' in init


def test_the_precommit_config_with_a_commit_rev_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    monkeypatch.setenv("NO_COLOR", "1")
    hooks_repo = snapshot_project(tmp_path / "backlog-cli")
    sha = git(hooks_repo, "rev-parse", "HEAD").strip()
    assert len(sha) == 40
    config = readme_block("yaml", "# .pre-commit-config.yaml")
    assert "rev: <sha>" in config
    repo = product_repo(tmp_path / "product")
    (repo / ".pre-commit-config.yaml").write_text(
        fill_in(config, hooks_repo, sha), encoding="utf-8"
    )
    done = pre_commit("run", "--all-files", cwd=repo)
    require(
        done.returncode == 0 or not OFFLINE.search(done.stdout),
        f"pre-commit could not install the hook (no package index?):\n{done.stdout}",
    )
    assert done.returncode == 0, done.stdout
    assert re.search(r"^backlog check\.+Passed$", done.stdout, re.M), done.stdout


@pytest.mark.parametrize(
    "doc",
    [
        "README.md",
        "docs/ci.md",
        "docs/versioning.md",
        "examples/github/backlog.yml",
        ".pre-commit-hooks.yaml",
    ],
)
def test_no_doc_shows_an_install_that_does_not_exist_yet(doc: str) -> None:
    lines = (PROJECT / doc).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if re.search(r"pip install[^\n]*backlog-cli==", line):
            # the published-package line is kept, labelled as such on it or just before it
            context = " ".join(lines[max(0, number - 1) : number + 1])
            assert "PyPI" in context, f"{doc}:{number + 1}: unlabelled: {line}"
        assert "rev: v0.1.0" not in line, f"{doc}:{number + 1}: no such tag yet"
        assert not re.search(r"pip install\s+backlog-cli\s*$", line), f"{doc}:{number + 1}"
