"""Every way a git ref reaches the tool, fed refs that try to become options or shell.

SPEC §7: refs given by users are verified (`rev-parse --verify`) and can never be taken as
options. The entry points are every option and argument that names a ref (`--base`, `--head`,
`diff BASE HEAD`), the `changed` selector's base, `bump --auto --base`, and the config's
`base:` (used by `diff`, `impact`, `--head`, `changed` and `bump --auto` when no ref is given).
`history` takes no ref (it walks HEAD); its ITEM argument gets the same inputs.

Each combination must exit 2 with a message that names the ref, print no traceback, and
create nothing: neither the file a ref names (`--output=FILE`, `touch FILE`) nor any change
in the repository. The full matrix runs in-process (`cli.main`, the console script's entry
point) to stay fast; a sample runs through the real executable.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from backlog_cli import cli
from tests.conftest import git, item, run_cli, write_backlog

PWNED = "backlog-pwned"  # a file in the test's own folder that a successful injection creates


def hostile_refs(pwned: Path) -> list[str]:
    return [
        f"--output={pwned}",
        f"--upload-pack=touch {pwned}",
        f"-c core.pager=touch {pwned}",
        "-",
        "",
        f"HEAD; touch {pwned}",
        f"$(touch {pwned})",
        f"`touch {pwned}`",
        "main touch",
        "main\n::error title=injected::a workflow command of its own",
        "main\x1b[2J\r",  # clear the screen, back to column 1
        "HEAD:backlog",  # a tree, not a commit
        "blob-tag",  # a tag that names a blob
    ]


# `{ref}` is replaced; `--opt={ref}` keeps the value one argument whatever it starts with
ENTRY_POINTS: dict[str, tuple[str, ...]] = {
    "check --base": ("check", "--base={ref}"),
    "check --head": ("check", "--base=main", "--head={ref}"),
    "check --select changed --base": ("check", "--select", "changed", "--base={ref}"),
    "diff --base": ("diff", "--base={ref}"),
    "diff --head": ("diff", "--base=main", "--head={ref}"),
    "diff BASE": ("diff", "--", "{ref}"),
    "diff BASE HEAD": ("diff", "--", "main", "{ref}"),
    "impact --base": ("impact", "--base={ref}"),
    "impact --head": ("impact", "--base=main", "--head={ref}"),
    "impact --select changed --base": ("impact", "--base={ref}", "--select", "changed"),
    "list --select changed --base": ("list", "--select", "changed", "--base={ref}"),
    "bump --auto --base": ("bump", "--auto", "--base={ref}"),
}
# commands that fall back to the config's `base:` when no ref is given
CONFIG_BASE: dict[str, tuple[str, ...]] = {
    "diff": ("diff",),
    "diff --format json": ("diff", "--format", "json"),
    "impact": ("impact",),
    "check --head": ("check", "--head=HEAD"),
    "check --select changed": ("check", "--select", "changed"),
    "list --select changed": ("list", "--select", "changed"),
    "lineage --select changed": ("lineage", "prompt/triage", "--select", "changed"),
    "bump --auto": ("bump", "--auto"),
}


def _repo(folder: Path) -> Path:
    root = write_backlog(
        folder / "repo",
        {
            "backlog/m.yaml": item("model", "m"),
            "backlog/p.yaml": item("prompt", "triage", spec="model: model/m@^1.0"),
        },
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    blob = git(root, "hash-object", "-w", "backlog/m.yaml").strip()
    git(root, "tag", "blob-tag", blob)
    git(root, "checkout", "-q", "-b", "feature")
    (root / "backlog/m.yaml").write_text(item("model", "m", version="1.1.0"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "head")
    return root


def _snapshot(root: Path) -> tuple[str, list[str]]:
    """What git and a directory listing say about the repository (cache folder aside)."""
    files = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if ".git" not in p.parts and ".backlog_cache" not in p.parts
    )
    refs = git(root, "for-each-ref", "--format=%(refname) %(objectname)")
    status = git(root, "status", "--porcelain", "--ignored", "--untracked-files=all")
    return refs + status, files


def _main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], root: Path, *args: str
) -> tuple[int, str]:
    """`backlog COMMAND --root ROOT ARGS` in this process: (exit code, stderr)."""
    monkeypatch.setattr(sys, "argv", ["backlog", args[0], "--root", str(root), *args[1:]])
    with warnings.catch_warnings():
        # a refused base must not leave a `--head` checkout behind, even in-process
        warnings.simplefilter("error", ResourceWarning)
        try:
            cli.main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        gc.collect()
    return code, capsys.readouterr().err


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _repo(tmp_path_factory.mktemp("hostile-refs"))
    assert run_cli("list", cwd=root).returncode == 0  # the cache folder exists from here on
    return root


def _assert_refused(code: int, err: str, args: tuple[str, ...], ref: str, what: str) -> None:
    assert code == 2, (args, code, err)
    assert "Traceback" not in err, (args, err)
    assert err.startswith("backlog: error: "), (args, err)
    assert what in err, (args, err)
    # one line, no control characters: a hostile ref cannot forge a line of a CI log (where
    # `::error ...` is a command) or move the cursor; the message names the ref, escaped
    assert err.count("\n") == 1 and err.endswith("\n"), (args, err)
    assert err[:-1].isprintable(), (args, err)
    assert f"`{ascii(ref)[1:-1] if not ref.isprintable() else ref}`" in err, (args, err)


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_hostile_refs_on_every_option_are_refused(
    repo: Path,
    tmp_path: Path,
    entry: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pwned = tmp_path / PWNED
    before = _snapshot(repo)
    monkeypatch.chdir(tmp_path)  # where a relative `--output=x` would land
    for ref in hostile_refs(pwned):
        args = tuple(a.replace("{ref}", ref) for a in ENTRY_POINTS[entry])
        code, err = _main(monkeypatch, capsys, repo, *args)
        _assert_refused(code, err, args, ref, " ref")
        assert not pwned.exists(), (args, "the ref ran as a command or option")
    assert _snapshot(repo) == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("entry", list(CONFIG_BASE))
def test_hostile_base_in_the_config_is_refused_everywhere(
    repo: Path,
    tmp_path: Path,
    entry: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pwned = tmp_path / PWNED
    config = repo / "backlog.yaml"
    before = _snapshot(repo)
    monkeypatch.chdir(tmp_path)
    for ref in hostile_refs(pwned):
        if not ref:
            continue  # `base: ""` means "not set": the merge-base default, not a hostile ref
        # a JSON string is a YAML double-quoted scalar: control characters survive
        config.write_text(f"items: backlog/\nbase: {json.dumps(ref)}\n", encoding="utf-8")
        args = CONFIG_BASE[entry]
        code, err = _main(monkeypatch, capsys, repo, *args)
        _assert_refused(code, err, args, ref, "base ref (config `base`)")
        assert not pwned.exists(), (args, "the ref ran as a command or option")
    config.write_text("items: backlog/\n", encoding="utf-8")
    assert _snapshot(repo) == before


def test_history_item_argument_never_reaches_git_as_an_option(
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pwned = tmp_path / PWNED
    before = _snapshot(repo)
    monkeypatch.chdir(tmp_path)
    for ref in hostile_refs(pwned):
        code, err = _main(monkeypatch, capsys, repo, "history", "--", ref)
        assert code == 2, (ref, code, err)
        assert err.startswith("backlog: error: ") and "Traceback" not in err, (ref, err)
        assert not pwned.exists()
    assert _snapshot(repo) == before


def test_hostile_refs_through_the_real_executable(repo: Path, tmp_path: Path) -> None:
    """A sample of the matrix as a user runs it: the console entry point in a new process."""
    pwned = tmp_path / PWNED
    refs = [f"--upload-pack=touch {pwned}", f"HEAD; touch {pwned}", "main\ntouch"]
    runs = [
        tuple(a.replace("{ref}", ref) for a in ENTRY_POINTS[entry])
        for entry in ("check --base", "diff BASE HEAD", "impact --head", "bump --auto --base")
        for ref in refs
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda a: run_cli(a[0], "--root", str(repo), *a[1:], cwd=tmp_path), runs)
        )
    for args, result in zip(runs, results, strict=True):
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("backlog: error: "), (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert not pwned.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_refused_base_leaves_no_head_checkout_behind(repo: Path, tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    (repo / "backlog.yaml").write_text("items: backlog/\nbase: '--output=x'\n", encoding="utf-8")
    result = run_cli("check", "--head", "HEAD", cwd=repo, env={"TMPDIR": str(temp)})
    assert result.returncode == 2 and "base ref (config `base`)" in result.stderr
    assert list(temp.iterdir()) == []


# --- names from the repository that git must read ---------------------------------------------


def test_line_breaks_in_file_names_and_template_paths_do_not_stop_a_diff(tmp_path: Path) -> None:
    """A pull request can add `backlog/a<LF>b.yaml` or `template_file: "t<CR>"`: `git cat-file
    --batch` reads one name per line (and drops a CR before the LF), so such a name is read on
    its own; before, the whole diff, `check --base`, `impact` and `history` stopped (exit 2)."""
    root = write_backlog(
        tmp_path / "repo",
        {
            "backlog/p.yaml": item("prompt", "p", spec='template_file: "t\\nx.j2"\ninputs: {}'),
            "backlog/q.yaml": item("prompt", "q", spec='template_file: "u.j2\\r"\ninputs: {}'),
            "backlog/t\nx.j2": "hello {{ name }}\n",
            "backlog/u.j2\r": "the right file {{ name }}\n",
            "backlog/u.j2": "the wrong file {{ name }}\n",
            "backlog/a\nb.yaml": item("model", "nl"),
        },
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    (root / "backlog/t\nx.j2").write_text("bye {{ name }}\n", encoding="utf-8")
    (root / "backlog/u.j2\r").write_text("the right file, edited {{ name }}\n", encoding="utf-8")
    nl = root / "backlog/a\nb.yaml"
    nl.write_text(nl.read_text(encoding="utf-8").replace("proposed", "refined"), "utf-8")
    runs = [
        ("diff", "main", "--format", "json"),
        ("check", "--base", "main", "--format", "json", "--no-cache"),
        ("impact", "--base", "main", "--format", "json"),
        ("history", "prompt/p", "--format", "json"),
        ("history", "model/nl", "--format", "json"),
    ]
    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        results = list(pool.map(lambda args: run_cli(*args, cwd=root), runs))
    for args, result in zip(runs, results, strict=True):
        assert result.returncode in (0, 1), (args, result.stderr)
    diff = {i["item"]: i for i in json.loads(results[0].stdout)["items"]}
    assert diff["model/nl"]["state"] == "changed"
    assert diff["model/nl"]["base_path"] == "backlog/a\nb.yaml"
    assert "-hello {{ name }}\n+bye {{ name }}" in diff["prompt/p"]["template_diff"]
    q = diff["prompt/q"]["template_diff"]
    assert "-the right file {{ name }}" in q and "wrong" not in q
    rules = {(d["rule"], d["item"]) for d in json.loads(results[1].stdout)["diagnostics"]}
    assert ("version-not-bumped", "prompt/p") in rules
    assert len(json.loads(results[3].stdout)["entries"]) == 2
    assert len(json.loads(results[4].stdout)["entries"]) == 2
    assert os.path.exists(root / "backlog/a\nb.yaml")
