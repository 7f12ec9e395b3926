"""Shell completion of values (issue 13 §7): item ids, versions, kinds, statuses, rule ids,
formats and schema names, through the real program as the shells call it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git, item, write_backlog

# started as `backlog`, like the installed console script: the completion variable is named
# after the program (`_BACKLOG_COMPLETE`)
START = "import sys; sys.argv[0] = 'backlog'; from backlog_cli.cli import entry; entry()"


def _backlog(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", START, *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def bash(line: str, cwd: Path) -> list[str]:
    """What bash is offered for the last word of `line` (empty after a trailing space)."""
    words = line.split(" ")
    done = _backlog(
        cwd,
        {
            "_BACKLOG_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words) - 1),
        },
    )
    assert (done.returncode, done.stderr) == (0, "")
    # one candidate a line; nothing offered is one empty line
    assert done.stdout.endswith("\n"), done.stdout
    return done.stdout[:-1].split("\n") if done.stdout != "\n" else []


def zsh(line: str, cwd: Path) -> str:
    done = _backlog(cwd, {"_BACKLOG_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line})
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = write_backlog(
        tmp_path / "repo",
        {
            "backlog/prompts/triage.yaml": item("prompt", "triage"),
            "backlog/prompts/answer.yaml": item("prompt", "answer"),
            "backlog/tools/search-kb.yaml": item("tool", "search-kb"),
            "backlog/policies/pii.yaml": item("policy", "pii"),
        },
    )
    (root / "sub").mkdir()
    return root


def test_item_ids_complete_by_prefix(project: Path) -> None:
    assert bash("backlog show pro", project) == ["prompt/answer", "prompt/triage"]
    assert bash("backlog show ", project) == [
        "policy/pii",
        "prompt/answer",
        "prompt/triage",
        "tool/search-kb",
    ]
    # an id alone names an item when it is unique
    assert bash("backlog show tri", project) == ["triage"]
    assert bash("backlog show p", project) == [
        "policy/pii",
        "prompt/answer",
        "prompt/triage",
        "pii",
    ]
    assert bash("backlog history tool/", project) == ["tool/search-kb"]
    assert bash("backlog lineage --format dot s", project) == ["search-kb"]
    # from a sub-folder, the project is found walking up, as the commands find it
    assert bash("backlog lineage prompt/a", project / "sub") == ["prompt/answer"]


def test_bump_and_diff_do_not_offer_what_is_typed(project: Path) -> None:
    assert bash("backlog bump --patch prompt/triage pro", project) == ["prompt/answer"]
    # diff reads a word without `/` as a ref: only `kind/id` is offered
    assert bash("backlog diff main p", project) == ["policy/pii", "prompt/answer", "prompt/triage"]
    assert bash("backlog diff main prompt/answer prompt/", project) == ["prompt/triage"]


def test_root_already_typed_names_the_project(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert bash(f"backlog show --root {project} prompt/t", elsewhere) == ["prompt/triage"]
    assert bash(f"backlog bump --root {project} --minor t", elsewhere) == [
        "tool/search-kb",
        "triage",
    ]


def test_versions_after_at_come_from_git_history(project: Path) -> None:
    git(project, "init", "-q", "-b", "main")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "first")
    triage = project / "backlog/prompts/triage.yaml"
    triage.write_text(item("prompt", "triage", version="1.1.0"), encoding="utf-8")
    git(project, "commit", "-q", "-am", "minor")
    triage.write_text(item("prompt", "triage", version="2.0.0"), encoding="utf-8")
    git(project, "commit", "-q", "-am", "major")
    assert bash("backlog show prompt/triage@", project) == [
        "prompt/triage@2.0.0",
        "prompt/triage@1.1.0",
        "prompt/triage@1.0.0",
    ]
    assert bash("backlog show triage@1", project) == ["triage@1.1.0", "triage@1.0.0"]
    assert bash("backlog show prompt/nope@", project) == []


def test_versions_outside_git_offer_nothing(project: Path) -> None:
    assert bash("backlog show prompt/triage@", project) == []


def test_kinds_statuses_rule_ids_formats_and_schemas(project: Path) -> None:
    assert bash("backlog list --kind p", project) == ["prompt", "policy"]
    assert bash("backlog list --status re", project) == ["refined", "ready"]
    assert bash("backlog new ", project) == [
        "capability",
        "prompt",
        "agent",
        "tool",
        "policy",
        "dataset",
        "model",
        "evaluation",
    ]
    assert bash("backlog check --rule version-", project) == [
        "version-constraint",
        "version-not-bumped",
        "version-bump-too-small",
        "version-decreased",
    ]
    assert bash("backlog check --ignore-rule se", project) == ["secret"]
    assert bash("backlog check --format ", project) == [
        "text",
        "json",
        "sarif",
        "github",
        "junit",
        "markdown",
    ]
    assert bash("backlog lineage -f m", project) == ["mermaid"]
    assert bash("backlog status --format ", project) == ["text", "json", "markdown"]
    assert bash("backlog schema check", project) == ["check-result"]


def test_zsh_gets_the_same_candidates(project: Path) -> None:
    assert zsh("backlog show pro", project) == (
        '_arguments \'*: :(("prompt/answer"\n"prompt/triage"))\'\n'
    )
    assert zsh("backlog list --status don", project) == "_arguments '*: :((\"done\"))'\n"


def test_outside_a_project_nothing_is_offered(tmp_path: Path) -> None:
    assert bash("backlog show pro", tmp_path) == []
    assert bash("backlog show prompt/triage@", tmp_path) == []
    assert bash(f"backlog show --root {tmp_path / 'missing'} pro", tmp_path) == []
    # zsh falls back to file names
    assert zsh("backlog show pro", tmp_path) == "_files\n"
    # what does not need a project still completes
    assert bash("backlog list --kind ag", tmp_path) == ["agent"]


def test_a_broken_project_offers_what_it_can(project: Path) -> None:
    prompts = project / "backlog/prompts"
    (prompts / "broken.yaml").write_text("kind: prompt\nid: [oops\n", encoding="utf-8")
    (prompts / "latin1.yaml").write_bytes(b"kind: prompt\nid: caf\xe9\n")
    (prompts / "gone.yaml").symlink_to(prompts / "nowhere.yaml")
    assert bash("backlog show prompt/", project) == ["prompt/answer", "prompt/triage"]
    # a broken cache is ignored
    cache = project / ".backlog_cache"
    cache.mkdir()
    (cache / "index.json").write_text("{not json", encoding="utf-8")
    assert bash("backlog show prompt/", project) == ["prompt/answer", "prompt/triage"]
    # a config that does not parse: nothing to offer, and no traceback
    (project / "backlog.yaml").write_text("items: [\n", encoding="utf-8")
    assert bash("backlog show prompt/", project) == []
    assert bash("backlog list --kind mo", project) == ["model"]


def test_completion_reads_the_cache_and_runs_no_rule(project: Path) -> None:
    """Completion loads the project through the parse cache and runs no rule: neither the
    engine, a rule module nor a validation library is imported."""
    assert bash("backlog show pro", project) == ["prompt/answer", "prompt/triage"]
    env = {
        "_BACKLOG_COMPLETE": "complete_bash",
        "COMP_WORDS": "backlog show pro",
        "COMP_CWORD": "2",
    }
    # the first run parsed the files but, as a lazy run with few misses, did not write the
    # index: a `check` does, and completion reuses it
    checked = _backlog(project, {}, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", START],
        cwd=project,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.splitlines() == ["prompt/answer", "prompt/triage"]
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "backlog_cli.loader" in imported  # the request really loaded the project
    assert not imported & {"jsonschema", "pydantic", "backlog_cli.engine"}, imported
    assert not {m for m in imported if m.startswith("backlog_cli.checks.")}


def test_bash_script_from_show_completion_completes_items(project: Path, tmp_path: Path) -> None:
    """`--show-completion` prints the script; sourced in a real bash, its function offers
    the items (through a `backlog` program on PATH, as an install gives)."""
    bash_exe = shutil.which("bash")
    if bash_exe is None:
        pytest.skip("bash is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "backlog"
    program.write_text(f'#!/bin/sh\nexec "{sys.executable}" -c "{START}" "$@"\n', encoding="utf-8")
    program.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    shown = subprocess.run(
        [bash_exe, "-c", "backlog --show-completion"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert "complete -o default -F _backlog_completion backlog" in shown.stdout
    script = tmp_path / "backlog.bash"
    script.write_text(shown.stdout, encoding="utf-8")
    run = (
        f"source {script}; COMP_WORDS=(backlog show pro); COMP_CWORD=2; "
        '_backlog_completion backlog; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    offered = subprocess.run(
        [bash_exe, "--norc", "-c", run],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (offered.returncode, offered.stdout) == (0, "prompt/answer\nprompt/triage\n")


def test_install_completion_bash_and_zsh(tmp_path: Path) -> None:
    """typer's `--install-completion` still writes the scripts (into HOME)."""
    home = tmp_path / "home"
    home.mkdir()
    # the shell is named instead of detected from the parent process (typer's switch for it)
    env = {"HOME": str(home), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    done = _backlog(tmp_path, env, "--install-completion", "bash")
    assert done.returncode == 0, done.stderr
    script = home / ".bash_completions" / "backlog.sh"
    assert done.stdout.startswith(f"bash completion installed in {script}\n")
    assert "_BACKLOG_COMPLETE=complete_bash" in script.read_text(encoding="utf-8")
    assert f"source '{script}'" in (home / ".bashrc").read_text(encoding="utf-8")
    done = _backlog(tmp_path, env, "--install-completion", "zsh")
    assert done.returncode == 0, done.stderr
    zfunc = home / ".zfunc" / "_backlog"
    assert done.stdout.startswith(f"zsh completion installed in {zfunc}\n")
    assert "_BACKLOG_COMPLETE=complete_zsh" in zfunc.read_text(encoding="utf-8")
    assert "compinit" in (home / ".zshrc").read_text(encoding="utf-8")
    shown = _backlog(tmp_path, env, "--show-completion", "zsh")
    assert shown.returncode == 0
    assert shown.stdout.startswith("#compdef backlog\n")
