"""What git holds, at both ends of a comparison, on real repositories built in tmp dirs.

The head commit (`--head REF`) is written out byte for byte as committed, whatever
`.gitattributes` says (`export-ignore`, `export-subst`, `eol`), and only inside its
temporary folder. The base commit's items are found where the base's own config puts them,
so moving the item folder, or the whole project, never quietly turns the version rules off.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backlog_cli import git as gitmod
from backlog_cli import versioning
from backlog_cli.config import load_config
from backlog_cli.project import load_project
from tests.conftest import GIT_ENV, git, item, run_cli, spawn_cli, write_backlog

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "support-copilot"


def _commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def _repo(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    _commit_all(root, "base")
    return root


def _example(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    return _repo(root)


def _json(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    loaded = json.loads(result.stdout)
    assert isinstance(loaded, dict)
    return loaded


def _findings(root: Path, *args: str) -> list[tuple[str, str | None, str]]:
    payload = _json(run_cli("check", "--format", "json", "--no-cache", *args, cwd=root))
    diagnostics = payload["diagnostics"]
    assert isinstance(diagnostics, list)
    return sorted((d["rule"], d["item"], d["path"]) for d in diagnostics)


def _diff(root: Path, *args: str) -> dict[str, dict[str, object]]:
    payload = _json(run_cli("diff", *args, "--format", "json", cwd=root))
    items = payload["items"]
    assert isinstance(items, list)
    return {entry["item"]: entry for entry in items}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _export(root: Path, ref: str, dest: Path) -> Path:
    dest.mkdir()
    versioning.materialise(root, gitmod.verify_ref(root, ref), dest)
    return dest


def _tree(dest: Path) -> dict[str, str]:
    """Every entry under `dest` (the `.git` marker aside): file content, or `-> target`."""
    out: dict[str, str] = {}
    for folder, dirs, files in os.walk(dest):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, dest)
            if os.path.islink(path):
                out[rel] = "-> " + os.readlink(path)
            else:
                out[rel] = Path(path).read_bytes().decode("utf-8", "replace")
    return out


# --- the head commit: the committed bytes, attributes or not --------------------------------


def test_head_sees_files_marked_export_ignore(tmp_path: Path) -> None:
    """`git archive` leaves out `export-ignore` paths: templates and eval files looked
    missing at `--head` (5 false missing-file errors in the example), and ignored item files
    were not items at all."""
    root = _example(tmp_path)
    (root / ".gitattributes").write_text(
        "evals/ export-ignore\n*.j2 export-ignore\nbacklog/models/ export-ignore\n",
        encoding="utf-8",
    )
    _commit_all(root, "attributes")
    working_tree = _findings(root)
    assert working_tree == []
    assert _findings(root, "--base", "HEAD", "--head", "HEAD") == working_tree
    # an export-ignored item and an export-ignored template, changed at the head commit
    _edit(
        root / "backlog/models/gpt-4o-mini.yaml", "context_window: 128000", "context_window: 64000"
    )
    with (root / "backlog/prompts/templates/support-triage.j2").open("a", encoding="utf-8") as f:
        f.write("Be brief.\n")
    _commit_all(root, "edits")
    found = _findings(root, "--base", "HEAD~1", "--head", "HEAD")
    assert {(rule, key) for rule, key, _ in found} == {
        ("version-not-bumped", "model/gpt-4o-mini"),
        ("version-not-bumped", "prompt/support-triage"),
    }
    diff = _diff(root, "HEAD~1", "HEAD")
    assert set(diff) == {"model/gpt-4o-mini", "prompt/support-triage"}
    assert "+Be brief." in str(diff["prompt/support-triage"]["template_diff"])


TEMPLATE = "Ticket: {{ ticket }}\nBuilt from $Format:%H$\n"
PROMPT = item(
    "prompt",
    "triage",
    spec="template_file: templates/triage.j2\ninputs:\n  ticket: {type: string, required: true}",
)


def _attributes_repo(tmp_path: Path) -> Path:
    root = write_backlog(
        tmp_path / "repo",
        {
            "backlog/prompts/triage.yaml": PROMPT,
            "backlog/prompts/templates/triage.j2": TEMPLATE,
            ".gitattributes": "* text eol=crlf\n*.j2 export-subst\n",
        },
    )
    return _repo(root)


def test_export_subst_and_eol_attributes_do_not_change_the_head(tmp_path: Path) -> None:
    root = _attributes_repo(tmp_path)
    dest = _export(root, "HEAD", tmp_path / "out")
    for rel in ("backlog/prompts/triage.yaml", "backlog/prompts/templates/triage.j2"):
        committed = subprocess.run(
            ["git", "cat-file", "blob", f"HEAD:{rel}"], cwd=root, capture_output=True, check=True
        ).stdout
        assert (dest / rel).read_bytes() == committed
    # LF line endings and `$Format:%H$` as committed
    assert (dest / "backlog/prompts/templates/triage.j2").read_bytes() == TEMPLATE.encode()
    # an envelope edit at head: the template is the same text at both ends, no bump needed
    # (through `git archive` it gained CRLFs and a commit id, a change that needed one)
    _edit(root / "backlog/prompts/triage.yaml", "title: Triage", "title: Ticket triage")
    _commit_all(root, "title")
    assert _findings(root, "--base", "main~1", "--head", "HEAD") == []
    entry = _diff(root, "HEAD~1", "HEAD")["prompt/triage"]
    # a title edit alone is governance metadata (issue 13 §3): class `metadata`, no bump
    assert entry["level"] == "metadata" and entry["template_diff"] is None


def test_the_head_checkout_is_exactly_the_commit(tmp_path: Path) -> None:
    """Every regular file, executable bit, a symlink that stays inside, a name with a line
    break; an escaping symlink is not made."""
    root = write_backlog(
        tmp_path / "repo",
        {
            "backlog/models/m.yaml": item("model", "m"),
            "backlog/a\nb.yaml": item("model", "nl"),
            "shared/t.j2": "hello {{ name }}\n",
            "tools/run.sh": "#!/bin/sh\n",
        },
    )
    (root / "tools/run.sh").chmod(0o755)
    (root / "backlog/t.j2").symlink_to("../shared/t.j2")
    (root / "backlog/passwd").symlink_to("../../../../../../../../etc/passwd")
    (root / "backlog/absolute").symlink_to("/etc/passwd")
    # `a` is inside while `b` does not exist yet; once `b -> .` is made, `b/..` is the
    # folder above the checkout
    (root / "a").symlink_to("b/../escaped.yaml")
    (root / "b").symlink_to(".")
    _repo(root)
    dest = _export(root, "HEAD", tmp_path / "out")
    tree = _tree(dest)
    assert tree["backlog/a\nb.yaml"] == item("model", "nl")
    assert tree["backlog/t.j2"] == "-> ../shared/t.j2"
    assert (dest / "backlog/t.j2").read_text(encoding="utf-8") == "hello {{ name }}\n"
    assert tree["b"] == "-> ."
    for escaping in ("backlog/passwd", "backlog/absolute", "a"):
        assert escaping not in tree
    assert os.access(dest / "tools/run.sh", os.X_OK)
    assert not os.access(dest / "shared/t.j2", os.X_OK)
    assert (dest / ".git").is_dir()  # the marker of the repository root
    assert sorted(tree) == sorted(
        [
            *("backlog/models/m.yaml", "backlog/a\nb.yaml", "shared/t.j2", "tools/run.sh"),
            *("backlog/t.j2", "backlog.yaml", "b"),
        ]
    )


def test_a_name_with_a_line_break_is_an_item_at_head(tmp_path: Path) -> None:
    nl = item("model", "nl", spec="provider: acme")
    root = write_backlog(tmp_path / "repo", {"backlog/a\nb.yaml": nl})
    _repo(root)
    _edit(root / "backlog/a\nb.yaml", "provider: acme", "provider: other")
    _commit_all(root, "spec")
    assert _findings(root, "--base", "main~1", "--head", "HEAD") == [
        ("version-not-bumped", "model/nl", "backlog/a\nb.yaml")
    ]


def _crafted_commit(root: Path) -> str:
    """A commit no `git add` makes: entries named `.git` and `..`, and a submodule."""

    def run(*args: str, stdin: str = "") -> str:
        return subprocess.run(
            ["git", *args],
            cwd=root,
            input=stdin,
            env={**os.environ, **GIT_ENV},
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    blob = run("hash-object", "-w", "--stdin", stdin="gitdir: /tmp/elsewhere\n")
    model = run("hash-object", "-w", "--stdin", stdin=item("model", "m"))
    config = run("hash-object", "-w", "--stdin", stdin="items: backlog/\n")
    inner = run("mktree", stdin=f"100644 blob {model}\tescape.yaml\n")
    backlog = run(
        "mktree",
        stdin=f"100644 blob {model}\tm.yaml\n100644 blob {blob}\t.git\n"
        f"160000 commit {'1' * 40}\tsub\n",
    )
    top = run(
        "mktree",
        stdin=f"100644 blob {config}\tbacklog.yaml\n040000 tree {backlog}\tbacklog\n"
        f"040000 tree {inner}\t..\n100644 blob {blob}\t.git\n",
    )
    return run("commit-tree", top, "-m", "crafted")


def test_crafted_names_stay_inside_the_checkout(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", {"backlog/m.yaml": item("model", "m")})
    _repo(root)
    sha = _crafted_commit(root)
    dest = tmp_path / "nest" / "out"
    dest.mkdir(parents=True)
    versioning.materialise(root, sha, dest)
    assert _tree(dest) == {
        "backlog.yaml": "items: backlog/\n",
        "backlog/m.yaml": item("model", "m"),
    }
    assert (dest / ".git").is_dir() and not (dest / "backlog/.git").exists()
    assert not (tmp_path / "nest" / "escape.yaml").exists()
    result = run_cli("check", "--base", "main", "--head", sha, cwd=root)
    assert result.returncode == 0, result.stderr


def test_the_head_checkout_is_removed_after_every_run(tmp_path: Path) -> None:
    root = _example(tmp_path)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"TMPDIR": str(temp)}
    for args in (
        ("check", "--base", "main", "--head", "HEAD"),
        ("diff", "--base", "main", "--head", "HEAD"),
        ("impact", "--base", "main", "--head", "HEAD"),
        ("check", "--base", "no-such-ref", "--head", "HEAD"),
    ):
        result = run_cli(*args, cwd=root, env=env)
        assert result.returncode in (0, 1, 2) and "Traceback" not in result.stderr, args
        assert list(temp.iterdir()) == [], args


def test_ctrl_c_while_the_head_is_written_leaves_no_checkout(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "repo",
        {f"backlog/models/m{n}.yaml": item("model", f"m{n}") for n in range(1500)},
    )
    _repo(root)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "NO_COLOR": "1", "TMPDIR": str(temp)}
    args = ["check", "--base", "main", "--head", "HEAD"]
    # every delay counts from the moment the command handles Ctrl-C itself (spawn_cli), so
    # no signal lands while the interpreter is still starting
    proc = spawn_cli(args, root, env)
    start = time.perf_counter()
    proc.communicate(timeout=120)
    whole = time.perf_counter() - start
    interrupted = 0
    for attempt in range(6):
        proc = spawn_cli(args, root, env)
        time.sleep(whole * (0.15 + 0.12 * attempt))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, 1, 130), err
        assert b"Traceback" not in err
        interrupted += proc.returncode == 130
        assert list(temp.iterdir()) == [], attempt
    assert interrupted > 0


# --- the base commit: its own layout --------------------------------------------------------


def _move_items(root: Path, folder: str = "pb") -> None:
    git(root, "mv", "backlog", folder)
    _edit(root / "backlog.yaml", "items: backlog/", f"items: {folder}/")


LOOSENED = ("action: redact", "action: allow")


def test_a_moved_item_folder_moves_every_item(tmp_path: Path) -> None:
    root = _example(tmp_path)
    _move_items(root)
    diff = _diff(root, "main")
    assert len(diff) == 30
    assert {entry["state"] for entry in diff.values()} == {"moved"}
    assert _findings(root, "--base", "main") == []


def test_a_breaking_change_in_a_moved_item_folder_needs_its_bump(tmp_path: Path) -> None:
    root = _example(tmp_path)
    _move_items(root)
    _edit(root / "pb/policies/pii-redaction.yaml", *LOOSENED)
    result = run_cli("check", "--base", "main", "--format", "json", cwd=root)
    assert result.returncode == 1, result.stderr
    (finding,) = json.loads(result.stdout)["diagnostics"]
    assert (finding["rule"], finding["item"]) == ("version-not-bumped", "policy/pii-redaction")
    assert finding["path"] == "pb/policies/pii-redaction.yaml" and "(major" in finding["message"]
    diff = _diff(root, "main")
    assert diff["policy/pii-redaction"]["state"] == "changed"
    assert diff["policy/pii-redaction"]["required_bump"] == "major"
    # the same, committed and compared as two commits
    git(root, "checkout", "-q", "-b", "feature")
    _commit_all(root, "move")
    found = _findings(root, "--base", "main", "--head", "HEAD")
    assert found == [
        ("version-not-bumped", "policy/pii-redaction", "pb/policies/pii-redaction.yaml")
    ]


def test_items_left_behind_in_the_old_folder_are_still_the_base(tmp_path: Path) -> None:
    """A copy rather than a move: the base files are unchanged, but no longer head items."""
    root = _example(tmp_path)
    shutil.copytree(root / "backlog", root / "pb")
    _edit(root / "backlog.yaml", "items: backlog/", "items: pb/")
    _edit(root / "pb/policies/pii-redaction.yaml", *LOOSENED)
    assert _findings(root, "--base", "main") == [
        ("version-not-bumped", "policy/pii-redaction", "pb/policies/pii-redaction.yaml")
    ]


def test_a_base_configured_in_pyproject_is_read(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "repo",
        {
            "pyproject.toml": '[project]\nname = "x"\n\n[tool.backlog]\nitems = "stories"\n',
            "stories/m.yaml": item("model", "m", spec="provider: acme"),
        },
        config=None,
    )
    (root / "backlog").rmdir()  # made by write_backlog
    _repo(root)
    git(root, "mv", "stories", "backlog")
    _edit(root / "pyproject.toml", 'items = "stories"', 'items = "backlog"')
    _edit(root / "backlog/m.yaml", "provider: acme", "provider: other")
    assert _findings(root, "--base", "main") == [
        ("version-not-bumped", "model/m", "backlog/m.yaml")
    ]


def test_an_unreadable_base_config_falls_back_to_the_head_layout(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "repo",
        {"backlog/m.yaml": item("model", "m", spec="provider: acme")},
        config="items: [not, a, folder\n",
    )
    _repo(root)
    (root / "backlog.yaml").write_text("items: backlog/\n", encoding="utf-8")
    _edit(root / "backlog/m.yaml", "provider: acme", "provider: other")
    result = run_cli("check", "--base", "main", "--format", "json", cwd=root)
    assert result.returncode == 1, result.stderr
    assert [d["rule"] for d in json.loads(result.stdout)["diagnostics"]] == ["version-not-bumped"]
    assert result.stderr == ""


def test_a_moved_project_folder_says_so_and_carries_on(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root / "product")
    _repo(root)
    (root / "apps").mkdir()
    git(root, "mv", "product", "apps/support")
    for args in (
        ("check", "--root", "apps/support", "--base", "main", "--format", "json"),
        ("diff", "main", "--root", "apps/support", "--format", "json"),
    ):
        result = run_cli(*args, cwd=root)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stderr == (
            "backlog: note: the base main has no backlog at apps/support; every item counts "
            "as added (a new backlog, or did the project folder move?)\n"
        )
        assert run_cli(*args, "-q", cwd=root).stderr == ""  # notes are not for --quiet
    diff = _diff(root, "main", "--root", "apps/support")
    assert len(diff) == 30 and {e["state"] for e in diff.values()} == {"added"}


def test_a_new_backlog_is_all_added_and_not_an_error(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text("hello\n", encoding="utf-8")
    _repo(root)
    write_backlog(root, {"backlog/m.yaml": item("model", "m")})
    for args in (("check", "--base", "main"), ("diff", "main"), ("impact", "--base", "main")):
        result = run_cli(*args, cwd=root)
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr and "error" not in result.stderr
    assert {k: v["state"] for k, v in _diff(root, "main").items()} == {"model/m": "added"}
    _commit_all(root, "backlog")
    assert _findings(root, "--base", "main~1", "--head", "HEAD") == []


def test_an_unchanged_layout_reads_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base is listed in full only when its layout differs from the head's."""
    root = _example(tmp_path)
    listed: list[str] = []
    real = gitmod.ls_tree

    def spy(repo: Path, tree: str, **kwargs: bool) -> list[gitmod.TreeEntry]:
        listed.append(tree)
        return real(repo, tree, **kwargs)

    monkeypatch.setattr(gitmod, "ls_tree", spy)
    _edit(root / "backlog/policies/pii-redaction.yaml", *LOOSENED)
    config = load_config(root)
    comparison = versioning.with_base(config, load_project(config), "main", None)
    assert [c.key for c in comparison.items] == ["policy/pii-redaction"] and listed == []
    _move_items(root)
    config = load_config(root)
    comparison = versioning.with_base(config, load_project(config), "main", None)
    assert len(comparison.items) == 30 and len(listed) == 1


def test_a_file_name_that_is_not_utf8_is_compared(tmp_path: Path) -> None:
    """Such a name stopped `check --base` with an internal error (exit 3)."""
    name = os.fsdecode(b"backlog/caf\xe9.yaml")
    root = write_backlog(tmp_path / "repo", {name: item("model", "m", spec="provider: acme")})
    _repo(root)
    git(root, "checkout", "-q", "-b", "feature")
    _edit(root / name, "provider: acme", "provider: other")

    def found(*args: str) -> list[tuple[str, str]]:
        # the report holds the name's own bytes: read it as bytes
        proc = subprocess.run(
            [sys.executable, "-m", "backlog_cli.cli", "check", "--format", "json", *args],
            cwd=root,
            capture_output=True,
            check=False,
        )
        assert proc.returncode == 1, proc.stderr
        report = json.loads(proc.stdout.decode("utf-8", "surrogateescape"))
        return [(d["rule"], d["item"]) for d in report["diagnostics"]]

    assert found("--base", "main") == [("version-not-bumped", "model/m")]
    _commit_all(root, "spec")
    assert found("--base", "main", "--head", "HEAD") == [("version-not-bumped", "model/m")]
