"""The cache: invalidation, corruption, concurrency, and the options that move or disable it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from backlog_cli import cache
from tests.conftest import item, run_cli, write_backlog

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
    assert (folder / "items.json").exists()
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
    (root / "backlog/t.j2").write_text("{{ x }} {{ y }}", encoding="utf-8")
    assert rules_on(checked(root), "prompt/p") == {"template-inputs"}
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
    pack = json.loads((root / ".backlog_cache/items.json").read_text())
    assert pack["tool"] == cache.__version__
    pack["tool"] = "0.0.0-other"
    (root / ".backlog_cache/items.json").write_text(json.dumps(pack))
    folder = root / ".backlog_cache"
    c = cache.Cache(folder)
    assert c._old == {}  # a pack from another version is not trusted
    for stored in (folder / "results").glob("*.json"):
        payload = json.loads(stored.read_text())
        payload["tool"] = "0.0.0-other"
        stored.write_text(json.dumps(payload))
    assert "files loaded" in verbose(root)  # the result cache was not used either


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"{",
        b"\x00\xff\xfe garbage",
        b'{"format": 1, "tool": "x"}',
        b"[1, 2, 3]",
        b'{"format": 1, "tool": "__V__", "entries": {"k": {"data": [1]}, "j": {"error": [1]}}}',
    ],
)
def test_truncated_or_garbage_entries_are_ignored(tmp_path: Path, garbage: bytes) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    expected = checked(root, "--no-cache")
    folder = root / ".backlog_cache"
    folder.mkdir(exist_ok=True)
    (folder / "items.json").write_bytes(garbage.replace(b"__V__", cache.__version__.encode()))
    (folder / "results").mkdir(exist_ok=True)
    for name in ("a.json", "b.json"):
        (folder / "results" / name).write_bytes(garbage)
    assert checked(root) == expected
    pack = json.loads((folder / "items.json").read_text())
    assert pack["format"] == cache.FORMAT and len(pack["entries"]) == 3  # rebuilt


def test_poisoned_entry_with_a_valid_shape_cannot_run_code(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    checked(root)
    path = root / ".backlog_cache/items.json"
    pack = json.loads(path.read_text())
    for entry in pack["entries"].values():
        if "data" in entry:
            entry["data"] = {"__reduce__": "os.system", "kind": "model", "id": "evil"}
    path.write_text(json.dumps(pack))
    for stored in (root / ".backlog_cache/results").glob("*.json"):
        stored.unlink()
    # entries are plain JSON data: at worst wrong findings for unchanged content, never code
    data = checked(root)
    assert isinstance(data["diagnostics"], list)


def test_no_cache_and_cache_dir_and_env(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    checked(root, "--no-cache")
    assert not (root / ".backlog_cache").exists()
    elsewhere = tmp_path / "cache-here"
    checked(root, "--cache-dir", str(elsewhere))
    assert (elsewhere / "items.json").exists() and not (root / ".backlog_cache").exists()
    env_dir = tmp_path / "env-cache"
    checked(root, env={"BACKLOG_CACHE_DIR": str(env_dir)})
    assert (env_dir / "items.json").exists()


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
