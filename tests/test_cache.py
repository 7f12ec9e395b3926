"""The cache: invalidation, corruption, concurrency, and the options that move or disable it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from backlog_cli import cache
from tests.conftest import git, item, run_cli, write_backlog

FILES: dict[str, str | bytes] = {
    "backlog/m.yaml": item("model", "m"),
    "backlog/p.yaml": item(
        "prompt", "p", spec="model: model/m\ntemplate_file: t.j2\ninputs: {x: {type: string}}"
    ),
    "backlog/t.j2": "{{ x }}",
    "backlog/broken.yaml": "a: [\n",
}


def checked(root: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    result = run_cli("check", "--format", "json", *args, cwd=root, env=env)
    assert result.returncode in (0, 1), result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def verbose(root: Path, *args: str) -> str:
    return run_cli("check", "-v", *args, cwd=root).stderr


def test_cache_is_written_ignored_and_reused(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    first = checked(root)
    folder = root / ".backlog_cache"
    assert (folder / ".gitignore").read_text() == "# created by backlog-cli\n*\n"
    assert (folder / "index.json").exists() and (folder / "items.json").exists()
    assert "result reused from the cache" in verbose(root)
    assert checked(root) == first


def test_content_change_invalidates(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", FILES)

    def rules_on(data: dict[str, object], item_key: str) -> set[str]:
        diagnostics = data["diagnostics"]
        assert isinstance(diagnostics, list)
        return {d["rule"] for d in diagnostics if d["item"] == item_key}

    assert rules_on(checked(root), "model/m") == set()
    (root / "backlog/m.yaml").write_text(item("model", "m", extra="bogus: 1"), encoding="utf-8")
    assert rules_on(checked(root), "model/m") == {"schema"}
    # a referenced template is part of the key too
    assert rules_on(checked(root), "prompt/p") == set()
    assert rules_on(checked(root, "backlog/p.yaml"), "prompt/p") == set()
    (root / "backlog/t.j2").write_text("{{ x }} {{ y }}", encoding="utf-8")
    assert rules_on(checked(root), "prompt/p") == {"template-inputs"}
    # also for a run limited to the item (its stored result named the template too)
    assert rules_on(checked(root, "backlog/p.yaml"), "prompt/p") == {"template-inputs"}
    # and so is the date the date rules compare against
    (root / "backlog/pol.yaml").write_text(
        item("policy", "pol", spec="review_by: 2030-01-02"), encoding="utf-8"
    )
    assert rules_on(checked(root, env={"BACKLOG_TODAY": "2030-01-01"}), "policy/pol") == set()
    late = checked(root, env={"BACKLOG_TODAY": "2030-01-03"})
    assert rules_on(late, "policy/pol") == {"review-overdue"}


def test_tool_version_change_invalidates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    checked(root)
    folder = root / ".backlog_cache"
    for name in ("index.json", "items.json"):
        pack = json.loads((folder / name).read_text())
        assert pack["tool"] == cache.__version__
        pack["tool"] = "0.0.0-other"
        (folder / name).write_text(json.dumps(pack))
    c = cache.Cache(folder)
    assert c._old_index() == {} and c._old_data() == {}  # another version's packs: not trusted
    for stored in (folder / "results").glob("*.json"):
        payload = json.loads(stored.read_text())
        payload["tool"] = "0.0.0-other"
        stored.write_text(json.dumps(payload))
    assert "files loaded" in verbose(root)  # the result cache was not used either


GARBAGE = [
    b"",
    b"{",
    b"\x00\xff\xfe garbage",
    b'{"format": __F__, "tool": "x"}',
    b"[1, 2, 3]",
    b'{"format": __F__, "tool": "__V__", "entries": {"k": {"data": [1]}, "j": {"error": [1]}}}',
    # right envelope, entries of the wrong shape
    b'{"format": __F__, "tool": "__V__", "entries": {"k": {"s": [1, 2]}, "j": {"s": null}}}',
]


def _fill(garbage: bytes) -> bytes:
    return garbage.replace(b"__V__", cache.__version__.encode()).replace(
        b"__F__", str(cache.FORMAT).encode()
    )


@pytest.mark.parametrize("pack", ["index.json", "items.json"])
@pytest.mark.parametrize("garbage", GARBAGE)
def test_truncated_or_garbage_packs_are_ignored(tmp_path: Path, garbage: bytes, pack: str) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    expected = checked(root, "--no-cache")
    folder = root / ".backlog_cache"
    folder.mkdir(exist_ok=True)
    (folder / pack).write_bytes(_fill(garbage))
    (folder / "results").mkdir(exist_ok=True)
    for name in ("a.json", "b.json"):
        (folder / "results" / name).write_bytes(garbage)
    assert checked(root) == expected
    assert checked(root, "backlog/p.yaml") == checked(root, "--no-cache", "backlog/p.yaml")
    index = json.loads((folder / "index.json").read_text())
    assert index["format"] == cache.FORMAT and len(index["entries"]) == 3  # rebuilt
    data = json.loads((folder / "items.json").read_text())
    assert len(data["entries"]) == 2  # the broken file has a load error, no data


def _index_entries(root: Path) -> tuple[Path, dict[str, object]]:
    path = root / ".backlog_cache/index.json"
    pack = json.loads(path.read_text())
    entries: dict[str, object] = pack["entries"]
    return path, entries


@pytest.mark.parametrize(
    "poison",
    [
        [None] * 7,  # every field null: a valid shape, and the data says otherwise
        ["model", "m", "1.0.0", "done", "not a list", None, []],
        ["model", "m", "1.0.0", "done", [], None, [["depends_on", {}, "m", "x", None]]],
        ["model", "m", "1.0.0", "done", [], None, [["no.such.field", None, "model", "x", None]]],
        ["model", "m", "1.0.0", "done", [], None, [["depends_on", 0, "model", 5, None]]],
        ["model", "m", 1, "done", [], None, []],
        ["model", "m", "1.0.0", "done", [], None, [[1, 2, 3, 4, 5]]],
        ["model", "m", "1.0.0", "done", [], None, []] + [None] * 2,
        {"kind": "model"},
        "x" * 10,
    ],
)
def test_index_entries_of_the_wrong_shape_are_rebuilt(tmp_path: Path, poison: object) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    expected_all = checked(root, "--no-cache")
    expected_one = checked(root, "--no-cache", "backlog/p.yaml")
    checked(root)
    path, entries = _index_entries(root)
    for key, entry in entries.items():
        if isinstance(entry, dict) and "s" in entry:
            entries[key] = {"s": poison}
    path.write_text(
        json.dumps({"format": cache.FORMAT, "tool": cache.__version__, "entries": entries})
    )
    for stored in (root / ".backlog_cache/results").glob("*.json"):
        stored.unlink()
    if poison == [None] * 7:
        # the only wrong-but-well-formed summary: it can hide items from the graph (wrong
        # findings for unchanged content, like any poisoned cache), but never crash
        assert isinstance(checked(root, "backlog/p.yaml")["diagnostics"], list)
        return
    assert checked(root, "backlog/p.yaml") == expected_one
    assert checked(root) == expected_all


FIVE_REQUIRED = ("apiVersion", "owner", "status", "title", "version")


def test_poisoned_entry_with_a_valid_shape_cannot_run_code(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    checked(root)
    path = root / ".backlog_cache/items.json"
    pack = json.loads(path.read_text())
    sentinel = tmp_path / "pwned"  # what the payload would create if anything ran it
    for key in pack["entries"]:
        pack["entries"][key] = {
            "__reduce__": ["os.system", f"touch {sentinel}"],
            "kind": "model",
            "id": "evil",
        }
    path.write_text(json.dumps(pack))
    for stored in (root / ".backlog_cache/results").glob("*.json"):
        stored.unlink()
    # entries are plain JSON data: at worst wrong findings for unchanged content, never code
    data = checked(root)
    assert isinstance(data["diagnostics"], list)
    assert not sentinel.exists()
    # and the findings are exactly those of that data, taken as data
    found = sorted((d["path"], d["rule"], d["message"]) for d in data["diagnostics"])
    assert [f[1] for f in found if f[0] == "backlog/broken.yaml"] == ["yaml-syntax"]
    assert [f for f in found if f[0] != "backlog/broken.yaml"] == [
        (path, "schema", message)
        for path in ("backlog/m.yaml", "backlog/p.yaml")
        for message in [
            *(f"missing required key `{key}`" for key in FIVE_REQUIRED),
            "unknown key `__reduce__`",
        ]
    ]


def test_check_paths_reads_summaries_and_parses_only_what_it_reports(tmp_path: Path) -> None:
    """`check PATH` with a warm cache: the graph comes from the index, the data of the
    reported items from their files, and the findings are those of a full run limited to
    the path."""
    files = dict(FILES)
    for i in range(40):
        files[f"backlog/many/d{i}.yaml"] = item("dataset", f"d{i}", spec=f"source: s3://x/{i}")
    files["backlog/many/d7.yaml"] = item("dataset", "d7", spec="source: s3://x/7", extra="bad: 1")
    root = write_backlog(tmp_path / "r", files)
    checked(root)  # fills both packs
    data_pack = root / ".backlog_cache/items.json"
    before = data_pack.read_bytes()
    # a new item referencing the model: the model's findings are in scope via the referrer
    (root / "backlog/q.yaml").write_text(
        item("prompt", "q", spec="model: model/m@^9\ninputs: {}"), encoding="utf-8"
    )
    one = checked(root, "backlog/q.yaml")
    assert one == checked(root, "--no-cache", "backlog/q.yaml")
    rules = {(d["item"], d["rule"]) for d in one["diagnostics"]}  # type: ignore[union-attr]
    assert ("prompt/q", "version-constraint") in rules
    assert not any(item_key == "dataset/d7" for item_key, _ in rules)  # outside the path
    assert data_pack.read_bytes() == before  # the data pack is left alone by a PATHS run
    _, entries = _index_entries(root)
    assert len(entries) == len(files) - 1  # every item file (not the template); q is not
    # recorded: a PATHS run rewrites the index only for many misses, a full run always does
    checked(root)
    index, entries = _index_entries(root)
    assert len(entries) == len(files)
    before_many = index.read_bytes()
    for i in range(cache.LAZY_MISSES_UNSAVED + 1):
        name = f"backlog/many/d{i}.yaml"
        (root / name).write_text(item("dataset", f"d{i}", spec=f"source: s3://y/{i}"), "utf-8")
    assert checked(root, "backlog/many") == checked(root, "--no-cache", "backlog/many")
    _, entries = _index_entries(root)
    assert len(entries) == len(files)  # rewritten: the old contents of d0.. are gone
    assert index.read_bytes() != before_many


def test_no_cache_and_cache_dir_and_env(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    checked(root, "--no-cache")
    assert not (root / ".backlog_cache").exists()
    elsewhere = tmp_path / "cache-here"
    checked(root, "--cache-dir", str(elsewhere))
    assert (elsewhere / "index.json").exists() and not (root / ".backlog_cache").exists()
    env_dir = tmp_path / "env-cache"
    checked(root, env={"BACKLOG_CACHE_DIR": str(env_dir)})
    assert (env_dir / "index.json").exists()


def test_parallel_runs_share_one_cache(tmp_path: Path) -> None:
    files = dict(FILES)
    for i in range(60):
        files[f"backlog/many/d{i}.yaml"] = item("dataset", f"d{i}", spec=f"source: s3://x/{i}")
    root = write_backlog(tmp_path / "r", files)
    expected = checked(root, "--no-cache")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "backlog_cli.cli", "check", "--format", "json"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(8)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for (out, err), proc in zip(outputs, procs, strict=True):
        assert proc.returncode == 1, err
        assert json.loads(out) == expected
    # and the cache they left behind is sound
    assert checked(root) == expected
    assert not list((root / ".backlog_cache").glob(".*.tmp"))


COMMANDS = [
    ["list"],
    ["show", "model/m"],
    ["status"],
    ["lineage", "model/m"],
    ["diff", "HEAD"],
    ["impact", "--base", "HEAD"],
    ["history", "model/m"],
    ["bump", "model/m", "--patch"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_every_command_that_reads_the_backlog_takes_the_cache_options(
    tmp_path: Path, command: list[str]
) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    default = root / ".backlog_cache"

    off = run_cli(*command, "--no-cache", cwd=root)
    assert off.returncode == 0, off.stderr
    assert not default.exists()
    elsewhere = tmp_path / "elsewhere"
    moved = run_cli(*command, "--cache-dir", str(elsewhere), cwd=root)
    assert moved.returncode == 0, moved.stderr
    assert (elsewhere / "index.json").exists() and not default.exists()
    if command[0] != "bump":  # the same answer with and without the cache
        assert moved.stdout == off.stdout
